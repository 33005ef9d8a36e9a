//! `loadlab sweep`: the grid's rows (each the median of interleaved rounds,
//! see `sweep_row`), scaling efficiency and knees (`sweep_scaling`), the
//! recommendation with its confidence (`sweep_verdict`) and the warnings,
//! gathered into one report that `sweep_render` renders.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::noise::RERUN;
pub use super::sweep_round::{CellRound, HeartbeatP99, P50P99, SweepLatency};
pub use super::sweep_row::SweepRow;
pub use super::sweep_scaling::{Knee, efficiency, knee};
pub use super::sweep_verdict::{Confidence, Recommendation, Terms, Verdict, decide};
use crate::spec::BackendKind;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    pub rows: Vec<SweepRow>,
    /// Always given when a cell was measured, with its confidence.
    pub recommendation: Option<Recommendation>,
    /// Per backend, the thread count marked as the knee (absent: not stated).
    pub knees: BTreeMap<String, usize>,
    /// One sentence per backend about its knee.
    pub knee_notes: Vec<String>,
    pub cores: usize,
    /// Rounds every cell was to be measured.
    pub rounds: usize,
    /// `--rounds auto`: the most rounds the leading cells could get (equal
    /// to `rounds` when the count was fixed).
    pub max_rounds: usize,
    /// The heartbeat p99 above which a cell starved the app runtime, us.
    pub starved_threshold_us: f64,
    /// Sentences about what bears on the decision, missing baselines and
    /// interruptions.
    pub warnings: Vec<String>,
    /// The signal that ended the sweep early (finished cells are reported).
    pub interrupted: Option<String>,
}

/// Sentences for the top-level `warnings`: noisy cells among those the
/// decision was between (`leading`, row indices), a single round, efficiency
/// without a baseline.
pub fn warnings(rows: &[SweepRow], leading: &[usize], rounds: usize) -> Vec<String> {
    // The pick and its closest rival say why they are noisy; past them a
    // busy machine makes every cell noisy, and the rest are named in one line.
    const WHOLE: usize = 2;
    let noisy: Vec<(String, String)> = leading
        .iter()
        .filter_map(|&i| rows.get(i))
        .filter_map(|row| row.noise().map(|why| (row.label(), why)))
        .collect();
    let mut out: Vec<String> = noisy
        .iter()
        .take(WHOLE)
        .map(|(_, why)| why.clone())
        .collect();
    if noisy.len() > WHOLE {
        let names: Vec<&str> = noisy[WHOLE..]
            .iter()
            .map(|(label, _)| label.as_str())
            .collect();
        let verb = if names.len() == 1 { "was" } else { "were" };
        out.push(format!("{} {verb} noisy too{RERUN}", names.join(", ")));
    }
    if rounds == 1 {
        out.push(
            "one round per cell: no spread was measured, so differences may be noise (use --rounds 3 or more)"
                .into(),
        );
    }
    let mut without_baseline: Vec<&str> = Vec::new();
    for row in rows.iter().filter(|r| r.efficiency.is_none()) {
        if !without_baseline.contains(&row.backend.name()) {
            without_baseline.push(row.backend.name());
        }
    }
    if !without_baseline.is_empty() {
        out.push(format!(
            "efficiency not computed for {}: no one-thread cell was measured (add 1 to --threads)",
            without_baseline.join(", ")
        ));
    }
    out
}

impl SweepReport {
    /// Fills in efficiency, then finds the knees, the recommendation and the
    /// warnings. `interrupted`: the signal that ended the sweep early.
    pub fn new(rows: Vec<SweepRow>, terms: &Terms, interrupted: Option<String>) -> SweepReport {
        let cores = terms.cores;
        let mut rows = rows;
        let efficiencies = efficiency(&rows, cores);
        for (row, e) in rows.iter_mut().zip(efficiencies) {
            row.efficiency = e;
        }
        let mut knees = BTreeMap::new();
        let mut knee_notes = Vec::new();
        for backend in BackendKind::ALL {
            if !rows.iter().any(|r| r.backend == backend) {
                continue;
            }
            knee_notes.push(match knee(&rows, backend) {
                Knee::At(t) => {
                    knees.insert(backend.name().to_string(), t);
                    format!(
                        "knee: {backend} at {t} thread{}: no larger count is faster beyond the measured spread",
                        if t == 1 { "" } else { "s" }
                    )
                }
                Knee::StillScaling => format!(
                    "knee: {backend} not reached (still scaling at its largest thread count)"
                ),
                Knee::OneCount => format!("knee: {backend} unknown (one thread count measured)"),
                Knee::Undetermined(why) => why,
            });
        }
        let verdict = decide(&rows, terms);
        let mut warnings = verdict.warnings;
        // Noise of the cells the decision was between bears on it.
        let leading: Vec<usize> = verdict.recommendation.as_ref().map_or(Vec::new(), |r| {
            let mut leading: Vec<usize> = (0..rows.len())
                .filter(|&i| r.leading.contains(&rows[i].label()))
                .collect();
            // In the recommendation's order: the pick first.
            leading.sort_by_key(|&i| r.leading.iter().position(|l| *l == rows[i].label()));
            leading
        });
        warnings.extend(self::warnings(&rows, &leading, terms.rounds));
        if let Some(signal) = &interrupted {
            warnings.push(format!(
                "interrupted by {signal}: only the finished rounds are reported"
            ));
        }
        SweepReport {
            rows,
            recommendation: verdict.recommendation,
            knees,
            knee_notes,
            cores,
            rounds: terms.rounds,
            max_rounds: terms.max_rounds.max(terms.rounds),
            starved_threshold_us: terms.starved_p99_us,
            warnings,
            interrupted,
        }
    }
}
