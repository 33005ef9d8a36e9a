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

/// The tasks of a job that just ended (having run), to become the next
/// job's: renewing them in place spares a reference count on the engine's
/// shared state and an allocation per task.
pub enum Ended {
    One(TaskJob),
    /// A `--batch` job's tasks (never empty).
    Many(Vec<TaskJob>),
}

impl Ended {
    fn shared(&self) -> Option<&Arc<Shared>> {
        match self {
            Ended::One(task) => Some(task.shared()),
            Ended::Many(tasks) => tasks.first().map(TaskJob::shared),
        }
    }

    fn into_vec(self) -> Vec<TaskJob> {
        match self {
            Ended::One(task) => vec![task],
            Ended::Many(tasks) => tasks,
        }
    }
}

impl Refill {
    /// Submits one job's worth of tasks (one, or a `--batch`) while fewer
    /// than `inflight` are outstanding and arrivals may go on, made of the
    /// `ended` job's tasks. Called right after a job's tasks ended.
    pub fn top_up(&self, ended: Ended) {
        let Some(shared) = ended.shared() else {
            return;
        };
        let Some((first, tasks, epoch)) = self.claim(shared) else {
            return;
        };
        let spec = &*self.spec;
        let input = |index: u64| TaskInput::Synthetic {
            index,
            size: dist::task_size(spec.dist, spec.size, spec.seed, index),
        };
        let job = match ended {
            Ended::One(mut task) if tasks == 1 => {
                task.renew(spec, input(first), first, epoch);
                task.into_job()
            }
            ended => {
                let mut batch = ended.into_vec();
                batch.truncate(usize::try_from(tasks).unwrap_or(usize::MAX));
                for (task, index) in batch.iter_mut().zip(first..) {
                    task.renew(spec, input(index), index, epoch);
                }
                // Fewer ended than are due (the batch before was cut short).
                if let Some(shared) = batch.first().map(|task| task.shared().clone()) {
                    for index in first + batch.len() as u64..first + tasks {
                        batch.push(TaskJob::in_epoch(
                            shared.clone(),
                            spec,
                            input(index),
                            index,
                            epoch,
                        ));
                    }
                }
                Job::tasks(batch)
            }
        };
        // Never full: the queue holds at most the outstanding tasks, and the
        // driver publishes a refill only where inflight fits the queue. A job
        // refused anyway is dropped and its tasks count themselves cancelled.
        drop(self.backend.try_submit(job));
    }

    /// Takes places in flight for one job's worth of tasks and counts them
    /// submitted: (first index, tasks, cancel epoch), or None when no task
    /// may go (in flight full, arrivals off, the run's end reached).
    fn claim(&self, shared: &Shared) -> Option<(u64, u64, u64)> {
        let per_job = shared.batch.max(1) as u64;
        // Take places in flight first, so concurrent top-ups never exceed it.
        let before = shared
            .outstanding
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                (o < self.inflight).then(|| o + per_job.min(self.inflight - o))
            })
            .ok()?;
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
            return None;
        }
        shared
            .registry
            .with_current(|stats| stats.record_submitted_many(tasks));
        Some((first, tasks, epoch))
    }
}
