//! Paired comparison of two cells measured in the same interleaved rounds:
//! round k of one against round k of the other, so a slowdown that touched a
//! whole round cancels instead of widening both ranges (criterion's change
//! detection against a noise threshold, applied round by round). And the
//! noise floor a difference must clear: a fixed minimum, the machine's own
//! drift, and any speedup beyond what threads or cores can give.
//! Pure functions of the numbers, tested with constructed figures.

use super::noise::{MIN_REAL_DIFFERENCE, Range};
use crate::bounds::SWEEP_MIN_ROUNDS;

/// How one cell stands against another over their paired rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Ahead by more than the noise floor in every paired round, over at
    /// least [`SWEEP_MIN_ROUNDS`] rounds.
    Clear,
    /// Ahead by more than the floor at the median paired ratio, and ahead
    /// in most paired rounds.
    Likely,
    /// The median paired ratio is within the floor either way.
    Tie,
    /// Behind, or the rounds disagree.
    Unsettled,
}

/// The paired rounds of two cells: `a / b` for each round both measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub ratios: Vec<f64>,
    /// A difference within this share (0.05 = 5%) is noise.
    pub floor: f64,
}

impl Comparison {
    /// Pairs `(round, value)` lists by round number; rounds only one of them
    /// measured are left out. 0 against 0 is a tie; anything against 0 wins.
    pub fn new(a: &[(usize, f64)], b: &[(usize, f64)], floor: f64) -> Comparison {
        let ratios = a
            .iter()
            .filter_map(|(round, x)| {
                let (_, y) = b.iter().find(|(r, _)| r == round)?;
                Some(match (*x, *y) {
                    (x, y) if y > 0.0 => x / y,
                    (x, _) if x > 0.0 => f64::INFINITY,
                    _ => 1.0,
                })
            })
            .filter(|r| !r.is_nan())
            .collect();
        Comparison {
            ratios,
            floor: floor.max(MIN_REAL_DIFFERENCE),
        }
    }

    pub fn rounds(&self) -> usize {
        self.ratios.len()
    }

    /// The median of `a / b` over the paired rounds (1 without any).
    pub fn median_ratio(&self) -> f64 {
        Range::of(&self.ratios).map_or(1.0, |r| r.median)
    }

    /// Paired rounds in which `a` was ahead by more than the floor.
    pub fn wins_beyond_floor(&self) -> usize {
        self.ratios
            .iter()
            .filter(|r| **r > 1.0 + self.floor)
            .count()
    }

    /// Paired rounds in which `a` was ahead at all.
    pub fn wins(&self) -> usize {
        self.ratios.iter().filter(|r| **r > 1.0).count()
    }

    pub fn standing(&self) -> Standing {
        let n = self.rounds();
        if n == 0 {
            return Standing::Unsettled;
        }
        if n >= SWEEP_MIN_ROUNDS && self.wins_beyond_floor() == n {
            return Standing::Clear;
        }
        let median = self.median_ratio();
        let ceiling = 1.0 + self.floor;
        if median <= ceiling && median >= 1.0 / ceiling {
            return Standing::Tie;
        }
        if median > ceiling && 2 * self.wins() > n {
            return Standing::Likely;
        }
        Standing::Unsettled
    }
}

/// How much a figure that should not change between rounds did:
/// (max - min) / median x 100 (None without values or with a zero median).
pub fn drift_pct(values: &[f64]) -> Option<f64> {
    Range::of(values)
        .filter(|r| r.median > 0.0)
        .map(|r| r.spread_pct())
}

/// How much the CPU time of the same task varied between the rounds that
/// completed tasks (`costs` of 0 did not): the machine itself slowing. None
/// with fewer than two such rounds.
pub fn cost_drift_pct(costs: impl Iterator<Item = f64>) -> Option<f64> {
    let costs: Vec<f64> = costs.filter(|c| *c > 0.0).collect();
    if costs.len() < 2 {
        return None;
    }
    drift_pct(&costs)
}

/// How far `speedup` overshoots `limit`, as a share: x2.83 against a limit
/// of x2 is 0.415; 0 within the limit. Such an overshoot is not scaling but
/// noise (the slower cell was slowed), at least this large.
pub fn excess_speedup(speedup: f64, limit: f64) -> f64 {
    if limit > 0.0 && speedup.is_finite() && speedup > limit {
        speedup / limit - 1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(values: &[f64]) -> Vec<(usize, f64)> {
        values.iter().copied().enumerate().collect()
    }

    fn compare(a: &[f64], b: &[f64], floor: f64) -> Comparison {
        Comparison::new(&numbered(a), &numbered(b), floor)
    }

    #[test]
    fn common_mode_noise_cancels_when_rounds_are_paired() {
        // Each round the machine ran at a different speed, so the ranges
        // overlap widely, yet `a` beat `b` by 20% in every round.
        let a = [120.0, 240.0, 180.0];
        let b = [100.0, 200.0, 150.0];
        assert_eq!(compare(&a, &b, 0.05).standing(), Standing::Clear);
        assert_eq!(compare(&b, &a, 0.05).standing(), Standing::Unsettled);
        // The same figures against a 25% floor: ahead, but not beyond it.
        assert_eq!(compare(&a, &b, 0.25).standing(), Standing::Tie);
    }

    #[test]
    fn two_rounds_are_never_clear_and_a_split_is_not_likely() {
        assert_eq!(
            compare(&[150.0, 150.0], &[100.0, 100.0], 0.05).standing(),
            Standing::Likely
        );
        // Median ahead by 30% and two of three rounds won; of four rounds,
        // two won is not most.
        let c = compare(&[200.0, 130.0, 95.0], &[100.0, 100.0, 100.0], 0.05);
        assert_eq!(c.median_ratio(), 1.3);
        assert_eq!(c.wins(), 2);
        assert_eq!(c.standing(), Standing::Likely);
        let c = compare(&[200.0, 90.0, 95.0, 130.0], &[100.0; 4], 0.05);
        assert_eq!(c.wins(), 2);
        assert_eq!(c.standing(), Standing::Unsettled);
    }

    #[test]
    fn within_the_floor_either_way_is_a_tie_and_the_floor_is_at_least_five_percent() {
        let c = compare(&[101.0, 99.0, 103.0], &[100.0, 100.0, 100.0], 0.0);
        assert_eq!(c.floor, MIN_REAL_DIFFERENCE);
        assert_eq!(c.standing(), Standing::Tie);
        assert_eq!(
            compare(&[96.0, 97.0, 96.0], &[100.0; 3], 0.05).standing(),
            Standing::Tie
        );
    }

    #[test]
    fn rounds_pair_by_number_not_position() {
        // `b` missed round 1: rounds 0 and 2 are compared.
        let a = [(0, 110.0), (1, 50.0), (2, 120.0)];
        let b = [(0, 100.0), (2, 100.0)];
        let c = Comparison::new(&a, &b, 0.05);
        assert_eq!(c.ratios, [1.1, 1.2]);
        assert_eq!(c.rounds(), 2);
        assert_eq!(
            Comparison::new(&a, &[], 0.05).standing(),
            Standing::Unsettled
        );
        // Zeros: nothing against nothing ties; something against nothing wins.
        assert_eq!(compare(&[0.0], &[0.0], 0.05).ratios, [1.0]);
        assert_eq!(compare(&[5.0], &[0.0], 0.05).ratios, [f64::INFINITY]);
    }

    #[test]
    fn drift_and_impossible_speedups() {
        assert_eq!(
            drift_pct(&[0.004, 0.005, 0.0045]),
            Some(0.001 / 0.0045 * 100.0)
        );
        assert_eq!(drift_pct(&[]), None);
        assert_eq!(drift_pct(&[0.0, 0.0]), None);
        assert!((excess_speedup(2.83, 2.0) - 0.415).abs() < 1e-12);
        assert_eq!(excess_speedup(1.9, 2.0), 0.0);
        assert_eq!(excess_speedup(f64::INFINITY, 2.0), 0.0);
    }
}
