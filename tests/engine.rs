//! The engine under load: exact accounting across live resizes, backend swaps
//! and stops; identical checksums on every backend; panics contained.

use std::sync::Arc;
use std::time::Duration;

use loadlab::engine::command::Command;
use loadlab::engine::controller::Controller;
use loadlab::engine::{Engine, EngineConfig, RunOutcome};
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn config(
    backend: BackendKind,
    threads: usize,
    kernel: Kernel,
    size: u64,
    tasks: u64,
) -> EngineConfig {
    EngineConfig {
        backend,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel,
            size,
            dist: Dist::Fixed,
            seed: 11,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed { inflight: 16 },
        limit: RunLimit::Tasks(tasks),
        echo_pings_per_s: 0,
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

fn assert_accounted(outcome: &RunOutcome) {
    let c = &outcome.totals.counters;
    assert_eq!(
        c.submitted,
        c.completed + c.failed + c.cancelled,
        "every task ends exactly once: {c:?}"
    );
}

#[test]
fn accounting_holds_while_every_backend_is_resized_and_swapped_under_load() {
    let tasks = 12_000;
    let engine =
        Arc::new(Engine::start(config(BackendKind::Rayon, 2, Kernel::Spin, 150, tasks)).unwrap());
    let controller = engine.clone();
    let churn = std::thread::spawn(move || {
        let mut backend = BackendKind::Rayon;
        for step in 0..60u64 {
            let threads = (step % 4 + 1) as usize;
            let _ = controller.apply(Command::SetThreads { threads });
            if step % 3 == 0 {
                backend = backend.cycle(1);
                controller.apply(Command::SetBackend { backend }).unwrap();
            }
            if step % 7 == 0 {
                controller
                    .apply(Command::SetLoad {
                        load: LoadMode::Closed {
                            inflight: (step % 5 + 1) as usize * 8,
                        },
                    })
                    .unwrap();
            }
            std::thread::sleep(Duration::from_millis(8));
        }
    });
    engine.wait_for_run();
    churn.join().unwrap();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(1));
    assert_accounted(&outcome);
    let c = outcome.totals.counters;
    assert_eq!(c.submitted, tasks);
    assert_eq!(
        c.completed, tasks,
        "nothing was stopped, so everything completes: {c:?}"
    );
    // Every pool kind ran some of them.
    let pools: std::collections::HashSet<_> =
        outcome.totals.threads_seen.iter().map(|t| t.pool).collect();
    assert!(pools.len() >= 3, "tasks ran on {pools:?}");
}

#[test]
fn stopping_cancels_queued_tasks_and_still_accounts_for_all() {
    for backend in BackendKind::ALL {
        let mut cfg = config(backend, 1, Kernel::Spin, 2_000, 1_000_000);
        cfg.load = LoadMode::Closed { inflight: 64 };
        let engine = Engine::start(cfg).unwrap();
        std::thread::sleep(Duration::from_millis(150));
        engine.apply(Command::Stop).unwrap();
        engine.wait_for_run();
        let outcome = engine.finish();
        engine.shutdown(Duration::from_secs(1));
        assert_accounted(&outcome);
        let c = outcome.totals.counters;
        assert!(
            c.cancelled > 0,
            "{backend}: queued tasks are cancelled: {c:?}"
        );
        assert!(c.completed > 0, "{backend}: {c:?}");
    }
}

#[test]
fn checksums_agree_across_backends_and_thread_counts() {
    let mut seen = Vec::new();
    for backend in BackendKind::ALL {
        for threads in [1, 2, 3] {
            let outcome = run(config(backend, threads, Kernel::Sumsq, 20_000, 300));
            assert_accounted(&outcome);
            assert_eq!(outcome.totals.counters.completed, 300);
            seen.push((backend, threads, outcome.totals.counters.checksum));
        }
    }
    let first = seen[0].2;
    assert!(
        seen.iter().all(|(_, _, c)| *c == first),
        "checksums differ: {seen:?}"
    );
    // A different seed is a different workload.
    let mut other = config(BackendKind::Rayon, 2, Kernel::Sumsq, 20_001, 300);
    other.workload.seed = 12;
    assert_ne!(run(other).totals.counters.checksum, first);
}

#[test]
fn a_panicking_job_is_counted_failed_and_the_pool_keeps_serving() {
    loadlab::engine::task_job::quiet_job_panics();
    for backend in BackendKind::ALL {
        let mut cfg = config(backend, 2, Kernel::Sumsq, 1_000, 200);
        cfg.panic_every = 10;
        let outcome = run(cfg);
        assert_accounted(&outcome);
        let c = outcome.totals.counters;
        assert_eq!(c.failed, 20, "{backend}: {c:?}");
        assert_eq!(c.completed, 180, "{backend}: {c:?}");
        assert!(
            outcome.errors.iter().all(|e| e.error.contains("panicked")),
            "{:?}",
            outcome.errors
        );
    }
}

#[test]
fn open_loop_submits_at_the_requested_rate() {
    let mut cfg = config(BackendKind::Channel, 2, Kernel::Spin, 100, 0);
    cfg.load = LoadMode::Open { rate: 500.0 };
    cfg.limit = RunLimit::Duration(Duration::from_secs(1));
    let outcome = run(cfg);
    assert_accounted(&outcome);
    let submitted = outcome.totals.counters.submitted;
    assert!(
        (400..=560).contains(&submitted),
        "500/s for 1 s submitted {submitted}"
    );
}

#[test]
fn every_synthetic_kernel_checksums_the_same_on_every_backend() {
    let kernels = [
        (Kernel::Spin, 50),
        (Kernel::Sumsq, 10_000),
        (Kernel::SumsqSplit, 10_000),
        (Kernel::Hash, 4096),
        (Kernel::Argon2, 64),
        (Kernel::Resize, 64),
    ];
    for (kernel, size) in kernels {
        let mut sums = Vec::new();
        for backend in BackendKind::ALL {
            let mut cfg = config(backend, 2, kernel, size, 40);
            cfg.workload.dist = Dist::Uniform;
            let outcome = run(cfg);
            assert_accounted(&outcome);
            assert_eq!(
                outcome.totals.counters.completed, 40,
                "{kernel} on {backend}: {:?}",
                outcome.errors
            );
            sums.push(outcome.totals.counters.checksum);
        }
        assert!(sums.iter().all(|s| *s == sums[0]), "{kernel}: {sums:x?}");
    }
}
