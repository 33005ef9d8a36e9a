//! End to end in tmux: Ctrl-Z gives the shell the terminal and `fg` brings
//! the dashboard back answering keys; F10 quits; a held `+` on rayon neither
//! piles up threads nor delays `q`. Fails when tmux is missing.

mod support_tmux;

use std::time::{Duration, Instant};

use support_tmux::{Tmux, binary, header_threads, require_tmux, sh_quote};

/// Light work so the tests do not fight each other for the 2 cores.
const LIGHT: &str = "--threads 2 --workload spin --size 200";

/// Types the dashboard's command line without `; echo EXIT=$?`: a stopped
/// job would let the shell run the rest of the line at once.
fn launch_alone(tmux: &Tmux, args: &str) {
    tmux.type_line(&format!("NO_COLOR=1 {} {args}", sh_quote(&binary())));
    tmux.wait_for_dashboard(Duration::from_secs(30));
}

/// The shell's `EXIT=` line after typing `echo EXIT=$?`, once the process
/// marked by `marker` has ended (keys typed earlier would reach it, or a
/// terminal not yet back in cooked mode).
fn exit_of_last_job(tmux: &Tmux, marker: &str, after: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    while loadlab_threads(marker).is_some() {
        assert!(Instant::now() < deadline, "still running after {after}");
        std::thread::sleep(Duration::from_millis(20));
    }
    tmux.type_line("echo EXIT=$?");
    tmux.wait_for_exit(after, Duration::from_secs(10))
}

#[test]
fn ctrl_z_hands_the_terminal_to_the_shell_and_fg_brings_the_dashboard_back() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    // The export directory only marks this test's process among the others.
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().display().to_string();
    launch_alone(
        &tmux,
        &format!("{LIGHT} --export-dir {}", sh_quote(dir.path())),
    );
    tmux.press_named("C-z");
    // The shell has the terminal once it reports the job stopped; keys typed
    // before then may still reach loadlab, which is on its way to stopping.
    tmux.wait_for("the shell after Ctrl-Z", Duration::from_secs(10), |s| {
        !s.contains("Runtime health") && s.contains("Stopped")
    });
    // The shell has a cooked terminal: a typed command runs and its echo shows.
    tmux.type_line("clear; stty -a; echo ok-$((40+2))");
    let stty = tmux.wait_for("stty output and ok-42", Duration::from_secs(10), |s| {
        s.lines().any(|l| l.trim() == "ok-42")
    });
    let words: Vec<&str> = stty.split_whitespace().collect();
    assert!(
        words.contains(&"icanon"),
        "not cooked while stopped:\n{stty}"
    );
    assert!(
        !words.contains(&"-icanon"),
        "still raw while stopped:\n{stty}"
    );

    tmux.type_line("fg");
    tmux.wait_for_dashboard(Duration::from_secs(20));
    // Keys are read one by one again (raw mode): `t` answers without Enter.
    tmux.press("t");
    tmux.wait_for("an answer to t after fg", Duration::from_secs(10), |s| {
        s.contains("charts show the last")
    });
    tmux.press("q");
    assert_eq!(exit_of_last_job(&tmux, &marker, "q after fg"), "0");
    tmux.assert_terminal_restored();
}

#[test]
fn f10_quits() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    tmux.launch_dashboard(LIGHT);
    tmux.press_named("F10");
    let status = tmux.wait_for_exit("F10", Duration::from_secs(10));
    assert_eq!(status, "0");
    tmux.assert_terminal_restored();
}

/// OS threads of the running `loadlab` whose command line has `marker`.
fn loadlab_threads(marker: &str) -> Option<usize> {
    let pid = std::fs::read_dir("/proc")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                String::from_utf8_lossy(&cmdline)
                    .split('\0')
                    .any(|arg| arg == marker)
            })
        })?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

#[test]
fn a_held_plus_on_rayon_stays_under_the_cap_and_q_quits_at_once() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    // The export directory only marks this test's process among the others.
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().display().to_string();
    tmux.launch_dashboard(&format!(
        "--backend rayon --threads 400 --workload spin --size 200 --export-dir {}",
        sh_quote(dir.path())
    ));
    // 300 presses in one burst, as a held key delivers them.
    tmux.press(&"+".repeat(300));
    // The pools follow once per frame: sample until the 512-thread pool runs,
    // then a second more.
    let mut peak = 0;
    let mut full_since: Option<Instant> = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while full_since.is_none_or(|at| at.elapsed() < Duration::from_secs(1)) {
        let threads = loadlab_threads(&marker).unwrap_or(0);
        peak = peak.max(threads);
        if threads >= 512 && full_since.is_none() {
            let screen = tmux.screen();
            if header_threads(&screen) == Some(512) {
                full_since = Some(Instant::now());
            }
        }
        assert!(
            Instant::now() < deadline,
            "512 threads not reached: {threads}\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let pressed = Instant::now();
    tmux.press("q");
    let status = tmux.wait_for_exit("q after a held +", Duration::from_secs(10));
    let quit_in = pressed.elapsed();
    assert_eq!(status, "0");
    assert!(peak >= 400, "{peak}: the process was not found");
    // 512 rayon threads and loadlab's own few (7 here); a new pool waits
    // until old threads are gone from the OS's list too. Before pools were
    // retired first, 300 presses reached 2,425.
    assert!(peak <= 512 + 16, "{peak} OS threads at the peak");
    // 0.2 to 5.0 s on the shared, loaded 2-core machine (512 busy threads
    // leave the ui thread a small share of the cores); before, 118 s.
    assert!(quit_in < Duration::from_secs(6), "q took {quit_in:?}");
    eprintln!("peak {peak} OS threads; q quit in {quit_in:?}");
}
