//! rayon: a dedicated ThreadPool (threads `rayon-N`). rayon pools cannot be
//! resized, so a resize builds a new pool and swaps it in;
//! the old pool finishes the jobs it already holds (spawned jobs keep a rayon
//! registry alive until they ran) and its threads then exit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arc_swap::ArcSwap;

use super::worker_priority::lower_current_thread;
use super::{Backend, Runnable, run_contained};
use crate::spec::BackendKind;

pub struct RayonBackend {
    pool: ArcSwap<rayon::ThreadPool>,
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

impl RayonBackend {
    pub fn new(threads: usize, nice: i32) -> std::io::Result<RayonBackend> {
        let threads = threads.max(1);
        Ok(RayonBackend {
            pool: ArcSwap::from_pointee(build_pool(threads, nice)?),
            threads: AtomicUsize::new(threads),
            nice,
        })
    }

    /// The pool jobs go to now (benchmarks compare against it directly).
    pub fn pool(&self) -> Arc<rayon::ThreadPool> {
        self.pool.load_full()
    }
}

impl<J: Runnable> Backend<J> for RayonBackend {
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
        // rayon's queue is unbounded; the driver bounds what is outstanding.
        self.pool.load().spawn(move || run_contained(job));
        Ok(())
    }
}
