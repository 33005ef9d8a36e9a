//! While nothing runs (arrivals paused, no task in flight) the heartbeat, the
//! echo probe and the sampler slow down, and they take up their pace again
//! when work resumes. Counts, not timings: a loaded machine skips ticks, but
//! the heartbeat records the ticks a stall swallowed, so its count follows
//! its period either way.

use std::time::{Duration, Instant};

use loadlab::engine::command::Command;
use loadlab::engine::controller::Controller;
use loadlab::engine::{Engine, EngineConfig};
use loadlab::metrics::snapshot::Snapshot;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn wait_for(engine: &Engine, what: &str, ok: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snapshot = engine.latest_snapshot();
        if ok(&snapshot) {
            return (*snapshot).clone();
        }
        assert!(Instant::now() < deadline, "no snapshot {what} within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn probes_and_sampling_slow_down_while_paused_and_resume_with_the_work() {
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::Rayon,
        threads: 1,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: 200,
            dist: Dist::Fixed,
            ..WorkloadSpec::default()
        },
        load: LoadMode::Closed { inflight: 2 },
        limit: RunLimit::Unbounded,
        ..EngineConfig::default()
    })
    .unwrap();
    // Running: a tick every 10 ms, a ping every 50 ms, over a 1 s window.
    let running = wait_for(&engine, "running for 1.5 s", |s| s.elapsed_s > 1.5);
    assert!(!running.idle);
    assert!(
        running.heartbeat.window.count >= 60,
        "heartbeat ticks in the window while running: {}",
        running.heartbeat.window.count
    );

    engine.apply(Command::Pause { paused: true }).unwrap();
    let idle = wait_for(&engine, "idle", |s| s.idle);
    assert_eq!(idle.tasks.inflight, 0, "idle only once the tasks drained");
    std::thread::sleep(Duration::from_millis(2_100));
    let paused = engine.latest_snapshot();
    assert!(paused.idle);
    // A full window at the idle pace: a tick every 100 ms, a ping a second.
    assert!(
        paused.heartbeat.window.count <= 30,
        "heartbeat ticks in the window while idle: {}",
        paused.heartbeat.window.count
    );
    assert!(
        paused.echo.window.count <= 5,
        "echo pings in the window while idle: {}",
        paused.echo.window.count
    );
    // Sampled every second rather than every 100 ms.
    let seq = paused.seq;
    std::thread::sleep(Duration::from_millis(1_500));
    let sampled = engine.latest_snapshot().seq - seq;
    assert!(sampled <= 5, "{sampled} snapshots in 1.5 s while idle");

    engine.apply(Command::Pause { paused: false }).unwrap();
    let resumed = wait_for(&engine, "after the resume", |s| s.seq > seq + sampled);
    assert!(
        !resumed.idle,
        "the first snapshot after a resume is not idle"
    );
    let since = resumed.seq;
    let busy = wait_for(&engine, "a second after the resume", |s| {
        s.seq >= since + 12 && s.tasks.completed > resumed.tasks.completed
    });
    assert!(
        busy.heartbeat.window.count >= 60,
        "heartbeat ticks in the window after the resume: {}",
        busy.heartbeat.window.count
    );

    let outcome = engine.stop();
    let c = outcome.totals.counters;
    assert_eq!(c.submitted, c.completed + c.failed + c.cancelled);
}

#[test]
fn a_stopped_engine_is_idle_and_a_new_run_leaves_the_idle_pace() {
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::Channel,
        threads: 1,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: 100,
            dist: Dist::Fixed,
            ..WorkloadSpec::default()
        },
        load: LoadMode::Closed { inflight: 2 },
        limit: RunLimit::Tasks(50),
        start_driver: false,
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .unwrap();
    wait_for(&engine, "idle before the first run", |s| s.idle);
    let before = engine.latest_snapshot().heartbeat.cumulative.count;
    // A run of 1.2 s: the heartbeat must tick at 10 ms from its start.
    engine.run_to_limit(RunLimit::Duration(Duration::from_millis(1_200)));
    let after = engine
        .fresh_snapshot()
        .unwrap_or_else(|e| panic!("{e}"))
        .heartbeat
        .cumulative
        .count;
    assert!(
        after - before >= 80,
        "{} heartbeat ticks during a 1.2 s run",
        after - before
    );
    let outcome = engine.stop();
    let c = outcome.totals.counters;
    assert_eq!(c.submitted, c.completed + c.failed + c.cancelled);
    assert!(c.completed > 0);
}
