//! End to end: a 100 KB paste into the real dashboard in a tmux pane arrives
//! as one bracketed paste, is cut to the field's limit, and `q` still quits
//! right after. Fails when tmux is missing (`.ci/run` installs it).

mod support_tmux;

use std::time::Duration;

use support_tmux::{Tmux, exit_status, require_tmux};

const LIGHT: &str = "--threads 1 --workload spin --size 200";

/// Loads 100 KB into a tmux buffer and pastes it bracketed (`-p`), as a
/// terminal does when the application enabled bracketed paste.
fn paste_100_kb(tmux: &Tmux) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("paste.txt");
    std::fs::write(&file, "/tmp/abc".repeat(12_500)).expect("write paste");
    let file = file.display().to_string();
    let out = tmux.run(&["load-buffer", "-b", "big", &file]);
    assert!(out.status.success(), "load-buffer: {out:?}");
    let out = tmux.run(&["paste-buffer", "-p", "-b", "big", "-t", "e2e"]);
    assert!(out.status.success(), "paste-buffer: {out:?}");
}

#[test]
fn a_large_paste_fills_the_field_to_its_limit_and_q_still_quits() {
    require_tmux();
    let tmux = Tmux::start(140, 40);
    tmux.launch_dashboard(LIGHT);
    // Outside the form: ignored, never read as key presses.
    paste_100_kb(&tmux);
    tmux.wait_for("the paste ignored", Duration::from_secs(20), |s| {
        s.contains("paste ignored")
    });
    // Into the form's path field (w, then Shift-Tab from the first field).
    tmux.press("w");
    tmux.wait_for("the workload form", Duration::from_secs(20), |s| {
        s.contains("Esc cancel")
    });
    tmux.press_named("BTab");
    paste_100_kb(&tmux);
    tmux.wait_for("the field cut to its limit", Duration::from_secs(20), |s| {
        s.contains("at most 4096 characters")
    });
    tmux.press_named("Escape");
    tmux.press("q");
    // A hang check, not a speed test: before bracketed paste this took ~90 s.
    let screen = tmux.wait_for_every(
        "the shell after q",
        Duration::from_secs(15),
        Duration::from_millis(20),
        |s| exit_status(s).is_some(),
    );
    assert_eq!(exit_status(&screen), Some("0"), "{screen}");
}
