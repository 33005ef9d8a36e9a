//! Percentiles read off bucket counts of an `AtomicHistogram`.

use super::atomic_histogram::{BUCKETS, bucket_midpoint};
use super::snapshot::Percentiles;

/// Bucket counts of one histogram (nanoseconds).
pub type Buckets = Vec<u64>;

pub fn empty_buckets() -> Buckets {
    vec![0; BUCKETS]
}

/// p50/p90/p99/max in microseconds (bucket midpoints: within 3%).
pub fn percentiles_us(counts: &[u64]) -> Percentiles {
    percentiles_of(counts.iter().copied(), 0)
}

/// Percentiles of what a histogram gained from `earlier` to `later`, without
/// building the difference (the sampler does this many times a tick).
pub fn percentiles_between(later: &[u64], earlier: &[u64]) -> Percentiles {
    // Counts only grow: outside the span `later` uses, the difference is zero.
    // The span is a few dozen of the 1920 buckets; finding it is a cheap scan.
    let Some(lowest) = later.iter().position(|&count| count > 0) else {
        return Percentiles::default();
    };
    let beyond = later
        .iter()
        .rposition(|&count| count > 0)
        .map_or(lowest, |i| i + 1);
    let span = later[lowest..beyond]
        .iter()
        .zip(earlier.get(lowest..).unwrap_or_default())
        .map(|(l, e)| l.saturating_sub(*e));
    percentiles_of(span, lowest)
}

/// Two passes over the buckets (the first of which is bucket `first`): the
/// total, then every quantile in order.
fn percentiles_of(counts: impl Iterator<Item = u64> + Clone, first: usize) -> Percentiles {
    let total: u64 = counts.clone().sum();
    if total == 0 {
        return Percentiles::default();
    }
    let rank = |q: f64| ((q * total as f64).ceil() as u64).clamp(1, total);
    let ranks = [rank(0.50), rank(0.90), rank(0.99)];
    let mut found = [0.0; 3];
    let mut next = 0;
    let mut seen = 0;
    let mut max = 0.0;
    for (bucket, count) in counts.enumerate() {
        if count == 0 {
            continue;
        }
        seen += count;
        let us = bucket_midpoint(first + bucket) as f64 / 1e3;
        while next < ranks.len() && seen >= ranks[next] {
            found[next] = us;
            next += 1;
        }
        max = us;
    }
    Percentiles {
        p50: found[0],
        p90: found[1],
        p99: found[2],
        max,
        count: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::atomic_histogram::bucket_of;

    #[test]
    fn percentiles_of_a_uniform_spread() {
        let mut counts = empty_buckets();
        for us in 1..=1000u64 {
            counts[bucket_of(us * 1000)] += 1;
        }
        let p = percentiles_us(&counts);
        assert_eq!(p.count, 1000);
        assert!((p.p50 - 500.0).abs() / 500.0 < 0.04, "{p:?}");
        assert!((p.p99 - 990.0).abs() / 990.0 < 0.04, "{p:?}");
        assert!((p.max - 1000.0).abs() / 1000.0 < 0.04, "{p:?}");
    }

    #[test]
    fn percentiles_between_two_readings_match_those_of_the_difference() {
        let mut earlier = empty_buckets();
        let mut later = empty_buckets();
        for us in 1..=500u64 {
            earlier[bucket_of(us * 1000)] += 1;
            later[bucket_of(us * 1000)] += 1;
        }
        for us in 2000..=2100u64 {
            later[bucket_of(us * 1000)] += 3;
        }
        let p = percentiles_between(&later, &earlier);
        let difference: Vec<u64> = later.iter().zip(&earlier).map(|(l, e)| l - e).collect();
        assert_eq!(p, percentiles_us(&difference));
        assert_eq!(p.count, 303);
        assert!(p.p50 > 1900.0, "{p:?}");
    }
}
