//! Hundreds of threads: spawn-blocking with 300 threads on blocking work. The
//! sampler lists every one of them with its CPU time, and every task is
//! accounted for.

use std::time::Duration;

use loadlab::engine::{Engine, EngineConfig};
use loadlab::metrics::snapshot::PoolKind;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

#[test]
fn the_sampler_sees_hundreds_of_blocking_threads_and_counts_stay_exact() {
    let threads = 300;
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::SpawnBlocking,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Sleep,
            size: 20_000,
            dist: Dist::Fixed,
            seed: 3,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed {
            inflight: 2 * threads,
        },
        limit: RunLimit::Unbounded,
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .expect("engine");
    std::thread::sleep(Duration::from_millis(1_500));
    let s = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    let blocking = s
        .threads
        .iter()
        .filter(|t| t.alive && t.pool == PoolKind::Blocking)
        .count();
    assert!(blocking >= threads, "{blocking} blocking threads listed");
    let c = &s.tasks;
    assert_eq!(
        c.submitted,
        c.completed + c.failed + c.cancelled + c.inflight,
        "{c:?}"
    );
    // Blocking work: 300 threads asleep hold no CPU, so many tasks end at once.
    assert!(
        s.throughput.tasks_per_s > 1_000.0,
        "{}",
        s.throughput.tasks_per_s
    );
    engine.end_run();
    engine.wait_for_run();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(2));
    let c = outcome.totals.counters;
    assert_eq!(c.submitted, c.completed + c.failed + c.cancelled, "{c:?}");
}
