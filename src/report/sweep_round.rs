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
    /// Throughput, failures, CPU per task, other programs' CPU.
    #[serde(flatten)]
    pub figures: RoundFigures,
    pub latency_us: SweepLatency,
    pub heartbeat_lag_us: HeartbeatP99,
}

impl CellRound {
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
            figures: RoundFigures {
                tasks_per_s: per_s(counters.completed),
                failed_per_s: per_s(counters.failed),
                external_cpu_pct,
                cpu_s_per_task: cpu_s_per_task(start, end),
            },
            latency_us: SweepLatency {
                total: P50P99 {
                    p50: total.p50,
                    p99: total.p99,
                },
            },
            heartbeat_lag_us: HeartbeatP99 {
                p99: end.totals.heartbeat.p99,
            },
        }
    }
}
