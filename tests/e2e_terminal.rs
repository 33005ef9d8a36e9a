//! End to end: the real dashboard in a tmux pane, one private tmux server per
//! test. How it leaves (Ctrl-C, SIGTERM, q under load), a too-small terminal
//! and a resize, stop/start/pause, the guided demo, export, and job panics
//! kept off the screen. Fails when tmux is missing (`.ci/run` installs it).
//! A capture can catch a frame half written (top rows new, bottom rows old), so
//! each wait names everything the assertions after it read from that screen.

mod support_tmux;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support_tmux::{
    Tmux, binary, exit_status, header_backend, header_state, require_tmux, sh_quote, status_count,
};

/// Light work so the tests do not fight each other for the 2 cores.
const LIGHT: &str = "--threads 2 --workload spin --size 200";

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    tmux.launch_dashboard(LIGHT);
    tmux.press_named("C-c");
    let status = tmux.wait_for_exit("Ctrl-C", Duration::from_secs(5));
    assert_eq!(status, "0", "Ctrl-C is a normal quit:\n{}", tmux.screen());
    tmux.assert_terminal_restored();
}

#[test]
fn sigterm_restores_the_terminal_and_ends_the_process() {
    require_tmux();
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    let tmux = Tmux::start(120, 40);
    // `exec` keeps the pid sh wrote: it becomes the dashboard's.
    tmux.type_line(&format!(
        "sh -c 'echo $$ > \"$0\"; exec \"$@\"' {} env NO_COLOR=1 {} {LIGHT}; echo EXIT=$?",
        sh_quote(&pidfile),
        sh_quote(&binary()),
    ));
    tmux.wait_for_dashboard(Duration::from_secs(30));
    let pid = std::fs::read_to_string(&pidfile)
        .expect("pidfile written")
        .trim()
        .to_string();
    assert!(alive(&pid), "pid {pid} from the pidfile is not running");

    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -TERM {pid} failed");
    let status = tmux.wait_for_exit("SIGTERM", Duration::from_secs(5));
    assert!(!alive(&pid), "pid {pid} still runs after SIGTERM");
    eprintln!("exit status after SIGTERM: {status}");
    tmux.assert_terminal_restored();
}

fn alive(pid: &str) -> bool {
    Command::new("kill")
        .args(["-0", pid])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn quitting_with_thousands_of_queued_tasks_returns_at_once() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    tmux.launch_dashboard("--workload spin --size 20000 --inflight 5000 --threads 1");
    // One 20 ms task at a time on one thread: nearly all 5000 wait in the queue.
    let loaded = tmux.wait_for(
        "RUNNING with tasks in flight",
        Duration::from_secs(15),
        |s| {
            header_state(s) == Some("RUNNING")
                && status_count(s, "in flight").is_some_and(|n| n > 1000)
        },
    );
    let queued = status_count(&loaded, "in flight").unwrap_or(0);

    let pressed = Instant::now();
    tmux.press("q");
    let screen = tmux.wait_for_every(
        "the shell after q",
        Duration::from_secs(10),
        Duration::from_millis(10),
        |s| exit_status(s).is_some(),
    );
    let took = pressed.elapsed();
    eprintln!("quit with {queued} tasks in flight took {took:?} (target 1 s)");
    assert_eq!(exit_status(&screen), Some("0"), "{screen}");
    assert!(
        took < Duration::from_millis(1500),
        "quit with {queued} tasks in flight took {took:?}"
    );
}

#[test]
fn too_small_terminal_shows_a_notice_and_a_resize_brings_the_dashboard_back() {
    require_tmux();
    let tmux = Tmux::start(40, 10);
    tmux.type_line(&format!(
        "NO_COLOR=1 {} {LIGHT}; echo EXIT=$?",
        sh_quote(&binary())
    ));
    let small = tmux.wait_for("the too-small notice", Duration::from_secs(30), |s| {
        assert!(exit_status(s).is_none(), "the binary exited early:\n{s}");
        s.contains("too small") && s.contains("40x10")
    });
    assert!(
        small.contains("40x10"),
        "the notice names the size:\n{small}"
    );
    assert!(
        !small.contains("Throughput"),
        "panels drawn anyway:\n{small}"
    );
    // A few frames later it still runs and nothing was printed over it.
    std::thread::sleep(Duration::from_millis(500));
    let later = tmux.screen();
    assert!(exit_status(&later).is_none(), "exited:\n{later}");
    assert!(!later.contains("panicked"), "{later}");
    assert!(later.contains("too small"), "{later}");

    tmux.resize_window(120, 40);
    // A capture may catch a frame half written: wait for the whole of it.
    tmux.wait_for(
        "the dashboard after the resize",
        Duration::from_secs(10),
        |s| {
            s.starts_with("loadlab")
                && s.contains("Throughput")
                && s.contains("q quit")
                && !s.contains("too small")
        },
    );

    tmux.press("q");
    assert_eq!(tmux.wait_for_exit("q", Duration::from_secs(5)), "0");
}

#[test]
fn stop_start_and_pause_show_in_the_header() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    let first = tmux.launch_dashboard(LIGHT);
    assert_eq!(header_state(&first), Some("RUNNING"), "{first}");

    tmux.press("s");
    let stopped = tmux.wait_for("STOPPED after s", Duration::from_secs(10), |s| {
        header_state(s) == Some("STOPPED") && s.contains("stopped:")
    });
    assert!(stopped.contains("stopped:"), "status line:\n{stopped}");
    // Queued tasks are cancelled and nothing new is submitted.
    tmux.wait_for(
        "nothing in flight once stopped",
        Duration::from_secs(10),
        |s| status_count(s, "in flight") == Some(0),
    );

    tmux.press("S");
    let started = tmux.wait_for("RUNNING after S", Duration::from_secs(10), |s| {
        header_state(s) == Some("RUNNING")
    });
    let done = status_count(&started, "done").unwrap_or(0);
    tmux.wait_for("tasks completing again", Duration::from_secs(10), |s| {
        status_count(s, "done").is_some_and(|n| n > done)
    });

    tmux.press(" ");
    let paused = tmux.wait_for("PAUSED after space", Duration::from_secs(10), |s| {
        header_state(s) == Some("PAUSED") && s.contains("arrivals paused")
    });
    assert!(paused.contains("arrivals paused"), "status line:\n{paused}");

    tmux.press("q");
    assert_eq!(tmux.wait_for_exit("q", Duration::from_secs(5)), "0");
}

#[test]
fn guided_demo_captions_each_step_and_swaps_to_inline() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    // From channel, so the demo's first step visibly moves to rayon.
    let first = tmux.launch_dashboard(&format!("{LIGHT} --backend channel"));
    assert_eq!(
        header_backend(&first).as_deref(),
        Some("channel"),
        "{first}"
    );

    tmux.press("d");
    let step1 = tmux.wait_for("demo step 1 on rayon", Duration::from_secs(10), |s| {
        s.contains("demo 1/3")
            && s.contains("watch:")
            && header_backend(s).as_deref() == Some("rayon")
    });
    let caption = caption_line(&step1, "demo 1/3");
    assert!(caption.contains("rayon"), "caption names rayon: {caption}");
    assert!(step1.contains(" DEMO "), "header badge:\n{step1}");
    assert!(step1.contains("watch:"), "{step1}");

    // Steps are STEP_S (10 s) long: step 2 runs the work inline.
    let step2 = tmux.wait_for("demo step 2 on inline", Duration::from_secs(15), |s| {
        s.contains("demo 2/3") && header_backend(s).as_deref() == Some("inline")
    });
    let caption = caption_line(&step2, "demo 2/3");
    assert!(
        caption.contains("inline"),
        "caption names inline: {caption}"
    );

    tmux.press("d");
    let stopped = tmux.wait_for("the demo stopped after d", Duration::from_secs(5), |s| {
        !s.contains("demo 2/3") && !s.contains(" DEMO ") && s.contains("guided demo stopped")
    });
    assert!(stopped.contains("guided demo stopped"), "{stopped}");
    // Stopping the demo leaves the backend where it was.
    assert_eq!(header_backend(&stopped).as_deref(), Some("inline"));

    tmux.press("q");
    assert_eq!(tmux.wait_for_exit("q", Duration::from_secs(5)), "0");
}

fn caption_line<'a>(screen: &'a str, badge: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(badge))
        .unwrap_or_default()
}

#[test]
fn export_writes_a_snapshot_json_into_the_export_dir() {
    require_tmux();
    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start(120, 40);
    tmux.launch_dashboard(&format!("{LIGHT} --export-dir {}", sh_quote(dir.path())));
    // After the first snapshot with the real config arrived.
    tmux.wait_for("a completed task", Duration::from_secs(10), |s| {
        status_count(s, "done").is_some_and(|n| n > 0)
    });

    tmux.press("e");
    let exported = tmux.wait_for("the export status", Duration::from_secs(10), |s| {
        s.contains("exported ")
    });
    let files = json_files(dir.path());
    assert_eq!(
        files.len(),
        1,
        "one export in {}: {files:?}",
        dir.path().display()
    );
    let name = files[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(name.starts_with("loadlab-snapshot-"), "{name}");
    assert!(exported.contains("loadlab-snapshot-"), "{exported}");

    let text = std::fs::read_to_string(&files[0]).expect("read the export");
    let json: serde_json::Value = serde_json::from_str(&text).expect("export is JSON");
    assert_eq!(json["config"]["backend"], "rayon", "{text}");
    assert_eq!(json["config"]["threads"], 2, "{text}");

    tmux.press("q");
    assert_eq!(tmux.wait_for_exit("q", Duration::from_secs(5)), "0");
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("read the export dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect()
}

#[test]
fn panicking_jobs_stay_off_the_screen_and_count_as_failed() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    tmux.launch_dashboard(&format!("{LIGHT} --panic-every 50"));
    let first = tmux.wait_for("a failed task", Duration::from_secs(10), |s| {
        status_count(s, "failed").is_some_and(|n| n > 0)
    });
    let failed = status_count(&first, "failed").unwrap_or(0);

    // Watch the screen for a few seconds: each capture must be the intact frame.
    let watch_until = Instant::now() + Duration::from_secs(3);
    let mut last = first;
    while Instant::now() < watch_until {
        let screen = tmux.screen();
        assert!(
            !screen.contains("panicked at"),
            "panic text on screen:\n{screen}"
        );
        let top = screen.lines().next().unwrap_or_default();
        assert!(top.starts_with("loadlab"), "header displaced:\n{screen}");
        assert!(
            screen.lines().any(|l| l.starts_with("q quit")),
            "controls line displaced:\n{screen}"
        );
        last = screen;
        std::thread::sleep(Duration::from_millis(250));
    }
    let later = status_count(&last, "failed").unwrap_or(0);
    assert!(later > failed, "failed count stuck at {failed}:\n{last}");
    // In plain sight: the banner with the first error, and the Log's grouped line.
    let seen = tmux.wait_for(
        "the failure banner and log line",
        Duration::from_secs(10),
        |s| {
            s.contains("FAILING")
                && s.contains("first error: task")
                // The Log's grouped line; "N tasks failed: job panicked ..." or,
                // when the texts differ in their numbers, "N tasks failed, the
                // last with: job ...", cut to the panel's width.
                && s.lines().any(|l| l.contains(" tasks failed") && l.contains("job"))
        },
    );
    assert!(
        seen.lines()
            .next()
            .unwrap_or_default()
            .starts_with("loadlab"),
        "{seen}"
    );
    assert_eq!(header_state(&last), Some("RUNNING"), "{last}");

    tmux.press("q");
    assert_eq!(tmux.wait_for_exit("q", Duration::from_secs(5)), "0");
}

/// The application's mouse modes as tmux sees them: all zero once released.
fn mouse_flags(tmux: &Tmux) -> String {
    let out = tmux.run(&[
        "display-message",
        "-p",
        "-t",
        "e2e",
        "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}",
    ]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_click_focuses_a_panel_and_quitting_releases_the_mouse() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    tmux.launch_dashboard(LIGHT);
    let captured = Instant::now() + Duration::from_secs(5);
    while mouse_flags(&tmux).chars().all(|c| c == '0') && Instant::now() < captured {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        mouse_flags(&tmux).contains('1'),
        "mouse capture not enabled: {}",
        mouse_flags(&tmux)
    );
    // A left click (SGR encoding, 1-based) on the Threads panel, then Enter zooms the focus.
    tmux.press("\x1b[<0;10;20M\x1b[<0;10;20m");
    tmux.press_named("Enter");
    let zoomed = tmux.wait_for("the Threads panel zoomed", Duration::from_secs(5), |s| {
        s.contains("Threads") && s.contains("cpu % history") && !s.contains("Runtime health")
    });
    assert!(!zoomed.contains("Latency"), "{zoomed}");
    tmux.press("q");
    assert_eq!(tmux.wait_for_exit("q", Duration::from_secs(5)), "0");
    assert_eq!(mouse_flags(&tmux), "000", "mouse capture left on");
    tmux.assert_terminal_restored();
}
