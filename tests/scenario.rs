//! Scenario files: every preset parses into the commands it promises, and bad
//! files are rejected with the file, the line and what was expected. The
//! guided demo, played on a real engine, sums up its own periods.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use loadlab::engine::command::Command;
use loadlab::engine::controller::Controller;
use loadlab::engine::{Engine, EngineConfig};
use loadlab::logging::LogBuffer;
use loadlab::scenario::Scenario;
use loadlab::session::starvation::Verdict;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, WorkloadSpec};
use loadlab::ui::action::Action;
use loadlab::ui::app::App;
use loadlab::ui::keys::update;
use loadlab::ui::measured_caption::summary;
use loadlab::ui::theme::Theme;

fn preset(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/scenarios")
        .join(format!("{name}.toml"));
    match Scenario::load(&path) {
        Ok(s) => s,
        Err(e) => panic!("preset {name} does not parse: {e}"),
    }
}

fn backends(s: &Scenario) -> Vec<BackendKind> {
    s.steps
        .iter()
        .flat_map(|step| &step.commands)
        .filter_map(|c| match c {
            Command::SetBackend { backend } => Some(*backend),
            _ => None,
        })
        .collect()
}

fn err(text: &str) -> String {
    match Scenario::parse(text, "scenarios/x.toml") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn starvation_preset_goes_offload_inline_offload() {
    let s = preset("starvation");
    assert_eq!(s.name, "starvation");
    assert_eq!(
        backends(&s),
        [
            BackendKind::Rayon,
            BackendKind::Inline,
            BackendKind::Channel
        ]
    );
    assert_eq!(s.end, Duration::from_secs(30));
    assert!(s.steps.iter().all(|step| step.caption.is_some()));
    let first = &s.steps[0].commands;
    assert!(matches!(
        &first[0],
        Command::SetWorkload { workload } if workload.kernel == Kernel::Sumsq && workload.size == 5_000_000
    ));
    assert!(first.contains(&Command::SetLoad {
        load: LoadMode::Closed { inflight: 8 }
    }));
}

#[test]
fn tuning_preset_walks_one_to_four_threads_on_rayon_then_channel() {
    let s = preset("tuning");
    assert_eq!(backends(&s), [BackendKind::Rayon, BackendKind::Channel]);
    let threads: Vec<usize> = s
        .steps
        .iter()
        .flat_map(|step| &step.commands)
        .filter_map(|c| match c {
            Command::SetThreads { threads } => Some(*threads),
            _ => None,
        })
        .collect();
    assert_eq!(threads, [1, 2, 3, 4, 1, 2, 3, 4]);
    assert!(s.steps.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(s.end >= s.steps.last().map(|x| x.at).unwrap_or_default());
}

#[test]
fn skew_preset_keeps_the_kernel_when_only_dist_changes() {
    let s = preset("skew");
    let workloads: Vec<_> = s
        .steps
        .iter()
        .flat_map(|step| &step.commands)
        .filter_map(|c| match c {
            Command::SetWorkload { workload } => Some(workload.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(workloads.len(), 2);
    assert_eq!(workloads[0].kernel, Kernel::SumsqSplit);
    assert_eq!(workloads[0].dist, Dist::Pareto);
    assert_eq!(workloads[1].kernel, Kernel::SumsqSplit);
    assert_eq!(workloads[1].size, 2_000_000);
    assert_eq!(workloads[1].dist, Dist::Fixed);
    assert_eq!(
        backends(&s),
        [
            BackendKind::Rayon,
            BackendKind::Channel,
            BackendKind::Rayon,
            BackendKind::Channel
        ]
    );
}

#[test]
fn commands_follow_a_fixed_order_and_pause_is_mirrored() {
    let s = Scenario::parse(
        r#"duration = 5
[[step]]
at = 0
pause = true
reset = true
rate = 250.0
threads = 3
backend = "spawn-blocking"
workload = { kernel = "spin" }
caption = "hello"
"#,
        "t.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let step = &s.steps[0];
    assert_eq!(step.pause, Some(true));
    assert_eq!(step.caption.as_deref(), Some("hello"));
    assert_eq!(step.line, 2);
    assert_eq!(s.name, "t");
    let Command::SetWorkload { workload } = &step.commands[0] else {
        panic!("workload first: {:?}", step.commands)
    };
    // A new kernel without a size gets that kernel's default size.
    assert_eq!(workload.kernel, Kernel::Spin);
    assert_eq!(workload.size, Kernel::Spin.default_size());
    assert_eq!(
        step.commands[1..],
        [
            Command::SetBackend {
                backend: BackendKind::SpawnBlocking
            },
            Command::SetThreads { threads: 3 },
            Command::SetLoad {
                load: LoadMode::Open { rate: 250.0 }
            },
            Command::ResetStats,
            Command::Pause { paused: true },
        ]
    );
}

#[test]
fn bad_backend_names_the_line_and_the_choices() {
    let e =
        err("name = \"x\"\nduration = 10\n\n[[step]]\nat = 0.0\nthreads = 2\nbackend = \"rayn\"\n");
    assert_eq!(
        e,
        "scenarios/x.toml:7: unknown backend \"rayn\", expected one of inline, spawn-blocking, rayon, channel"
    );
}

#[test]
fn bad_type_names_the_line() {
    let e = err("duration = 10\n[[step]]\nat = 0.0\nthreads = \"two\"\n");
    assert!(e.starts_with("scenarios/x.toml:4: "), "{e}");
    assert!(e.contains("string"), "{e}");
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn unsorted_steps_name_the_later_line() {
    let e = err(
        "duration = 20\n[[step]]\nat = 10.0\nbackend = \"rayon\"\n[[step]]\nat = 5.0\nbackend = \"inline\"\n",
    );
    assert!(e.starts_with("scenarios/x.toml:6: "), "{e}");
    assert!(e.contains("sorted by `at`"), "{e}");
}

#[test]
fn unknown_key_names_the_line_and_the_known_keys() {
    let e = err("duration = 20\n[[step]]\nat = 0.0\nbackend = \"rayon\"\nthread = 2\n");
    assert!(e.starts_with("scenarios/x.toml:5: "), "{e}");
    assert!(e.contains("unknown field `thread`"), "{e}");
    assert!(e.contains("threads"), "lists the expected keys: {e}");
}

#[test]
fn unknown_kernel_and_dist_inside_workload_name_the_line() {
    let e = err("duration = 20\n[[step]]\nat = 0.0\n\nworkload = { kernel = \"sumsquare\" }\n");
    assert!(
        e.starts_with(
            "scenarios/x.toml:5: unknown kernel \"sumsquare\", expected one of spin, sumsq"
        ),
        "{e}"
    );
    let e = err("duration = 20\n[[step]]\nat = 0.0\nworkload = { dist = \"normal\" }\n");
    assert!(
        e.starts_with("scenarios/x.toml:4: unknown dist \"normal\""),
        "{e}"
    );
}

#[test]
fn semantic_value_errors_name_the_line() {
    let e = err("duration = 20\n[[step]]\nat = 0.0\nthreads = 0\n");
    assert_eq!(e, "scenarios/x.toml:4: threads 0 is outside 1..=512");
    let e = err("duration = 20\n[[step]]\nat = -1.0\n");
    assert!(e.starts_with("scenarios/x.toml:3: at -1"), "{e}");
    let e = err("duration = 20\n[[step]]\nat = 0.0\ninflight = 4\nrate = 9.0\n");
    assert!(
        e.starts_with("scenarios/x.toml:5: both `inflight` and `rate`"),
        "{e}"
    );
    let e = err("duration = 20\n[[step]]\nat = 0.0\nworkload = { kernel = \"count\" }\n");
    assert!(e.starts_with("scenarios/x.toml:4: workload: "), "{e}");
    assert!(e.contains("needs --path") || e.contains("path"), "{e}");
}

#[test]
fn end_rules_are_enforced() {
    let e = err("[[step]]\nat = 0.0\nbackend = \"rayon\"\n");
    assert!(e.starts_with("scenarios/x.toml: no end"), "{e}");
    let e = err("duration = 1\n[[step]]\nat = 0.0\n[[step]]\nat = 5.0\n");
    assert!(
        e.starts_with("scenarios/x.toml:1: duration 1 ends before the last step"),
        "{e}"
    );
    let e = err("[[step]]\nat = 9.0\nend = true\n[[step]]\nat = 10.0\n");
    assert!(e.starts_with("scenarios/x.toml:5: "), "{e}");
    assert!(e.contains("end = true"), "{e}");
    let e = err("[[step]]\nat = 9.0\nend = true\nbackend = \"rayon\"\n");
    assert!(e.starts_with("scenarios/x.toml:3: "), "{e}");
    let e = err("name = \"x\"\n");
    assert!(e.contains("no steps"), "{e}");
}

#[test]
fn syntax_errors_are_one_line_with_a_line_number() {
    let e = err("duration = 20\n[[step]]\nat = = 0.0\n");
    assert!(e.starts_with("scenarios/x.toml:3: "), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn missing_file_is_named() {
    let e = Scenario::load(Path::new("/no/such/scenario.toml"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("/no/such/scenario.toml: cannot read:"), "{e}");
}

#[test]
fn hostile_step_values_are_refused_with_the_line() {
    let step = |body: &str| format!("duration = 20\n[[step]]\nat = 0.0\n{body}\n");
    let cases = [
        (
            "inflight = 9223372036854775807",
            "inflight 9223372036854775807 is outside",
        ),
        (
            "threads = 9223372036854775807",
            "threads 9223372036854775807 is outside",
        ),
        ("threads = 3000", "threads 3000 is outside 1..=512"),
        ("threads = -4", "threads -4 is below 1"),
        ("rate = 1e300", "rate 1e300 is outside"),
        ("rate = 1e-300", "rate 1e-300 is outside"),
        ("rate = nan", "rate NaN is outside"),
        (
            "workload = { kernel = \"argon2\", size = 4194304 }",
            "workload: size 4194304 is outside 1..=1048576 for argon2",
        ),
        (
            "workload = { kernel = \"resize\", size = 100000 }",
            "workload: size 100000 is outside",
        ),
    ];
    for (body, expected) in cases {
        let e = err(&step(body));
        assert!(
            e.starts_with(&format!("scenarios/x.toml:4: {expected}")),
            "{body}: {e}"
        );
    }
    let e = err("duration = 1e20\n[[step]]\nat = 0.0\n");
    assert!(
        e.starts_with("scenarios/x.toml:1: duration 1e20 is not"),
        "{e}"
    );
    let e = err("duration = 20\n[[step]]\nat = 1e19\n");
    assert!(e.starts_with("scenarios/x.toml:3: at 1e19 is not"), "{e}");
}

#[test]
fn a_workload_path_that_does_not_exist_names_the_line() {
    let e = err(
        "duration = 20\n[[step]]\nat = 0.0\n\nworkload = { kernel = \"hash\", path = \"/no/such/tree\" }\n",
    );
    assert!(
        e.starts_with("scenarios/x.toml:5: workload: path /no/such/tree: "),
        "{e}"
    );
}

fn load_error(path: &Path) -> String {
    match Scenario::load(path) {
        Ok(_) => panic!("{} should be refused", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn devices_are_refused_without_reading_them() {
    for (device, kind) in [
        ("/dev/zero", "character device"),
        ("/dev/urandom", "character device"),
        ("/dev", "directory"),
    ] {
        let e = load_error(Path::new(device));
        assert!(
            e.starts_with(&format!("{device}: not a regular file ({kind})")),
            "{e}"
        );
    }
}

#[test]
fn a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("steps.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // A blocking open would never return: no writer ever comes.
    let e = load_error(&fifo);
    assert!(e.contains("not a regular file (FIFO)"), "{e}");
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.toml");
    let padding =
        "# padding\n".repeat((loadlab::bounds::SCENARIO_FILE_MAX_BYTES as usize) / 10 + 1);
    std::fs::write(&big, format!("duration = 1\n[[step]]\nat = 0\n{padding}")).expect("write");
    let e = load_error(&big);
    assert!(e.contains("larger than 1024 KiB"), "{e}");
}

#[test]
fn thousands_of_steps_parse_with_the_right_lines() {
    // Line numbers come from an index built once (linear in the file), so a
    // long scenario loads quickly; its last step still names its own line.
    let steps = 8_000;
    let mut text = format!("duration = {steps}\n");
    for i in 0..steps {
        text.push_str(&format!("[[step]]\nat = {i}\ninflight = {}\n", 1 + i % 7));
    }
    let scenario = Scenario::parse(&text, "many.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.steps.len(), steps);
    assert_eq!(scenario.steps[steps - 1].line, 2 + 3 * (steps - 1));
    text.push_str("[[step]]\nat = 1\n");
    let e = err(&text);
    assert!(
        e.starts_with(&format!("scenarios/x.toml:{}: ", 3 + 3 * steps)),
        "{e}"
    );
}

#[test]
fn run_with_a_hostile_scenario_is_a_usage_error_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hostile.toml");
    std::fs::write(
        &file,
        "duration = 5\n[[step]]\nat = 0\ninflight = 9223372036854775807\n",
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(["run", "--scenario"])
        .arg(&file)
        .output()
        .expect("run loadlab");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!("loadlab: {}:4: inflight", file.display())),
        "{stderr}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(["run", "--scenario", "/dev/zero"])
        .output()
        .expect("run loadlab");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/dev/zero: not a regular file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The dashboard's clock in the demo test runs this many times faster than
/// the real one: the 30 s demo plays in 6 s, 2 s a period.
const DEMO_SPEED: u32 = 5;

/// Plays `app` against `engine` (Snapshots in, commands out) with the app's
/// clock running [`DEMO_SPEED`] times faster, until `until` says stop.
fn play(app: &mut App, engine: &Engine, started: Instant, mut until: impl FnMut(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = 0;
    while !until(app) {
        assert!(Instant::now() < deadline, "the demo did not end in time");
        let snapshot: Arc<_> = engine.snapshots().borrow().clone();
        if snapshot.seq != seen {
            seen = snapshot.seq;
            app.on_snapshot(snapshot);
        }
        let now = started + started.elapsed() * DEMO_SPEED;
        for action in app.tick(now) {
            apply(engine, action);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn apply(engine: &Engine, action: Action) {
    if let Action::Apply(command) = action {
        engine
            .apply(command.clone())
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }
}

#[test]
fn the_guided_demo_sums_up_its_own_periods_only() {
    // Already on rayon x2 with 4 in flight, as the demo's first step wants:
    // the stretch before `d` is the same configuration and must stay out.
    // Two threads: inline, the work then holds both app workers.
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::Rayon,
        threads: 2,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            // 20 ms tasks: inline, each one holds an app worker past the
            // 10 ms starvation line, however busy the machine.
            size: 20_000,
            dist: Dist::Fixed,
            seed: 3,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed { inflight: 4 },
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::new(Theme::colored(), LogBuffer::new(20), PathBuf::from("."));
    let started = Instant::now();
    play(&mut app, &engine, started, |_| {
        started.elapsed() >= Duration::from_millis(1500)
    });
    let pressed_at_s = app.data.snapshot.elapsed_s;
    let now = started + started.elapsed() * DEMO_SPEED;
    let d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE);
    for action in update(&mut app, d, now) {
        apply(&engine, action);
    }
    assert!(app.playback().is_some());
    play(&mut app, &engine, started, |app| app.playback().is_none());
    engine.shutdown(Duration::from_millis(500));

    let demo = app.data.session.played_rows();
    let shape: Vec<BackendKind> = demo.iter().map(|p| p.backend).collect();
    assert_eq!(
        shape,
        [BackendKind::Rayon, BackendKind::Inline, BackendKind::Rayon],
        "{demo:#?}"
    );
    assert!(demo[0].from_s >= pressed_at_s, "{pressed_at_s} {demo:#?}");
    for pair in demo.windows(2) {
        assert_eq!(pair[0].to_s, pair[1].from_s, "contiguous: {demo:#?}");
    }
    for p in &demo {
        assert!(p.tasks_completed > 0, "{p:?}");
        assert!(p.caption.is_some(), "{p:?}");
    }
    assert_eq!(demo[1].verdict, Some(Verdict::Starved), "{:?}", demo[1]);
    // The stretch before the demo is a period of its own, and no part of
    // the summary.
    let all = app.data.session.periods().rows();
    assert_eq!(all.len(), 4, "{all:#?}");
    assert!(all[0].to_s <= pressed_at_s + 0.5, "{all:#?}");
    let status = app.view.status.as_ref().map(|s| s.text.clone());
    assert_eq!(status, Some(summary(&demo)));
    assert!(app.view.comparison);
}
