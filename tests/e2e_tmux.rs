//! End to end: the real binary in a tmux pane. Reads the screen with
//! `capture-pane -p`, presses `+`, `b`, `?`, `q`, checks that the screen changed
//! accordingly and that the terminal came back (`stty -a` shows `icanon`).
//! Skipped, with the reason printed, when tmux is not installed.
//! `LOADLAB_E2E_BIN` may point at another build of the binary.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// One private tmux server (its own socket), killed on drop whatever happens.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Tmux {
        let socket = format!(
            "loadlab-e2e-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let tmux = Tmux { socket };
        let out = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-s",
            "e2e",
            "sh",
        ]);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("run tmux")
    }

    fn type_line(&self, line: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", "-l", line]);
        assert!(out.status.success(), "send-keys: {out:?}");
        self.run(&["send-keys", "-t", "e2e", "Enter"]);
    }

    fn press(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", "-l", key]);
        assert!(out.status.success(), "send-keys {key}: {out:?}");
    }

    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "e2e"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the screen until `ok` holds; panics with the last screen otherwise.
    fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {what}; screen:\n{screen}");
            }
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn binary() -> PathBuf {
    std::env::var_os("LOADLAB_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_loadlab")))
}

/// What `echo EXIT=$?` printed (the typed command line starts with the prompt).
fn exit_status(screen: &str) -> Option<&str> {
    screen
        .lines()
        .find_map(|l| l.strip_prefix("EXIT="))
        .map(str::trim)
}

/// The number after `threads ` in the header line.
fn header_threads(screen: &str) -> Option<usize> {
    let header = screen.lines().find(|l| l.starts_with("loadlab"))?;
    let rest = header.split("threads ").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

fn header_backend(screen: &str) -> Option<String> {
    let header = screen.lines().find(|l| l.starts_with("loadlab"))?;
    let rest = header.split("backend ").nth(1)?;
    rest.split_whitespace().next().map(str::to_string)
}

#[test]
fn dashboard_in_tmux_reacts_to_keys_and_restores_the_terminal() {
    if !tmux_available() {
        eprintln!("SKIPPED e2e_tmux: tmux is not installed (CI installs it)");
        return;
    }
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
