//! Deadlines and stops are kept on every backend: queued tasks are cancelled at
//! once, running ones finish, and every task is accounted for, also in each
//! per-tick Snapshot while the configuration changes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use loadlab::backend::Backend;
use loadlab::backend::spawn_blocking::SpawnBlockingBackend;
use loadlab::engine::command::Command;
use loadlab::engine::controller::Controller;
use loadlab::engine::job::Job;
use loadlab::engine::{Engine, EngineConfig, RunOutcome};
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn config(backend: BackendKind, spin_us: u64, load: LoadMode, limit: RunLimit) -> EngineConfig {
    EngineConfig {
        backend,
        threads: 2,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: spin_us,
            dist: Dist::Fixed,
            seed: 3,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load,
        limit,
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    }
}

fn finish(engine: &Engine) -> RunOutcome {
    engine.wait_for_run();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(1));
    outcome
}

fn assert_accounted(what: &str, outcome: &RunOutcome) {
    let c = &outcome.totals.counters;
    assert_eq!(
        c.submitted,
        c.completed + c.failed + c.cancelled,
        "{what}: every task ends exactly once: {c:?}"
    );
}

#[test]
fn a_duration_deadline_is_kept_under_heavy_queueing_on_every_backend() {
    let duration = Duration::from_millis(500);
    for backend in BackendKind::ALL {
        for load in [
            LoadMode::Closed { inflight: 1000 },
            LoadMode::Open { rate: 50_000.0 },
        ] {
            let what = format!("{backend} {load:?}");
            let began = Instant::now();
            // 20 ms tasks: draining the queue would take seconds.
            let engine =
                Engine::start(config(backend, 20_000, load, RunLimit::Duration(duration))).unwrap();
            let outcome = finish(&engine);
            let took = began.elapsed();
            assert!(
                took < duration + Duration::from_secs(3),
                "{what}: a {duration:?} run took {took:?}"
            );
            assert_accounted(&what, &outcome);
            let c = outcome.totals.counters;
            assert!(c.cancelled > 0, "{what}: queued tasks are cancelled: {c:?}");
            assert!(c.completed > 0, "{what}: running tasks finish: {c:?}");
        }
    }
}

#[test]
fn a_stop_cancels_inline_tasks_that_wait_for_an_app_worker() {
    // 30 tasks of 200 ms on two app workers: running them all takes 3 s.
    let mut cfg = config(
        BackendKind::Inline,
        200_000,
        LoadMode::Closed { inflight: 30 },
        RunLimit::Tasks(30),
    );
    cfg.heartbeat_period = Duration::from_millis(50);
    let engine = Engine::start(cfg).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // From outside the app runtime, as a signal handler thread would.
    engine.end_run();
    let outcome = finish(&engine);
    assert_accounted("inline", &outcome);
    let c = outcome.totals.counters;
    // Only the tasks already holding an app worker (and a straggler) ran.
    assert!(c.completed <= 6, "queued inline tasks still ran: {c:?}");
    assert!(
        c.cancelled >= 24,
        "queued inline tasks are cancelled: {c:?}"
    );
}

#[test]
fn a_stop_in_the_middle_of_a_refill_submits_nothing_more() {
    for backend in [BackendKind::Rayon, BackendKind::Channel] {
        // One refill of the most tasks in flight the bounds allow (100,000):
        // the stop lands while it is submitted.
        let engine = Arc::new(
            Engine::start(config(
                backend,
                1,
                LoadMode::Closed {
                    inflight: loadlab::bounds::INFLIGHT_MAX,
                },
                RunLimit::Duration(Duration::from_secs(60)),
            ))
            .unwrap(),
        );
        let waited = Instant::now();
        while engine.shared().outstanding.load(Ordering::Acquire) < 1_000
            && waited.elapsed() < Duration::from_secs(10)
        {
            std::thread::yield_now();
        }
        engine.apply(Command::Stop).unwrap();
        let outcome = finish(&engine);
        assert_accounted(&format!("{backend}"), &outcome);
        let c = outcome.totals.counters;
        assert!(
            c.submitted < loadlab::bounds::INFLIGHT_MAX as u64,
            "{backend}: the refill went on after the stop: {c:?}"
        );
    }
}

#[test]
fn shrinking_spawn_blocking_never_starts_a_job_above_the_target() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let backend = SpawnBlockingBackend::new(4, runtime.handle().clone());
    let running = Arc::new(AtomicUsize::new(0));
    let most_after_shrink = Arc::new(AtomicUsize::new(0));
    let shrunk = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let jobs = 120;
    for _ in 0..jobs {
        let (running, most, shrunk, done) = (
            running.clone(),
            most_after_shrink.clone(),
            shrunk.clone(),
            done.clone(),
        );
        let job = Job::new(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            if shrunk.load(Ordering::SeqCst) {
                most.fetch_max(now, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(2));
            running.fetch_sub(1, Ordering::SeqCst);
            done.fetch_add(1, Ordering::SeqCst);
        });
        assert!(backend.try_submit(job).is_ok());
    }
    std::thread::sleep(Duration::from_millis(10));
    backend.set_threads(1);
    // Jobs that were running at the shrink finish; none may start beside them.
    while running.load(Ordering::SeqCst) > 1 {
        std::thread::sleep(Duration::from_micros(200));
    }
    shrunk.store(true, Ordering::SeqCst);
    let waited = Instant::now();
    while done.load(Ordering::SeqCst) < jobs && waited.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(done.load(Ordering::SeqCst), jobs, "every job ran");
    let most = most_after_shrink.load(Ordering::SeqCst);
    assert!(most <= 1, "{most} jobs ran at once after shrinking to 1");
}

#[test]
fn every_snapshot_accounts_for_every_task_while_the_configuration_changes() {
    let mut cfg = config(
        BackendKind::Rayon,
        200,
        LoadMode::Closed { inflight: 32 },
        RunLimit::Unbounded,
    );
    cfg.sample_interval = Duration::from_millis(loadlab::bounds::SAMPLE_MS_MIN);
    let engine = Arc::new(Engine::start(cfg).unwrap());
    let watcher = {
        let mut snapshots = engine.snapshots();
        std::thread::spawn(move || {
            let mut seen = 0;
            let began = Instant::now();
            while began.elapsed() < Duration::from_millis(1500) {
                let s = snapshots.borrow_and_update().clone();
                let t = &s.tasks;
                assert_eq!(
                    t.submitted,
                    t.completed + t.failed + t.cancelled + t.inflight,
                    "snapshot {}: {t:?}",
                    s.seq
                );
                seen += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
            seen
        })
    };
    let mut backend = BackendKind::Rayon;
    for step in 0..60u64 {
        let _ = engine.apply(Command::SetThreads {
            threads: (step % 3 + 1) as usize,
        });
        match step % 6 {
            0 => {
                backend = backend.cycle(1);
                engine.apply(Command::SetBackend { backend }).unwrap();
            }
            2 => engine.apply(Command::Stop).unwrap(),
            3 => engine.apply(Command::Start).unwrap(),
            4 => engine.apply(Command::ResetStats).unwrap(),
            _ => engine
                .apply(Command::SetLoad {
                    load: LoadMode::Closed {
                        inflight: (step % 5 + 1) as usize * 8,
                    },
                })
                .unwrap(),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen = watcher.join().expect("every snapshot checked");
    assert!(seen > 100, "only {seen} snapshots checked");
    engine.end_run();
    let outcome = finish(&engine);
    assert_accounted("churn", &outcome);
}

#[test]
fn tasks_topping_up_the_closed_loop_never_exceed_inflight_nor_the_task_count() {
    for backend in [
        BackendKind::Rayon,
        BackendKind::SpawnBlocking,
        BackendKind::Channel,
    ] {
        for batch in [1, 7] {
            let inflight = 16;
            let tasks = 30_000;
            let mut cfg = config(
                backend,
                1,
                LoadMode::Closed { inflight },
                RunLimit::Tasks(tasks),
            );
            cfg.batch = batch;
            let engine = Arc::new(Engine::start(cfg).unwrap());
            let mut most = 0;
            while !engine.run_finished() {
                most = most.max(engine.shared().outstanding.load(Ordering::SeqCst));
                std::thread::yield_now();
            }
            let outcome = finish(&engine);
            assert!(
                most <= inflight as u64,
                "{backend} batch {batch}: {most} in flight"
            );
            let c = outcome.totals.counters;
            assert_eq!(c.submitted, tasks, "{backend}: {c:?}");
            assert_eq!(c.completed, tasks, "{backend}: {c:?}");
        }
    }
}

#[test]
fn ctrl_c_on_inline_cancels_the_queued_tasks_of_a_headless_run() {
    // 30 tasks of 300 ms on two app workers: 4.5 s if they all ran.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args([
            "run",
            "--backend",
            "inline",
            "--workload",
            "spin",
            "--size",
            "300000",
            "--tasks",
            "30",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start loadlab");
    std::thread::sleep(Duration::from_millis(1500));
    let interrupted = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("loadlab ends");
    let took = interrupted.elapsed();
    assert!(took < Duration::from_secs(3), "ended {took:?} after SIGINT");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let tasks = &report["tasks"];
    assert!(tasks["cancelled"].as_u64() > Some(0), "{tasks}");
    assert!(tasks["completed"].as_u64() < Some(30), "{tasks}");
}

#[test]
fn closed_loop_queue_waits_stay_first_in_first_out_on_every_offload_backend() {
    // 8 in flight on 2 threads: a task waits for about 3 others. A queue that
    // served the tasks submitted by finishing tasks first would leave the first
    // fill waiting to the end of the run, so the longest wait would be the run.
    for backend in [
        BackendKind::Rayon,
        BackendKind::Channel,
        BackendKind::SpawnBlocking,
    ] {
        let engine = Engine::start(config(
            backend,
            1_000,
            LoadMode::Closed { inflight: 8 },
            RunLimit::Tasks(600),
        ))
        .unwrap();
        let outcome = finish(&engine);
        assert_accounted(backend.name(), &outcome);
        let longest_wait_s = outcome.totals.latency.queue.max / 1e6;
        let elapsed_s = outcome.elapsed.as_secs_f64();
        assert!(
            longest_wait_s < 0.5 * elapsed_s,
            "{backend}: a task waited {longest_wait_s:.3} s of a {elapsed_s:.3} s run"
        );
    }
}
