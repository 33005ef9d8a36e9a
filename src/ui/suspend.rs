//! Ctrl-Z (a key in raw mode) and SIGTSTP stop the dashboard the way htop and
//! vim do: the terminal goes back to the shell first (raw mode off, alternate
//! screen left, mouse capture off, cursor shown), then the process group
//! stops. After `fg` (SIGCONT) raw mode and the alternate screen come back
//! and the caller redraws the whole screen. A SIGSTOP from outside cannot be
//! caught; its SIGCONT still brings dashboard mode back (see [`resume`]).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustix::process::{Signal, kill_current_process_group};

use super::terminal_guard;

/// Set by SIGCONT: the process was stopped and has been continued.
fn continued() -> io::Result<&'static Arc<AtomicBool>> {
    static CONTINUED: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    if let Some(flag) = CONTINUED.get() {
        return Ok(flag);
    }
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGCONT, Arc::clone(&flag))?;
    Ok(CONTINUED.get_or_init(|| flag))
}

/// Restores the terminal and stops the process group; returns once continued,
/// with the terminal in dashboard mode again.
pub fn suspend() -> io::Result<()> {
    let continued = continued()?;
    terminal_guard::restore_terminal();
    continued.store(false, Ordering::SeqCst);
    // SIGSTOP, not SIGTSTP: SIGTSTP is handled here and would only come back.
    // The whole group stops, as for a Ctrl-Z typed in cooked mode, so a
    // parent in the job (`cargo run`) hands the terminal back too.
    kill_current_process_group(Signal::STOP)?;
    // The stop may land a moment after kill returns: nothing touches the
    // terminal again until SIGCONT says the process ran on after it.
    while !continued.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(1));
    }
    resume()
}

/// Dashboard mode again after SIGCONT, whoever stopped the process.
pub fn resume() -> io::Result<()> {
    terminal_guard::reenter()
}
