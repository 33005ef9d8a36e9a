//! Your own kernel through the library: registration rules, exact accounting
//! and one checksum on every backend, a sweep, the engine driven while it
//! runs, and the worked example (the `custom-kernel` package under examples/) run
//! as a user runs it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use loadlab::engine::{Engine, EngineConfig, RunOutcome};
use loadlab::runs::interrupt::Interruption;
use loadlab::runs::session::Recording;
use loadlab::runs::sweep::sweep;
use loadlab::setup::plans::SweepPlan;
use loadlab::spec::custom_kernel::close_registration;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};
use loadlab::{CustomKernel, RegisterError, register_kernel};
use serde_json::Value;

/// Bytes one task of `size` counts as its input.
fn folded_bytes(size: u64) -> u64 {
    size * 8
}

/// A deterministic fold whose digest depends on both size and seed.
fn fold_numbers(size: u64, seed: u64) -> u64 {
    (0..size).fold(seed, |acc, i| {
        acc.rotate_left(5) ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

struct TestKernels {
    fold: Kernel,
    /// Panics on every task whose seed is even.
    flaky: Kernel,
    /// Declares a maximum size and remembers the largest size it was given.
    capped: Kernel,
}

/// The capped kernel's maximum `--size`.
const CAPPED_MAX: u64 = 10_000;
/// The largest size the capped kernel was ever asked for.
static CAPPED_LARGEST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Registered once for the whole test binary: registration is process-wide.
fn kernels() -> &'static TestKernels {
    static KERNELS: OnceLock<TestKernels> = OnceLock::new();
    KERNELS.get_or_init(|| {
        let fold = CustomKernel::new("test-fold", "numbers folded", fold_numbers)
            .default_size(500)
            .max_size(1_000_000)
            .input_bytes(folded_bytes);
        let flaky = CustomKernel::new("test-flaky", "numbers folded", |size, seed| {
            if seed % 2 == 0 {
                panic!("even seed {seed}");
            }
            fold_numbers(size, seed)
        })
        .default_size(50);
        let capped = CustomKernel::new("test-capped", "numbers", |size, seed| {
            CAPPED_LARGEST.fetch_max(size, std::sync::atomic::Ordering::Relaxed);
            size ^ seed
        })
        .default_size(100)
        .max_size(CAPPED_MAX);
        loadlab::engine::task_job::quiet_job_panics();
        TestKernels {
            fold: register_kernel(fold).expect("a new name"),
            flaky: register_kernel(flaky).expect("a new name"),
            capped: register_kernel(capped).expect("a new name"),
        }
    })
}

fn workload(kernel: Kernel, size: u64, dist: Dist) -> WorkloadSpec {
    WorkloadSpec {
        kernel,
        size,
        dist,
        seed: 11,
        ..WorkloadSpec::default()
    }
}

fn bounded_run(backend: BackendKind, threads: usize, spec: WorkloadSpec, tasks: u64) -> RunOutcome {
    let engine = Engine::start(EngineConfig {
        backend,
        threads,
        runtime_workers: 2,
        workload: spec,
        load: LoadMode::Closed { inflight: 8 },
        limit: RunLimit::Tasks(tasks),
        sample_interval: Duration::from_millis(20),
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .expect("engine starts");
    engine.wait_for_run();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(1));
    outcome
}

#[test]
fn every_backend_runs_the_kernel_with_exact_counts_and_one_checksum() {
    let kernel = kernels().fold;
    let mut checksums = Vec::new();
    for backend in BackendKind::ALL {
        let outcome = bounded_run(backend, 2, workload(kernel, 2_000, Dist::Uniform), 300);
        let c = outcome.totals.counters;
        assert_eq!(
            (c.submitted, c.completed, c.failed, c.cancelled),
            (300, 300, 0, 0),
            "{backend}"
        );
        assert_eq!(outcome.workload.kernel, kernel);
        checksums.push((backend, c.checksum));
    }
    let first = checksums[0].1;
    assert!(
        checksums.iter().all(|(_, sum)| *sum == first),
        "checksums differ: {checksums:?}"
    );
    // A different seed is a different workload.
    let reseeded = WorkloadSpec {
        seed: 12,
        ..workload(kernel, 2_000, Dist::Uniform)
    };
    let other = bounded_run(BackendKind::Rayon, 2, reseeded, 300);
    assert_ne!(other.totals.counters.checksum, first);
}

#[test]
fn input_bytes_count_what_the_kernel_says_it_reads() {
    let kernel = kernels().fold;
    let outcome = bounded_run(
        BackendKind::Channel,
        2,
        workload(kernel, 700, Dist::Fixed),
        40,
    );
    assert_eq!(outcome.totals.counters.bytes_in, 40 * folded_bytes(700));
}

#[test]
fn a_panic_in_the_function_fails_that_task_only() {
    let kernel = kernels().flaky;
    for backend in [BackendKind::Inline, BackendKind::Rayon] {
        let outcome = bounded_run(backend, 2, workload(kernel, 10, Dist::Fixed), 200);
        let c = outcome.totals.counters;
        assert_eq!(c.submitted, 200, "{backend}");
        assert_eq!(
            c.submitted,
            c.completed + c.failed + c.cancelled,
            "{backend}"
        );
        assert!(c.failed > 0 && c.completed > 0, "{backend}: {c:?}");
        assert!(
            outcome.errors.iter().any(|e| e.error.contains("even seed")),
            "{backend}: {:?}",
            outcome.errors.first()
        );
    }
}

#[test]
fn heavy_tailed_sizes_never_pass_a_registered_kernels_maximum() {
    let kernel = kernels().capped;
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::Channel,
        threads: 2,
        workload: workload(kernel, CAPPED_MAX, Dist::Pareto),
        load: LoadMode::Closed { inflight: 8 },
        limit: RunLimit::Tasks(2_000),
        ..EngineConfig::default()
    })
    .expect("engine starts");
    engine.wait_for_run();
    let outcome = engine.finish();
    assert_eq!(outcome.totals.counters.completed, 2_000);
    // Pareto at the maximum draws past it about a third of the time: those
    // tasks are cut to it, none is larger.
    let largest = CAPPED_LARGEST.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(largest, CAPPED_MAX);
}

#[test]
fn a_sweep_measures_the_kernel_on_each_cell() {
    let plan = SweepPlan {
        backends: vec![BackendKind::Rayon, BackendKind::Channel],
        threads: vec![1, 2],
        runtime_workers: 2,
        workload: workload(kernels().fold, 2_000, Dist::Fixed),
        inflight: None,
        rate: None,
        warmup: Duration::ZERO,
        duration: Duration::from_millis(200),
        block_threshold: Duration::from_millis(50),
        starved_threshold: Duration::from_millis(50),
        worker_nice: 0,
        rounds: 1,
        max_rounds: 1,
        serve: None,
    };
    let mut recording = Recording::open(None).expect("no file to open");
    let report = sweep(&plan, &mut recording, &Interruption::none(), |_| {}).expect("sweep runs");
    assert_eq!(report.rows.len(), 4);
    for row in &report.rows {
        assert!(row.stats.tasks_per_s > 0.0, "{row:?}");
        assert_eq!(row.stats.failed_per_s, 0.0, "{row:?}");
    }
}

#[test]
fn the_engine_changes_backend_threads_and_load_under_load_and_counts_every_task() {
    let kernel = kernels().fold;
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::Rayon,
        threads: 1,
        workload: workload(kernel, 5_000, Dist::Exp),
        load: LoadMode::Closed { inflight: 8 },
        sample_interval: Duration::from_millis(20),
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .expect("engine starts");
    let mut last_completed = 0;
    for (backend, threads) in [
        (BackendKind::Channel, 2),
        (BackendKind::SpawnBlocking, 3),
        (BackendKind::Inline, 1),
        (BackendKind::Rayon, 2),
    ] {
        engine.set_backend(backend).expect("backend swaps");
        engine.set_threads(threads).expect("threads apply");
        let snapshot = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
        let snapshot = if snapshot.config.backend == backend {
            snapshot
        } else {
            engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(snapshot.config.backend, backend);
        assert_eq!(snapshot.config.threads, threads);
        assert_eq!(snapshot.config.workload.kernel, kernel);
        // Work keeps flowing through every change.
        let completed = (0..250)
            .map(|_| {
                engine
                    .fresh_snapshot()
                    .unwrap_or_else(|e| panic!("{e}"))
                    .tasks
                    .completed
            })
            .find(|now| *now > last_completed);
        last_completed = completed.expect("tasks complete after the change");
    }
    engine
        .set_load(LoadMode::Closed { inflight: 3 })
        .expect("load applies");
    assert!(engine.set_threads(0).is_err(), "zero threads is refused");
    let outcome = engine.stop();
    let c = outcome.totals.counters;
    assert_eq!(c.submitted, c.completed + c.failed + c.cancelled);
    assert_eq!(c.failed, 0);
    assert!(c.completed >= last_completed);
    assert_eq!((outcome.backend, outcome.threads), (BackendKind::Rayon, 2));
}

#[test]
fn registration_rules() {
    let kernels = kernels();
    assert_eq!(Kernel::from_name("test-fold"), Some(kernels.fold));
    assert!(Kernel::all().contains(&kernels.flaky));
    assert_eq!(kernels.fold.size_unit(), "numbers folded");
    assert_eq!(kernels.fold.default_size(), 500);
    assert_eq!(loadlab::spec::limits::size_max(kernels.fold), 1_000_000);
    // Written and read back as its name.
    let spec = workload(kernels.fold, 3, Dist::Fixed);
    let json = serde_json::to_value(&spec).expect("serialises");
    assert_eq!(json["kernel"], "test-fold");
    let back: WorkloadSpec = serde_json::from_value(json).expect("reads back");
    assert_eq!(back, spec);

    // Scenario files name it like a built-in; a step without a size takes its default.
    let scenario = loadlab::scenario::Scenario::parse(
        "[[step]]\nat = 0\nworkload = { kernel = \"test-fold\" }\n[[step]]\nat = 1\nend = true\n",
        "custom.toml",
    )
    .expect("the scenario names a registered kernel");
    let set = scenario.steps[0].commands.iter().find_map(|c| match c {
        loadlab::engine::command::Command::SetWorkload { workload } => Some(workload.clone()),
        _ => None,
    });
    let set = set.expect("a workload step");
    assert_eq!((set.kernel, set.size), (kernels.fold, 500));

    let again = |name: &str| CustomKernel::new(name, "things", |size, _| size);
    assert!(matches!(
        register_kernel(again("sumsq")),
        Err(RegisterError::NameTaken { .. })
    ));
    assert!(matches!(
        register_kernel(again("test-fold")),
        Err(RegisterError::NameTaken { .. })
    ));
    for bad in ["", "has space", "-dash", "a,b", "x".repeat(40).as_str()] {
        assert!(
            matches!(
                register_kernel(again(bad)),
                Err(RegisterError::Invalid { .. })
            ),
            "{bad:?}"
        );
    }
    let inconsistent = again("test-sizes").default_size(10).max_size(5);
    let error = register_kernel(inconsistent).expect_err("default above max");
    assert!(error.to_string().contains("test-sizes"), "{error}");

    // Once the command line has started, the set of kernels is fixed.
    close_registration();
    let late = register_kernel(again("test-late")).expect_err("too late");
    assert!(matches!(late, RegisterError::TooLate { .. }), "{late}");
    assert!(late.to_string().contains("before"), "{late}");
}

/// The example's binary, built with this test's profile. It is a package of
/// its own in the workspace, so `cargo test` does not build it.
fn example_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test binary path");
            // target/<profile>/deps/custom_kernel-<hash>
            let profile_dir = exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("target/<profile>")
                .to_path_buf();
            let binary = profile_dir.join("custom-kernel");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut build = Command::new(cargo);
            build
                .args(["build", "--quiet", "--package", "custom-kernel"])
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if let Some(target_dir) = profile_dir.parent() {
                build.env("CARGO_TARGET_DIR", target_dir);
            }
            if profile_dir
                .file_name()
                .is_some_and(|name| name == "release")
            {
                build.arg("--release");
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "cargo build --package custom-kernel");
            assert!(binary.exists(), "{}", binary.display());
            binary
        })
        .clone()
}

fn example(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(example_binary())
        .args(args)
        .output()
        .expect("example runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_example_runs_its_kernel_through_the_command_line() {
    let mut checksums = Vec::new();
    for backend in ["rayon", "spawn-blocking"] {
        let (code, stdout, stderr) = example(&[
            "run",
            "--workload",
            "orders-json",
            "--size",
            "20",
            "--tasks",
            "100",
            "--backend",
            backend,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let report: Value = serde_json::from_str(&stdout).expect("one JSON object");
        assert_eq!(report["workload"]["kernel"], "orders-json");
        let tasks = &report["tasks"];
        assert_eq!(tasks["submitted"], 100);
        assert_eq!(tasks["completed"], 100);
        assert_eq!(tasks["failed"], 0);
        assert_eq!(tasks["cancelled"], 0);
        // 20 orders: 2 brackets, 20 orders of 216 bytes, 19 commas, per task.
        assert_eq!(report["input_bytes"], 100 * (2 + 20 * 216 + 19));
        assert!(report["throughput"]["bytes_per_s"].as_f64() > Some(0.0));
        checksums.push(report["checksum"].as_str().expect("checksum").to_string());
    }
    assert_eq!(checksums[0], checksums[1]);

    let (code, stdout, _) = example(&["list"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("orders-json") && stdout.contains("orders per JSON document"),
        "{stdout}"
    );

    let (code, _, stderr) = example(&["run", "--workload", "orders-jsn"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--workload") && stderr.contains("orders-json"),
        "{stderr}"
    );

    let (code, _, stderr) = example(&["run", "--workload", "orders-json", "--size", "100001"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--size") && stderr.contains("100000"),
        "{stderr}"
    );
}

#[test]
fn the_example_sweeps_its_kernel() {
    let (code, stdout, stderr) = example(&[
        "sweep",
        "--workload",
        "orders-json",
        "--size",
        "20",
        "--backends",
        "rayon,channel",
        "--threads",
        "1,2",
        "--warmup",
        "0",
        "--duration",
        "0.2",
        "--rounds",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("one JSON object");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|row| row["tasks_per_s"].as_f64() > Some(0.0)),
        "{rows:?}"
    );
}
