//! The headless commands end to end: demo starvation, sweep, scenarios with a
//! recording, and the blocking detector.

use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

/// These tests measure latency on a 2-core machine: run them one at a time.
static MACHINE: Mutex<()> = Mutex::new(());

fn machine() -> MutexGuard<'static, ()> {
    MACHINE.lock().unwrap_or_else(|e| e.into_inner())
}

fn loadlab(args: &[&str]) -> Output {
    let _one_at_a_time = machine();
    Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(args)
        .output()
        .expect("run loadlab")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

#[test]
fn demo_starvation_marks_inline_starved_and_offload_healthy() {
    // 50 ms tasks and one backend thread: inline holds both app workers for
    // whole tasks, offload leaves a core free. No doubt either way.
    let out = loadlab(&[
        "demo",
        "starvation",
        "--workload",
        "spin",
        "--size",
        "50000",
        "--threads",
        "1",
        "--duration",
        "1.5",
        "--rounds",
        "1",
        // A generous line: inline stalls for whole 50 ms tasks, while offload
        // stays far below it even when other test binaries load the machine.
        "--starved-threshold-ms",
        "40",
        "--format",
        "json",
    ]);
    let report = json(&out);
    let rows = report["rows"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["inline", "spawn-blocking", "rayon", "channel"]);
    let verdict =
        |name: &str| rows.iter().find(|r| r["backend"] == name).unwrap()["verdict"].clone();
    assert_eq!(verdict("inline"), "starved", "{report:#}");
    for row in rows {
        for key in [
            "threads",
            "tasks_per_s",
            "heartbeat_lag_us",
            "echo_rtt_us",
            "verdict",
        ] {
            assert!(row.get(key).is_some(), "row lacks {key}");
        }
        assert!(row["tasks_per_s"].as_f64().unwrap() > 0.0, "{row}");
    }
    // Every offload backend against inline: inline's heartbeat waits for
    // whole 50 ms tasks; offload's waits only for the scheduler, a few ms even
    // when other test binaries load the machine. A factor of 4 holds either way.
    let p99 = |row: &serde_json::Value| row["heartbeat_lag_us"]["p99"].as_f64().unwrap();
    let inline_p99 = p99(&rows[0]);
    for row in &rows[1..] {
        assert!(
            4.0 * p99(row) < inline_p99,
            "{}: heartbeat p99 {} us vs inline's {inline_p99} us",
            row["backend"],
            p99(row)
        );
    }
}

#[test]
fn the_blocking_detector_fires_under_inline_and_stays_quiet_under_offload() {
    let run = |backend: &str| {
        json(&loadlab(&[
            "run",
            "--backend",
            backend,
            "--threads",
            "1",
            "--runtime-workers",
            "2",
            "--workload",
            "spin",
            "--size",
            "60000",
            "--inflight",
            "4",
            "--duration",
            "1",
            // Inline stalls for whole 60 ms tasks; a loaded machine alone
            // stays well under 50 ms.
            "--block-threshold-ms",
            "50",
            "--format",
            "json",
        ]))
    };
    // inline with --threads 1 means one app worker, which the jobs then hold.
    let inline = run("inline");
    // Queued inline jobs keep the worker from its timers: one long stall at least.
    assert!(
        inline["blocked_events"].as_u64().unwrap() >= 1,
        "{inline:#}"
    );
    // Every offload backend leaves the runtime free. Inline holds it for the
    // whole run (one stall as long as the run, so half its ticks are late by
    // half a second or more); an offload's median tick is on time, give or
    // take what a loaded machine adds (tens of ms at most), so compare the
    // median lag, not the count of stalls: one stall of a busy machine's own
    // would equal inline's one.
    let median_lag_us =
        |report: &serde_json::Value| report["heartbeat_lag_us"]["p50"].as_f64().unwrap();
    let inline_lag = median_lag_us(&inline);
    assert!(inline_lag > 250_000.0, "{inline:#}");
    for backend in ["spawn-blocking", "rayon", "channel"] {
        let offload = run(backend);
        let lag = median_lag_us(&offload);
        assert!(
            4.0 * lag < inline_lag,
            "{backend}: median heartbeat lag {lag} us vs inline's {inline_lag}: {offload:#}"
        );
    }
}

#[test]
fn sweep_json_has_rows_efficiency_and_a_recommendation() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("sweep.jsonl");
    let out = loadlab(&[
        "sweep",
        "--backends",
        "rayon,channel",
        "--threads",
        "1,2",
        "--workload",
        "spin",
        "--size",
        "500",
        "--warmup",
        "0.2",
        "--duration",
        "0.6",
        "--rounds",
        "2",
        "--format",
        "json",
        "--record",
        record.to_str().unwrap(),
    ]);
    let report = json(&out);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        for key in [
            "backend",
            "threads",
            "tasks_per_s",
            "efficiency",
            "latency_us",
            "heartbeat_lag_us",
            "cpu_s_per_task",
        ] {
            assert!(row.get(key).is_some(), "row lacks {key}");
        }
        assert!(row["tasks_per_s"].as_f64().unwrap() > 100.0, "{row}");
        if row["threads"] == 1 {
            assert!(
                (row["efficiency"].as_f64().unwrap() - 1.0).abs() < 1e-9,
                "{row}"
            );
        }
    }
    // Always a recommendation, with how sure it is.
    let rec = &report["recommendation"];
    assert!(
        rec["backend"].is_string() && rec["threads"].is_u64() && rec["why"].is_string(),
        "{report}"
    );
    assert!(
        ["clear", "likely", "undecided"].contains(&rec["confidence"].as_str().unwrap_or("")),
        "{report}"
    );
    assert!(rec["rounds_used"].as_u64().unwrap() >= 1, "{report}");
    assert!(report.get("recommendation_withheld").is_none(), "{report}");
    // Every cell left lines in the recording.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (backend, threads) in [("rayon", 1), ("rayon", 2), ("channel", 1), ("channel", 2)] {
        assert!(
            lines
                .iter()
                .any(|l| l["backend"] == backend && l["threads"] == threads),
            "no recorded line for {backend} x {threads}"
        );
    }
    // Progress went to stderr, only the report to stdout.
    assert!(String::from_utf8_lossy(&out.stderr).contains("sweep:"));
}

#[test]
fn sweep_csv_and_md_render() {
    for (format, marker) in [("csv", "backend,threads"), ("md", "| backend")] {
        let out = loadlab(&[
            "sweep",
            "--backends",
            "channel",
            "--threads",
            "1",
            "--workload",
            "spin",
            "--size",
            "200",
            "--warmup",
            "0",
            "--duration",
            "0.3",
            "--rounds",
            "1",
            "--format",
            format,
        ]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{format}: {text}");
    }
}

#[test]
fn a_scenario_played_headless_records_each_step_taking_effect() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("steps.toml");
    std::fs::write(
        &scenario,
        r#"
name = "steps"
[[step]]
at = 0.0
workload = { kernel = "spin", size = 300 }
backend = "rayon"
threads = 1
caption = "one rayon thread"
[[step]]
at = 1.5
backend = "channel"
threads = 2
caption = "two channel threads"
[[step]]
at = 3.0
end = true
"#,
    )
    .unwrap();
    let record = dir.path().join("rec.jsonl");
    let out = loadlab(&[
        "run",
        "--scenario",
        scenario.to_str().unwrap(),
        "--record",
        record.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report = json(&out);
    let t = &report["tasks"];
    assert_eq!(
        t["submitted"].as_u64().unwrap(),
        t["completed"].as_u64().unwrap()
            + t["failed"].as_u64().unwrap()
            + t["cancelled"].as_u64().unwrap()
    );
    assert_eq!(report["backend"], "channel");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert!(
        lines.len() >= 3,
        "about one line per second: {}",
        lines.len()
    );
    let early = lines
        .iter()
        .find(|l| l["t"].as_f64().unwrap() > 0.5 && l["t"].as_f64().unwrap() < 1.4);
    let late = lines.iter().rev().find(|l| l["t"].as_f64().unwrap() > 2.0);
    let (early, late) = (
        early.expect("a line in the first step"),
        late.expect("a line in the second step"),
    );
    assert_eq!(
        (early["backend"].clone(), early["threads"].clone()),
        ("rayon".into(), 1.into()),
        "{early}"
    );
    assert_eq!(
        (late["backend"].clone(), late["threads"].clone()),
        ("channel".into(), 2.into()),
        "{late}"
    );
    assert_eq!(late["caption"], "two channel threads");
    assert!(late["tasks_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_bad_scenario_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.toml");
    std::fs::write(&scenario, "[[step]]\nat = 0\nbackend = \"rayn\"\n").unwrap();
    let out = loadlab(&["run", "--scenario", scenario.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3") && err.contains("rayn"), "{err}");
}

#[test]
fn oversubscribed_pool_threads_report_time_waiting_for_a_cpu() {
    if !std::path::Path::new("/proc/thread-self/schedstat").exists() {
        eprintln!("skipped: this kernel reports no run delay (schedstat)");
        return;
    }
    // Twice as many spinning pool threads as cores: each waits about half the time.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = (2 * cores).to_string();
    let out = loadlab(&[
        "run",
        "--backend",
        "channel",
        "--threads",
        &threads,
        "--workload",
        "spin",
        "--size",
        "2000",
        "--duration",
        "1",
        "--format",
        "json",
    ]);
    let report = json(&out);
    let seen = report["threads_seen"].as_array().expect("threads_seen");
    assert!(!seen.is_empty(), "{report}");
    let total = |key: &str| seen.iter().map(|t| t[key].as_f64().unwrap()).sum::<f64>();
    let (cpu, wait) = (total("cpu_s"), total("wait_s"));
    assert!(
        wait > 0.25 * cpu,
        "{threads} spinning threads on {cores} cores waited {wait} s for {cpu} s of CPU"
    );
}

/// A stalling headless run prints one line per cause at its end, with the
/// count, the rate, the worst stall and what ran, not one line per stall.
#[test]
fn a_headless_run_sums_its_stalls_up_in_one_line_per_cause() {
    let out = loadlab(&[
        "run",
        "--backend",
        "inline",
        "--threads",
        "1",
        "--runtime-workers",
        "1",
        "--workload",
        "spin",
        "--size",
        "30000",
        "--rate",
        "10",
        "--duration",
        "1.5",
        "--block-threshold-ms",
        "10",
        "--format",
        "json",
    ]);
    let report = json(&out);
    // Ten 30 ms tasks a second on the only app worker: a stall each.
    let stalls = report["blocked_events"].as_u64().unwrap();
    assert!(stalls >= 5, "{report:#}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // One line for the inline work; on a busy machine the worker may also
    // have waited for a CPU with nothing of ours on it: that is a cause of
    // its own, on a line of its own.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            l.contains("app runtime blocked")
                && !l.contains("the app workers did not get a CPU in time")
                && !l.contains("the app workers waited for a CPU")
        })
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let all_blocked = stderr
        .lines()
        .filter(|l| l.contains("app runtime blocked"))
        .count();
    assert!(all_blocked <= 2, "{stderr}");
    let counted: u64 = lines[0]
        .split("blocked ")
        .nth(1)
        .and_then(|rest| rest.split('x').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(counted >= 5, "{stderr}");
    assert!(
        lines[0].contains("/s), worst ")
            && lines[0].contains(
                "(inline: spin from the driver): CPU work is running on the async workers"
            ),
        "{stderr}"
    );
}
