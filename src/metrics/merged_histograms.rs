//! Every thread's task latency histograms summed into one, without reading
//! every thread at every sample. The sum keeps, per thread, the counts it
//! last took from that thread's histograms; a fold adds only what the thread
//! recorded since. Past the per-sample budget each sample folds a rotating
//! slice of the threads, so a thread's latencies reach the sum at most
//! ceil(threads / budget) samples late (the staleness its CPU figures
//! already have), and a full fold brings every thread in at once.
//!
//! Beside hundreds of threads that all end tasks every sample, summing every
//! histogram at every sample was a third of the sampler's time.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::atomic_histogram::AtomicHistogram;
use super::percentiles::{Buckets, empty_buckets};
use super::thread_stats::ThreadStats;

/// The counts last taken from one histogram, over the span it used then,
/// each kept modulo 2^32: a bucket gains far fewer between two folds of its
/// thread, so the difference is exact, and half the bytes are walked.
#[derive(Default)]
struct Taken {
    lowest: usize,
    counts: Vec<u32>,
}

impl Taken {
    /// Adds what `histogram` gained since the last fold into `into` and
    /// remembers its counts now.
    fn fold(&mut self, histogram: &AtomicHistogram, into: &mut [u64]) {
        let (lowest, counts) = histogram.used_span();
        if counts.is_empty() {
            return;
        }
        let beyond = lowest + counts.len();
        // A histogram's span only grows: widen the copy to cover it.
        if self.counts.is_empty() {
            self.lowest = lowest;
        } else if lowest < self.lowest {
            let widen = self.lowest - lowest;
            self.counts.splice(0..0, std::iter::repeat_n(0, widen));
            self.lowest = lowest;
        }
        if beyond > self.lowest + self.counts.len() {
            self.counts.resize(beyond - self.lowest, 0);
        }
        let taken = &mut self.counts[lowest - self.lowest..];
        let into = into.get_mut(lowest..).unwrap_or_default();
        for ((slot, taken), count) in into.iter_mut().zip(taken).zip(counts) {
            // Truncation intended: see `Taken`.
            let now = count.load(Ordering::Relaxed) as u32;
            // Most buckets did not change: leave their lines clean.
            if now != *taken {
                *slot += u64::from(now.wrapping_sub(*taken));
                *taken = now;
            }
        }
    }
}

/// What was taken from one thread's queue, service and total histograms.
#[derive(Default)]
struct ThreadTaken {
    queue: Taken,
    service: Taken,
    total: Taken,
}

impl ThreadTaken {
    fn fold(&mut self, stats: &ThreadStats, into: &mut MergedLatencies) {
        self.queue.fold(&stats.queue, &mut into.queue);
        self.service.fold(&stats.service, &mut into.service);
        self.total.fold(&stats.total, &mut into.total);
    }
}

/// The summed queue, service and total latency buckets.
pub struct MergedLatencies {
    pub queue: Buckets,
    pub service: Buckets,
    pub total: Buckets,
}

impl Default for MergedLatencies {
    fn default() -> Self {
        MergedLatencies {
            queue: empty_buckets(),
            service: empty_buckets(),
            total: empty_buckets(),
        }
    }
}

/// Every thread's latencies summed: exited threads' in full, registered
/// threads' up to their last fold.
#[derive(Default)]
pub struct MergedHistograms {
    merged: MergedLatencies,
    /// By the address of the thread's stats, which stays theirs while the
    /// registry holds them: an exited thread is retired before it is dropped.
    taken: HashMap<usize, ThreadTaken>,
    /// Where the next slice of the rotation starts.
    next: usize,
}

fn key_of(stats: &ThreadStats) -> usize {
    std::ptr::from_ref(stats).addr()
}

impl MergedHistograms {
    pub fn latencies(&self) -> &MergedLatencies {
        &self.merged
    }

    /// Folds in at most `budget` of the `registered` threads, taking up
    /// where the last call stopped; all of them when there are no more.
    pub fn fold_in_turn(&mut self, registered: &[Arc<ThreadStats>], budget: usize) {
        if registered.len() <= budget {
            self.fold_all(registered);
            return;
        }
        let start = self.next % registered.len();
        let slice = registered[start..]
            .iter()
            .chain(&registered[..start])
            .take(budget);
        for stats in slice {
            self.fold(stats);
        }
        self.next = start + budget;
    }

    /// Folds in every one of the `registered` threads.
    pub fn fold_all(&mut self, registered: &[Arc<ThreadStats>]) {
        for stats in registered {
            self.fold(stats);
        }
    }

    /// Folds in the rest of an exited thread's latencies and forgets it.
    pub fn retire(&mut self, stats: &ThreadStats) {
        let mut taken = self.taken.remove(&key_of(stats)).unwrap_or_default();
        taken.fold(stats, &mut self.merged);
    }

    fn fold(&mut self, stats: &ThreadStats) {
        self.taken
            .entry(key_of(stats))
            .or_default()
            .fold(stats, &mut self.merged);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::atomic_histogram::bucket_of;

    fn threads(count: usize) -> Vec<Arc<ThreadStats>> {
        (0..count)
            .map(|i| Arc::new(ThreadStats::new(i as i32, format!("pool-{i}"))))
            .collect()
    }

    fn record(stats: &ThreadStats, queue_ns: u64, service_ns: u64) {
        stats.queue.record_shared(queue_ns);
        stats.service.record_shared(service_ns);
        stats.total.record_shared(queue_ns + service_ns);
    }

    fn sum_of_every_thread(registered: &[Arc<ThreadStats>]) -> MergedLatencies {
        let mut sum = MergedLatencies::default();
        for stats in registered {
            stats.queue.add_counts_to(&mut sum.queue);
            stats.service.add_counts_to(&mut sum.service);
            stats.total.add_counts_to(&mut sum.total);
        }
        sum
    }

    fn same(a: &MergedLatencies, b: &MergedLatencies) -> bool {
        a.queue == b.queue && a.service == b.service && a.total == b.total
    }

    #[test]
    fn past_the_budget_every_recorded_latency_is_summed_within_a_turn_of_the_rotation() {
        let budget = 64;
        let registered = threads(200);
        let turn = registered.len().div_ceil(budget);
        let mut merged = MergedHistograms::default();
        for round in 0..3u64 {
            // Each round widens every thread's span at both ends.
            for (i, stats) in registered.iter().enumerate() {
                let i = i as u64;
                record(stats, 1_000_000 >> round, 5_000 + i);
                record(stats, 1_000 + i, 50_000_000 << round);
            }
            let exact = sum_of_every_thread(&registered);
            for fold in 1..=turn {
                merged.fold_in_turn(&registered, budget);
                let summed: u64 = merged.latencies().total.iter().sum();
                let folded = (fold * budget).min(registered.len()) as u64;
                assert_eq!(summed, 2 * (round * 200 + folded), "round {round}");
            }
            assert!(same(merged.latencies(), &exact), "round {round}");
        }
    }

    #[test]
    fn an_exited_thread_is_summed_in_full_once() {
        let registered = threads(3);
        let mut merged = MergedHistograms::default();
        record(&registered[0], 10_000, 20_000);
        merged.fold_all(&registered);
        record(&registered[0], 30_000, 40_000);
        record(&registered[1], 30_000, 40_000);
        let exact = sum_of_every_thread(&registered);
        merged.retire(&registered[0]);
        merged.retire(&registered[1]);
        merged.fold_all(&registered[2..]);
        assert!(same(merged.latencies(), &exact));
        assert_eq!(merged.latencies().queue[bucket_of(30_000)], 2);
        assert!(
            merged.taken.len() == 1,
            "{} threads kept",
            merged.taken.len()
        );
    }
}
