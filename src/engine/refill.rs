//! Closed-loop top-up by the thread whose task just ended: in the steady state
//! of a closed loop, each ending task submits its successor itself, so the
//! driver is not woken (a cross-thread wake-up and two context switches) every
//! few tasks. The driver publishes a `Refill` when the configuration allows it
//! and keeps everything else: the first fill, limits, stops, changes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::job::Job;
use super::shared::Shared;
use super::task_job::TaskJob;
use crate::backend::Backend;
use crate::spec::WorkloadSpec;
use crate::workload::{TaskInput, dist};

pub struct Refill {
    pub spec: Arc<WorkloadSpec>,
    pub backend: Arc<dyn Backend<Job>>,
    pub inflight: u64,
    /// The next synthetic task index, shared with the driver's source.
    pub next: Arc<AtomicU64>,
    /// One past the last index this run submits (`--tasks`), else `u64::MAX`.
    pub end: u64,
}

impl Refill {
    /// Submits one job's worth of tasks (one, or a `--batch`) while fewer
    /// than `inflight` are outstanding and arrivals may go on. Called right
    /// after a job's tasks ended.
    pub fn top_up(&self, shared: &Arc<Shared>) {
        let per_job = shared.batch.max(1) as u64;
        // Take places in flight first, so concurrent top-ups never exceed it.
        let Ok(before) = shared
            .outstanding
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                (o < self.inflight).then(|| o + per_job.min(self.inflight - o))
            })
        else {
            return;
        };
        let places = per_job.min(self.inflight - before);
        // The epoch before the checks: a stop that lands after them bumps the
        // epoch past this one, so the tasks are cancelled when they run.
        let epoch = shared.cancel_epoch.load(Ordering::SeqCst);
        let arrivals_on = !shared.stopped.load(Ordering::SeqCst)
            && !shared.shutting_down.load(Ordering::SeqCst)
            && !shared.paused.load(Ordering::SeqCst)
            && !shared.past_deadline(shared.clock.raw());
        let first = if arrivals_on {
            self.next.fetch_add(places, Ordering::Relaxed)
        } else {
            u64::MAX
        };
        let tasks = self.end.saturating_sub(first).min(places);
        if tasks < places {
            // Give back what the limit or a stop leaves unused; the last place
            // given back wakes the driver.
            shared.places_given_back(places - tasks);
        }
        if tasks == 0 {
            return;
        }
        shared
            .registry
            .with_current(|stats| stats.record_submitted_many(tasks));
        let task = |index: u64| {
            let size = dist::spec_task_size(&self.spec, index);
            TaskJob::in_epoch(
                shared.clone(),
                &self.spec,
                TaskInput::Synthetic { index, size },
                index,
                epoch,
            )
        };
        let job = if per_job == 1 {
            task(first).into_job()
        } else {
            Job::tasks((first..first + tasks).map(task).collect())
        };
        // Never full: the queue holds at most the outstanding tasks, and the
        // driver publishes a refill only where inflight fits the queue. A job
        // refused anyway is dropped and its tasks count themselves cancelled.
        drop(self.backend.try_submit(job));
    }
}
