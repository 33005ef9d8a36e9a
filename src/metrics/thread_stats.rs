//! Per-thread task counters and latency histograms, written only by their own
//! thread (relaxed load + store, no lock) and read by the sampler.

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_utils::CachePadded;

use super::atomic_histogram::AtomicHistogram;
use super::snapshot::PoolKind;

/// How a task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskEnd {
    Completed,
    Failed,
    Cancelled,
}

#[derive(Default)]
pub struct ThreadStats {
    pub tid: i32,
    pub name: String,
    pub pool: PoolKind,
    /// Written at every task: on cache lines of their own, apart from the
    /// `Arc`'s reference counts (the sampler's clones write those) and from
    /// whatever the allocator put next to this thread's stats.
    counts: CachePadded<TaskCounters>,
    pub queue: AtomicHistogram,
    pub service: AtomicHistogram,
    pub total: AtomicHistogram,
}

#[derive(Default)]
struct TaskCounters {
    submitted: AtomicU64,
    completed: AtomicU64,
    failed: AtomicU64,
    cancelled: AtomicU64,
    busy_ns: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    checksum: AtomicU64,
}

/// A plain copy of a thread's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub submitted: u64,
    pub completed: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub busy_ns: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Wrapping sum of task checksum terms.
    pub checksum: u64,
}

impl Counters {
    pub fn ended(&self) -> u64 {
        self.completed + self.failed + self.cancelled
    }

    pub fn add(&mut self, other: &Counters) {
        self.submitted += other.submitted;
        self.completed += other.completed;
        self.failed += other.failed;
        self.cancelled += other.cancelled;
        self.busy_ns += other.busy_ns;
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        self.checksum = self.checksum.wrapping_add(other.checksum);
    }

    /// Tasks submitted and not yet ended.
    pub fn in_flight(&self) -> u64 {
        self.submitted.saturating_sub(self.ended())
    }

    /// `self - earlier`, for windows and resets (the checksum is not windowed).
    /// Tasks in flight at `earlier` count as submitted in the period, so that
    /// `submitted == ended + in flight` holds for the period too.
    pub fn since(&self, earlier: &Counters) -> Counters {
        Counters {
            submitted: self.submitted.saturating_sub(earlier.ended()),
            completed: self.completed.saturating_sub(earlier.completed),
            failed: self.failed.saturating_sub(earlier.failed),
            cancelled: self.cancelled.saturating_sub(earlier.cancelled),
            busy_ns: self.busy_ns.saturating_sub(earlier.busy_ns),
            bytes_in: self.bytes_in.saturating_sub(earlier.bytes_in),
            bytes_out: self.bytes_out.saturating_sub(earlier.bytes_out),
            checksum: self.checksum.wrapping_sub(earlier.checksum),
        }
    }
}

/// Single-writer increment: only the owning thread calls it, so a relaxed load
/// and store cannot lose an update and cost no locked instruction.
#[inline]
fn bump(counter: &AtomicU64, by: u64) {
    counter.store(
        counter.load(Ordering::Relaxed).wrapping_add(by),
        Ordering::Relaxed,
    );
}

/// `bump` for submissions. Release (a plain store on x86): a reader that
/// acquires a submission also sees every end that came before it, on this
/// thread or (through the engine's in-flight count) on the thread whose end
/// let this task in; `sum_consistent` relies on it.
#[inline]
fn bump_submitted(counter: &AtomicU64, by: u64) {
    counter.store(
        counter.load(Ordering::Relaxed).wrapping_add(by),
        Ordering::Release,
    );
}

/// `bump` for a task's end. Release (a plain store on x86): a reader that
/// acquires the end also sees the task's submission, counted before the job
/// was handed over.
#[inline]
fn bump_end(counter: &AtomicU64) {
    counter.store(
        counter.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Release,
    );
}

impl ThreadStats {
    pub fn new(tid: i32, name: String) -> ThreadStats {
        let pool = PoolKind::from_thread_name(&name);
        ThreadStats {
            tid,
            name,
            pool,
            ..ThreadStats::default()
        }
    }

    #[inline]
    pub fn record_submitted(&self) {
        bump_submitted(&self.counts.submitted, 1);
    }

    #[inline]
    pub fn record_submitted_many(&self, tasks: u64) {
        bump_submitted(&self.counts.submitted, tasks);
    }

    /// Records a task that ran: its latencies, busy time, bytes and result.
    #[inline]
    pub fn record_ran(
        &self,
        end: TaskEnd,
        queue_ns: u64,
        service_ns: u64,
        output: &crate::workload::TaskOutput,
        checksum_term: u64,
    ) {
        self.queue.record_single_writer(queue_ns);
        self.service.record_single_writer(service_ns);
        self.total.record_single_writer(queue_ns + service_ns);
        bump(&self.counts.busy_ns, service_ns);
        bump(&self.counts.bytes_in, output.bytes_in);
        bump(&self.counts.bytes_out, output.bytes_out);
        bump(&self.counts.checksum, checksum_term);
        match end {
            TaskEnd::Completed => bump_end(&self.counts.completed),
            TaskEnd::Failed => bump_end(&self.counts.failed),
            TaskEnd::Cancelled => bump_end(&self.counts.cancelled),
        }
    }

    /// Records a task that ended without running (cancelled before it started).
    #[inline]
    pub fn record_cancelled(&self) {
        bump_end(&self.counts.cancelled);
    }

    /// Tasks this thread submitted.
    pub fn submitted(&self) -> u64 {
        self.counts.submitted.load(Ordering::Acquire)
    }

    /// This thread's counters; ends are read (acquire) before submissions.
    pub fn counters(&self) -> Counters {
        let completed = self.counts.completed.load(Ordering::Acquire);
        let failed = self.counts.failed.load(Ordering::Acquire);
        let cancelled = self.counts.cancelled.load(Ordering::Acquire);
        Counters {
            submitted: self.counts.submitted.load(Ordering::Acquire),
            completed,
            failed,
            cancelled,
            busy_ns: self.counts.busy_ns.load(Ordering::Relaxed),
            bytes_in: self.counts.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.counts.bytes_out.load(Ordering::Relaxed),
            checksum: self.counts.checksum.load(Ordering::Relaxed),
        }
    }
}

/// `base` plus the counters of `threads`, read as one consistent reading:
/// every thread's submissions first, then every thread's ends. While the
/// threads are read one by one, a task can end on one thread and its successor
/// be submitted on another; read in this order, in flight (submitted - ended)
/// is at most what was in flight at the instant between the two passes, so it
/// never exceeds the engine's cap. Tasks submitted after the first pass and
/// ended before the second count as submitted (`submitted` is never below
/// `ended`), so `submitted == ended + in flight` holds.
pub fn sum_consistent<'a>(
    base: &Counters,
    threads: impl Iterator<Item = &'a ThreadStats> + Clone,
) -> Counters {
    let submitted: u64 = threads.clone().map(ThreadStats::submitted).sum();
    let mut sum = *base;
    for stats in threads {
        sum.add(&stats.counters());
    }
    sum.submitted = (base.submitted + submitted).max(sum.ended());
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, Instant};

    #[test]
    fn a_reading_never_has_more_in_flight_than_there_are_while_threads_end_and_submit() {
        // Each thread keeps EACH tasks in flight: it ends one and submits its
        // successor, as fast as it can, while the reader sums them.
        const THREADS: usize = 4;
        const EACH: u64 = 8;
        let cap = THREADS as u64 * EACH;
        let stats: Vec<Arc<ThreadStats>> = (0..THREADS)
            .map(|i| Arc::new(ThreadStats::new(i as i32, format!("pool-{i}"))))
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = stats
            .iter()
            .map(|mine| {
                let (mine, stop) = (mine.clone(), stop.clone());
                std::thread::spawn(move || {
                    mine.record_submitted_many(EACH);
                    while !stop.load(Ordering::Relaxed) {
                        mine.record_cancelled();
                        mine.record_submitted();
                    }
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_millis(300);
        let mut readings = 0u64;
        let mut worst = 0;
        while Instant::now() < deadline || readings < 10_000 {
            let sum = sum_consistent(&Counters::default(), stats.iter().map(|s| &**s));
            assert_eq!(sum.submitted, sum.ended() + sum.in_flight());
            worst = worst.max(sum.in_flight());
            readings += 1;
        }
        stop.store(true, Ordering::Relaxed);
        for worker in workers {
            worker.join().unwrap();
        }
        assert!(worst <= cap, "{worst} in flight over a cap of {cap}");
        let last = sum_consistent(&Counters::default(), stats.iter().map(|s| &**s));
        assert_eq!(last.in_flight(), cap);
    }
}
