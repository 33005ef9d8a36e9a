//! What a Snapshot says about a process `loadlab attach` watches: which one,
//! its probe's round trips and the verdict from them, and the tokio runtime
//! metrics its own Prometheus page gives. Its threads and
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
    /// The tokio runtime metrics read from `--metrics`; None without it.
    #[serde(default)]
    pub metrics: Option<AttachedMetrics>,
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

/// What a `# TYPE` line says of a Prometheus metric.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    Counter,
    Gauge,
    /// No `# TYPE` line, or a type other than counter and gauge.
    #[default]
    Untyped,
}

/// The `--metrics` page read once a second: the tokio runtime series found
/// on it (by tokio-metrics' names) and how reading it went.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachedMetrics {
    pub url: String,
    /// Reads tried, and those that gave no page (refused, timed out, not
    /// 2xx, too long, not Prometheus text), with the latest cause.
    pub scrapes: u64,
    pub failures: u64,
    pub latest_failure: Option<String>,
    /// The latest read failed: the series are from the last page read.
    pub failing: bool,
    /// Samples on the last page read, tokio's or not.
    pub samples_on_page: usize,
    /// The tokio series of the last page read.
    pub series: Vec<MetricSeries>,
    /// The share of its workers' time the runtime was busy (100% is every
    /// worker busy all the time), from `total_busy_duration` and
    /// `workers_count`; None where the page lacks either or the span is empty.
    pub busy_pct: Option<f64>,
    /// The span `per_s` and `busy_pct` cover, seconds.
    pub span_s: f64,
}

/// One tokio series: its name and labels as exposed, the tokio-metrics
/// field it is, and its value (durations in the unit its name says:
/// seconds for `_seconds`, else microseconds as tokio-metrics exports them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub name: String,
    pub labels: String,
    pub field: String,
    #[serde(rename = "type")]
    pub kind: MetricType,
    pub value: f64,
    /// A counter's growth per second over `span_s`; None for gauges.
    pub per_s: Option<f64>,
    /// `s`, `us` or `count`.
    pub unit: String,
}

impl MetricSeries {
    /// A series' value and growth: durations as time (growth in seconds per
    /// second: busy workers, for `total_busy_duration`), counts as numbers.
    pub fn value_text(&self) -> String {
        let to_us = match self.unit.as_str() {
            "s" => Some(1e6),
            "us" => Some(1.0),
            _ => None,
        };
        match (to_us, self.per_s) {
            (Some(to_us), Some(per_s)) => format!(
                "{} (+{:.2} s/s)",
                crate::format::micros(self.value * to_us),
                per_s * to_us / 1e6
            ),
            (Some(to_us), None) => crate::format::micros(self.value * to_us),
            (None, Some(per_s)) => format!(
                "{} (+{}/s)",
                crate::format::significant(self.value),
                crate::format::rate(per_s)
            ),
            (None, None) => crate::format::significant(self.value),
        }
    }
}
