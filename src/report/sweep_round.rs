//! One round of one sweep cell: a fresh engine's measured period, reduced to
//! throughput, latency, heartbeat lag and CPU per task.

use serde::{Deserialize, Serialize};

use super::round_stats::RoundFigures;
use crate::engine::RunOutcome;
use crate::metrics::snapshot::Snapshot;
use crate::session::pool::cpu_s_per_task;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct P50P99 {
    pub p50: f64,
    pub p99: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepLatency {
    /// Submit to end, microseconds.
    pub total: P50P99,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatP99 {
    pub p99: f64,
}

/// One round of one cell: a fresh engine's measured period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CellRound {
    /// The round it was measured in, from 0: rounds of different cells with
    /// the same number are compared with each other.
    #[serde(default)]
    pub round: usize,
    /// Tasks completed per second (failures are not throughput).
    pub tasks_per_s: f64,
    pub failed_per_s: f64,
    pub latency_us: SweepLatency,
    pub heartbeat_lag_us: HeartbeatP99,
    /// OS CPU seconds of the backend's threads per completed task.
    pub cpu_s_per_task: f64,
    /// CPU other processes used during the round, percent of the machine
    /// (None where /proc cannot be read).
    pub external_cpu_pct: Option<f64>,
}

impl CellRound {
    /// What the row's statistics take from the round.
    pub fn figures(&self) -> RoundFigures {
        RoundFigures {
            tasks_per_s: self.tasks_per_s,
            failed_per_s: self.failed_per_s,
            external_cpu_pct: self.external_cpu_pct,
            cpu_s_per_task: self.cpu_s_per_task,
        }
    }

    /// A round from the Snapshot taken right after the reset that opened the
    /// measured period and the engine's exact totals at its close (counts,
    /// percentiles and per-thread CPU since that reset, exited threads
    /// included).
    pub fn measure(
        round: usize,
        start: &Snapshot,
        end: &RunOutcome,
        external_cpu_pct: Option<f64>,
    ) -> CellRound {
        let counters = &end.totals.counters;
        let seconds = end.elapsed.as_secs_f64();
        let per_s = |n: u64| crate::session::periods::per_second(n, seconds);
        let total = &end.totals.latency.total;
        CellRound {
            round,
            tasks_per_s: per_s(counters.completed),
            failed_per_s: per_s(counters.failed),
            latency_us: SweepLatency {
                total: P50P99 {
                    p50: total.p50,
                    p99: total.p99,
                },
            },
            heartbeat_lag_us: HeartbeatP99 {
                p99: end.totals.heartbeat.p99,
            },
            cpu_s_per_task: cpu_s_per_task(start, end),
            external_cpu_pct,
        }
    }
}
