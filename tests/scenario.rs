//! Scenario files: every preset parses into the commands it promises, and bad
//! files are rejected with the file, the line and what was expected.

use std::path::Path;
use std::time::Duration;

use loadlab::engine::command::Command;
use loadlab::scenario::Scenario;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode};

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
    assert_eq!(e, "scenarios/x.toml:4: threads 0: expected 1 or more");
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
