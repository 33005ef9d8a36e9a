//! `loadlab sweep`: every (backend, thread count) cell is measured `rounds`
//! times, interleaved; each round is a fresh engine, a warm-up, then a
//! measured period. Up to `max_rounds`, the cells the verdict is still
//! between get further rounds until it is clear. A signal ends it early with
//! the rounds that finished.

use super::RunFailed;
use super::interrupt::Interruption;
use super::session::{Recording, measured_period};
use crate::engine::{EngineConfig, cores};
use crate::report::sweep::{CellRound, SweepReport, SweepRow, Terms, decide};
use crate::setup::plans::SweepPlan;
use crate::spec::{BackendKind, Kernel, LoadMode, RunLimit, WorkloadSpec};

pub fn sweep(
    plan: &SweepPlan,
    recording: &mut Recording,
    interruption: &Interruption,
    mut progress: impl FnMut(&str),
) -> Result<SweepReport, RunFailed> {
    let cells: Vec<(BackendKind, usize)> = plan
        .backends
        .iter()
        .flat_map(|b| plan.threads.iter().map(move |t| (*b, *t)))
        .collect();
    let rounds = plan.rounds.max(1);
    let max_rounds = plan.max_rounds.max(rounds);
    let terms = Terms {
        cores: cores(),
        starved_p99_us: plan.starved_threshold.as_secs_f64() * 1e6,
        rounds,
        max_rounds,
        cpu_work: cpu_work(&plan.workload),
    };
    let measured = measure_rounds(&cells, &terms, |round, cell, step, of| {
        let (backend, threads) = cells[cell];
        let label = if max_rounds > rounds {
            format!("{}/{rounds} (up to {max_rounds})", round + 1)
        } else {
            format!("{}/{rounds}", round + 1)
        };
        progress(&format!(
            "sweep: round {label}, {backend} x {threads} threads ({}/{of}): {:.1} s warm-up, {:.1} s measured",
            step + 1,
            plan.warmup.as_secs_f64(),
            plan.duration.as_secs_f64()
        ));
        let Some(period) = measured_period(
            cell_config(plan, backend, threads),
            plan.serve,
            plan.warmup,
            plan.duration,
            recording,
            interruption,
        )?
        else {
            return Ok(None);
        };
        let result = CellRound::measure(
            round,
            &period.start,
            &period.outcome,
            period.external_cpu_pct,
        );
        progress(&format!(
            "        {:.1} tasks/s, p99 {:.0} us, heartbeat p99 {:.0} us, other processes {}",
            result.figures.tasks_per_s,
            result.latency_us.total.p99,
            result.heartbeat_lag_us.p99,
            result
                .figures
                .external_cpu_pct
                .map_or("unknown".to_string(), |e| format!("{e:.0}% of the CPUs"))
        ));
        Ok(Some(result))
    })?;
    let (rows, _) = rows_of(&cells, &measured);
    Ok(SweepReport::new(
        rows,
        &terms,
        interruption.name().map(str::to_string),
    ))
}

/// Measures `terms.rounds` rounds of every cell, interleaved, then, up to
/// `terms.max_rounds`, further rounds of only the cells the verdict is still
/// between, until it is settled. `measure(round, cell, step, cells this
/// round)` gives one round of one cell, or None when a signal ended the
/// sweep (what finished is kept).
pub fn measure_rounds(
    cells: &[(BackendKind, usize)],
    terms: &Terms,
    mut measure: impl FnMut(usize, usize, usize, usize) -> Result<Option<CellRound>, RunFailed>,
) -> Result<Vec<Vec<CellRound>>, RunFailed> {
    let rounds = terms.rounds.max(1);
    let mut measured: Vec<Vec<CellRound>> = vec![Vec::new(); cells.len()];
    let mut active: Vec<usize> = (0..cells.len()).collect();
    for round in 0..terms.max_rounds.max(rounds) {
        if round >= rounds {
            let (rows, row_cells) = rows_of(cells, &measured);
            active = decide(&rows, terms)
                .unsettled
                .iter()
                .map(|&i| row_cells[i])
                .collect();
            if active.is_empty() {
                break;
            }
        }
        for (step, &cell) in active.iter().enumerate() {
            match measure(round, cell, step, active.len())? {
                Some(result) => measured[cell].push(result),
                None => return Ok(measured),
            }
        }
    }
    Ok(measured)
}

/// Synthetic CPU kernels compute and nothing else; sleep and mixed block;
/// files and registered kernels are judged from their measured CPU time.
fn cpu_work(workload: &WorkloadSpec) -> Option<bool> {
    match workload.kernel {
        _ if workload.path.is_some() => None,
        Kernel::Spin | Kernel::Sumsq | Kernel::SumsqSplit | Kernel::Hash | Kernel::Argon2 => {
            Some(true)
        }
        Kernel::Resize => Some(true),
        Kernel::Sleep | Kernel::Mixed => Some(false),
        Kernel::Count | Kernel::Compress | Kernel::Custom(_) => None,
    }
}

/// The rows of the cells measured so far, and each row's cell index.
fn rows_of(
    cells: &[(BackendKind, usize)],
    measured: &[Vec<CellRound>],
) -> (Vec<SweepRow>, Vec<usize>) {
    cells
        .iter()
        .zip(measured)
        .enumerate()
        .filter(|(_, (_, rounds))| !rounds.is_empty())
        .map(|(i, ((backend, threads), rounds))| {
            (SweepRow::from_rounds(*backend, *threads, rounds.clone()), i)
        })
        .unzip()
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
        ..EngineConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::round_stats::RoundFigures;
    use crate::report::sweep::Confidence;

    fn terms(rounds: usize, max_rounds: usize) -> Terms {
        Terms {
            cores: 2,
            starved_p99_us: crate::session::starvation::Threshold::default().heartbeat_p99_us,
            rounds,
            max_rounds,
            cpu_work: None,
        }
    }

    fn figure(round: usize, tasks_per_s: f64) -> CellRound {
        CellRound {
            round,
            figures: RoundFigures {
                tasks_per_s,
                cpu_s_per_task: 0.0001,
                external_cpu_pct: Some(1.0),
                ..RoundFigures::default()
            },
            ..CellRound::default()
        }
    }

    const CELLS: [(BackendKind, usize); 3] = [
        (BackendKind::Rayon, 1),
        (BackendKind::Rayon, 2),
        (BackendKind::Channel, 2),
    ];

    /// Rayon x1 is far behind; rayon x2 and channel x2 take turns ahead by
    /// 20% until round `settles_at`, after which rayon x2 leads every round.
    fn run(rounds: usize, max_rounds: usize, settles_at: usize) -> Vec<Vec<CellRound>> {
        measure_rounds(&CELLS, &terms(rounds, max_rounds), |round, cell, _, _| {
            let tasks_per_s = match cell {
                0 => 70.0,
                1 if round % 2 == 0 || round >= settles_at => 120.0,
                1 => 100.0,
                _ if round % 2 == 0 || round >= settles_at => 100.0,
                _ => 120.0,
            };
            Ok(Some(figure(round, tasks_per_s)))
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn counts(measured: &[Vec<CellRound>]) -> Vec<usize> {
        measured.iter().map(Vec::len).collect()
    }

    #[test]
    fn auto_rounds_measure_only_the_cells_still_in_contention_until_clear() {
        let measured = run(3, 8, 3);
        // Three rounds for all; then the two leading cells until rayon x2 has
        // won every paired round... which the split early rounds never allow.
        assert_eq!(counts(&measured), [3, 8, 8]);
        // Settled from the start: the minimum rounds only.
        assert_eq!(counts(&run(3, 8, 0)), [3, 3, 3]);
        // Rounds of the extra cells are numbered on, for pairing.
        let rounds: Vec<usize> = measured[1].iter().map(|r| r.round).collect();
        assert_eq!(rounds, [0, 1, 2, 3, 4, 5, 6, 7]);
        let (rows, _) = rows_of(&CELLS, &measured);
        let report = SweepReport::new(rows, &terms(3, 8), None);
        let r = report
            .recommendation
            .unwrap_or_else(|| panic!("a recommendation"));
        assert_eq!((r.backend, r.threads), (BackendKind::Rayon, 2));
        assert_eq!(r.rounds_used, 8);
        assert_eq!(r.confidence, Confidence::Likely);
    }

    #[test]
    fn a_fixed_count_is_exactly_that_and_a_signal_keeps_what_finished() {
        assert_eq!(counts(&run(2, 2, 9)), [2, 2, 2]);
        let measured = measure_rounds(&CELLS, &terms(3, 8), |round, cell, _, _| {
            Ok((round < 1 || cell == 0).then(|| figure(round, 10.0)))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(counts(&measured), [2, 1, 1]);
    }
}
