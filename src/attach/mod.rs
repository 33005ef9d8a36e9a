//! `loadlab attach PID|NAME`: loadlab's thread, pool and runtime-health view
//! of a process it did not start, from /proc, an HTTP probe and the target's
//! own Prometheus page only: no ptrace, no signal to the target, no root, no
//! change to its code.

pub mod error;
pub mod external;
pub mod headless;
pub mod http_get;
pub mod metrics_scraper;
pub mod pools;
pub mod probe;
pub mod probe_url;
pub mod prometheus_text;
pub mod report;
pub mod runtime_metrics;
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
    /// The target's Prometheus page, read for its tokio runtime metrics.
    pub metrics: Option<LoopbackUrl>,
    /// `REGEX=POOL` rules, first match wins.
    pub groups: Vec<String>,
    pub starved_threshold_ms: f64,
    pub sample_every: Duration,
    /// Headless: stop after this long (None: at the target's end or a signal).
    pub duration: Option<Duration>,
}
