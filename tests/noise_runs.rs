//! Rounds, noise and periods measured for real, with small budgets and
//! generous bounds: the verdict logic itself is tested with constructed
//! numbers in sweep_report.rs; here the plumbing around it is.

use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use loadlab::report::sweep::SweepReport;
use loadlab::runs::interrupt::Interruption;
use loadlab::runs::session::Recording;
use loadlab::runs::sweep::sweep;
use loadlab::setup::plans::SweepPlan;
use loadlab::spec::{BackendKind, Kernel, WorkloadSpec};

/// These tests load a 2-core machine: one at a time.
static MACHINE: Mutex<()> = Mutex::new(());

fn machine() -> MutexGuard<'static, ()> {
    MACHINE.lock().unwrap_or_else(|e| e.into_inner())
}

fn plan(backends: &[BackendKind], threads: &[usize], rounds: usize) -> SweepPlan {
    SweepPlan {
        backends: backends.to_vec(),
        threads: threads.to_vec(),
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: 200,
            ..WorkloadSpec::default()
        },
        inflight: None,
        rate: None,
        warmup: Duration::from_millis(100),
        duration: Duration::from_millis(300),
        block_threshold: Duration::from_millis(10),
        starved_threshold: Duration::from_millis(10),
        worker_nice: 10,
        rounds,
        max_rounds: rounds,
        serve: None,
    }
}

fn run_sweep(
    plan: &SweepPlan,
    interruption: &Interruption,
    mut on_step: impl FnMut(&str),
) -> SweepReport {
    let mut recording = Recording::open(None).unwrap_or_else(|e| panic!("{e}"));
    sweep(plan, &mut recording, interruption, |line| on_step(line))
        .unwrap_or_else(|e| panic!("sweep: {e}"))
}

#[test]
fn cells_are_measured_interleaved_round_by_round() {
    let _one = machine();
    let mut steps = Vec::new();
    let report = run_sweep(
        &plan(&[BackendKind::Rayon, BackendKind::Channel], &[1], 2),
        &Interruption::none(),
        |line| {
            if line.starts_with("sweep: round") {
                steps.push(
                    line.split(" threads")
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        },
    );
    assert_eq!(
        steps,
        [
            "sweep: round 1/2, rayon x 1",
            "sweep: round 1/2, channel x 1",
            "sweep: round 2/2, rayon x 1",
            "sweep: round 2/2, channel x 1",
        ]
    );
    assert_eq!(report.rows.len(), 2);
    for row in &report.rows {
        let stats = &row.stats;
        assert_eq!(stats.rounds, 2);
        assert_eq!(row.round_figures.len(), 2);
        assert!(
            stats.tasks_per_s_min <= stats.tasks_per_s
                && stats.tasks_per_s <= stats.tasks_per_s_max
        );
        assert!(stats.tasks_per_s > 0.0, "{row:?}");
    }
}

#[test]
fn an_interrupted_sweep_keeps_the_finished_cells() {
    let _one = machine();
    let interruption = Interruption::none();
    let report = run_sweep(
        &plan(&[BackendKind::Rayon], &[1, 2], 3),
        &interruption,
        |line| {
            // Ctrl-C as round 2 begins: round 1 of both cells has finished.
            if line.starts_with("sweep: round 2/3") {
                interruption.request(2);
            }
        },
    );
    assert_eq!(report.interrupted.as_deref(), Some("SIGINT"));
    assert_eq!(report.rows.len(), 2);
    assert!(
        report.rows.iter().all(|r| r.stats.rounds == 1),
        "{:?}",
        report.rows
    );
    assert!(report.rows.iter().all(|r| r.stats.tasks_per_s > 0.0));
}

/// A CPU hog in another process, as a busy neighbour would be.
struct Hog(Child);

impl Hog {
    fn start() -> Hog {
        Hog(Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start a hog: {e}")))
    }
}

impl Drop for Hog {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_cell_disturbed_by_a_cpu_hog_is_marked_noisy_and_warned_about() {
    let _one = machine();
    let cores = loadlab::engine::cores();
    let mut hogs: Vec<Hog> = Vec::new();
    let mut plan = plan(&[BackendKind::Rayon], &[cores], 3);
    plan.duration = Duration::from_millis(600);
    let report = run_sweep(&plan, &Interruption::none(), |line| {
        // One hog per core during round 2 only.
        if line.starts_with("sweep: round 2/3") {
            hogs = (0..cores).map(|_| Hog::start()).collect();
        } else if line.starts_with("sweep: round 3/3") {
            hogs.clear();
        }
    });
    drop(hogs);
    let row = &report.rows[0];
    let disturbed = row.round_figures[1]
        .figures
        .external_cpu_pct
        .unwrap_or_else(|| panic!("/proc readable on Linux"));
    // The hogs alone could take half the machine against niced workers.
    assert!(
        disturbed >= 20.0,
        "other processes' CPU in round 2: {disturbed:.0}%"
    );
    assert!(row.noisy, "{row:?}");
    assert!(row.stats.external_cpu_pct.unwrap_or_default() >= disturbed);
    let label = format!("rayon x{cores}");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains(&label) && w.ends_with("rerun on a quiet machine")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_run_beside_cpu_hogs_names_their_share_and_warns() {
    let _one = machine();
    let hogs: Vec<Hog> = (0..loadlab::engine::cores())
        .map(|_| Hog::start())
        .collect();
    let out = loadlab(&[
        "run",
        "--workload",
        "spin",
        "--size",
        "200",
        "--duration",
        "1",
        "--format",
        "json",
    ]);
    drop(hogs);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json: {e}"));
    // One hog per core against niced workers: well above the 10% line.
    let external = report["external_cpu_pct"].as_f64().unwrap_or_default();
    assert!(external >= 20.0, "other programs' share: {external}");
    let warnings = report["warnings"].as_array().cloned().unwrap_or_default();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .is_some_and(|w| w.starts_with("other programs used") && w.contains("during the run"))),
        "{report}"
    );
}

fn loadlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run loadlab: {e}"))
}

#[test]
fn a_three_step_scenario_reports_one_period_per_configuration() {
    let _one = machine();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let scenario = dir.path().join("three.toml");
    std::fs::write(
        &scenario,
        r#"
[[step]]
at = 0.0
workload = { kernel = "spin", size = 300 }
backend = "rayon"
threads = 1
caption = "one rayon thread"
[[step]]
at = 1.2
backend = "channel"
threads = 2
caption = "two channel threads"
[[step]]
at = 2.4
backend = "spawn-blocking"
inflight = 3
caption = "spawn-blocking, 3 in flight"
[[step]]
at = 3.6
end = true
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let record = dir.path().join("rec.jsonl");
    let out = loadlab(&[
        "run",
        "--backend",
        "channel",
        "--threads",
        "1",
        "--scenario",
        scenario.to_str().unwrap_or_default(),
        "--record",
        record.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json: {e}"));
    let periods = report["periods"]
        .as_array()
        .unwrap_or_else(|| panic!("periods in {report}"));
    let shape: Vec<(String, u64, String)> = periods
        .iter()
        .map(|p| {
            (
                p["backend"].as_str().unwrap_or_default().to_string(),
                p["threads"].as_u64().unwrap_or_default(),
                p["caption"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("rayon".to_string(), 1, "one rayon thread".to_string()),
            ("channel".to_string(), 2, "two channel threads".to_string()),
            (
                "spawn-blocking".to_string(),
                2,
                "spawn-blocking, 3 in flight".to_string()
            ),
        ],
        "{report}"
    );
    assert_eq!(periods[2]["load"]["inflight"], 3, "{}", periods[2]);
    for (i, p) in periods.iter().enumerate() {
        let (from, to) = (
            p["from_s"].as_f64().unwrap_or_default(),
            p["to_s"].as_f64().unwrap_or_default(),
        );
        assert!(to > from, "{p}");
        if i > 0 {
            assert_eq!(
                periods[i - 1]["to_s"],
                p["from_s"],
                "periods are contiguous"
            );
        }
        assert!(p["tasks_per_s"].as_f64().unwrap_or_default() > 0.0, "{p}");
        assert!(
            p["latency_us"]["total"]["p99"].as_f64().unwrap_or_default() > 0.0,
            "{p}"
        );
        assert!(p["heartbeat_lag_us"]["p99"].is_number(), "{p}");
        assert_eq!(p["workload"], "spin 300 fixed");
    }
    // The recording's first line shows the scenario's first configuration,
    // not the flags' (channel x1) that ran for an instant before it.
    let first = std::fs::read_to_string(&record)
        .unwrap_or_default()
        .lines()
        .next()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(
        (first["backend"].as_str(), first["threads"].as_u64()),
        (Some("rayon"), Some(1)),
        "{first}"
    );
    let text = loadlab(&["run", "--scenario", scenario.to_str().unwrap_or_default()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("periods from s"), "{text}");
    assert!(text.contains("two channel threads"), "{text}");
}

#[test]
fn throughput_counts_completed_tasks_only() {
    let _one = machine();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let record = dir.path().join("rec.jsonl");
    // Every task fails: nothing gets through, however many tasks end.
    let out = loadlab(&[
        "run",
        "--workload",
        "spin",
        "--size",
        "100",
        "--panic-every",
        "1",
        "--duration",
        "1.5",
        "--record",
        record.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json: {e}"));
    assert!(report["tasks"]["failed"].as_u64().unwrap_or_default() > 0);
    assert_eq!(report["tasks"]["completed"], 0);
    assert_eq!(report["throughput"]["tasks_per_s"], 0.0);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&record)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert_eq!(line["tasks_per_s"], 0.0, "{line}");
    }
}
