//! `loadlab sweep`: every (backend, thread count) cell is measured `rounds`
//! times, interleaved; each round is a fresh engine, a warm-up, then a
//! measured period. A signal ends it early with the rounds that finished.

use std::time::Duration;

use super::interrupt::Interruption;
use super::rounds::interleaved;
use super::session::{Recording, measured_period};
use crate::engine::{EngineConfig, cores};
use crate::report::sweep::{CellRound, SweepReport, SweepRow};
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
    /// Times every cell is measured, interleaved.
    pub rounds: usize,
    /// The HTTP service on every cell's app runtime (`--serve`).
    pub serve: Option<crate::service::ServeOptions>,
}

pub fn sweep(
    plan: &SweepPlan,
    recording: &mut Recording,
    interruption: &Interruption,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<SweepReport> {
    let cells: Vec<(BackendKind, usize)> = plan
        .backends
        .iter()
        .flat_map(|b| plan.threads.iter().map(move |t| (*b, *t)))
        .collect();
    let rounds = plan.rounds.max(1);
    let schedule = interleaved(cells.len(), rounds);
    let mut measured: Vec<Vec<CellRound>> = vec![Vec::new(); cells.len()];
    for (step, (round, cell)) in schedule.iter().enumerate() {
        let (backend, threads) = cells[*cell];
        progress(&format!(
            "sweep: round {}/{rounds}, {backend} x {threads} threads ({}/{}): {:.1} s warm-up, {:.1} s measured",
            round + 1,
            step + 1,
            schedule.len(),
            plan.warmup.as_secs_f64(),
            plan.duration.as_secs_f64()
        ));
        let Some(period) = measured_period(
            cell_config(plan, backend, threads),
            plan.warmup,
            plan.duration,
            recording,
            interruption,
        )?
        else {
            break;
        };
        let result = CellRound::measure(&period.start, &period.outcome, period.external_cpu_pct);
        progress(&format!(
            "        {:.1} tasks/s, p99 {:.0} us, heartbeat p99 {:.0} us, other processes {}",
            result.tasks_per_s,
            result.latency_us.total.p99,
            result.heartbeat_lag_us.p99,
            result
                .external_cpu_pct
                .map_or("unknown".to_string(), |e| format!("{e:.0}% of the CPUs"))
        ));
        measured[*cell].push(result);
    }
    let rows = cells
        .into_iter()
        .zip(measured)
        .filter(|(_, rounds)| !rounds.is_empty())
        .map(|((backend, threads), rounds)| SweepRow::from_rounds(backend, threads, rounds))
        .collect();
    Ok(SweepReport::new(
        rows,
        cores(),
        rounds,
        interruption.name().map(str::to_string),
    ))
}

fn cell_config(plan: &SweepPlan, backend: BackendKind, threads: usize) -> EngineConfig {
    let load = match plan.rate {
        Some(rate) => LoadMode::Open { rate },
        None => LoadMode::Closed {
            inflight: plan.inflight.unwrap_or(4 * threads),
        },
    };
    EngineConfig {
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
        serve: plan.serve,
        ..EngineConfig::default()
    }
}
