//! `loadlab attach PID|NAME`: loadlab's thread, pool and runtime-health view
//! of a process it did not start, from /proc and an HTTP probe only: no
//! ptrace, no signal to the target, no root, no change to its code.

pub mod error;
pub mod external;
pub mod headless;
pub mod pools;
pub mod probe;
pub mod probe_url;
pub mod report;
pub mod source;
pub mod target;
pub mod verdict;
pub mod watcher;

use std::time::Duration;

pub use error::AttachError;
use probe_url::LoopbackUrl;

/// What to watch and how.
#[derive(Clone, Debug)]
pub struct AttachOptions {
    /// A PID, or a name that matches exactly one process.
    pub target: String,
    pub probe: Option<LoopbackUrl>,
    /// `REGEX=POOL` rules, first match wins.
    pub groups: Vec<String>,
    pub starved_threshold_ms: f64,
    pub sample_every: Duration,
    /// Headless: stop after this long (None: at the target's end or a signal).
    pub duration: Option<Duration>,
}
