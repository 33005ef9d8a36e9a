//! End to end: the real binary in a tmux pane. Reads the screen with
//! `capture-pane -p`, presses `+`, `b`, `?`, `q`, checks that the screen changed
//! accordingly and that the terminal came back (`stty -a` shows `icanon`).
//! Fails when tmux is not installed (`.ci/run` installs it).
//! `LOADLAB_E2E_BIN` may point at another build of the binary.

mod support_tmux;

use std::time::{Duration, Instant};

use support_tmux::{Tmux, binary, exit_status, header_backend, header_threads, require_tmux};

#[test]
fn dashboard_in_tmux_reacts_to_keys_and_restores_the_terminal() {
    require_tmux();
    let tmux = Tmux::start(120, 40);
    let bin = binary();
    // Light work so the test does not fight other tests for the 2 cores.
    tmux.type_line(&format!(
        "NO_COLOR=1 '{}' --threads 2 --workload spin --size 200; echo EXIT=$?",
        bin.display()
    ));
    let first = tmux.wait_for("the dashboard", Duration::from_secs(30), |s| {
        // Fail fast (with the screen) when the binary exits instead of opening it.
        assert!(exit_status(s).is_none(), "the binary exited early:\n{s}");
        header_threads(s).is_some() && header_backend(s).is_some()
    });
    assert!(first.contains("Throughput"), "{first}");
    assert!(first.contains("Runtime health"), "{first}");
    assert!(first.contains("q quit"), "controls line: {first}");
    let threads = header_threads(&first).expect("threads shown");
    let backend = header_backend(&first).expect("backend shown");
    assert_eq!(threads, 2, "{first}");
    assert_eq!(backend, "rayon", "{first}");

    tmux.press("+");
    tmux.wait_for("threads 3 after +", Duration::from_secs(10), |s| {
        header_threads(s) == Some(3)
    });

    tmux.press("b");
    let swapped = tmux.wait_for("the next backend after b", Duration::from_secs(10), |s| {
        header_backend(s).is_some_and(|b| b != "rayon")
    });
    assert_eq!(
        header_backend(&swapped).as_deref(),
        Some("channel"),
        "{swapped}"
    );

    tmux.press("?");
    let help = tmux.wait_for("the help overlay", Duration::from_secs(5), |s| {
        s.contains(" Keys ") && s.contains("this help")
    });
    for key in ["b / B", "+ / -", "q / Ctrl-C", "space", "Tab / arrows"] {
        assert!(help.contains(key), "help lacks {key}:\n{help}");
    }

    let quit_started = Instant::now();
    tmux.press("q");
    let after = tmux.wait_for("the shell after q", Duration::from_secs(10), |s| {
        exit_status(s).is_some()
    });
    assert!(
        quit_started.elapsed() < Duration::from_secs(3),
        "quitting took {:?}",
        quit_started.elapsed()
    );
    assert_eq!(exit_status(&after), Some("0"), "exit status: {after}");
    assert!(
        !after.contains("Runtime health"),
        "alternate screen left: {after}"
    );

    tmux.type_line("stty -a; echo STTY-$((40+2))");
    let stty = tmux.wait_for("stty output", Duration::from_secs(5), |s| {
        s.contains("STTY-42")
    });
    let words: Vec<&str> = stty.split_whitespace().collect();
    assert!(words.contains(&"icanon"), "terminal not restored:\n{stty}");
    assert!(words.contains(&"echo"), "echo not restored:\n{stty}");
    assert!(!words.contains(&"-icanon"), "still raw:\n{stty}");
}
