//! One task of a given kernel, size and seed on the *current* backend, awaited
//! by an async caller (an HTTP request): the driver's hand-over and accounting,
//! with the task's outcome sent back through a oneshot. The caller sees queue
//! wait, service time and the total it waited, hand-back included.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio::sync::oneshot;

use super::shared::Shared;
use super::task_job::TaskJob;
use crate::bounds;
use crate::spec::{BackendKind, Dist, Kernel, WorkloadSpec};
use crate::workload::TaskInput;

/// Every single task is task 0 of its own workload: its result (and its term
/// of the run's checksum) depends only on kernel, size and seed.
const SINGLE_TASK_INDEX: u64 = 0;

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SingleTask {
    pub kernel: Kernel,
    pub size: u64,
    pub seed: u64,
}

/// What a task that ran sends to the caller awaiting it.
#[derive(Debug)]
pub struct TaskReply {
    pub queue_ns: u64,
    pub service_ns: u64,
    pub digest: u64,
    /// The thread that ran it.
    pub thread: String,
    /// The task's error when it failed.
    pub failure: Option<String>,
}

/// A task that completed, as its caller saw it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SingleTaskResult {
    pub kernel: Kernel,
    pub size: u64,
    pub seed: u64,
    pub backend: BackendKind,
    pub thread: String,
    /// Submission to start, measured by the task.
    pub queue_us: f64,
    /// Start to end, measured by the task.
    pub service_us: f64,
    /// Submission to the caller holding the result: queue + service + hand-back.
    pub total_us: f64,
    /// The kernel's result digest, 16 hex digits.
    pub digest: String,
    /// On inline: the task blocked the app worker that would answer requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a single task gave no result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SingleTaskError {
    /// The backend's queue is full; the task was counted cancelled.
    #[error("the {0} backend's queue is full; try again later")]
    Full(BackendKind),
    /// A stop, the run's deadline or a shutdown cancelled it before it ran.
    #[error("the task was cancelled before it ran (a stop, the run's end or a shutdown)")]
    Cancelled,
    /// The engine is shutting down: nothing new is submitted.
    #[error("loadlab is shutting down")]
    ShuttingDown,
    /// Tasks in flight (the driver's and the service's together) are at their
    /// bound; the task was not submitted.
    #[error("{0} tasks are in flight, the most loadlab holds; try again later")]
    AtCapacity(usize),
    /// The task ran and failed.
    #[error("the task failed: {0}")]
    Failed(String),
}

/// What the HTTP service may do with the engine: run single tasks, read the
/// workload's seed. It hands out nothing else of the engine's state.
#[derive(Clone)]
pub struct TaskRunner {
    shared: Arc<Shared>,
}

impl TaskRunner {
    pub(crate) fn new(shared: Arc<Shared>) -> TaskRunner {
        TaskRunner { shared }
    }

    /// The seed of the engine's current workload (a request without `seed`).
    pub fn default_seed(&self) -> u64 {
        self.shared.workload.load().seed
    }

    /// Submits one task to the current backend and awaits its outcome. Counted
    /// like every task (submitted, then completed, failed or cancelled exactly
    /// once), and in flight with the driver's under one bound. Dropping the
    /// future (the caller went away) cancels the task if it has not started.
    /// On `inline` the task runs on an app worker, blocking it: the
    /// anti-pattern, for real.
    pub async fn run(&self, task: SingleTask) -> Result<SingleTaskResult, SingleTaskError> {
        run_single_task(&self.shared, task).await
    }
}

async fn run_single_task(
    shared: &Arc<Shared>,
    task: SingleTask,
) -> Result<SingleTaskResult, SingleTaskError> {
    if shared.shutting_down.load(Ordering::Acquire) {
        return Err(SingleTaskError::ShuttingDown);
    }
    let spec = Arc::new(WorkloadSpec {
        kernel: task.kernel,
        size: task.size,
        dist: Dist::Fixed,
        seed: task.seed,
        path: None,
        cpu_share: shared.workload.load().cpu_share,
    });
    let backend = shared.current.load_full().backend.clone();
    // A place among the tasks in flight, the same count the driver fills, taken
    // before the task exists: at the bound nothing is queued anywhere.
    let cap = bounds::HTTP_TASKS_MAX as u64;
    if shared
        .outstanding
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
            (o < cap).then_some(o + 1)
        })
        .is_err()
    {
        return Err(SingleTaskError::AtCapacity(bounds::HTTP_TASKS_MAX));
    }
    shared
        .registry
        .with_current(|stats| stats.record_submitted());
    let submitted = Instant::now();
    let (reply_to, reply) = oneshot::channel();
    let input = TaskInput::Synthetic {
        index: SINGLE_TASK_INDEX,
        size: task.size,
    };
    // The task holds the place from here and gives it back when it ends.
    let job = TaskJob::new(shared.clone(), &spec, input, SINGLE_TASK_INDEX)
        .with_reply(reply_to)
        .into_job();
    if let Err(refused) = backend.try_submit(job) {
        // Dropped unrun, the task counts itself cancelled.
        drop(refused);
        return Err(SingleTaskError::Full(backend.kind()));
    }
    // A task cancelled (or dropped by a backend going away) drops its sender.
    let reply = reply.await.map_err(|_| SingleTaskError::Cancelled)?;
    let total_us = submitted.elapsed().as_secs_f64() * 1e6;
    if let Some(failure) = reply.failure {
        return Err(SingleTaskError::Failed(failure));
    }
    let note = (backend.kind() == BackendKind::Inline).then(|| {
        format!(
            "inline: this task ran on app worker {} and blocked it for {:.1} ms; \
             requests that worker would have answered (this one's included) waited meanwhile",
            reply.thread,
            reply.service_ns as f64 / 1e6
        )
    });
    Ok(SingleTaskResult {
        note,
        kernel: task.kernel,
        size: task.size,
        seed: task.seed,
        backend: backend.kind(),
        thread: reply.thread,
        queue_us: reply.queue_ns as f64 / 1e3,
        service_us: reply.service_ns as f64 / 1e3,
        total_us,
        digest: format!("{:016x}", reply.digest),
    })
}
