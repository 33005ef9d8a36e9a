//! Where loadlab writes: a closed or full stdout, `--record` targets, text
//! that carries control characters, and stderr logs off a terminal.

use std::io::Read;
use std::process::{Command, Output, Stdio};

fn loadlab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loadlab"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs with stdout on a pipe whose reading end is already closed: every
/// write fails with EPIPE, deterministically.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    loadlab()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run loadlab")
}

const SHORT_RUN: &[&str] = &[
    "run",
    "--workload",
    "sumsq",
    "--size",
    "1000",
    "--tasks",
    "20",
];

#[test]
fn a_closed_stdout_ends_quietly() {
    let out = with_closed_stdout(&["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    for format in ["text", "json"] {
        let mut args = SHORT_RUN.to_vec();
        args.extend(["--format", format]);
        let out = with_closed_stdout(&args);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

/// Runs with stdout on /dev/full: exit 1 with one line on stderr that says
/// why, returned. On a busy machine a run may also sum up the stalls of its
/// app runtime, each cause on a line of its own: those are not the failure.
fn one_line_failure_on_a_full_stdout(args: &[&str]) -> String {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = loadlab()
        .args(args)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("run loadlab");
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    let all = stderr(&out);
    let failure: Vec<&str> = all
        .lines()
        .filter(|l| !l.contains(" WARN app runtime blocked "))
        .collect();
    assert_eq!(failure.len(), 1, "{all}");
    failure[0].to_string()
}

#[test]
fn a_full_stdout_is_one_line_and_exit_1() {
    for args in [&["list"][..], SHORT_RUN] {
        let err = one_line_failure_on_a_full_stdout(args);
        assert!(
            err.contains("stdout") && err.contains("No space left"),
            "{err}"
        );
    }
}

#[test]
fn a_recording_that_cannot_be_written_fails_the_run() {
    let out = loadlab()
        .args(SHORT_RUN)
        .args(["--record", "/dev/full"])
        .output()
        .expect("run loadlab");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("loadlab: --record /dev/full: "),
        "{}",
        stderr(&out)
    );
    // The report is still printed: the run itself went fine.
    assert!(String::from_utf8_lossy(&out.stdout).contains("tasks"));
}

#[test]
fn record_refuses_links_and_existing_files_before_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep").expect("victim");
    let link = dir.path().join("run.jsonl");
    std::os::unix::fs::symlink(&victim, &link).expect("link");
    for target in [&link, &victim] {
        let out = loadlab()
            .args(SHORT_RUN)
            .arg("--record")
            .arg(target)
            .output()
            .expect("run loadlab");
        // A name already taken is a usage error: choose another.
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).starts_with("loadlab: --record "),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    // A new name is created and filled.
    let fresh = dir.path().join("fresh.jsonl");
    let out = loadlab()
        .args(SHORT_RUN)
        .arg("--record")
        .arg(&fresh)
        .output()
        .expect("run loadlab");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&fresh).expect("recording");
    assert!(text.lines().count() >= 1 && text.ends_with('\n'), "{text}");
}

#[test]
fn text_reports_escape_control_characters_in_names_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("in\x1b[2Jput");
    std::fs::create_dir(&tree).expect("tree");
    // Not an image: resize fails on it, so its name lands in the error list.
    std::fs::write(
        tree.join("evil\x1b[31m\nerrors (0 failed tasks)\r.png"),
        b"no png",
    )
    .expect("file");
    let out = loadlab()
        .args(["run", "--workload", "resize", "--path"])
        .arg(&tree)
        .output()
        .expect("run loadlab");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!report.contains('\x1b'), "{report}");
    assert!(!report.contains('\r'), "{report}");
    assert!(report.contains("in\\x1b[2Jput"), "{report}");
    assert!(
        report.contains("evil\\x1b[31m\\nerrors (0 failed tasks)\\r.png"),
        "{report}"
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("errors (")).count(),
        1,
        "no fake report line: {report}"
    );
}

#[test]
fn logs_on_a_pipe_carry_no_colour_codes() {
    // A recording that fails logs an error line on stderr (a pipe here).
    let mut child = loadlab()
        .args(SHORT_RUN)
        .args(["--record", "/dev/full"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run loadlab");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read stderr");
    let _ = child.wait();
    assert!(err.contains("ERROR"), "a log line is expected: {err}");
    assert!(!err.contains('\x1b'), "{err:?}");
}

#[test]
fn completions_and_man_to_a_full_stdout_name_what_they_write() {
    for (args, what) in [
        (&["completions", "bash"][..], "the completion script"),
        (&["man"][..], "the man page"),
    ] {
        let err = one_line_failure_on_a_full_stdout(args);
        assert!(
            err.starts_with(&format!("loadlab: cannot write {what} to stdout: ")),
            "{err}"
        );
    }
}

/// A sweep long enough that a refusal after measuring would be obvious.
const SWEEP: &[&str] = &[
    "sweep",
    "--backends",
    "channel",
    "--threads",
    "1",
    "--workload",
    "spin",
    "--size",
    "100",
    "--warmup",
    "0",
    "--duration",
    "3",
    "--rounds",
    "1",
];

#[test]
fn a_plot_name_already_taken_is_refused_before_measuring() {
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("existing.svg");
    std::fs::write(&existing, "keep").expect("existing");
    let link = dir.path().join("link.svg");
    std::os::unix::fs::symlink(&existing, &link).expect("link");
    let fifo = dir.path().join("fifo.svg");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    for (target, why) in [
        (&existing, "already exists"),
        (&link, "symbolic link"),
        (&fifo, "FIFO"),
    ] {
        let started = std::time::Instant::now();
        let out = loadlab()
            .args(SWEEP)
            .arg("--plot")
            .arg(target)
            .output()
            .expect("run loadlab");
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("loadlab: --plot {}: ", target.display()))
                && err.contains(why),
            "{err}"
        );
        // Refused before the 3 s measurement, and the FIFO did not block.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        std::fs::read_to_string(&existing).expect("existing"),
        "keep"
    );
}

#[test]
fn an_interrupted_sweep_still_prints_its_report_and_writes_its_plot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plot = dir.path().join("sweep.svg");
    let mut args = SWEEP.to_vec();
    // Two cells: the first finishes, SIGTERM arrives during the second.
    args[4] = "1,2";
    args[12] = "1";
    let mut child = loadlab()
        .args(&args)
        .args(["--format", "json", "--plot"])
        .arg(&plot)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run loadlab");
    // The plot's name is taken before any measurement; the signal comes once
    // the second cell has started (its progress line is on stderr).
    let progress = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = Vec::new();
    for line in std::io::BufRead::lines(progress) {
        let line = line.expect("stderr line");
        let second = line.contains("(2/2)");
        seen.push(line);
        if second {
            break;
        }
    }
    assert!(plot.exists(), "the plot file is created up front: {seen:?}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(killed.is_ok_and(|s| s.success()));
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the report is printed");
    assert_eq!(report["interrupted"], "SIGTERM", "{report}");
    let svg = std::fs::read_to_string(&plot).expect("plot");
    assert!(svg.starts_with("<svg"), "{svg}");
}
