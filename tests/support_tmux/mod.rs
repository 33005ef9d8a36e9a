//! Shared by the tmux end-to-end tests (e2e_tmux, e2e_terminal): a private tmux
//! server per test, keys, screen captures, and readers for the dashboard's
//! header and status lines. Each test file uses a subset, hence the allow.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Tests of one binary run in parallel: the counter keeps their sockets apart.
static NEXT_SERVER: AtomicU64 = AtomicU64::new(0);

/// One private tmux server (its own socket), killed on drop whatever happens;
/// killing it hangs up the pane, so a dashboard left running ends too.
pub struct Tmux {
    socket: String,
    /// The socket file, removed on drop (kill-server leaves it behind).
    socket_path: Option<PathBuf>,
}

impl Tmux {
    /// A detached session `e2e` running `sh` in a `width` x `height` window.
    pub fn start(width: u16, height: u16) -> Tmux {
        let socket = format!(
            "loadlab-e2e-{}-{}-{}",
            std::process::id(),
            NEXT_SERVER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let mut tmux = Tmux {
            socket,
            socket_path: None,
        };
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
        let path = tmux.run(&["display-message", "-p", "#{socket_path}"]);
        let path = String::from_utf8_lossy(&path.stdout).trim().to_string();
        tmux.socket_path = (!path.is_empty()).then(|| PathBuf::from(path));
        // Keys typed before the shell's first prompt are echoed ahead of it and
        // the prompt then lands in front of the command's output.
        tmux.wait_for("the shell prompt", Duration::from_secs(10), |s| {
            !s.trim().is_empty()
        });
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("run tmux")
    }

    /// Types `line` literally, then Enter.
    pub fn type_line(&self, line: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", "-l", line]);
        assert!(out.status.success(), "send-keys: {out:?}");
        self.run(&["send-keys", "-t", "e2e", "Enter"]);
    }

    /// Types `key` literally (`q`, `+`, ` `).
    pub fn press(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", "-l", key]);
        assert!(out.status.success(), "send-keys {key}: {out:?}");
    }

    /// Sends a key by tmux name (`C-c`, `Enter`).
    pub fn press_named(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", key]);
        assert!(out.status.success(), "send-keys {key}: {out:?}");
    }

    pub fn resize_window(&self, width: u16, height: u16) {
        let out = self.run(&[
            "resize-window",
            "-t",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
        assert!(out.status.success(), "resize-window: {out:?}");
    }

    pub fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "e2e"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the screen until `ok` holds; panics with the last screen otherwise.
    pub fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        self.wait_for_every(what, timeout, Duration::from_millis(100), ok)
    }

    /// `wait_for` with a chosen polling interval (short ones for timings).
    pub fn wait_for_every(
        &self,
        what: &str,
        timeout: Duration,
        every: Duration,
        ok: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {what}; screen:\n{screen}");
            }
            sleep(every);
        }
    }

    /// Launches the dashboard with `args` (after `NO_COLOR=1 <bin>`), then the
    /// shell prints `EXIT=<status>` when it ends. Waits for the header to show a
    /// backend and returns that screen; fails fast if the binary exits instead.
    pub fn launch_dashboard(&self, args: &str) -> String {
        self.type_line(&format!(
            "NO_COLOR=1 {} {args}; echo EXIT=$?",
            sh_quote(&binary())
        ));
        self.wait_for_dashboard(Duration::from_secs(30))
    }

    /// Waits until the header shows the engine's state (a backend and threads).
    pub fn wait_for_dashboard(&self, timeout: Duration) -> String {
        self.wait_for("the dashboard", timeout, |s| {
            assert!(exit_status(s).is_none(), "the binary exited early:\n{s}");
            header_threads(s).is_some() && header_backend(s).is_some()
        })
    }

    /// Waits for the shell's `EXIT=` line and returns the status printed.
    pub fn wait_for_exit(&self, after: &str, timeout: Duration) -> String {
        let screen = self.wait_for(&format!("the shell after {after}"), timeout, |s| {
            exit_status(s).is_some()
        });
        exit_status(&screen).unwrap_or_default().to_string()
    }

    /// Asserts the terminal is back in cooked mode and the shell runs a typed
    /// command (`echo ok-$((40+2))` printing `ok-42`; the typed line itself does
    /// not contain `ok-42`).
    pub fn assert_terminal_restored(&self) {
        let screen = self.screen();
        assert!(
            !screen.contains("Runtime health"),
            "alternate screen left:\n{screen}"
        );
        self.type_line("clear; stty -a; echo ok-$((40+2))");
        let stty = self.wait_for("stty output and ok-42", Duration::from_secs(5), |s| {
            s.lines().any(|l| l.trim() == "ok-42")
        });
        let words: Vec<&str> = stty.split_whitespace().collect();
        assert!(words.contains(&"icanon"), "terminal not restored:\n{stty}");
        assert!(words.contains(&"echo"), "echo not restored:\n{stty}");
        assert!(!words.contains(&"-icanon"), "still raw:\n{stty}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Fails the test when tmux does not run here: an end-to-end test that
/// cannot run must not pass (`.ci/run` installs tmux).
pub fn require_tmux() {
    let runs = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs,
        "tmux is not installed: the end-to-end tests need it (.ci/run installs it)"
    );
}

/// The binary under test; `LOADLAB_E2E_BIN` may point at another build.
pub fn binary() -> PathBuf {
    std::env::var_os("LOADLAB_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_loadlab")))
}

/// `path` as one single-quoted shell word.
pub fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// What `echo EXIT=$?` printed: the digits after `EXIT=`, wherever on a line
/// (the typed command line has `EXIT=$?`, never digits).
pub fn exit_status(screen: &str) -> Option<&str> {
    screen.lines().find_map(|line| {
        line.match_indices("EXIT=").find_map(|(at, marker)| {
            let rest = &line[at + marker.len()..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (digits > 0).then(|| &rest[..digits])
        })
    })
}

fn header(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.starts_with("loadlab"))
}

/// The number after `threads ` in the header line.
pub fn header_threads(screen: &str) -> Option<usize> {
    let rest = header(screen)?.split("threads ").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

pub fn header_backend(screen: &str) -> Option<String> {
    let rest = header(screen)?.split("backend ").nth(1)?;
    rest.split_whitespace().next().map(str::to_string)
}

/// `RUNNING`, `PAUSED` or `STOPPED`: the badge in the header.
pub fn header_state(screen: &str) -> Option<&'static str> {
    let header = header(screen)?;
    ["RUNNING", "PAUSED", "STOPPED"]
        .into_iter()
        .find(|state| header.contains(&format!(" {state} ")))
}

/// A count from the status line, e.g. `failed` in `done 9 · failed 2 · ...`.
pub fn status_count(screen: &str, name: &str) -> Option<u64> {
    let line = screen
        .lines()
        .find(|l| l.contains(" · failed ") && l.contains("in flight"))?;
    let rest = line.split(&format!("{name} ")).nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}
