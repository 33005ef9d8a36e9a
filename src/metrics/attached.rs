//! What a Snapshot says about a process `loadlab attach` watches: which one,
//! its probe's round trips and the verdict from them. Its threads and
//! system figures travel in the Snapshot's usual fields; the engine's
//! (tasks, throughput, latency, heartbeat) stay empty.

use serde::{Deserialize, Serialize};

use super::snapshot::Percentiles;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachedView {
    pub pid: i32,
    pub command: String,
    /// The `--probe` URL's round trips; None without a probe.
    pub probe: Option<AttachedProbe>,
    /// `healthy`, `starved` or `unknown` (no probe, or no answer yet), from
    /// the probe's p99 over the last second against `threshold_ms`.
    pub verdict: String,
    pub threshold_ms: f64,
    /// The target has ended: the figures are its last.
    pub target_exited: bool,
}

/// Round trips of the probe, microseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachedProbe {
    pub url: String,
    /// Over the last second.
    pub window: Percentiles,
    /// Since attach started.
    pub cumulative: Percentiles,
    /// Requests without a 2xx answer since attach started, and the latest cause.
    pub failures: u64,
    pub latest_failure: Option<String>,
}
