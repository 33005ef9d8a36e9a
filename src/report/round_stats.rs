//! What every row measured over rounds shares, a sweep cell's or a demo
//! backend's: the throughput's median, min-max and spread, the failures,
//! other programs' busiest share and the machine's drift, and the noise
//! judged from them.

use serde::{Deserialize, Serialize};

use super::noise::{Range, busiest_external_cpu, describe, median_of, noise_reason};
use super::table::fmt_rate;

/// The figures of one round the statistics are taken from, embedded in a
/// sweep cell's round and a demo backend's round (their JSON keys sit beside
/// the round's own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundFigures {
    /// Tasks completed per second (failures are not throughput).
    pub tasks_per_s: f64,
    pub failed_per_s: f64,
    /// CPU other processes used during the round, percent of the machine
    /// (None where /proc cannot be read).
    pub external_cpu_pct: Option<f64>,
    /// OS CPU seconds of the backend's threads per completed task (0: none
    /// completed or not measured).
    #[serde(default)]
    pub cpu_s_per_task: f64,
}

/// A row's statistics over its rounds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundStats {
    /// Rounds measured (fewer than asked when a signal ended the command).
    pub rounds: usize,
    /// Median over the rounds of tasks completed per second.
    pub tasks_per_s: f64,
    pub tasks_per_s_min: f64,
    pub tasks_per_s_max: f64,
    /// (max - min) / median x 100.
    pub spread_pct: f64,
    /// Median failed tasks per second (shown beside throughput, never in it).
    pub failed_per_s: f64,
    /// The most CPU other processes used during any round, percent of the machine.
    pub external_cpu_pct: Option<f64>,
    /// How much the same task's CPU time varied between rounds, (max - min)
    /// / median x 100: the machine itself slowing (its clock, its host),
    /// which /proc/stat does not show. None with fewer than two rounds that
    /// completed tasks.
    #[serde(default)]
    pub machine_drift_pct: Option<f64>,
}

impl RoundStats {
    pub fn of(rounds: &[RoundFigures]) -> RoundStats {
        let throughput: Vec<f64> = rounds.iter().map(|r| r.tasks_per_s).collect();
        let range = Range::of(&throughput).unwrap_or_default();
        RoundStats {
            rounds: rounds.len(),
            tasks_per_s: range.median,
            tasks_per_s_min: range.min,
            tasks_per_s_max: range.max,
            spread_pct: range.spread_pct(),
            failed_per_s: median_of(rounds, |r| r.failed_per_s),
            external_cpu_pct: busiest_external_cpu(rounds.iter().map(|r| r.external_cpu_pct)),
            machine_drift_pct: super::paired::cost_drift_pct(
                rounds.iter().map(|r| r.cpu_s_per_task),
            ),
        }
    }

    /// Median, min and max of the throughput.
    pub fn range(&self) -> Range {
        Range {
            median: self.tasks_per_s,
            min: self.tasks_per_s_min,
            max: self.tasks_per_s_max,
        }
    }

    /// Why the row called `label` is noisy, as a warning sentence (None: quiet).
    pub fn noise(&self, label: &str) -> Option<String> {
        noise_reason(label, &self.range(), self.external_cpu_pct)
    }

    /// `tasks/s` as `median (min-max)`.
    pub fn throughput_text(&self) -> String {
        describe(&self.range(), self.rounds)
    }

    /// The text tables' `min-max` cell.
    pub fn min_max_text(&self) -> String {
        format!(
            "{}-{}",
            fmt_rate(self.tasks_per_s_min),
            fmt_rate(self.tasks_per_s_max)
        )
    }
}
