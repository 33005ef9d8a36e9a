//! The binary as scripts use it: exit codes, one-line errors naming the flag,
//! and the JSON report's contract keys.

use std::process::{Command, Output};

fn loadlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(args)
        .output()
        .expect("run loadlab")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--threads", "abc"], "--threads"),
        (&["run", "--threads", "0"], "--threads"),
        (&["run", "--backend", "fibers"], "--backend"),
        (&["run", "--workload", "nope"], "--workload"),
        (&["run", "--dist", "zipf"], "--dist"),
        (&["run", "--rate", "-5"], "--rate"),
        (&["run", "--duration", "0"], "--duration"),
        (&["run", "--size", "0"], "--size"),
        (&["run", "--workload", "count"], "--workload"),
        (&["run", "--rate", "10", "--inflight", "4"], "--rate"),
        (&["run", "--format", "csv"], "--format"),
        (&["run", "--no-such-flag"], "--no-such-flag"),
    ];
    for (args, flag) in cases {
        let out = loadlab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let first_line = stderr(&out).lines().next().unwrap_or_default().to_string();
        assert!(
            first_line.contains(flag),
            "{args:?}: first line {first_line:?} should name {flag}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

#[test]
fn hostile_values_are_usage_errors_not_panics() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--duration", "1e19"], "--duration"),
        (&["run", "--duration", "1e20"], "--duration"),
        (&["run", "--duration", "inf"], "--duration"),
        (&["run", "--duration", "NaN"], "--duration"),
        (
            &["run", "--block-threshold-ms", "1e300"],
            "--block-threshold-ms",
        ),
        (
            &["run", "--starved-threshold-ms", "1e300"],
            "--starved-threshold-ms",
        ),
        (&["sweep", "--duration", "1e19"], "--duration"),
        (&["sweep", "--warmup", "1e20"], "--warmup"),
        (&["sweep", "--warmup", "-1"], "--warmup"),
        (&["sweep", "--threads", "1,1024"], "--threads"),
        (&["sweep", "--rounds", "0"], "--rounds"),
        (&["sweep", "--rounds", "101"], "--rounds"),
        (&["sweep", "--rounds", "often"], "--rounds"),
        (&["sweep", "--max-rounds", "0"], "--max-rounds"),
        (&["sweep", "--max-rounds", "101"], "--max-rounds"),
        (
            &["sweep", "--rounds", "3", "--max-rounds", "5"],
            "--max-rounds",
        ),
        (
            &["sweep", "--backends", "inline", "--threads", "1,300"],
            "--threads",
        ),
        (&["demo", "starvation", "--duration", "1e20"], "--duration"),
        (
            &["run", "--workload", "argon2", "--size", "4194304"],
            "--size",
        ),
        (
            &["run", "--workload", "resize", "--size", "100000"],
            "--size",
        ),
        (
            &[
                "run",
                "--workload",
                "spin",
                "--size",
                "18446744073709551615",
            ],
            "--size",
        ),
        (&["run", "--threads", "9223372036854775807"], "--threads"),
        (
            &["run", "--backend", "channel", "--threads", "3000"],
            "--threads",
        ),
        (
            &["run", "--backend", "inline", "--threads", "300"],
            "--threads",
        ),
        (&["run", "--inflight", "9223372036854775807"], "--inflight"),
        (&["run", "--rate", "1e300"], "--rate"),
        (&["run", "--rate", "1e-300"], "--rate"),
        (&["run", "--tasks", "18446744073709551615"], "--tasks"),
        (&["run", "--runtime-workers", "100000"], "--runtime-workers"),
        (&["run", "--sample-ms", "0"], "--sample-ms"),
        (&["--fps", "100000"], "--fps"),
    ];
    for (args, flag) in cases {
        let out = loadlab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let first_line = stderr(&out).lines().next().unwrap_or_default().to_string();
        assert!(
            first_line.contains(flag),
            "{args:?}: first line {first_line:?} should name {flag}"
        );
        assert!(
            first_line.len() < 200,
            "{args:?}: one short line: {first_line}"
        );
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
    // The limit is named, so the user knows what to ask for instead.
    let out = loadlab(&["run", "--workload", "argon2", "--size", "4194304"]);
    assert!(stderr(&out).contains("1048576"), "{}", stderr(&out));
}

#[test]
fn a_count_in_scientific_notation_is_refused_with_the_true_range() {
    for flag in ["--tasks", "--threads", "--inflight", "--runtime-workers"] {
        let out = loadlab(&["run", flag, "1e3"]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("\"1e3\" is not a whole number of 1 or more"),
            "{flag}: {err}"
        );
        assert!(!err.contains("0 or more"), "{flag}: {err}");
    }
}

#[test]
fn a_missing_path_is_fatal_with_exit_1() {
    let out = loadlab(&[
        "run",
        "--workload",
        "hash",
        "--path",
        "/definitely/not/here",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("/definitely/not/here") && err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn the_dashboard_on_a_non_tty_exits_2_and_points_at_run() {
    let out = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run loadlab");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("loadlab run"), "{}", stderr(&out));
}

#[test]
fn run_json_has_the_contract_keys_and_exact_accounting() {
    let out = loadlab(&[
        "run",
        "--backend",
        "channel",
        "--threads",
        "2",
        "--workload",
        "sumsq",
        "--size",
        "50000",
        "--tasks",
        "300",
        "--seed",
        "7",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    for key in [
        "backend",
        "threads",
        "runtime_workers",
        "workload",
        "tasks",
        "elapsed_s",
        "throughput",
        "latency_us",
        "heartbeat_lag_us",
        "threads_seen",
        "checksum",
        "errors",
        "warnings",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    // Other programs' share of the machine, from /proc on Linux.
    let external = report["external_cpu_pct"]
        .as_f64()
        .expect("external_cpu_pct");
    assert!((0.0..=100.0).contains(&external), "{external}");
    assert!(report["warnings"].is_array());
    assert_eq!(report["backend"], "channel");
    assert_eq!(report["workload"]["kernel"], "sumsq");
    assert_eq!(report["workload"]["path"], serde_json::Value::Null);
    let tasks = &report["tasks"];
    assert_eq!(tasks["submitted"], 300);
    assert_eq!(tasks["completed"], 300);
    for part in ["queue", "service", "total"] {
        for p in ["p50", "p90", "p99", "max"] {
            assert!(
                report["latency_us"][part][p].is_number(),
                "latency_us.{part}.{p}"
            );
        }
    }
    assert!(report["heartbeat_lag_us"]["samples"].as_u64().is_some());
    let threads = report["threads_seen"].as_array().unwrap();
    assert!(
        threads
            .iter()
            .all(|t| t["name"].as_str().unwrap().starts_with("pool-")),
        "{threads:?}"
    );
    let ran: u64 = threads.iter().map(|t| t["tasks"].as_u64().unwrap()).sum();
    assert_eq!(ran, 300);
    assert_eq!(report["checksum"].as_str().unwrap().len(), 16);
}

#[test]
fn failed_tasks_exit_3_and_are_listed() {
    let out = loadlab(&[
        "run",
        "--tasks",
        "50",
        "--size",
        "1000",
        "--panic-every",
        "10",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tasks"]["failed"], 5);
    assert_eq!(report["errors"].as_array().unwrap().len(), 5);
    assert!(
        !stderr(&out).contains("panicked at"),
        "job panics stay quiet: {}",
        stderr(&out)
    );
}

#[test]
fn list_names_every_kernel_with_its_unit() {
    let out = loadlab(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        "spin",
        "sumsq",
        "hash",
        "argon2",
        "resize",
        "count",
        "compress",
        "inline",
        "spawn-blocking",
        "rayon",
        "channel",
        "fixed",
        "uniform",
        "exp",
        "pareto",
    ] {
        assert!(text.contains(name), "list lacks {name}");
    }
    assert!(text.contains("microseconds"));
}

#[test]
fn sigterm_ends_a_run_early_with_a_full_report() {
    let child = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args([
            "run",
            "--workload",
            "spin",
            "--size",
            "2000",
            "--inflight",
            "64",
            "--duration",
            "60",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start loadlab");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    // 128 + SIGTERM, per the contract; the report is still printed.
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a report after SIGTERM");
    assert_eq!(report["interrupted"], "SIGTERM");
    let t = &report["tasks"];
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(
        n("submitted"),
        n("completed") + n("failed") + n("cancelled"),
        "{t}"
    );
    assert!(n("completed") > 0);
    assert!(report["elapsed_s"].as_f64().unwrap() < 30.0);
    assert!(stderr(&out).contains("interrupted"));
}
