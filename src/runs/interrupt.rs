//! Signals for the headless commands (`run`, `sweep`, `demo`): the first
//! SIGINT, SIGTERM or SIGHUP asks the command to stop arrivals, cancel what is
//! queued and report what finished; a second one ends the process at once,
//! even while a job that cannot stop is still running.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::setup::Failure;

/// What a command that runs work does on its first signal.
pub const STOPPING_WORK: &str =
    "stopping arrivals, cancelling queued tasks and reporting what finished";
/// What `attach` does on its first signal.
pub const STOPPING_WATCH: &str = "reading every thread once more and reporting what it saw";

/// The first signal received (0: none). Cloned handles share it; commands
/// poll it between ticks, so the hot path never sees it.
#[derive(Clone, Debug, Default)]
pub struct Interruption {
    signal: Arc<AtomicI32>,
}

impl Interruption {
    /// A handle no signal reaches (library use and tests); `request` still works.
    pub fn none() -> Interruption {
        Interruption::default()
    }

    /// Installs the handlers on a thread of their own ("signals"): the first
    /// signal is recorded here and said with `stopping` (what the command
    /// does now), a second exits with 128 + its number.
    pub fn install(stopping: &'static str) -> Result<Interruption, Failure> {
        let failed = |e: std::io::Error| Failure::Fatal(format!("signal handlers: {e}"));
        let interruption = Interruption::default();
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP]).map_err(failed)?;
        let seen = interruption.clone();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    if seen.request(signal) {
                        say(&format!(
                            "loadlab: interrupted by {}: {stopping} (send it again to exit at once)",
                            signal_name(signal)
                        ));
                    } else {
                        say(&format!("loadlab: {}: exiting now", signal_name(signal)));
                        std::process::exit(128 + signal);
                    }
                }
            })
            .map_err(failed)?;
        Ok(interruption)
    }

    /// Records `signal` as the interruption; false when one was already recorded.
    pub fn request(&self, signal: i32) -> bool {
        self.signal
            .compare_exchange(0, signal, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The signal that interrupted the command, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::Acquire) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// `SIGINT`, `SIGTERM`, ... of the signal received, for reports.
    pub fn name(&self) -> Option<&'static str> {
        self.signal().map(signal_name)
    }
}

/// The conventional name of the signals loadlab handles.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "signal",
    }
}

/// The exit status of a command a signal ended early: 128 + its number.
pub fn exit_code(signal_name: &str) -> i32 {
    128 + match signal_name {
        "SIGINT" => SIGINT,
        "SIGTERM" => SIGTERM,
        "SIGHUP" => SIGHUP,
        _ => 0,
    }
}

/// A run's exit status: 0 when every task completed, 3 when some failed, 128
/// + the signal's number when a signal ended the run early.
pub fn run_exit_code(report: &crate::report::run::RunReport) -> i32 {
    match &report.interrupted {
        Some(signal) => exit_code(signal),
        None if report.tasks.failed > 0 => 3,
        None => 0,
    }
}

/// A line on stderr; a closed stderr must not turn a signal into a panic.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_is_kept_and_named() {
        let interruption = Interruption::none();
        assert_eq!(interruption.name(), None);
        assert!(interruption.request(SIGTERM));
        assert!(!interruption.request(SIGINT));
        assert_eq!(interruption.name(), Some("SIGTERM"));
        assert_eq!(exit_code("SIGTERM"), 143);
        assert_eq!(exit_code("SIGINT"), 130);
        assert_eq!(exit_code("SIGHUP"), 129);
    }
}
