//! Backends: where a job runs. Each can change its thread count while tasks
//! flow, without losing or repeating a task.

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::spec::BackendKind;

pub mod channel_pool;
pub mod inline;
pub mod rayon_pool;
pub mod resizable_semaphore;
pub mod spawn_blocking;
pub mod worker_priority;

/// Work a backend carries: it runs once, to its end, on the thread that takes
/// it. Backends know nothing else of it; the engine's task jobs, a test's
/// closure and a benchmark's payload are all one to them.
pub trait Runnable: Send + 'static {
    fn run(self);
}

/// Any boxed closure (tests, benchmarks).
impl Runnable for Box<dyn FnOnce() + Send + 'static> {
    fn run(self) {
        self()
    }
}

/// Generic over the job type so the engine's jobs travel by value: no box or
/// virtual call per job beyond what the backend itself needs.
pub trait Backend<J: Runnable>: Send + Sync + 'static {
    fn kind(&self) -> BackendKind;

    /// Worker threads (for inline: app workers that jobs may occupy at once).
    fn threads(&self) -> usize;

    /// Resizes live; returns the thread count actually applied (clamped to >= 1).
    fn set_threads(&self, threads: usize) -> usize;

    /// Hands a job over without waiting: accepted, or the job back when the
    /// backend's queue is full. Never blocks the caller.
    fn try_submit(&self, job: J) -> Result<(), J>;

    /// Resolves once `try_submit` may accept again (it may still find the queue
    /// full if another producer was faster; then wait again). Backends that
    /// never refuse a job resolve at once.
    fn room(&self) -> BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }

    /// Drops the jobs waiting in the backend's own queue, on the caller's
    /// thread; running jobs go on. A stop calls it so queued work ends at
    /// once rather than when a worker frees up, which after a long task may
    /// be never within the stop's grace. Backends without a queue of their
    /// own (the job waits where a worker will see the stop) do nothing.
    fn cancel_queued(&self) {}
}

/// Builds a backend. `app` is the app runtime (inline and spawn-blocking live on it).
pub fn build<J: Runnable>(
    kind: BackendKind,
    threads: usize,
    runtime_workers: usize,
    app: &tokio::runtime::Handle,
    worker_nice: i32,
) -> std::io::Result<Arc<dyn Backend<J>>> {
    Ok(match kind {
        BackendKind::Inline => Arc::new(inline::InlineBackend::new(
            threads,
            runtime_workers,
            app.clone(),
        )),
        BackendKind::SpawnBlocking => Arc::new(spawn_blocking::SpawnBlockingBackend::new(
            threads,
            app.clone(),
        )),
        BackendKind::Rayon => Arc::new(rayon_pool::RayonBackend::new(threads, worker_nice)?),
        BackendKind::Channel => Arc::new(channel_pool::ChannelBackend::new(threads, worker_nice)?),
    })
}

/// Runs a job, containing a panic so the worker thread keeps serving. Jobs built
/// by the engine catch their own panics (to count them as failed); this is the
/// backstop for any other job.
pub(crate) fn run_contained<J: Runnable>(job: J) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run())).is_err() {
        tracing::error!("a job panicked outside the engine's task wrapper");
    }
}
