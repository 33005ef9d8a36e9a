//! `--batch K`: tasks travel K to a job yet are counted, checksummed and timed
//! one by one; a run's elapsed time leaves start-up and shutdown out.

use std::process::Command as Process;
use std::time::{Duration, Instant};

use loadlab::engine::{Engine, EngineConfig, RunOutcome};
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn config(backend: BackendKind, batch: usize, limit: RunLimit) -> EngineConfig {
    EngineConfig {
        backend,
        threads: 2,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Sumsq,
            size: 2_000,
            dist: Dist::Uniform,
            seed: 5,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed { inflight: 64 },
        limit,
        echo_pings_per_s: 0,
        batch,
        ..EngineConfig::default()
    }
}

fn run(config: EngineConfig) -> RunOutcome {
    let engine = Engine::start(config).unwrap();
    engine.wait_for_run();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(1));
    outcome
}

#[test]
fn batched_tasks_are_counted_and_checksummed_one_by_one_on_every_backend() {
    // 1,003 tasks: batches of 10 and 7 leave a partial batch at the end.
    let tasks = 1_003;
    let reference = run(config(BackendKind::Rayon, 1, RunLimit::Tasks(tasks)));
    for backend in BackendKind::ALL {
        for batch in [7, 10] {
            let outcome = run(config(backend, batch, RunLimit::Tasks(tasks)));
            let c = outcome.totals.counters;
            assert_eq!(outcome.batch, batch);
            assert_eq!(c.submitted, tasks, "{backend} batch {batch}: {c:?}");
            assert_eq!(c.completed, tasks, "{backend} batch {batch}: {c:?}");
            assert_eq!(
                c.checksum, reference.totals.counters.checksum,
                "{backend} batch {batch}: same tasks, same checksum"
            );
            let latency = &outcome.totals.latency;
            assert!(
                latency.service.count == tasks && latency.queue.count == tasks,
                "{backend} batch {batch}: each task timed on its own: {latency:?}"
            );
        }
    }
}

#[test]
fn a_stop_cancels_the_unstarted_rest_of_a_batch() {
    let mut cfg = config(
        BackendKind::Channel,
        50,
        RunLimit::Duration(Duration::from_millis(300)),
    );
    cfg.workload.kernel = Kernel::Spin;
    cfg.workload.size = 5_000;
    cfg.workload.dist = Dist::Fixed;
    cfg.load = LoadMode::Closed { inflight: 400 };
    let began = Instant::now();
    let outcome = run(cfg);
    // Draining 400 tasks of 5 ms on 2 threads would take a second.
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "took {:?}",
        began.elapsed()
    );
    let c = outcome.totals.counters;
    assert_eq!(c.submitted, c.completed + c.failed + c.cancelled, "{c:?}");
    assert!(c.cancelled > 0, "{c:?}");
}

#[test]
fn elapsed_runs_from_the_first_submission_to_the_last_end() {
    let began = Instant::now();
    let engine = Engine::start(config(BackendKind::Rayon, 1, RunLimit::Tasks(2_000))).unwrap();
    engine.wait_for_run();
    let outcome = engine.finish();
    let wall = began.elapsed();
    engine.shutdown(Duration::from_secs(1));
    assert!(outcome.elapsed > Duration::ZERO);
    assert!(outcome.startup > Duration::ZERO);
    let parts = outcome.startup + outcome.elapsed + outcome.shutdown;
    assert!(
        parts <= wall,
        "start-up {:?} + elapsed {:?} + shutdown {:?} exceed the wall time {wall:?}",
        outcome.startup,
        outcome.elapsed,
        outcome.shutdown
    );
}

#[test]
fn the_report_carries_batch_startup_and_shutdown() {
    let out = Process::new(env!("CARGO_BIN_EXE_loadlab"))
        .args([
            "run",
            "--workload",
            "spin",
            "--size",
            "1",
            "--tasks",
            "3000",
            "--batch",
            "100",
            "--format",
            "json",
        ])
        .output()
        .expect("run loadlab");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["batch"], 100);
    assert_eq!(report["tasks"]["completed"], 3000);
    for key in ["elapsed_s", "startup_s", "shutdown_s"] {
        assert!(
            report[key].as_f64().is_some_and(|s| s >= 0.0),
            "{key}: {report}"
        );
    }

    let bad = Process::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(["run", "--batch", "0"])
        .output()
        .expect("run loadlab");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--batch"));
}
