//! spawn-blocking: tokio's blocking pool of the app runtime. tokio's own cap
//! (512 threads) and queue are fixed and unbounded, so a resizable semaphore
//! acquired before spawning is what sets the concurrency.

use futures::FutureExt;
use futures::future::BoxFuture;

use super::resizable_semaphore::ResizableSemaphore;
use super::{Backend, Job, run_contained};
use crate::spec::BackendKind;

pub struct SpawnBlockingBackend {
    slots: ResizableSemaphore,
}

impl SpawnBlockingBackend {
    pub fn new(threads: usize) -> SpawnBlockingBackend {
        SpawnBlockingBackend {
            slots: ResizableSemaphore::new(threads),
        }
    }
}

impl Backend for SpawnBlockingBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::SpawnBlocking
    }

    fn threads(&self) -> usize {
        self.slots.permits()
    }

    fn set_threads(&self, threads: usize) -> usize {
        self.slots.resize(threads)
    }

    fn submit(&self, job: Job) -> BoxFuture<'static, ()> {
        let slot = self.slots.acquire();
        async move {
            let slot = slot.await;
            // Must be called from the app runtime (the driver's tasks are).
            tokio::task::spawn_blocking(move || {
                run_contained(job);
                drop(slot);
            });
        }
        .boxed()
    }
}
