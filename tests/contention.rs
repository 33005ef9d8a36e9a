//! The contention warning counts the threads that want a CPU, not the
//! threads that exist. Its own test binary: another engine's busy threads in
//! the same process would count too.

use std::time::Duration;

use loadlab::engine::{Engine, EngineConfig};
use loadlab::metrics::collector::wants_a_cpu;
use loadlab::metrics::snapshot::PoolKind;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn config(threads: usize) -> EngineConfig {
    EngineConfig {
        backend: BackendKind::Rayon,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: 2_000,
            dist: Dist::Fixed,
            seed: 3,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed {
            inflight: 4 * threads,
        },
        limit: RunLimit::Unbounded,
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    }
}

#[test]
fn only_threads_that_want_a_cpu_count_towards_contention() {
    // Two busy pool threads beside two idle app workers: not more busy
    // threads than cores (on a machine of 2 or more), so no contention.
    let cores = loadlab::engine::cores();
    let engine = Engine::start(config(cores)).expect("engine");
    std::thread::sleep(Duration::from_millis(1_500));
    let s = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    let seen = format!(
        "{} busy threads on {cores} cores: {:?}",
        s.system.busy_threads,
        s.threads
            .iter()
            .map(|t| (&t.name, t.cpu_pct, t.wait_pct))
            .collect::<Vec<_>>()
    );
    // Exactly the threads that wanted a CPU count, never the idle ones.
    let wanting = s.threads.iter().filter(|t| wants_a_cpu(t)).count();
    assert_eq!(s.system.busy_threads, wanting, "{seen}");
    assert!(
        wanting < s.threads.iter().filter(|t| t.alive).count(),
        "{seen}"
    );
    // The app workers are idle unless a busy machine kept their wake-ups
    // waiting for a CPU; while they are, only the pool wants the cores.
    let app_workers_idle = !s
        .threads
        .iter()
        .any(|t| t.pool == PoolKind::App && wants_a_cpu(t));
    if app_workers_idle {
        assert!(s.system.busy_threads <= cores, "{seen}");
        assert!(!s.system.oversubscribed, "{seen}");
    }
    // Twice as many busy pool threads as cores: contended.
    use loadlab::engine::controller::Controller as _;
    engine
        .apply(loadlab::engine::command::Command::SetThreads {
            threads: 2 * cores + 1,
        })
        .expect("resize");
    std::thread::sleep(Duration::from_millis(2_000));
    let s = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        s.system.oversubscribed,
        "{} busy threads on {cores} cores",
        s.system.busy_threads
    );
    engine.end_run();
    engine.finish();
    engine.shutdown(Duration::from_secs(1));
}
