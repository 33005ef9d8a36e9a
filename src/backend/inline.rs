//! inline: each job runs in its own tokio task on the app runtime, blocking the
//! app worker that polls it for its whole duration. The anti-pattern, kept on
//! purpose so its effect can be measured. A semaphore bounds how many app
//! workers jobs may occupy at once (at most all of them).

use std::sync::Arc;

use tokio::runtime::Handle;

use super::resizable_semaphore::ResizableSemaphore;
use super::{Backend, Runnable, run_contained};
use crate::spec::BackendKind;

pub struct InlineBackend {
    slots: Arc<ResizableSemaphore>,
    runtime_workers: usize,
    /// The app runtime, whose workers the jobs block.
    runtime: Handle,
}

impl InlineBackend {
    pub fn new(threads: usize, runtime_workers: usize, runtime: Handle) -> InlineBackend {
        let runtime_workers = runtime_workers.max(1);
        InlineBackend {
            slots: Arc::new(ResizableSemaphore::new(threads.clamp(1, runtime_workers))),
            runtime_workers,
            runtime,
        }
    }
}

impl<J: Runnable> Backend<J> for InlineBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Inline
    }

    fn threads(&self) -> usize {
        self.slots.permits()
    }

    fn set_threads(&self, threads: usize) -> usize {
        // More than the runtime's workers cannot block more threads.
        self.slots.resize(threads.clamp(1, self.runtime_workers))
    }

    fn try_submit(&self, job: J) -> Result<(), J> {
        // Waiting for a slot happens in the job's own task: a job queued there
        // that sees a stop when its turn comes ends as cancelled at once.
        let slot = self.slots.acquire();
        self.runtime.spawn(async move {
            let _slot = slot.await;
            run_contained(job);
        });
        Ok(())
    }
}
