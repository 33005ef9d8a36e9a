//! Signals through the real binary: the first SIGINT/SIGTERM/SIGHUP ends a
//! headless command with the report of what finished and exit 128 + signal;
//! a second one exits at once, even while a job cannot stop. Every wait is
//! bounded, and no assertion depends on how fast the machine is.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// These tests load a 2-core machine: one at a time.
static MACHINE: Mutex<()> = Mutex::new(());

fn machine() -> MutexGuard<'static, ()> {
    MACHINE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running loadlab whose stderr lines arrive on a channel.
struct Running {
    child: Child,
    stderr: mpsc::Receiver<String>,
}

fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start loadlab");
    let stderr = child.stderr.take().expect("stderr");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    Running {
        child,
        stderr: receive,
    }
}

impl Running {
    /// Waits (at most `limit`) for a stderr line containing `text`.
    fn wait_for_line(&self, text: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(text) => return,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!(
            "no line with {text:?} within {limit:?}; stderr so far:\n{}",
            seen.join("\n")
        );
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name}");
    }

    /// Waits (at most `limit`) for the exit; returns its code and stdout.
    /// A process still running past the limit is killed and the test fails.
    fn finish(mut self, limit: Duration) -> (Option<i32>, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut out = String::new();
                if let Some(mut stdout) = self.child.stdout.take() {
                    std::io::Read::read_to_string(&mut stdout, &mut out).expect("stdout");
                }
                return (status.code(), out);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("loadlab still running {limit:?} after the signal");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Waits (at most 30 s) until `path` has a line: the run is past start-up,
/// its signal handlers installed.
fn wait_for_recording(path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(path).map_or(true, |text| !text.contains('\n')) {
        assert!(Instant::now() < deadline, "no recording line within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}):\n{stdout}"))
}

#[test]
fn ctrl_c_during_a_sweep_reports_the_finished_cells_and_exits_130() {
    let _one = machine();
    let run = start(&[
        "sweep",
        "--backends",
        "rayon",
        "--threads",
        "1,2",
        "--rounds",
        "2",
        "--warmup",
        "0.1",
        "--duration",
        "0.3",
        "--format",
        "json",
    ]);
    // The first cell has finished once the second one starts.
    run.wait_for_line("rayon x 2 threads", Duration::from_secs(60));
    run.signal("INT");
    let (code, stdout) = run.finish(Duration::from_secs(20));
    assert_eq!(code, Some(130));
    let report = json(&stdout);
    assert_eq!(report["interrupted"], "SIGINT");
    let rows = report["rows"].as_array().expect("rows");
    assert!(!rows.is_empty() && rows.len() <= 2, "{report}");
    assert_eq!(rows[0]["backend"], "rayon");
    assert_eq!(rows[0]["threads"], 1);
    assert!(rows[0]["tasks_per_s"].as_f64().unwrap_or_default() > 0.0);
    assert!(
        report["warnings"].as_array().is_some_and(|w| w
            .iter()
            .any(|w| w == "interrupted by SIGINT: only the finished rounds are reported")),
        "{report}"
    );
}

#[test]
fn sigterm_during_the_starvation_demo_reports_the_finished_backends_and_exits_143() {
    let _one = machine();
    let run = start(&[
        "demo",
        "starvation",
        "--rounds",
        "1",
        "--duration",
        "0.4",
        "--format",
        "json",
    ]);
    run.wait_for_line("(2/4)", Duration::from_secs(60));
    run.signal("TERM");
    let (code, stdout) = run.finish(Duration::from_secs(20));
    assert_eq!(code, Some(143));
    let report = json(&stdout);
    assert_eq!(report["interrupted"], "SIGTERM");
    let rows = report["rows"].as_array().expect("rows");
    assert!(!rows.is_empty() && rows.len() < 4, "{report}");
    assert_eq!(rows[0]["backend"], "inline");
}

#[test]
fn sighup_ends_a_headless_run_with_its_report_and_exact_accounting() {
    let _one = machine();
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("run.jsonl");
    let record_arg = record.to_str().expect("utf-8 path");
    let run = start(&[
        "run",
        "--duration",
        "60",
        "--format",
        "json",
        "--record",
        record_arg,
    ]);
    wait_for_recording(&record);
    std::thread::sleep(Duration::from_millis(300));
    run.signal("HUP");
    let (code, stdout) = run.finish(Duration::from_secs(20));
    assert_eq!(code, Some(129));
    let report = json(&stdout);
    assert_eq!(report["interrupted"], "SIGHUP");
    let t = &report["tasks"];
    let n = |k: &str| t[k].as_u64().unwrap_or(u64::MAX);
    assert_eq!(
        n("submitted"),
        n("completed") + n("failed") + n("cancelled")
    );
    assert!(n("completed") > 0, "{report}");
}

#[test]
fn a_second_signal_exits_at_once_while_a_job_cannot_stop() {
    let _one = machine();
    // Four tasks of about 1000 s each: the first signal cannot end them.
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("run.jsonl");
    let run = start(&[
        "run",
        "--record",
        record.to_str().expect("utf-8 path"),
        "--workload",
        "spin",
        "--size",
        "1000000000",
        "--tasks",
        "4",
        "--format",
        "json",
    ]);
    wait_for_recording(&record);
    run.signal("TERM");
    run.wait_for_line(
        "interrupted by SIGTERM: stopping arrivals",
        Duration::from_secs(10),
    );
    run.signal("INT");
    let (code, _) = run.finish(Duration::from_secs(10));
    assert_eq!(code, Some(130));
}
