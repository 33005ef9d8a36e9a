//! How a backend's throughput scales with its threads: efficiency against a
//! measured one-thread cell, and the knee where the curve flattens.

use std::collections::HashMap;

use super::sweep_row::SweepRow;
use crate::spec::BackendKind;

/// Where a backend's curve flattens.
#[derive(Clone, Debug, PartialEq)]
pub enum Knee {
    /// More threads than this add nothing beyond the measured spread.
    At(usize),
    /// The largest count is still clearly above every smaller one.
    StillScaling,
    /// One thread count measured: no curve.
    OneCount,
    /// The cells overlap too much to say (the sentence says which and why).
    Undetermined(String),
}

/// Scaling efficiency of every row, in row order:
/// `tasks_per_s / (min(threads, cores) x the same backend's one-thread
/// tasks_per_s)`, medians both. None for a backend without a measured
/// threads=1 cell (no estimate stands in for the baseline) or whose baseline
/// completed nothing.
pub fn efficiency(rows: &[SweepRow], cores: usize) -> Vec<Option<f64>> {
    let cores = cores.max(1);
    let baseline: HashMap<BackendKind, f64> = rows
        .iter()
        .filter(|r| r.threads == 1 && r.stats.tasks_per_s > 0.0)
        .map(|r| (r.backend, r.stats.tasks_per_s))
        .collect();
    rows.iter()
        .map(|row| {
            let one_thread = baseline.get(&row.backend)?;
            Some(row.stats.tasks_per_s / (row.threads.clamp(1, cores) as f64 * one_thread))
        })
        .collect()
}

/// The knee of one backend's curve: the smallest measured thread count that
/// no larger count beats beyond the measured spread, stated only when it is
/// not the largest count and none of the cells from it on is noisy (noise
/// can fake a flat curve).
pub fn knee(rows: &[SweepRow], backend: BackendKind) -> Knee {
    let mut curve: Vec<&SweepRow> = rows.iter().filter(|r| r.backend == backend).collect();
    curve.sort_by_key(|r| r.threads);
    if curve.len() < 2 {
        return Knee::OneCount;
    }
    let Some(i) = (0..curve.len()).find(|&i| {
        curve[i + 1..]
            .iter()
            .all(|later| !later.range().clearly_above(&curve[i].range()))
    }) else {
        return Knee::StillScaling;
    };
    if i == curve.len() - 1 {
        return Knee::StillScaling;
    }
    let candidate = curve[i];
    // Flat from here: believable only if the flat part is steady.
    let shaky: Vec<&&SweepRow> = curve[i..].iter().filter(|r| r.noisy).collect();
    if !shaky.is_empty() {
        let names: Vec<String> = shaky
            .iter()
            .map(|r| format!("{} {} tasks/s", r.label(), r.throughput_text()))
            .collect();
        return Knee::Undetermined(format!(
            "knee: {backend} undetermined: {} and the larger counts are indistinguishable but noisy ({}), so a flat curve and noise cannot be told apart",
            candidate.label(),
            names.join(", ")
        ));
    }
    Knee::At(candidate.threads)
}
