//! Puts the terminal in dashboard mode (raw, alternate screen, hidden cursor,
//! bracketed paste, mouse capture) and guarantees it comes back: on drop, and from a panic
//! hook that restores first.

use std::io::{self, Write, stdout};
use std::panic::PanicHookInfo;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

use crate::logging::{LogBuffer, LogLine};

/// True while the terminal is in dashboard mode; makes restoring idempotent.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Restores the terminal on drop.
pub struct TerminalGuard {
    _private: (),
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard { _private: () };
        enter_screen_modes()?;
        Ok(guard)
    }
}

/// Dashboard mode again after the process was stopped (Ctrl-Z, SIGSTOP): the
/// shell may have put the terminal back to cooked mode meanwhile, so raw mode
/// is entered afresh.
pub fn reenter() -> io::Result<()> {
    // crossterm skips enabling raw mode it believes is on: turn it off first.
    let _ = disable_raw_mode();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    enter_screen_modes()
}

fn enter_screen_modes() -> io::Result<()> {
    // Bracketed paste: a paste arrives as one event, not as a key per character.
    // Mouse capture: clicks focus panels, the wheel scrolls lists.
    execute!(
        stdout(),
        EnterAlternateScreen,
        Hide,
        EnableBracketedPaste,
        EnableMouseCapture
    )
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor, once.
pub fn restore_terminal() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = stdout();
        let _ = execute!(
            out,
            DisableBracketedPaste,
            DisableMouseCapture,
            LeaveAlternateScreen,
            Show
        );
        let _ = disable_raw_mode();
        let _ = out.flush();
    }
}

type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

/// While alive, a panic on the ui thread restores the terminal before the usual
/// report. A panic on another thread is recorded in the log panel instead of being
/// printed over the screen, unless `expected()` says it is one the previous hook
/// handles quietly (a job's panic, caught and counted as a failed task).
/// Dropping puts the old hook back.
pub struct PanicHookGuard {
    previous: Hook,
}

impl PanicHookGuard {
    pub fn install(logs: LogBuffer, expected: Option<fn() -> bool>) -> PanicHookGuard {
        let previous: Hook = Arc::from(std::panic::take_hook());
        let chained = previous.clone();
        std::panic::set_hook(Box::new(move |info| {
            let on_ui_thread = std::thread::current().name() == Some("ui");
            if on_ui_thread || !ACTIVE.load(Ordering::SeqCst) {
                restore_terminal();
                chained(info);
            } else if expected.is_some_and(|quiet| quiet()) {
                chained(info);
            } else {
                let thread = std::thread::current()
                    .name()
                    .unwrap_or("unnamed")
                    .to_string();
                logs.try_push(LogLine {
                    time: std::time::SystemTime::now(),
                    level: tracing::Level::ERROR,
                    target: "panic".to_string(),
                    message: format!("thread {thread} panicked: {info}"),
                });
            }
        }));
        PanicHookGuard { previous }
    }
}

impl Drop for PanicHookGuard {
    fn drop(&mut self) {
        // set_hook panics when called during a panic; the old hook stays then.
        if !std::thread::panicking() {
            let previous = self.previous.clone();
            let _ = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}
