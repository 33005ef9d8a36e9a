//! Recording: summary lines from synthetic snapshots, one line per second,
//! flushed as written; and a scenario played on a simulated clock leaves lines
//! that show each step taking effect.

use std::path::Path;
use std::time::Duration;

use loadlab::engine::command::Command;
use loadlab::metrics::snapshot::{HealthState, Percentiles, PoolKind, Snapshot, ThreadView};
use loadlab::record::{Recorder, SummaryLine, summary_line};
use loadlab::scenario::Scenario;
use loadlab::spec::{BackendKind, LoadMode};

fn thread(name: &str, busy_pct: f64, cpu_pct: f64, alive: bool) -> ThreadView {
    ThreadView {
        name: name.into(),
        pool: PoolKind::from_thread_name(name),
        busy_pct,
        cpu_pct,
        alive,
        ..ThreadView::default()
    }
}

fn snapshot(elapsed_s: f64) -> Snapshot {
    let mut s = Snapshot {
        seq: (elapsed_s * 4.0) as u64,
        elapsed_s,
        window_s: 1.0,
        ..Snapshot::default()
    };
    s.throughput.tasks_per_s = 480.0;
    s.latency.window.total = Percentiles {
        p50: 4100.0,
        p90: 4300.0,
        p99: 4900.0,
        max: 5300.0,
        count: 480,
    };
    s.heartbeat.window.p99 = 400.0;
    s.echo.window.p99 = 900.0;
    s.health.state = HealthState::Healthy;
    s.tasks.submitted = 10;
    s.tasks.completed = 8;
    s.tasks.inflight = 2;
    s.threads = vec![
        thread("app-0", 0.0, 3.0, true),
        thread("app-1", 0.0, 5.0, true),
        thread("rayon-0", 90.0, 95.0, true),
        thread("rayon-1", 70.0, 75.0, true),
        // An exited worker of the previous pool: not part of the mean.
        thread("rayon-2", 0.0, 0.0, false),
        thread("sampler", 0.0, 1.0, true),
    ];
    s
}

fn parse_lines(text: &str) -> Vec<SummaryLine> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect()
}

#[test]
fn summary_line_carries_config_rates_percentiles_and_pool_means() {
    let line = summary_line(&snapshot(3.0));
    assert_eq!(line.t, 3.0);
    assert_eq!(line.backend, BackendKind::Rayon);
    assert_eq!(line.threads, 2);
    assert_eq!(line.workload, "sumsq 1000000 fixed");
    assert_eq!(line.tasks_per_s, 480.0);
    assert_eq!(line.latency_total_us.p90, 4300.0);
    assert_eq!(line.latency_total_us.p99, 4900.0);
    assert_eq!(line.heartbeat_p99_us, 400.0);
    assert_eq!(line.echo_p99_us, 900.0);
    assert_eq!(line.tasks.completed, 8);
    let pools: Vec<(PoolKind, usize, f64, f64)> = line
        .pools
        .iter()
        .map(|p| (p.pool, p.threads, p.busy_pct, p.cpu_pct))
        .collect();
    assert_eq!(
        pools,
        [
            (PoolKind::App, 2, 0.0, 4.0),
            (PoolKind::Rayon, 2, 80.0, 85.0),
            (PoolKind::Tool, 1, 0.0, 1.0),
        ]
    );
    let json = serde_json::to_value(&line).unwrap_or_default();
    assert_eq!(json["backend"], "rayon");
    assert_eq!(json["health"], "healthy");
    assert_eq!(json["pools"][1]["pool"], "rayon");
    assert!(
        json.get("caption").is_none(),
        "no caption key without a scenario"
    );
}

#[test]
fn recorder_writes_one_line_per_second_despite_jitter() {
    let mut rec = Recorder::new(Vec::new());
    // A 250 ms sampler with jitter: ticks land a little early or late.
    let ticks = [
        0.02, 0.27, 0.52, 0.77, 1.01, 1.26, 1.50, 1.76, 2.019, 2.27, 2.53, 2.77, 3.03, 3.27,
    ];
    for t in ticks {
        rec.offer(&snapshot(t)).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(rec.lines_written(), 4);
    let text = String::from_utf8(rec.into_inner()).unwrap_or_default();
    let times: Vec<f64> = parse_lines(&text).iter().map(|l| l.t).collect();
    // Due at 0.02, 1.02, 2.02, 3.02: 1.01 and 2.019 are a hair early and wait
    // for the next tick; the grid does not drift with them.
    assert_eq!(times, [0.02, 1.26, 2.27, 3.03]);
}

#[test]
fn recorder_skips_ahead_after_a_gap_without_bursting() {
    let mut rec = Recorder::new(Vec::new());
    for t in [0.0, 0.5, 5.2, 5.4, 5.9, 6.0, 6.1] {
        rec.offer(&snapshot(t)).unwrap_or_else(|e| panic!("{e}"));
    }
    let text = String::from_utf8(rec.into_inner()).unwrap_or_default();
    let times: Vec<f64> = parse_lines(&text).iter().map(|l| l.t).collect();
    assert_eq!(times, [0.0, 5.2, 6.0]);
}

#[test]
fn lines_reach_the_file_before_the_recorder_is_dropped() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("run.jsonl");
    let mut rec = Recorder::create(&path).unwrap_or_else(|e| panic!("{e}"));
    rec.offer(&snapshot(0.0)).unwrap_or_else(|e| panic!("{e}"));
    rec.offer(&snapshot(1.0)).unwrap_or_else(|e| panic!("{e}"));
    // Still alive: every line must already be complete on disk.
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(text.ends_with('\n'));
    assert_eq!(parse_lines(&text).len(), 2);
    drop(rec);
}

#[test]
fn create_error_names_the_file() {
    let e = Recorder::create(Path::new("/no/such/dir/run.jsonl"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    // The path and the cause; the command line adds the flag (tests/output.rs).
    assert!(e.starts_with("/no/such/dir/run.jsonl: "), "{e}");
}

#[test]
fn a_link_at_the_target_is_never_followed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap_or_else(|e| panic!("{e}"));
    let link = dir.path().join("run.jsonl");
    std::os::unix::fs::symlink(&victim, &link).unwrap_or_else(|e| panic!("{e}"));
    let e = Recorder::create(&link)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("symbolic link"), "{e}");
    // A dangling link too: no file appears where it points.
    let dangling = dir.path().join("dangling.jsonl");
    let target = dir.path().join("created-through-link");
    std::os::unix::fs::symlink(&target, &dangling).unwrap_or_else(|e| panic!("{e}"));
    assert!(Recorder::create(&dangling).is_err());
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "precious"
    );
}

#[test]
fn an_existing_file_is_refused_not_truncated() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("run.jsonl");
    std::fs::write(&path, "earlier run\n").unwrap_or_else(|e| panic!("{e}"));
    let e = Recorder::create(&path)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        "earlier run\n"
    );
}

#[test]
fn a_full_device_reports_the_write_error() {
    let mut rec = Recorder::create(Path::new("/dev/full")).unwrap_or_else(|e| panic!("{e}"));
    let e = rec
        .write(&snapshot(0.0))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("/dev/full: "), "{e}");
    assert!(e.contains("No space left"), "{e}");
    assert_eq!(rec.lines_written(), 0);
    assert!(loadlab::record::write_failure().is_some_and(|f| f.starts_with("/dev/full: ")));
}

/// Applies commands the way the engine would reflect them in its config.
fn apply(s: &mut Snapshot, command: &Command) {
    let c = &mut s.config;
    match command {
        Command::SetBackend { backend } => c.backend = *backend,
        Command::SetThreads { threads } => c.threads = *threads,
        Command::SetLoad { load } => c.load = *load,
        Command::SetWorkload { workload } => c.workload = workload.clone(),
        Command::Pause { paused } => c.paused = *paused,
        Command::Stop => c.running = false,
        Command::Start => c.running = true,
        Command::ResetStats => {}
        Command::Caption { text } => s.caption.clone_from(text),
    }
    let c = &mut s.config;
    c.generation += 1;
}

#[test]
fn a_scenario_played_on_a_simulated_clock_records_every_step() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/starvation.toml");
    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = Recorder::new(Vec::new());
    let mut state = snapshot(0.0);
    let mut next = 0;
    let mut tick = 0u64;
    loop {
        let elapsed = Duration::from_millis(250 * tick);
        if scenario.is_over(elapsed) {
            break;
        }
        for step in scenario.due_steps(elapsed, &mut next) {
            for command in &step.commands {
                apply(&mut state, command);
            }
            if step.caption.is_some() {
                rec.set_caption(step.caption.clone());
            }
        }
        state.elapsed_s = elapsed.as_secs_f64();
        rec.offer(&state).unwrap_or_else(|e| panic!("{e}"));
        tick += 1;
    }
    let lines = parse_lines(&String::from_utf8(rec.into_inner()).unwrap_or_default());
    assert_eq!(lines.len(), 30);
    let at = |t: usize| &lines[t];
    assert_eq!(at(0).backend, BackendKind::Rayon);
    assert_eq!(at(0).load, LoadMode::Closed { inflight: 8 });
    assert_eq!(at(0).workload, "sumsq 5000000 fixed");
    assert_eq!(at(9).backend, BackendKind::Rayon);
    assert_eq!(at(10).backend, BackendKind::Inline);
    assert!(
        at(10)
            .caption
            .as_deref()
            .is_some_and(|c| c.starts_with("Inline"))
    );
    assert_eq!(at(20).backend, BackendKind::Channel);
    assert_eq!(at(29).backend, BackendKind::Channel);
    assert!(at(29).generation > at(0).generation);
}
