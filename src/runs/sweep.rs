//! `loadlab sweep`: every (backend, thread count) cell gets a fresh engine, a
//! warm-up, then a measured period; the report adds efficiency, knees and a
//! recommendation.

use std::time::Duration;

use super::session::{Recording, measured_period};
use crate::engine::{EngineConfig, cores};
use crate::report::sweep::{SweepReport, SweepRow};
use crate::spec::{BackendKind, LoadMode, RunLimit, WorkloadSpec};

pub struct SweepPlan {
    pub backends: Vec<BackendKind>,
    pub threads: Vec<usize>,
    pub runtime_workers: usize,
    pub workload: WorkloadSpec,
    /// Closed-loop inflight per cell; None: 4 x the cell's threads.
    pub inflight: Option<usize>,
    /// Open loop instead, at this rate.
    pub rate: Option<f64>,
    pub warmup: Duration,
    pub duration: Duration,
    pub block_threshold: Duration,
    pub starved_threshold: Duration,
    pub worker_nice: i32,
}

pub fn sweep(
    plan: &SweepPlan,
    recording: &mut Recording,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<SweepReport> {
    let cells = plan.backends.len() * plan.threads.len();
    let mut rows = Vec::with_capacity(cells);
    for backend in &plan.backends {
        for threads in &plan.threads {
            let (backend, threads) = (*backend, *threads);
            progress(&format!(
                "sweep: {backend} x {threads} threads ({}/{cells}): {:.1} s warm-up, {:.1} s measured",
                rows.len() + 1,
                plan.warmup.as_secs_f64(),
                plan.duration.as_secs_f64()
            ));
            let load = match plan.rate {
                Some(rate) => LoadMode::Open { rate },
                None => LoadMode::Closed {
                    inflight: plan.inflight.unwrap_or(4 * threads),
                },
            };
            let config = EngineConfig {
                backend,
                threads,
                // For inline the thread count is the app runtime's workers.
                runtime_workers: if backend == BackendKind::Inline {
                    threads
                } else {
                    plan.runtime_workers
                },
                workload: plan.workload.clone(),
                load,
                limit: RunLimit::Unbounded,
                block_threshold: plan.block_threshold,
                starved_threshold: plan.starved_threshold,
                worker_nice: plan.worker_nice,
                ..EngineConfig::default()
            };
            let (start, end) = measured_period(config, plan.warmup, plan.duration, recording)?;
            let row = SweepRow::measure(&start, &end);
            progress(&format!(
                "        {:.1} tasks/s, p99 {:.0} us, heartbeat p99 {:.0} us",
                row.tasks_per_s, row.latency_us.total.p99, row.heartbeat_lag_us.p99
            ));
            rows.push(row);
        }
    }
    Ok(SweepReport::new(rows, cores()))
}
