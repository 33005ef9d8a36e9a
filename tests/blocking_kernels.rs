//! The blocking kernels (`sleep`, `mixed`) on every backend: every task ends
//! exactly once and every backend and thread count computes the same checksum.

use std::process::Command;
use std::time::Duration;

use loadlab::engine::{Engine, EngineConfig, RunOutcome};
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

fn run(backend: BackendKind, threads: usize, workload: &WorkloadSpec, tasks: u64) -> RunOutcome {
    let engine = Engine::start(EngineConfig {
        backend,
        threads,
        workload: workload.clone(),
        load: LoadMode::Closed { inflight: 16 },
        limit: RunLimit::Tasks(tasks),
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .unwrap();
    engine.wait_for_run();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(1));
    outcome
}

fn workload(kernel: Kernel, cpu_share: u8) -> WorkloadSpec {
    WorkloadSpec {
        kernel,
        size: 400,
        dist: Dist::Uniform,
        seed: 5,
        path: None,
        cpu_share,
    }
}

#[test]
fn sleep_and_mixed_complete_with_one_checksum_on_every_backend() {
    let tasks = 60;
    for (kernel, share) in [
        (Kernel::Sleep, 50),
        (Kernel::Mixed, 50),
        (Kernel::Mixed, 20),
    ] {
        let spec = workload(kernel, share);
        let mut seen = Vec::new();
        for backend in BackendKind::ALL {
            for threads in [1, 8] {
                let outcome = run(backend, threads, &spec, tasks);
                let c = &outcome.totals.counters;
                assert_eq!(
                    (c.submitted, c.completed, c.failed, c.cancelled),
                    (tasks, tasks, 0, 0),
                    "{kernel} {share}% on {backend} x{threads}: {c:?}"
                );
                seen.push((backend, threads, c.checksum));
            }
        }
        assert!(
            seen.windows(2).all(|w| w[0].2 == w[1].2),
            "{kernel} {share}%: checksums differ: {seen:?}"
        );
        assert_ne!(seen[0].2, 0);
    }
    // The share is part of the work: another share, another checksum.
    let at = |share| {
        run(BackendKind::Rayon, 2, &workload(Kernel::Mixed, share), 10)
            .totals
            .counters
            .checksum
    };
    assert_ne!(at(20), at(80));
}

#[test]
fn run_takes_cpu_share_and_lists_the_new_kernels() {
    let loadlab = env!("CARGO_BIN_EXE_loadlab");
    let out = Command::new(loadlab)
        .args([
            "run",
            "--workload",
            "mixed",
            "--size",
            "300",
            "--cpu-share",
            "30",
            "--tasks",
            "20",
            "--backend",
            "spawn-blocking",
            "--threads",
            "16",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tasks"]["completed"], 20);
    assert_eq!(report["workload"]["kernel"], "mixed");
    assert_eq!(report["workload"]["cpu_share"], 30);
    let list = Command::new(loadlab).arg("list").output().unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("sleep "), "{text}");
    assert!(text.contains("mixed "), "{text}");
}

#[test]
fn scenarios_switch_to_mixed_work_with_a_cpu_share() {
    use loadlab::engine::command::Command as EngineCommand;
    use loadlab::scenario::Scenario;
    let text = "duration = 5\n[[step]]\nat = 0.0\n\
                workload = { kernel = \"mixed\", size = 2000, cpu_share = 30 }\n";
    let scenario = Scenario::parse(text, "s.toml").unwrap();
    let workload = scenario
        .steps
        .iter()
        .flat_map(|step| &step.commands)
        .find_map(|c| match c {
            EngineCommand::SetWorkload { workload } => Some(workload.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (workload.kernel, workload.size, workload.cpu_share),
        (Kernel::Mixed, 2000, 30)
    );
    let bad = "duration = 5\n[[step]]\nat = 0.0\n\
               workload = { kernel = \"mixed\", cpu_share = 101 }\n";
    let error = Scenario::parse(bad, "s.toml").err().unwrap().to_string();
    assert!(
        error.starts_with("s.toml:4: cpu_share 101: expected 0 to 100"),
        "{error}"
    );
}
