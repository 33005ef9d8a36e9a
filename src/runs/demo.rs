//! `loadlab demo starvation`: the same CPU workload on every backend in turn,
//! with the app runtime's heartbeat and TCP echo probes measured beside it.

use std::time::Duration;

use super::session::{Recording, measured_period};
use crate::engine::EngineConfig;
use crate::report::demo::{DemoReport, DemoRow, Spread, Threshold};
use crate::spec::{BackendKind, LoadMode, RunLimit, WorkloadSpec};

/// Warm-up before each backend's measured period (pools spin up, queues fill).
const WARMUP: Duration = Duration::from_millis(500);

pub struct DemoPlan {
    pub workload: WorkloadSpec,
    /// Backend threads of the offload backends.
    pub threads: usize,
    pub runtime_workers: usize,
    pub load: LoadMode,
    pub duration: Duration,
    pub threshold: Threshold,
    pub block_threshold: Duration,
    pub worker_nice: i32,
}

/// Runs the plan on each backend in turn; `progress` gets one line per step.
pub fn starvation(
    plan: &DemoPlan,
    recording: &mut Recording,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<DemoReport> {
    let mut rows = Vec::new();
    for (i, backend) in BackendKind::ALL.into_iter().enumerate() {
        // Inline can only occupy the app workers it has.
        let threads = match backend {
            BackendKind::Inline => plan.runtime_workers,
            _ => plan.threads,
        };
        progress(&format!(
            "demo starvation: {backend} with {threads} threads for {:.1} s ({}/4)",
            plan.duration.as_secs_f64(),
            i + 1
        ));
        let config = EngineConfig {
            backend,
            threads,
            runtime_workers: plan.runtime_workers,
            workload: plan.workload.clone(),
            load: plan.load,
            limit: RunLimit::Unbounded,
            block_threshold: plan.block_threshold,
            worker_nice: plan.worker_nice,
            starved_threshold: Duration::from_secs_f64(plan.threshold.heartbeat_p99_us / 1e6),
            ..EngineConfig::default()
        };
        let (start, end) = measured_period(config, WARMUP, plan.duration, recording)?;
        rows.push(with_silence_counted(
            DemoRow::measure(&start, &end, &plan.threshold),
            end.elapsed_s - start.elapsed_s,
            &plan.threshold,
        ));
    }
    Ok(DemoReport {
        rows,
        threshold: plan.threshold,
        workload: format!("{}, {}", plan.workload.label(), plan.load.describe()),
        duration_s: plan.duration.as_secs_f64(),
        runtime_workers: plan.runtime_workers,
    })
}

/// A probe that never answered during the period has no samples: its wait was
/// at least the whole period, so that is what the row shows (with samples: 0).
fn with_silence_counted(row: DemoRow, period_s: f64, threshold: &Threshold) -> DemoRow {
    let silent = |spread: Spread| {
        if spread.samples == 0 {
            let waited_us = period_s * 1e6;
            Spread {
                p50: waited_us,
                p99: waited_us,
                max: waited_us,
                samples: 0,
            }
        } else {
            spread
        }
    };
    DemoRow::new(
        row.backend,
        row.threads,
        row.tasks_per_s,
        silent(row.heartbeat_lag_us),
        silent(row.echo_rtt_us),
        threshold,
    )
}
