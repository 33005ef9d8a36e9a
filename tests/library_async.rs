//! The engine as a library: callable from async code without a panic, the
//! whole configuration checked at start, and a wait for a Snapshot that
//! cannot come reported instead of answered with an old one.

use std::time::{Duration, Instant};

use loadlab::engine::{Engine, EngineConfig};
use loadlab::spec::{BackendKind, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn small(limit: RunLimit) -> EngineConfig {
    EngineConfig {
        backend: BackendKind::Channel,
        threads: 1,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: 100,
            ..WorkloadSpec::default()
        },
        load: LoadMode::Closed { inflight: 2 },
        limit,
        sample_interval: Duration::from_millis(20),
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    }
}

#[test]
fn wait_stop_and_drop_work_from_async_code() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let engine = Engine::start(small(RunLimit::Tasks(20))).unwrap_or_else(|e| panic!("{e}"));
        engine.wait_for_run();
        let outcome = engine.finish();
        assert_eq!(outcome.totals.counters.completed, 20);
        drop(engine);

        let engine = Engine::start(EngineConfig {
            start_driver: false,
            ..small(RunLimit::Unbounded)
        })
        .unwrap_or_else(|e| panic!("{e}"));
        engine.run_to_limit(RunLimit::Tasks(5));
        let outcome = engine.stop();
        let counts = outcome.totals.counters;
        assert_eq!(
            counts.submitted,
            counts.completed + counts.failed + counts.cancelled
        );
        assert_eq!(counts.completed, 5, "{counts:?}");
    });
}

#[test]
fn start_refuses_a_config_out_of_bounds_naming_the_field() {
    let mut config = small(RunLimit::Tasks(1));
    config.threads = 100_000;
    let error = Engine::start(config).err().map(|e| e.to_string());
    assert!(
        error.as_deref().is_some_and(|e| e.starts_with("threads: ")),
        "{error:?}"
    );
    let mut config = small(RunLimit::Tasks(1));
    config.batch = 1 << 40;
    let error = Engine::start(config).err().map(|e| e.to_string());
    assert!(
        error.as_deref().is_some_and(|e| e.starts_with("batch: ")),
        "{error:?}"
    );
}

#[test]
fn a_snapshot_that_cannot_come_is_an_error_not_an_old_one() {
    let engine = Engine::start(small(RunLimit::Tasks(5))).unwrap_or_else(|e| panic!("{e}"));
    engine.wait_for_run();
    let fresh = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    assert!(fresh.seq > 0);
    // The sampler stops with `finish`: no Snapshot follows.
    engine.finish();
    let asked = Instant::now();
    let stale = engine
        .fresh_snapshot()
        .expect_err("no sampler, no fresh snapshot");
    assert!(asked.elapsed() < Duration::from_secs(2), "told at once");
    assert!(stale.to_string().contains("no new snapshot"), "{stale}");
    assert!(stale.last.seq >= fresh.seq);
}
