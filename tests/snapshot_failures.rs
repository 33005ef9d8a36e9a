//! What the dashboard reads from a real engine's Snapshots: failures (rate,
//! first error, newest cause), and `r` (a statistics reset) clearing them
//! together with the blocked events.

use std::time::Duration;

use loadlab::engine::{Engine, EngineConfig};
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn config(backend: BackendKind, kernel: Kernel, size: u64, tasks: u64) -> EngineConfig {
    EngineConfig {
        backend,
        threads: 2,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel,
            size,
            dist: Dist::Fixed,
            seed: 3,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed { inflight: 8 },
        limit: RunLimit::Tasks(tasks),
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    }
}

#[test]
fn snapshots_carry_the_first_error_and_the_newest_cause_and_a_reset_clears_the_count() {
    loadlab::engine::task_job::quiet_job_panics();
    let mut cfg = config(BackendKind::Rayon, Kernel::Sumsq, 1_000, 400);
    cfg.panic_every = 10;
    let engine = Engine::start(cfg).expect("engine");
    engine.wait_for_run();
    let s = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.tasks.failed, 40, "{:?}", s.tasks);
    let first = s.failures.first_error.clone().unwrap_or_default();
    assert!(
        first.starts_with("task ") && first.contains("panicked"),
        "{first}"
    );
    let cause = s.failures.latest_cause.clone().unwrap_or_default();
    assert!(
        cause.contains("panicked") && !cause.starts_with("task "),
        "{cause}"
    );
    assert!(s.failures.per_s >= 0.0);

    let after = engine.reset_and_wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.tasks.failed, 0, "{:?}", after.tasks);
    engine.finish();
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn a_reset_zeroes_blocked_events_and_forgets_the_last_block() {
    // Inline work holds both app workers for 60 ms at a time: the heartbeat is blocked.
    let engine =
        Engine::start(config(BackendKind::Inline, Kernel::Spin, 60_000, 24)).expect("engine");
    engine.wait_for_run();
    let before = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    assert!(before.health.blocked_events >= 1, "{:?}", before.health);
    assert!(before.health.last_block.is_some());
    let after = engine.reset_and_wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.health.blocked_events, 0, "{:?}", after.health);
    assert!(after.health.last_block.is_none(), "{:?}", after.health);
    engine.finish();
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn a_stall_is_blamed_on_the_backend_that_ran_when_it_began() {
    // Inline tasks of 400 ms hold both app workers; the backend is swapped
    // to channel while they run. The stall that ends afterwards began under
    // inline, and the last block must say so.
    let mut cfg = config(BackendKind::Inline, Kernel::Spin, 400_000, 2);
    cfg.load = LoadMode::Closed { inflight: 2 };
    cfg.block_threshold = Duration::from_millis(150);
    let engine = Engine::start(cfg).expect("engine");
    std::thread::sleep(Duration::from_millis(150));
    engine.set_backend(BackendKind::Channel).expect("swap");
    engine.wait_for_run();
    let s = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    let block = s.health.last_block.clone().expect("a block was reported");
    assert_eq!(block.backend, BackendKind::Inline, "{block:?}");
    assert!(block.blocked_ms >= 150.0, "{block:?}");
    engine.finish();
    engine.shutdown(Duration::from_secs(1));
}
