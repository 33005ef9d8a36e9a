//! One task on its way through a backend: it times itself, runs its kernel
//! with panics contained, records its outcome in its thread's stats, and ends
//! exactly once: dropped without running, it counts itself cancelled.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::job::Job;
use super::refill::Ended;
use super::shared::Shared;
use super::single_task::TaskReply;
use crate::metrics::thread_stats::TaskEnd;
use crate::metrics::work_times::{self, TaskSource, WorkKind};
use crate::spec::{Kernel, WorkloadSpec};
use crate::workload::{TaskFailure, TaskInput, TaskOutput, checksum, run_task};

pub struct TaskJob {
    shared: Arc<Shared>,
    kernel: Kernel,
    seed: u64,
    cpu_share: u8,
    input: TaskInput,
    /// Position in the run; the checksum key of synthetic tasks.
    index: u64,
    /// Raw clock reading at submission (see `Shared::clock`).
    submitted_at: u64,
    epoch: u64,
    ended: bool,
    /// Its place in flight is given back by the batch it runs in, once for
    /// all the batch's tasks, rather than by the task itself.
    place_held_by_batch: bool,
    /// A caller awaiting this task's result (one HTTP request); dropped
    /// unanswered when the task is cancelled.
    reply: Option<tokio::sync::oneshot::Sender<TaskReply>>,
}

impl TaskJob {
    pub fn new(
        shared: Arc<Shared>,
        workload: &WorkloadSpec,
        input: TaskInput,
        index: u64,
    ) -> TaskJob {
        let epoch = shared.cancel_epoch.load(Ordering::Acquire);
        TaskJob::in_epoch(shared, workload, input, index, epoch)
    }

    /// A task of a given cancel epoch (read by the caller before it checked
    /// that arrivals may go on).
    pub fn in_epoch(
        shared: Arc<Shared>,
        workload: &WorkloadSpec,
        input: TaskInput,
        index: u64,
        epoch: u64,
    ) -> TaskJob {
        let submitted_at = shared.clock.raw();
        TaskJob {
            shared,
            kernel: workload.kernel,
            seed: workload.seed,
            cpu_share: workload.cpu_share,
            input,
            index,
            submitted_at,
            epoch,
            ended: false,
            place_held_by_batch: false,
            reply: None,
        }
    }

    /// The task sends its outcome to `reply` when it ends having run.
    pub fn with_reply(mut self, reply: tokio::sync::oneshot::Sender<TaskReply>) -> TaskJob {
        self.reply = Some(reply);
        self
    }

    pub fn into_job(self) -> Job {
        Job::task(self)
    }

    /// Runs the task (or, after a stop or past the deadline, cancels it); a
    /// task that ran lets a published refill submit its successor, which is
    /// this same task renewed: no reference count taken, no allocation.
    pub fn run(mut self) {
        let started = self.shared.clock.raw();
        if self.execute(started).is_some() {
            // The guard does not borrow `self`: the task can move into the refill.
            let refill = self.shared.refill.load();
            if let Some(refill) = &*refill {
                refill.top_up(Ended::One(self));
            }
        }
    }

    /// Runs tasks in order as one job (`--batch`); when any ran, a published
    /// refill submits the next batch (these tasks and their vector, renewed).
    /// The tasks give their places in flight back together at the end (one
    /// update of a counter every thread shares, not one per task), and each
    /// starts at the clock reading its predecessor ended at.
    pub fn run_batch(mut tasks: Vec<TaskJob>) {
        let Some(first) = tasks.first() else {
            return;
        };
        let mut ran = false;
        let mut now = first.shared.clock.raw();
        for task in &mut tasks {
            task.place_held_by_batch = true;
            match task.execute(now) {
                Some(finished) => {
                    ran = true;
                    now = finished;
                }
                None => now = task.shared.clock.raw(),
            }
        }
        let Some(first) = tasks.first() else {
            return;
        };
        // Every task ended in `execute` (ran or cancelled), none gave its place back.
        first.shared.places_given_back(tasks.len() as u64);
        if ran {
            let refill = first.shared.refill.load();
            if let Some(refill) = &*refill {
                refill.top_up(Ended::Many(tasks));
            }
        }
    }

    /// Makes an ended task the next one: the same engine, a new input and
    /// index, submitted now, in `epoch`.
    pub fn renew(&mut self, workload: &WorkloadSpec, input: TaskInput, index: u64, epoch: u64) {
        debug_assert!(self.ended && self.reply.is_none());
        self.kernel = workload.kernel;
        self.seed = workload.seed;
        self.cpu_share = workload.cpu_share;
        self.input = input;
        self.index = index;
        self.submitted_at = self.shared.clock.raw();
        self.epoch = epoch;
        self.ended = false;
        self.place_held_by_batch = false;
    }

    /// The engine this task belongs to.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Runs the task from clock reading `started`, or ends it as cancelled;
    /// the clock reading it finished at if it ran.
    fn execute(&mut self, started: u64) -> Option<u64> {
        if self.epoch < self.shared.cancel_epoch.load(Ordering::Acquire)
            || self.shared.past_deadline(started)
            || self.caller_gone()
        {
            self.end_cancelled();
            return None;
        }
        let watched = self.watched_kind();
        if let Some(kind) = watched {
            self.shared.work_times.started(kind, self.nanos_at(started));
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| self.compute()));
        let finished = self.shared.clock.raw();
        if let Some(kind) = watched {
            let (from, to) = (self.nanos_at(started), self.nanos_at(finished));
            self.shared.work_times.ended(kind, from, to);
        }
        if crate::workload::memory_budget::take_gave_up() {
            // Stopped while waiting for memory: it ran nothing.
            self.end_cancelled();
            return None;
        }
        let mut failure = None;
        let (end, output) = match outcome {
            Ok(Ok(output)) => (TaskEnd::Completed, output),
            Ok(Err(error)) => {
                let error = error.to_string();
                if self.reply.is_some() {
                    failure = Some(error.clone());
                }
                self.shared.record_error(self.label(), error);
                (TaskEnd::Failed, TaskOutput::default())
            }
            Err(panic) => {
                let error = format!(
                    "job panicked: {}",
                    panic_message(&*panic).unwrap_or_else(|| "non-string panic payload".into())
                );
                if self.reply.is_some() {
                    failure = Some(error.clone());
                }
                self.shared.record_error(self.label(), error);
                (TaskEnd::Failed, TaskOutput::default())
            }
        };
        let checksum_term = match (end, &self.input) {
            (TaskEnd::Completed, TaskInput::Synthetic { index, .. }) => {
                checksum::task_term(*index, output.digest)
            }
            // A file's digest already covers its name.
            (TaskEnd::Completed, _) => checksum::task_term(0, output.digest),
            _ => 0,
        };
        let clock = &self.shared.clock;
        let queue_ns = clock.delta_as_nanos(self.submitted_at, started);
        let service_ns = clock.delta_as_nanos(started, finished);
        self.shared.registry.with_current(|stats| {
            stats.record_ran(end, queue_ns, service_ns, &output, checksum_term)
        });
        self.ended = true;
        self.give_place_back();
        if let Some(reply) = self.reply.take() {
            // The caller may have given up waiting (a timeout): nothing to tell then.
            let _ = reply.send(TaskReply {
                queue_ns,
                service_ns,
                digest: output.digest,
                thread: std::thread::current()
                    .name()
                    .unwrap_or("unnamed")
                    .to_string(),
                failure,
            });
        }
        Some(finished)
    }

    /// The kind of task this is, when the stall blame needs its running
    /// time: it runs on an app worker, or for a `/work` request.
    #[inline]
    fn watched_kind(&self) -> Option<WorkKind> {
        let on_app_worker = work_times::on_app_worker();
        let source = if self.reply.is_some() {
            TaskSource::Http
        } else {
            TaskSource::Driver
        };
        (on_app_worker || source == TaskSource::Http).then_some(WorkKind {
            source,
            kernel: self.kernel,
            on_app_worker,
        })
    }

    /// A raw clock reading as nanoseconds since the engine started.
    fn nanos_at(&self, raw: u64) -> u64 {
        self.shared
            .clock
            .delta_as_nanos(self.shared.clock_origin, raw)
    }

    /// The request awaiting this task went away (its client disconnected or
    /// its time ran out): nobody wants the result any more.
    #[inline]
    fn caller_gone(&self) -> bool {
        self.reply.as_ref().is_some_and(|reply| reply.is_closed())
    }

    fn give_place_back(&self) {
        if !self.place_held_by_batch {
            self.shared.task_ended();
        }
    }

    /// Counts the task cancelled, once.
    fn end_cancelled(&mut self) {
        if !self.ended {
            self.ended = true;
            self.shared
                .registry
                .with_current(|stats| stats.record_cancelled());
            self.give_place_back();
        }
    }

    fn compute(&self) -> Result<TaskOutput, TaskFailure> {
        let _marker = InJob::enter();
        let every = self.shared.panic_every;
        if every > 0 && (self.index + 1).is_multiple_of(every) {
            panic!(
                "fault injected into one task in {every} (task {})",
                self.index
            );
        }
        // A stop or deadline moves the cancel epoch past this task's: a wait
        // for memory budget ends then.
        let still_wanted = || self.epoch >= self.shared.cancel_epoch.load(Ordering::Acquire);
        run_task(
            self.kernel,
            self.seed,
            self.cpu_share,
            &self.input,
            &still_wanted,
        )
    }

    fn label(&self) -> String {
        match &self.input {
            TaskInput::Synthetic { index, .. } => format!("task {index}"),
            TaskInput::File { name, .. } | TaskInput::Invalid { name, .. } => name.clone(),
        }
    }
}

impl Drop for TaskJob {
    fn drop(&mut self) {
        self.end_cancelled();
    }
}

thread_local! {
    static IN_JOB: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread runs a task's kernel. The panic hook uses it to tell
/// a job's panic (caught, counted as failed) from a real crash.
pub fn in_job() -> bool {
    IN_JOB.with(|flag| flag.get())
}

struct InJob;

impl InJob {
    fn enter() -> InJob {
        IN_JOB.with(|flag| flag.set(true));
        InJob
    }
}

impl Drop for InJob {
    fn drop(&mut self) {
        IN_JOB.with(|flag| flag.set(false));
    }
}

/// The text of a panic's payload, when it is a string (it almost always is).
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> Option<String> {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
}

/// Installs a panic hook that keeps a job's panic quiet (it is caught, counted
/// as failed and listed in the report) and leaves every other panic to the
/// previous hook. Install it before any hook that restores the terminal.
pub fn quiet_job_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if in_job() {
            tracing::debug!("job panicked: {info}");
        } else {
            previous(info);
        }
    }));
}
