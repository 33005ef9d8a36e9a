//! rayon: a dedicated ThreadPool (threads `rayon-N`). rayon pools cannot be
//! resized, so a resize builds a new pool and swaps it in;
//! the old pool finishes the jobs it already holds (spawned jobs keep a rayon
//! registry alive until they ran) and its threads then exit.
//!
//! Jobs wait in one FIFO queue of our own; each submission spawns a runner
//! that takes the *oldest* waiting job. A runner spawned from a worker goes to
//! that worker's local deque, ahead of rayon's global queue, so spawning the
//! jobs themselves would let tasks topped up by workers overtake the ones
//! queued earlier; with runners, whoever runs first still serves the oldest.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arc_swap::ArcSwap;
use crossbeam_queue::SegQueue;

use super::worker_priority::lower_current_thread;
use super::{Backend, Runnable, run_contained};
use crate::spec::BackendKind;

pub struct RayonBackend<J> {
    pool: ArcSwap<rayon::ThreadPool>,
    /// Jobs in submission order; exactly one runner is spawned per job, so
    /// every job runs once, and a resized-away pool runs only as many jobs as
    /// it was handed runners.
    waiting: Arc<SegQueue<J>>,
    threads: AtomicUsize,
    nice: i32,
}

fn build_pool(threads: usize, nice: i32) -> std::io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("rayon-{index}"))
        .start_handler(move |_| lower_current_thread(nice))
        // Without a handler a panicking spawned job aborts the process.
        .panic_handler(|_| tracing::error!("a job panicked on the rayon pool"))
        .build()
        .map_err(std::io::Error::other)
}

impl<J: Runnable> RayonBackend<J> {
    pub fn new(threads: usize, nice: i32) -> std::io::Result<RayonBackend<J>> {
        let threads = threads.max(1);
        Ok(RayonBackend {
            pool: ArcSwap::from_pointee(build_pool(threads, nice)?),
            waiting: Arc::new(SegQueue::new()),
            threads: AtomicUsize::new(threads),
            nice,
        })
    }

    /// The pool jobs go to now (benchmarks compare against it directly).
    pub fn pool(&self) -> Arc<rayon::ThreadPool> {
        self.pool.load_full()
    }
}

impl<J: Runnable> Backend<J> for RayonBackend<J> {
    fn kind(&self) -> BackendKind {
        BackendKind::Rayon
    }

    fn threads(&self) -> usize {
        self.threads.load(Ordering::Acquire)
    }

    fn set_threads(&self, threads: usize) -> usize {
        let threads = threads.max(1);
        match build_pool(threads, self.nice) {
            Ok(pool) => {
                self.pool.store(Arc::new(pool));
                self.threads.store(threads, Ordering::Release);
                threads
            }
            Err(error) => {
                tracing::error!("rayon pool of {threads} threads not built: {error}");
                self.threads.load(Ordering::Acquire)
            }
        }
    }

    fn try_submit(&self, job: J) -> Result<(), J> {
        // Unbounded; the driver bounds what is outstanding.
        self.waiting.push(job);
        let waiting = Arc::clone(&self.waiting);
        self.pool.load().spawn(move || {
            if let Some(oldest) = waiting.pop() {
                run_contained(oldest);
            }
        });
        Ok(())
    }

    fn cancel_queued(&self) {
        // Their runners, left without a job, find the queue empty and return.
        while let Some(job) = self.waiting.pop() {
            drop(job);
        }
    }
}
