//! `loadlab demo advice` end to end on a small budget. The assertions are the
//! demo's lessons with wide margins, so a busy machine cannot flip them:
//! inline starves the runtime for every kind of work (its probes wait for
//! whole tasks of 20 ms or more), and blocking work runs many times faster on
//! spawn-blocking with 64 threads than on a pool sized to the cores.

use std::process::Command;

fn advice(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(["demo", "advice", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn row<'a>(report: &'a serde_json::Value, work: &str, backend: &str) -> &'a serde_json::Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["work"] == work && r["backend"] == backend)
        .unwrap_or_else(|| panic!("no {work} row on {backend}: {report}"))
}

#[test]
fn inline_starves_and_blocking_work_belongs_on_spawn_blocking() {
    // A 50 ms starvation line: healthy offload rows sit far below it even on
    // a shared machine, inline's probes wait for whole tasks (20 ms or more
    // each, two app workers, a queue behind them).
    let report = advice(&[
        "--work",
        "cpu,blocking",
        "--duration",
        "0.6",
        "--starved-threshold-ms",
        "50",
    ]);
    assert_eq!(report["rows"].as_array().map(Vec::len), Some(8), "{report}");
    for work in ["cpu", "blocking"] {
        let inline = row(&report, work, "inline");
        assert_eq!(inline["verdict"], "starved", "{work}: {inline}");
        assert_eq!(inline["threads"], 2, "inline runs on the app workers");
    }
    let spawn_blocking = row(&report, "blocking", "spawn-blocking");
    let rayon = row(&report, "blocking", "rayon");
    assert_eq!(spawn_blocking["threads"], 64);
    assert_eq!(spawn_blocking["verdict"], "healthy", "{spawn_blocking}");
    let ratio = spawn_blocking["tasks_per_s"].as_f64().unwrap()
        / rayon["tasks_per_s"].as_f64().unwrap().max(1e-9);
    // 64 sleeping threads against 2: about 32x; 5x leaves room for any noise.
    assert!(
        ratio > 5.0,
        "spawn-blocking/rayon on sleep = {ratio}: {report}"
    );

    // Every row says how busy the rest of the machine was.
    for r in report["rows"].as_array().unwrap() {
        assert!(r["external_cpu_pct"].is_number(), "{r}");
    }
    // Each kind gets a best, or a reason it was withheld: only a pick formed
    // beside busy programs that contradicts the usual advice is withheld.
    let best = report["best"].as_array().unwrap();
    let withheld = report["best_withheld"].as_array().unwrap();
    assert_eq!(best.len() + withheld.len(), 2, "{report}");
    let blocking = best.iter().find(|b| b["work"] == "blocking").unwrap();
    assert_eq!(blocking["backend"], "spawn-blocking", "{blocking}");
    assert_eq!(blocking["agrees_with_usual_advice"], true);
    if let Some(cpu) = best.iter().find(|b| b["work"] == "cpu") {
        assert_ne!(cpu["backend"], "inline", "{cpu}");
    }
    for b in best {
        assert!(b["why"].as_str().is_some_and(|w| !w.is_empty()), "{b}");
    }
    for w in withheld {
        let why = w["why"].as_str().unwrap_or_default();
        assert!(why.contains("while other programs used up to"), "{w}");
        assert!(
            report["warnings"].as_array().unwrap().iter().any(|s| s
                .as_str()
                .is_some_and(|s| s.starts_with("other programs used"))),
            "{report}"
        );
    }
}

#[test]
fn bad_values_are_usage_errors_naming_the_flag() {
    for (flag, value) in [
        ("--work", "gpu"),
        ("--duration", "0"),
        ("--duration", "1e20"),
        ("--blocking-threads", "0"),
        ("--cpu-share", "150"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_loadlab"))
            .args(["demo", "advice", flag, value])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
}
