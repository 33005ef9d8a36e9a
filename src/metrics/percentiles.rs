//! Percentiles read off bucket counts of an `AtomicHistogram`.

use super::atomic_histogram::{BUCKETS, bucket_midpoint};
use super::snapshot::Percentiles;

/// Bucket counts of one histogram (nanoseconds).
pub type Buckets = Vec<u64>;

pub fn empty_buckets() -> Buckets {
    vec![0; BUCKETS]
}

/// `later - earlier`, bucket by bucket.
pub fn buckets_since(later: &[u64], earlier: &[u64]) -> Buckets {
    later
        .iter()
        .zip(earlier)
        .map(|(l, e)| l.saturating_sub(*e))
        .collect()
}

/// p50/p90/p99/max in microseconds (bucket midpoints: within 3%).
pub fn percentiles_us(counts: &[u64]) -> Percentiles {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return Percentiles::default();
    }
    let at = |q: f64| -> f64 {
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (bucket, count) in counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return bucket_midpoint(bucket) as f64 / 1e3;
            }
        }
        0.0
    };
    let max = counts
        .iter()
        .rposition(|c| *c > 0)
        .map_or(0.0, |b| bucket_midpoint(b) as f64 / 1e3);
    Percentiles {
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
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
}
