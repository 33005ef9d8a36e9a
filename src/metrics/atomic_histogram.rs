//! A fixed log-linear histogram of nanosecond values with one atomic counter per
//! bucket. Each histogram has a single writer (its thread), so recording is a
//! relaxed load and store: no lock, no read-modify-write. The sampler reads the
//! counters from another thread at any time.
//!
//! hdrhistogram's `Histogram` is not readable while another thread writes it,
//! and its `SyncHistogram` needs the writers' cooperation to refresh, which an
//! idle worker never gives; so the hot path uses this, and the sampler reads
//! percentiles straight off the bucket counts (`percentiles.rs`).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Bits of mantissa kept per power of two: relative error at most 1/32 (3%).
const SUB_BITS: u32 = 5;
const SUB_COUNT: usize = 1 << SUB_BITS;
/// Values below this are their own bucket.
const LINEAR_LIMIT: u64 = 2 * SUB_COUNT as u64;
/// Buckets: the linear part, then SUB_COUNT per power of two up to 2^63.
pub const BUCKETS: usize = LINEAR_LIMIT as usize + (63 - SUB_BITS as usize) * SUB_COUNT;

pub struct AtomicHistogram {
    counts: Box<[AtomicU64]>,
    /// The lowest bucket ever used and one past the highest: the sampler sums
    /// only this span (a few dozen to a few hundred of the 1920 buckets), which
    /// matters with hundreds of threads at 10 samples a second.
    lowest: AtomicUsize,
    beyond: AtomicUsize,
}

impl Default for AtomicHistogram {
    fn default() -> Self {
        AtomicHistogram {
            counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            lowest: AtomicUsize::new(BUCKETS),
            beyond: AtomicUsize::new(0),
        }
    }
}

impl AtomicHistogram {
    /// Records one value. Must only be called by the histogram's owning thread.
    #[inline]
    pub fn record_single_writer(&self, value_ns: u64) {
        let index = bucket_of(value_ns);
        // The span first: a reader that sees the count also sees its bucket
        // inside the span (Release here, Acquire in `add_counts_to`).
        if index < self.lowest.load(Ordering::Relaxed) {
            self.lowest.store(index, Ordering::Release);
        }
        if index >= self.beyond.load(Ordering::Relaxed) {
            self.beyond.store(index + 1, Ordering::Release);
        }
        let bucket = &self.counts[index];
        bucket.store(bucket.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// Records from any thread (rare paths: cancellations, probes).
    pub fn record_shared(&self, value_ns: u64) {
        let index = bucket_of(value_ns);
        self.lowest.fetch_min(index, Ordering::AcqRel);
        self.beyond.fetch_max(index + 1, Ordering::AcqRel);
        self.counts[index].fetch_add(1, Ordering::Relaxed);
    }

    /// Adds every bucket's count into `into` (which must have BUCKETS entries).
    pub fn add_counts_to(&self, into: &mut [u64]) {
        let (lowest, counts) = self.used_span();
        let into = into.get_mut(lowest..).unwrap_or_default();
        for (slot, count) in into.iter_mut().zip(counts) {
            *slot += count.load(Ordering::Relaxed);
        }
    }

    /// The first bucket ever used and the counters from it to the last one
    /// used: every count outside is zero.
    pub fn used_span(&self) -> (usize, &[AtomicU64]) {
        let beyond = self.beyond.load(Ordering::Acquire).min(self.counts.len());
        let lowest = self.lowest.load(Ordering::Acquire).min(beyond);
        (lowest, &self.counts[lowest..beyond])
    }
}

#[inline]
pub fn bucket_of(value: u64) -> usize {
    if value < LINEAR_LIMIT {
        return value as usize;
    }
    let exponent = 63 - value.leading_zeros(); // >= SUB_BITS + 1
    let mantissa = (value >> (exponent - SUB_BITS)) as usize & (SUB_COUNT - 1);
    LINEAR_LIMIT as usize + (exponent - SUB_BITS - 1) as usize * SUB_COUNT + mantissa
}

/// A bucket's lowest value and width.
fn bucket_range(bucket: usize) -> (u64, u64) {
    if bucket < LINEAR_LIMIT as usize {
        return (bucket as u64, 1);
    }
    let above = bucket - LINEAR_LIMIT as usize;
    let exponent = (above / SUB_COUNT) as u32 + SUB_BITS + 1;
    let mantissa = (above % SUB_COUNT) as u64;
    let width = 1u64 << (exponent - SUB_BITS);
    ((1u64 << exponent) + mantissa * width, width)
}

/// The middle of a bucket's value range: what a percentile reports.
pub fn bucket_midpoint(bucket: usize) -> u64 {
    let (low, width) = bucket_range(bucket);
    low + width / 2
}

/// The largest value a bucket holds (a histogram's `le` bound for it).
pub fn bucket_upper(bucket: usize) -> u64 {
    let (low, width) = bucket_range(bucket);
    low.saturating_add(width - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_close() {
        let mut last = 0;
        for shift in 0..62u32 {
            for v in [1u64 << shift, (1u64 << shift) + (1u64 << shift) / 3] {
                let b = bucket_of(v);
                assert!(b >= last, "bucket order broke at {v}");
                assert!(b < BUCKETS);
                last = b;
                let mid = bucket_midpoint(b) as f64;
                let err = (mid - v as f64).abs() / v as f64;
                assert!(err <= 1.0 / 32.0 + 1e-9, "value {v} mid {mid} err {err}");
            }
        }
        assert!(bucket_of(u64::MAX) < BUCKETS);
    }

    #[test]
    fn upper_bounds_are_the_last_value_of_each_bucket() {
        for bucket in 0..BUCKETS - 1 {
            let upper = bucket_upper(bucket);
            assert_eq!(bucket_of(upper), bucket, "bucket {bucket}");
            assert_eq!(bucket_of(upper + 1), bucket + 1, "bucket {bucket}");
        }
        assert_eq!(bucket_upper(BUCKETS - 1), u64::MAX);
    }
}
