//! The dashboard's config file: its values become defaults, flags win, a bad
//! file is a one-line error naming the line, and headless commands ignore it.

mod support_tmux;

use std::process::Command;
use std::time::Duration;

use support_tmux::{Tmux, header_backend, header_threads, require_tmux, sh_quote};

fn loadlab(args: &[&str], config_home: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(args)
        .env("XDG_CONFIG_HOME", config_home)
        .output()
        .expect("run loadlab")
}

#[test]
fn a_bad_config_file_is_a_usage_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "fps = 10\n\nthreads = 100000\n").unwrap();
    let out = loadlab(&["--config", file.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("{}:3: threads", file.display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let missing = dir.path().join("missing.toml");
    let out = loadlab(&["--config", missing.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

#[test]
fn threads_beyond_inline_app_workers_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "backend = \"inline\"\nfps = 10\nthreads = 300\n").unwrap();
    let out = loadlab(&["--config", file.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "loadlab: {}:3: threads: 300 is outside 1..=256",
        file.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(!stderr.contains("--threads"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // The backend may come from the flag too.
    std::fs::write(&file, "threads = 300\n").unwrap();
    let out = loadlab(
        &["--config", file.to_str().unwrap(), "--backend", "inline"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config.toml:1: threads: 300"), "{stderr}");
}

#[test]
fn a_huge_fps_in_the_file_is_a_short_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "fps = 1e308\n").unwrap();
    let out = loadlab(&["--config", file.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config.toml:1:"), "{stderr}");
    assert!(stderr.len() < 200, "{stderr}");
}

#[test]
fn headless_runs_ignore_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("loadlab")).unwrap();
    std::fs::write(
        dir.path().join("loadlab/config.toml"),
        "backend = \"channel\"\nthreads = 1\n",
    )
    .unwrap();
    let out = loadlab(
        &[
            "run",
            "--workload",
            "spin",
            "--size",
            "10",
            "--tasks",
            "20",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["backend"], "rayon", "{report}");
}

#[test]
fn the_dashboard_takes_its_defaults_from_the_config_file_and_flags_win() {
    require_tmux();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "backend = \"channel\"\nthreads = 3\nworkload = \"spin\"\nsize = 200\nchart-window = \"30s\"\ntheme = \"light\"\n",
    )
    .unwrap();
    let tmux = Tmux::start(120, 40);
    let screen = tmux.launch_dashboard(&format!("--config {}", sh_quote(&file)));
    assert_eq!(
        header_backend(&screen).as_deref(),
        Some("channel"),
        "{screen}"
    );
    assert_eq!(header_threads(&screen), Some(3), "{screen}");
    assert!(screen.contains("spin 200"), "{screen}");
    // The charts start on the file's 30 s window (axis -30s, -15s, now).
    tmux.wait_for("the 30 s chart window", Duration::from_secs(20), |s| {
        s.contains("-30s") && s.contains("-15s")
    });
    tmux.press("q");
    tmux.wait_for_exit("q", Duration::from_secs(10));
    drop(tmux);

    let tmux = Tmux::start(120, 40);
    let screen = tmux.launch_dashboard(&format!("--config {} --threads 1", sh_quote(&file)));
    assert_eq!(
        header_backend(&screen).as_deref(),
        Some("channel"),
        "{screen}"
    );
    assert_eq!(header_threads(&screen), Some(1), "a flag wins: {screen}");
    tmux.press("q");
    tmux.wait_for_exit("q", Duration::from_secs(10));
}
