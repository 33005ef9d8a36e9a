//! One sweep cell over its rounds: medians, the throughput's min-max and
//! spread, the machine's drift, and whether the cell is too noisy to trust.

use serde::{Deserialize, Serialize};

use super::noise::{Range, median_of};
use super::round_stats::{RoundFigures, RoundStats};
use super::sweep_round::{CellRound, HeartbeatP99, P50P99, SweepLatency};
use crate::spec::BackendKind;

/// One cell of the grid over its rounds: medians, the throughput's min-max
/// and spread, and whether the machine was quiet enough to trust it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub backend: BackendKind,
    pub threads: usize,
    /// Rounds, throughput, failures, other programs and drift.
    #[serde(flatten)]
    pub stats: RoundStats,
    /// Filled by [`SweepReport::new`]: null without a measured one-thread cell
    /// of the same backend (see [`efficiency`]).
    pub efficiency: Option<f64>,
    pub latency_us: SweepLatency,
    pub heartbeat_lag_us: HeartbeatP99,
    pub cpu_s_per_task: f64,
    /// High spread or busy machine: see the report's warnings.
    pub noisy: bool,
    /// Every round's figures, in the order measured.
    pub round_figures: Vec<CellRound>,
}

impl SweepRow {
    /// Aggregates a cell's rounds (at least one).
    pub fn from_rounds(backend: BackendKind, threads: usize, rounds: Vec<CellRound>) -> SweepRow {
        let figures: Vec<RoundFigures> = rounds.iter().map(|round| round.figures).collect();
        let mut row = SweepRow {
            backend,
            threads,
            stats: RoundStats::of(&figures),
            efficiency: None,
            latency_us: SweepLatency {
                total: P50P99 {
                    p50: median_of(&rounds, |r| r.latency_us.total.p50),
                    p99: median_of(&rounds, |r| r.latency_us.total.p99),
                },
            },
            heartbeat_lag_us: HeartbeatP99 {
                p99: median_of(&rounds, |r| r.heartbeat_lag_us.p99),
            },
            cpu_s_per_task: median_of(&rounds, |r| r.figures.cpu_s_per_task),
            noisy: false,
            round_figures: rounds,
        };
        row.noisy = row.noise().is_some();
        row
    }

    /// `rayon x2`.
    pub fn label(&self) -> String {
        format!("{} x{}", self.backend, self.threads)
    }

    /// Median, min and max of the throughput.
    pub fn range(&self) -> Range {
        self.stats.range()
    }

    /// Why the cell is noisy, as a warning sentence (None: quiet).
    pub fn noise(&self) -> Option<String> {
        self.stats.noise(&self.label())
    }

    /// `tasks/s` as `median (min-max)`.
    pub fn throughput_text(&self) -> String {
        self.stats.throughput_text()
    }
}
