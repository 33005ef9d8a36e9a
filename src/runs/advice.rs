//! `loadlab demo advice`: each kind of work (CPU, blocking, mixed) on every
//! backend at a thread count that suits the backend, with the app runtime's
//! probes measured beside it. CPU pools get the cores, spawn-blocking a much
//! higher cap (blocking calls hold threads, not CPUs), inline the app workers.

use std::time::Duration;

use super::RunFailed;
use super::interrupt::Interruption;
use super::session::{Recording, measured_period};
use crate::engine::EngineConfig;
use crate::report::advice::{AdviceReport, AdviceRow, IdleBaseline, WorkKind};
use crate::report::demo::{DemoRound, Spread};
use crate::session::starvation::Threshold;
use crate::setup::plans::AdvicePlan;
use crate::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

/// Warm-up before each row's measured period (pools spin up, queues fill).
const WARMUP: Duration = Duration::from_millis(300);

/// Every task takes about this long, whatever its kind: long enough that two
/// of them on the app workers visibly stall the heartbeat (10 ms threshold).
pub const TASK_MICROS: u64 = 20_000;
/// `sumsq` iterations of about `TASK_MICROS` on one core of a small VM
/// (measured: 20 million took 7 to 8 ms of CPU in a release build).
pub const CPU_TASK_ITERATIONS: u64 = 50_000_000;

impl AdvicePlan {
    /// The thread count a backend gets in this demo.
    pub fn threads_for(&self, backend: BackendKind) -> usize {
        match backend {
            BackendKind::Inline => self.runtime_workers,
            BackendKind::SpawnBlocking => self.blocking_threads,
            BackendKind::Rayon | BackendKind::Channel => self.pool_threads,
        }
    }

    fn workload(&self, work: WorkKind) -> WorkloadSpec {
        let kernel = work.kernel();
        WorkloadSpec {
            kernel,
            size: match kernel {
                Kernel::Sumsq => CPU_TASK_ITERATIONS,
                _ => TASK_MICROS,
            },
            dist: Dist::Fixed,
            seed: self.seed,
            path: None,
            cpu_share: self.cpu_share,
        }
    }
}

/// Runs every kind of work on every backend in turn, after a period with no
/// work that measures the probes' own floor on this machine; `progress` gets
/// one line per step.
pub fn advice(
    plan: &AdvicePlan,
    recording: &mut Recording,
    interruption: &Interruption,
    mut progress: impl FnMut(&str),
) -> Result<AdviceReport, RunFailed> {
    let total = plan.kinds.len() * BackendKind::ALL.len();
    progress(&format!(
        "demo advice: the app runtime with no work for {:.1} s (its own heartbeat lag on this machine)",
        plan.duration.as_secs_f64()
    ));
    let idle = idle_baseline(plan, recording, interruption)?.unwrap_or_default();
    // Starved means the work made the runtime late beyond what it already is
    // here with nothing to do (other processes competing for the cores); the
    // floor at most doubles the line, so an overloaded machine cannot excuse
    // everything (the report warns instead).
    let line = plan.threshold;
    let threshold = Threshold {
        heartbeat_p99_us: line.heartbeat_p99_us
            + idle.heartbeat_lag_us.p99.min(line.heartbeat_p99_us),
        echo_p99_us: line.echo_p99_us + idle.echo_rtt_us.p99.min(line.echo_p99_us),
    };
    let mut rows = Vec::with_capacity(total);
    'kinds: for work in &plan.kinds {
        let workload = plan.workload(*work);
        for backend in BackendKind::ALL {
            let threads = plan.threads_for(backend);
            progress(&format!(
                "demo advice: {work} work ({}) on {backend} with {threads} threads for {:.1} s ({}/{total})",
                workload.label(),
                plan.duration.as_secs_f64(),
                rows.len() + 1
            ));
            let config = EngineConfig {
                backend,
                threads,
                runtime_workers: plan.runtime_workers,
                workload: workload.clone(),
                // Two tasks per thread keep every thread busy without a long queue.
                load: LoadMode::Closed {
                    inflight: 2 * threads,
                },
                limit: RunLimit::Unbounded,
                block_threshold: plan.block_threshold,
                worker_nice: plan.worker_nice,
                starved_threshold: Duration::from_secs_f64(plan.threshold.heartbeat_p99_us / 1e6),
                ..EngineConfig::default()
            };
            // A signal drops the unfinished row and reports the finished ones.
            let Some(period) =
                measured_period(config, None, WARMUP, plan.duration, recording, interruption)?
            else {
                break 'kinds;
            };
            let measured = DemoRound::measure(
                &period.start,
                &period.outcome,
                period.external_cpu_pct,
                &threshold,
            );
            let period_s = period.outcome.elapsed.as_secs_f64();
            let heartbeat = silence_counted(measured.heartbeat_lag_us, period_s);
            let echo = silence_counted(measured.echo_rtt_us, period_s);
            rows.push(AdviceRow {
                work: *work,
                kernel: workload.kernel,
                size: workload.size,
                backend,
                threads,
                tasks_per_s: measured.figures.tasks_per_s,
                heartbeat_lag_us: heartbeat,
                echo_rtt_us: echo,
                verdict: threshold.verdict(heartbeat.p99, echo.p99),
                external_cpu_pct: measured.figures.external_cpu_pct,
            });
        }
    }
    Ok(AdviceReport {
        rows,
        threshold,
        line: plan.threshold,
        idle,
        duration_s: plan.duration.as_secs_f64(),
        runtime_workers: plan.runtime_workers,
        cores: plan.cores,
        cpu_share: plan.cpu_share,
        interrupted: interruption.name().map(str::to_string),
    })
}

/// The probes with the engine running and no task at all.
fn idle_baseline(
    plan: &AdvicePlan,
    recording: &mut Recording,
    interruption: &Interruption,
) -> Result<Option<IdleBaseline>, RunFailed> {
    let config = EngineConfig {
        backend: BackendKind::Rayon,
        threads: 1,
        runtime_workers: plan.runtime_workers,
        start_driver: false,
        block_threshold: plan.block_threshold,
        worker_nice: plan.worker_nice,
        ..EngineConfig::default()
    };
    let Some(period) =
        measured_period(config, None, WARMUP, plan.duration, recording, interruption)?
    else {
        return Ok(None);
    };
    let measured = DemoRound::measure(
        &period.start,
        &period.outcome,
        period.external_cpu_pct,
        &plan.threshold,
    );
    let period_s = period.outcome.elapsed.as_secs_f64();
    Ok(Some(IdleBaseline {
        heartbeat_lag_us: silence_counted(measured.heartbeat_lag_us, period_s),
        echo_rtt_us: silence_counted(measured.echo_rtt_us, period_s),
    }))
}

/// A probe that never answered during the period has no samples: it waited
/// at least the whole period, so that is what the row shows (samples: 0).
fn silence_counted(spread: Spread, period_s: f64) -> Spread {
    if spread.samples > 0 {
        return spread;
    }
    let waited_us = period_s * 1e6;
    Spread {
        p50: waited_us,
        p99: waited_us,
        max: waited_us,
        samples: 0,
    }
}
