//! Closed-loop top-up by the thread whose task just ended: in the steady state
//! of a closed loop, each ending task submits its successor itself, so the
//! driver is not woken (a cross-thread wake-up and two context switches) every
//! few tasks. The driver publishes a `Refill` when the configuration allows it
//! and keeps everything else: the first fill, limits, stops, changes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::shared::Shared;
use super::task_job::TaskJob;
use crate::backend::Backend;
use crate::spec::WorkloadSpec;
use crate::workload::{TaskInput, dist};

pub struct Refill {
    pub spec: Arc<WorkloadSpec>,
    pub backend: Arc<dyn Backend>,
    pub inflight: u64,
    /// The next synthetic task index, shared with the driver's source.
    pub next: Arc<AtomicU64>,
    /// One past the last index this run submits (`--tasks`), else `u64::MAX`.
    pub end: u64,
}

impl Refill {
    /// Submits one task if fewer than `inflight` are outstanding and arrivals
    /// may go on. Called right after a task ended.
    pub fn top_up(&self, shared: &Arc<Shared>) {
        // Take a place in flight first, so concurrent top-ups never exceed it.
        if shared
            .outstanding
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                (o < self.inflight).then_some(o + 1)
            })
            .is_err()
        {
            return;
        }
        // The epoch before the checks: a stop that lands after them bumps the
        // epoch past this one, so the task is cancelled when it runs.
        let epoch = shared.cancel_epoch.load(Ordering::SeqCst);
        let arrivals_on = !shared.stopped.load(Ordering::SeqCst)
            && !shared.shutting_down.load(Ordering::SeqCst)
            && !shared.paused.load(Ordering::SeqCst)
            && !shared.past_deadline(shared.clock.raw());
        let index = if arrivals_on {
            self.next.fetch_add(1, Ordering::Relaxed)
        } else {
            u64::MAX
        };
        if index >= self.end {
            // Give the place back; it wakes the driver if that was the last one.
            shared.task_ended();
            return;
        }
        let size = dist::task_size(self.spec.dist, self.spec.size, self.spec.seed, index);
        shared
            .registry
            .with_current(|stats| stats.record_submitted());
        let task = TaskJob::in_epoch(
            shared.clone(),
            &self.spec,
            TaskInput::Synthetic { index, size },
            index,
            epoch,
        );
        // Never full: the queue holds at most the outstanding tasks, and the
        // driver publishes a refill only where inflight fits the queue. A job
        // refused anyway is dropped and counts itself cancelled.
        drop(self.backend.try_submit(task.into_job()));
    }
}
