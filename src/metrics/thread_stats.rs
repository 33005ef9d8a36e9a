//! Per-thread task counters and latency histograms, written only by their own
//! thread (relaxed load + store, no lock) and read by the sampler.

use std::sync::atomic::{AtomicU64, Ordering};

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
    submitted: AtomicU64,
    completed: AtomicU64,
    failed: AtomicU64,
    cancelled: AtomicU64,
    busy_ns: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    checksum: AtomicU64,
    pub queue: AtomicHistogram,
    pub service: AtomicHistogram,
    pub total: AtomicHistogram,
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

    /// `self - earlier`, for windows and resets (the checksum is not windowed).
    pub fn since(&self, earlier: &Counters) -> Counters {
        Counters {
            submitted: self.submitted.saturating_sub(earlier.submitted),
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
        bump(&self.submitted, 1);
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
        bump(&self.busy_ns, service_ns);
        bump(&self.bytes_in, output.bytes_in);
        bump(&self.bytes_out, output.bytes_out);
        bump(&self.checksum, checksum_term);
        match end {
            TaskEnd::Completed => bump(&self.completed, 1),
            TaskEnd::Failed => bump(&self.failed, 1),
            TaskEnd::Cancelled => bump(&self.cancelled, 1),
        }
    }

    /// Records a task that ended without running (cancelled before it started).
    #[inline]
    pub fn record_cancelled(&self) {
        bump(&self.cancelled, 1);
    }

    pub fn counters(&self) -> Counters {
        Counters {
            submitted: self.submitted.load(Ordering::Relaxed),
            completed: self.completed.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            cancelled: self.cancelled.load(Ordering::Relaxed),
            busy_ns: self.busy_ns.load(Ordering::Relaxed),
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
            checksum: self.checksum.load(Ordering::Relaxed),
        }
    }
}
