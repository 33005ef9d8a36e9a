//! inline: the job runs inside the submitting async task, blocking the app
//! runtime's worker thread for its whole duration. The anti-pattern, kept on
//! purpose so its effect can be measured. A semaphore bounds how many app
//! workers jobs may occupy at once (at most all of them).

use futures::FutureExt;
use futures::future::BoxFuture;

use super::resizable_semaphore::ResizableSemaphore;
use super::{Backend, Job, run_contained};
use crate::spec::BackendKind;

pub struct InlineBackend {
    slots: ResizableSemaphore,
    runtime_workers: usize,
}

impl InlineBackend {
    pub fn new(threads: usize, runtime_workers: usize) -> InlineBackend {
        let runtime_workers = runtime_workers.max(1);
        InlineBackend {
            slots: ResizableSemaphore::new(threads.clamp(1, runtime_workers)),
            runtime_workers,
        }
    }
}

impl Backend for InlineBackend {
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

    fn submit(&self, job: Job) -> BoxFuture<'static, ()> {
        let slot = self.slots.acquire();
        async move {
            let _slot = slot.await;
            run_contained(job);
        }
        .boxed()
    }
}
