//! Repeated measurements of one cell: median, min-max, spread, and when two
//! cells differ by more than their noise. Pure functions of the numbers, so
//! every verdict can be tested with constructed figures.

use serde::{Deserialize, Serialize};

/// A cell whose rounds differ by more than this share of their median is noisy.
pub const NOISY_SPREAD_PCT: f64 = 10.0;

/// A cell during which other processes used more than this share of the
/// machine's CPUs is noisy: they competed with the workload.
pub const NOISY_EXTERNAL_CPU_PCT: f64 = crate::bounds::BUSY_EXTERNAL_CPU_PCT;

/// A difference smaller than this share is never called real, whatever the
/// spread (two rounds can agree by chance).
pub const MIN_REAL_DIFFERENCE: f64 = 0.05;

/// Median, min and max of a cell's rounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Range {
    /// None for no values; NaN values are ignored.
    pub fn of(values: &[f64]) -> Option<Range> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Range {
            median,
            min: sorted[0],
            max: sorted[n - 1],
        })
    }

    /// (max - min) / median x 100; 0 when the median is 0.
    pub fn spread_pct(&self) -> f64 {
        if self.median > 0.0 {
            (self.max - self.min) / self.median * 100.0
        } else {
            0.0
        }
    }

    /// True when every round of `self` beat every round of `other` and the
    /// medians differ by more than [`MIN_REAL_DIFFERENCE`]: a difference
    /// beyond the measured spread.
    pub fn clearly_above(&self, other: &Range) -> bool {
        self.min > other.max && self.median > other.median * (1.0 + MIN_REAL_DIFFERENCE)
    }

    /// Neither is clearly above the other.
    pub fn indistinguishable(&self, other: &Range) -> bool {
        !self.clearly_above(other) && !other.clearly_above(self)
    }
}

/// The warning for figures measured while other programs took more than
/// [`crate::bounds::BUSY_EXTERNAL_CPU_PCT`] of the machine (None: quiet or
/// not measured). `during`: what was measured, e.g. `the run`.
pub fn busy_warning(external_cpu_pct: Option<f64>, during: &str) -> Option<String> {
    let limit = crate::bounds::BUSY_EXTERNAL_CPU_PCT;
    let external = machine_busy(external_cpu_pct)?;
    Some(format!(
        "other programs used {external:.0}% of the CPUs during {during} (above {limit:.0}%): its figures hold for a machine this busy, not a quiet one"
    ))
}

/// Other programs' share of the machine when it is above
/// [`crate::bounds::BUSY_EXTERNAL_CPU_PCT`]: a verdict formed then is marked.
pub fn machine_busy(external_cpu_pct: Option<f64>) -> Option<f64> {
    external_cpu_pct.filter(|e| *e > crate::bounds::BUSY_EXTERNAL_CPU_PCT)
}

/// The most CPU other processes used during any round (None: never measured).
pub fn busiest_external_cpu(readings: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    readings.flatten().reduce(f64::max)
}

/// The median over the rounds of one figure of each round (0 without rounds).
pub fn median_of<R>(rounds: &[R], figure: impl Fn(&R) -> f64) -> f64 {
    let values: Vec<f64> = rounds.iter().map(figure).collect();
    Range::of(&values).map_or(0.0, |r| r.median)
}

/// How every noise warning ends.
pub const RERUN: &str = ": rerun on a quiet machine";

/// Why a cell is noisy, if it is.
pub fn noise_reason(
    label: &str,
    throughput: &Range,
    external_cpu_pct: Option<f64>,
) -> Option<String> {
    let mut reasons = Vec::new();
    if let Some(external) = external_cpu_pct.filter(|e| *e > NOISY_EXTERNAL_CPU_PCT) {
        reasons.push(format!(
            "other processes used {external:.0}% of the CPUs during {label}"
        ));
    }
    let spread = throughput.spread_pct();
    if spread > NOISY_SPREAD_PCT {
        reasons.push(format!(
            "{label} varied by {spread:.0}% between rounds ({} to {} tasks/s)",
            crate::format::significant(throughput.min),
            crate::format::significant(throughput.max)
        ));
    }
    (!reasons.is_empty()).then(|| format!("{}{RERUN}", reasons.join("; ")))
}

/// `tasks/s` as `median (min-max)`, or the median alone for one round.
pub fn describe(range: &Range, rounds: usize) -> String {
    let fmt = crate::format::significant;
    if rounds > 1 {
        format!(
            "{} ({}-{})",
            fmt(range.median),
            fmt(range.min),
            fmt(range.max)
        )
    } else {
        fmt(range.median)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(values: &[f64]) -> Range {
        Range::of(values).unwrap_or_else(|| panic!("no values"))
    }

    #[test]
    fn median_min_max_and_spread() {
        let r = range(&[110.0, 90.0, 100.0]);
        assert_eq!((r.median, r.min, r.max), (100.0, 90.0, 110.0));
        assert_eq!(r.spread_pct(), 20.0);
        assert_eq!(range(&[1.0, 3.0]).median, 2.0);
        assert_eq!(Range::of(&[]), None);
        assert_eq!(range(&[0.0, 0.0]).spread_pct(), 0.0);
    }

    #[test]
    fn a_difference_counts_only_beyond_both_ranges_and_five_percent() {
        let slow = range(&[100.0, 102.0, 98.0]);
        let fast = range(&[150.0, 148.0, 152.0]);
        assert!(fast.clearly_above(&slow));
        assert!(!slow.clearly_above(&fast));
        // Overlapping ranges: no verdict, however far apart the medians.
        let noisy = range(&[60.0, 150.0, 155.0]);
        assert!(noisy.indistinguishable(&fast));
        // Disjoint but within 5%: not a real difference either.
        let close = range(&[103.0, 103.5, 104.0]);
        assert!(close.indistinguishable(&slow));
    }

    #[test]
    fn noisy_cells_say_why() {
        let steady = range(&[100.0, 101.0, 99.0]);
        assert_eq!(noise_reason("rayon x2", &steady, Some(3.0)), None);
        assert_eq!(
            noise_reason("rayon x2", &steady, Some(48.0)).as_deref(),
            Some("other processes used 48% of the CPUs during rayon x2: rerun on a quiet machine")
        );
        let shaky = range(&[60.0, 100.0, 101.0]);
        let why = noise_reason("rayon x1", &shaky, None).unwrap_or_default();
        assert!(
            why.contains("rayon x1 varied by 41% between rounds"),
            "{why}"
        );
    }
}
