//! One sweep cell over its rounds: medians, the throughput's min-max and
//! spread, the machine's drift, and whether the cell is too noisy to trust.

use serde::{Deserialize, Serialize};

use super::noise::{Range, busiest_external_cpu, describe, median_of, noise_reason};
use super::sweep_round::{CellRound, HeartbeatP99, P50P99, SweepLatency};
use crate::spec::BackendKind;

/// One cell of the grid over its rounds: medians, the throughput's min-max
/// and spread, and whether the machine was quiet enough to trust it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub backend: BackendKind,
    pub threads: usize,
    /// Rounds measured (fewer than asked when a signal ended the sweep).
    pub rounds: usize,
    /// Median over the rounds of tasks completed per second.
    pub tasks_per_s: f64,
    pub tasks_per_s_min: f64,
    pub tasks_per_s_max: f64,
    /// (max - min) / median x 100.
    pub spread_pct: f64,
    /// Median failed tasks per second (shown beside throughput, never in it).
    pub failed_per_s: f64,
    /// Filled by [`SweepReport::new`]: null without a measured one-thread cell
    /// of the same backend (see [`efficiency`]).
    pub efficiency: Option<f64>,
    pub latency_us: SweepLatency,
    pub heartbeat_lag_us: HeartbeatP99,
    pub cpu_s_per_task: f64,
    /// How much `cpu_s_per_task` varied between rounds, (max - min) / median
    /// x 100: the same work costing more CPU time means the machine itself
    /// slowed (its clock, its host), which /proc/stat does not show. None
    /// with fewer than two rounds that completed tasks.
    pub machine_drift_pct: Option<f64>,
    /// The most CPU other processes used during any round, percent of the machine.
    pub external_cpu_pct: Option<f64>,
    /// High spread or busy machine: see the report's warnings.
    pub noisy: bool,
    /// Every round's figures, in the order measured.
    pub round_figures: Vec<CellRound>,
}

impl SweepRow {
    /// Aggregates a cell's rounds (at least one).
    pub fn from_rounds(backend: BackendKind, threads: usize, rounds: Vec<CellRound>) -> SweepRow {
        let throughput: Vec<f64> = rounds.iter().map(|r| r.tasks_per_s).collect();
        let range = Range::of(&throughput).unwrap_or_default();
        let external_cpu_pct = busiest_external_cpu(rounds.iter().map(|r| r.external_cpu_pct));
        let mut row = SweepRow {
            backend,
            threads,
            rounds: rounds.len(),
            tasks_per_s: range.median,
            tasks_per_s_min: range.min,
            tasks_per_s_max: range.max,
            spread_pct: range.spread_pct(),
            failed_per_s: median_of(&rounds, |r| r.failed_per_s),
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
            cpu_s_per_task: median_of(&rounds, |r| r.cpu_s_per_task),
            machine_drift_pct: machine_drift_pct(&rounds),
            external_cpu_pct,
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
        Range {
            median: self.tasks_per_s,
            min: self.tasks_per_s_min,
            max: self.tasks_per_s_max,
        }
    }

    /// Why the cell is noisy, as a warning sentence (None: quiet).
    pub fn noise(&self) -> Option<String> {
        noise_reason(&self.label(), &self.range(), self.external_cpu_pct)
    }

    /// `tasks/s` as `median (min-max)`.
    pub fn throughput_text(&self) -> String {
        describe(&self.range(), self.rounds)
    }
}

/// Variation of the CPU time per task over the rounds that completed tasks.
fn machine_drift_pct(rounds: &[CellRound]) -> Option<f64> {
    super::paired::cost_drift_pct(rounds.iter().map(|r| r.cpu_s_per_task))
}
