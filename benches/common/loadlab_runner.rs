//! loadlab doing the same tasks: one engine started outside the timed part, then
//! per batch `run_to_limit(Tasks(n))`, the full driver + backend +
//! instrumentation path, which returns once every task has ended.

use std::sync::Arc;
use std::time::{Duration, Instant};

use loadlab::engine::shared::Shared;
use loadlab::engine::{Engine, EngineConfig};
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

use super::{Contender, SEED, THREADS};

/// The closed-loop depth of every loadlab run here.
pub const INFLIGHT: usize = 64;

pub fn spin_spec(us: u64) -> WorkloadSpec {
    WorkloadSpec {
        kernel: Kernel::Spin,
        size: us,
        dist: Dist::Fixed,
        seed: SEED,
        path: None,
        cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
    }
}

pub struct Loadlab {
    engine: Engine,
}

impl Loadlab {
    /// An engine with the shipped defaults for probes and sampler, and no driver yet.
    pub fn start(backend: BackendKind, us: u64) -> anyhow::Result<Loadlab> {
        let engine = Engine::start(EngineConfig {
            backend,
            threads: THREADS,
            runtime_workers: THREADS,
            workload: spin_spec(us),
            load: LoadMode::Closed { inflight: INFLIGHT },
            start_driver: false,
            limit: RunLimit::Unbounded,
            ..EngineConfig::default()
        })?;
        Ok(Loadlab { engine })
    }

    pub fn shared(&self) -> &Arc<Shared> {
        self.engine.shared()
    }

    fn completed(&self) -> u64 {
        self.shared()
            .registry
            .all()
            .iter()
            .map(|stats| stats.counters().completed)
            .sum()
    }
}

impl Contender for Loadlab {
    fn run_batch(&self, n: u64) -> anyhow::Result<Duration> {
        let before = self.completed();
        let started = Instant::now();
        self.engine.run_to_limit(RunLimit::Tasks(n));
        let elapsed = started.elapsed();
        let done = self.completed() - before;
        anyhow::ensure!(
            done == n,
            "loadlab batch of {n} tasks: {done} completed (stop or failure)"
        );
        Ok(elapsed)
    }
}

impl Drop for Loadlab {
    fn drop(&mut self) {
        self.engine.shutdown(Duration::from_secs(1));
    }
}
