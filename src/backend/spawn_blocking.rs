//! spawn-blocking: tokio's blocking pool of the app runtime. tokio's own cap
//! (512 threads) and queue are fixed and unbounded, so a resizable semaphore
//! sets the concurrency: a blocking thread runs only while it holds a permit.
//!
//! A permit holder runs queued jobs back to back instead of returning to the
//! app runtime after each one: a round trip per job (release the permit, wake
//! an app worker, spawn_blocking again) left the pool idle a third of the time
//! and made tokio churn through threads.

use std::sync::Arc;

use crossbeam_queue::SegQueue;
use tokio::runtime::Handle;

use super::resizable_semaphore::{Permit, ResizableSemaphore};
use super::{Backend, Runnable, run_contained};
use crate::spec::BackendKind;

pub struct SpawnBlockingBackend<J> {
    slots: Arc<ResizableSemaphore>,
    queue: Arc<SegQueue<J>>,
    /// The app runtime, whose blocking pool this is.
    runtime: Handle,
}

impl<J: Runnable> SpawnBlockingBackend<J> {
    pub fn new(threads: usize, runtime: Handle) -> SpawnBlockingBackend<J> {
        SpawnBlockingBackend {
            slots: Arc::new(ResizableSemaphore::new(threads)),
            queue: Arc::new(SegQueue::new()),
            runtime,
        }
    }

    /// Starts a permit holder on a blocking thread if a permit is free.
    fn start_holder(&self) -> bool {
        let Some(permit) = self.slots.try_acquire() else {
            return false;
        };
        let (slots, queue) = (self.slots.clone(), self.queue.clone());
        self.runtime
            .spawn_blocking(move || drain(permit, &slots, &queue));
        true
    }
}

/// Runs queued jobs while holding a permit. Before taking each job it gives
/// the permit back if the pool is shrinking, so no job starts above the new
/// target. After releasing it looks at the queue once more: a job pushed while
/// every permit was held is never left behind.
fn drain<J: Runnable>(mut permit: Permit, slots: &ResizableSemaphore, queue: &SegQueue<J>) {
    loop {
        while !slots.shrinking() {
            let Some(job) = queue.pop() else { break };
            run_contained(job);
        }
        drop(permit);
        if queue.is_empty() {
            return;
        }
        match slots.try_acquire() {
            Some(again) => permit = again,
            // Every permit is held: their holders will take the job.
            None => return,
        }
    }
}

impl<J: Runnable> Backend<J> for SpawnBlockingBackend<J> {
    fn kind(&self) -> BackendKind {
        BackendKind::SpawnBlocking
    }

    fn threads(&self) -> usize {
        self.slots.permits()
    }

    fn set_threads(&self, threads: usize) -> usize {
        let applied = self.slots.resize(threads);
        // New permits must find the queued work.
        while !self.queue.is_empty() && self.start_holder() {}
        applied
    }

    fn try_submit(&self, job: J) -> Result<(), J> {
        // The queue is unbounded; the driver bounds what is outstanding.
        self.queue.push(job);
        self.start_holder();
        Ok(())
    }

    fn cancel_queued(&self) {
        while let Some(job) = self.queue.pop() {
            drop(job);
        }
    }
}
