//! `loadlab demo starvation`: the same CPU workload on every backend in turn,
//! with the app runtime's heartbeat and TCP echo probes measured beside it.

use std::time::Duration;

use super::RunFailed;
use super::interrupt::Interruption;
use super::rounds::interleaved;
use super::session::{Recording, measured_period};
use crate::engine::EngineConfig;
use crate::report::demo::{DemoReport, DemoRound, DemoRow, Spread};
use crate::session::starvation::{Threshold, verdict};
use crate::setup::plans::DemoPlan;
use crate::spec::{BackendKind, RunLimit};

/// Warm-up before each backend's measured period (pools spin up, queues fill).
const WARMUP: Duration = Duration::from_millis(500);

/// Runs the plan on every backend, `rounds` times interleaved (round 1 of
/// every backend, then round 2, ...); `progress` gets one line per step. A
/// signal ends it early with the rounds that finished.
pub fn starvation(
    plan: &DemoPlan,
    recording: &mut Recording,
    interruption: &Interruption,
    mut progress: impl FnMut(&str),
) -> Result<DemoReport, RunFailed> {
    let backends = BackendKind::ALL;
    let rounds = plan.rounds.max(1);
    let schedule = interleaved(backends.len(), rounds);
    let mut measured: Vec<Vec<DemoRound>> = vec![Vec::new(); backends.len()];
    for (step, (round, cell)) in schedule.iter().enumerate() {
        let backend = backends[*cell];
        let threads = threads_of(plan, backend);
        progress(&format!(
            "demo starvation: round {}/{rounds}, {backend} with {threads} threads for {:.1} s ({}/{})",
            round + 1,
            plan.duration.as_secs_f64(),
            step + 1,
            schedule.len()
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
        let Some(period) = measured_period(
            config,
            plan.serve,
            WARMUP,
            plan.duration,
            recording,
            interruption,
        )?
        else {
            break;
        };
        let round = DemoRound::measure(
            &period.start,
            &period.outcome,
            period.external_cpu_pct,
            &plan.threshold,
        );
        measured[*cell].push(with_silence_counted(
            round,
            period.outcome.elapsed.as_secs_f64(),
            &plan.threshold,
        ));
    }
    let rows = backends
        .into_iter()
        .zip(measured)
        .filter(|(_, rounds)| !rounds.is_empty())
        .map(|(backend, rounds)| {
            DemoRow::from_rounds(backend, threads_of(plan, backend), rounds, &plan.threshold)
        })
        .collect();
    Ok(DemoReport {
        rows,
        threshold: plan.threshold,
        workload: format!("{}, {}", plan.workload.label(), plan.load.describe()),
        duration_s: plan.duration.as_secs_f64(),
        runtime_workers: plan.runtime_workers,
        rounds,
        interrupted: interruption.name().map(str::to_string),
    })
}

/// Inline can only occupy the app workers it has.
fn threads_of(plan: &DemoPlan, backend: BackendKind) -> usize {
    match backend {
        BackendKind::Inline => plan.runtime_workers,
        _ => plan.threads,
    }
}

/// A probe that never answered during the period has no samples: its wait was
/// at least the whole period, so that is what the round shows (with samples: 0).
fn with_silence_counted(round: DemoRound, period_s: f64, threshold: &Threshold) -> DemoRound {
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
    let heartbeat_lag_us = silent(round.heartbeat_lag_us);
    let echo_rtt_us = silent(round.echo_rtt_us);
    // The client asks 10 times a second: a shorter period may hold no request.
    let client_asked = period_s * f64::from(crate::bounds::HEALTH_CLIENT_PER_S) >= 2.0;
    let health_rtt_us = round
        .health_rtt_us
        .map(|health| if client_asked { silent(health) } else { health });
    // With --serve the client's /health round trip is judged like the echo's.
    let client_p99_us = health_rtt_us.map_or(0.0, |health| health.p99);
    DemoRound {
        heartbeat_lag_us,
        echo_rtt_us,
        health_rtt_us,
        verdict: verdict(
            heartbeat_lag_us.p99,
            echo_rtt_us.p99.max(client_p99_us),
            threshold,
        ),
        ..round
    }
}
