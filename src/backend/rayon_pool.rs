//! rayon: a dedicated ThreadPool (threads `rayon-N`). rayon pools cannot be
//! resized, so a resize builds a new pool and swaps it in; the old pool is
//! retired: its threads finish the task each is running and then exit.
//!
//! Jobs wait in one FIFO queue of our own; each submission spawns a runner
//! that takes the *oldest* waiting job. A runner spawned from a worker goes to
//! that worker's local deque, ahead of rayon's global queue, so spawning the
//! jobs themselves would let tasks topped up by workers overtake the ones
//! queued earlier; with runners, whoever runs first still serves the oldest.
//!
//! A runner that finds its pool retired takes no job: it passes itself on to
//! the current pool, so a retired pool never starts another task. Threads of
//! every pool of this backend, retired or not, stay within
//! `bounds::RAYON_LIVE_THREADS_MAX`: when a new pool would exceed it, the old
//! one is retired first and the new one is built (by a short-lived
//! `rayon-resize` thread) once enough old threads have exited. Jobs submitted
//! meanwhile wait in the queue.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use crossbeam_queue::SegQueue;

use super::worker_priority::lower_current_thread;
use super::{Backend, Runnable, run_contained};
use crate::bounds::RAYON_LIVE_THREADS_MAX;
use crate::spec::BackendKind;

/// How often a waiting resize looks at the threads still alive.
const RESIZE_POLL: Duration = Duration::from_millis(10);
/// How long a resize waits before trying again after the OS refused threads.
const BUILD_RETRY: Duration = Duration::from_millis(100);

pub struct RayonBackend<J> {
    inner: Arc<Inner<J>>,
}

/// A pool runners may go to, with a number no other pool of the backend had.
struct Installed {
    pool: rayon::ThreadPool,
    generation: u64,
}

struct Inner<J> {
    /// Where runners go now; None while a resize waits for old threads to exit.
    current: ArcSwapOption<Installed>,
    /// Jobs in submission order; every job has a runner on the current pool
    /// (or, between pools, gets one when the next pool is installed), so
    /// every job runs once.
    waiting: SegQueue<J>,
    /// Threads asked for last: what `threads()` reports.
    threads: AtomicUsize,
    /// rayon threads of this backend alive now (or being started), in every pool.
    live: Arc<AtomicUsize>,
    nice: i32,
    /// Held while a pool is built or swapped; true while a `rayon-resize`
    /// thread waits to build the next pool.
    resizing: Mutex<bool>,
    /// The last pool's generation.
    generations: AtomicU64,
}

/// A rayon thread counted in its backend's `live`: uncounted by the thread's
/// own thread-local destructors, the last thing it runs, so a thread that
/// left rayon's loop but still waits for a core to finish exiting counts.
struct LiveThread(Arc<AtomicUsize>);

impl Drop for LiveThread {
    fn drop(&mut self) {
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_sub(1))
            });
    }
}

thread_local! {
    static LIVE_THREAD: std::cell::RefCell<Option<LiveThread>> =
        const { std::cell::RefCell::new(None) };
}

/// rayon threads of this process the OS still lists, whatever their pool or
/// backend: a thread that has run its last code may wait for a core, among
/// hundreds of busy ones, before it is gone. None when /proc is unreadable.
fn os_rayon_threads() -> Option<usize> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    Some(
        tasks
            .filter_map(Result::ok)
            .filter(|task| {
                // `rayon-N`, not `rayon-resize`.
                std::fs::read(task.path().join("comm")).is_ok_and(|comm| {
                    comm.strip_prefix(b"rayon-").is_some_and(|n| {
                        let n = n.trim_ascii_end();
                        !n.is_empty() && n.iter().all(u8::is_ascii_digit)
                    })
                })
            })
            .count(),
    )
}

/// True when a pool of `threads` fits beside the rayon threads alive, as
/// this backend counts them and as the OS lists them.
fn fits(live: &AtomicUsize, threads: usize) -> bool {
    live.load(Ordering::Acquire) + threads <= RAYON_LIVE_THREADS_MAX
        && os_rayon_threads().unwrap_or(0) + threads <= RAYON_LIVE_THREADS_MAX
}

/// Builds a pool of `threads`, counted in `live` from now until each exits.
fn build_pool(
    threads: usize,
    nice: i32,
    live: &Arc<AtomicUsize>,
) -> std::io::Result<rayon::ThreadPool> {
    // Counted before the threads start, so a resize right after sees them.
    live.fetch_add(threads, Ordering::AcqRel);
    let counted = Arc::clone(live);
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("rayon-{index}"))
        .start_handler(move |_| {
            lower_current_thread(nice);
            let guard = LiveThread(Arc::clone(&counted));
            LIVE_THREAD.with(|slot| *slot.borrow_mut() = Some(guard));
        })
        // Without a handler a panicking spawned job aborts the process.
        .panic_handler(|_| tracing::error!("a job panicked on the rayon pool"))
        .build();
    if built.is_err() {
        let _ = live.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            Some(n.saturating_sub(threads))
        });
    }
    built.map_err(std::io::Error::other)
}

impl<J: Runnable> RayonBackend<J> {
    pub fn new(threads: usize, nice: i32) -> std::io::Result<RayonBackend<J>> {
        let threads = threads.clamp(1, RAYON_LIVE_THREADS_MAX);
        let live = Arc::new(AtomicUsize::new(0));
        let pool = build_pool(threads, nice, &live)?;
        Ok(RayonBackend {
            inner: Arc::new(Inner {
                current: ArcSwapOption::from_pointee(Installed {
                    pool,
                    generation: 0,
                }),
                waiting: SegQueue::new(),
                threads: AtomicUsize::new(threads),
                live,
                nice,
                resizing: Mutex::new(false),
                generations: AtomicU64::new(0),
            }),
        })
    }

    /// rayon threads of this backend alive now, in the current pool and in
    /// retired ones still finishing a task.
    pub fn live_threads(&self) -> usize {
        self.inner.live.load(Ordering::Acquire)
    }
}

impl<J: Runnable> Inner<J> {
    /// A runner on `to`: takes the oldest job, unless `to` has been retired
    /// by then; then it passes itself on to the current pool.
    fn spawn_runner(self: &Arc<Self>, to: &Installed) {
        let inner = Arc::clone(self);
        let generation = to.generation;
        to.pool.spawn(move || {
            let current = inner.current.load();
            match current.as_deref() {
                Some(current) if current.generation == generation => {
                    if let Some(oldest) = inner.waiting.pop() {
                        run_contained(oldest);
                    }
                }
                Some(current) => inner.spawn_runner(current),
                // Between pools: the next pool gets a runner per waiting job.
                None => {}
            }
        });
    }

    /// Makes `pool` current. After a stretch without a pool, it gets a runner
    /// for every job that waited (before, runners pass themselves on).
    fn install(self: &Arc<Self>, pool: rayon::ThreadPool) {
        let installed = Arc::new(Installed {
            pool,
            generation: self.generations.fetch_add(1, Ordering::AcqRel) + 1,
        });
        let previous = self.current.swap(Some(Arc::clone(&installed)));
        if previous.is_none() {
            // After the swap: a job pushed later gets its runner from `try_submit`.
            for _ in 0..self.waiting.len() {
                self.spawn_runner(&installed);
            }
        }
    }

    /// The `rayon-resize` thread: waits until the pool asked for fits beside
    /// the threads still alive, then builds and installs it. Ends early if
    /// the backend is dropped.
    fn resize_when_room(weak: Weak<Self>) {
        loop {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let wanted = inner.threads.load(Ordering::Acquire);
            if fits(&inner.live, wanted) {
                let mut resizing = inner
                    .resizing
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let wanted = inner.threads.load(Ordering::Acquire);
                match build_pool(wanted, inner.nice, &inner.live) {
                    Ok(pool) => {
                        inner.install(pool);
                        *resizing = false;
                        return;
                    }
                    Err(error) => {
                        tracing::error!(
                            "rayon pool of {wanted} threads not built: {error}; trying again"
                        );
                        drop(resizing);
                        drop(inner);
                        std::thread::sleep(BUILD_RETRY);
                        continue;
                    }
                }
            }
            drop(inner);
            std::thread::sleep(RESIZE_POLL);
        }
    }
}

impl<J: Runnable> Backend<J> for RayonBackend<J> {
    fn kind(&self) -> BackendKind {
        BackendKind::Rayon
    }

    fn threads(&self) -> usize {
        self.inner.threads.load(Ordering::Acquire)
    }

    fn set_threads(&self, threads: usize) -> usize {
        let inner = &self.inner;
        let threads = threads.clamp(1, RAYON_LIVE_THREADS_MAX);
        let mut resizing = inner
            .resizing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *resizing {
            // The waiting resize builds whatever was asked for last.
            inner.threads.store(threads, Ordering::Release);
            return threads;
        }
        if inner.current.load().is_some() && threads == inner.threads.load(Ordering::Acquire) {
            return threads;
        }
        if fits(&inner.live, threads) {
            return match build_pool(threads, inner.nice, &inner.live) {
                Ok(pool) => {
                    inner.threads.store(threads, Ordering::Release);
                    inner.install(pool);
                    threads
                }
                Err(error) => {
                    tracing::error!("rayon pool of {threads} threads not built: {error}");
                    inner.threads.load(Ordering::Acquire)
                }
            };
        }
        // Retire the current pool first: its runners pass themselves on, its
        // threads exit after their task, and the new pool is built then.
        let weak = Arc::downgrade(inner);
        let spawned = std::thread::Builder::new()
            .name("rayon-resize".into())
            .spawn(move || Inner::resize_when_room(weak));
        match spawned {
            Ok(_) => {
                inner.current.store(None);
                inner.threads.store(threads, Ordering::Release);
                *resizing = true;
                threads
            }
            Err(error) => {
                tracing::error!("rayon pool of {threads} threads not built: {error}");
                inner.threads.load(Ordering::Acquire)
            }
        }
    }

    fn try_submit(&self, job: J) -> Result<(), J> {
        // Unbounded; the driver bounds what is outstanding.
        self.inner.waiting.push(job);
        if let Some(current) = self.inner.current.load().as_deref() {
            self.inner.spawn_runner(current);
        }
        Ok(())
    }

    fn cancel_queued(&self) {
        // Their runners, left without a job, find the queue empty and return.
        while let Some(job) = self.inner.waiting.pop() {
            drop(job);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::{Duration, Instant};

    use super::*;

    type Job = Box<dyn FnOnce() + Send + 'static>;

    #[test]
    fn resizes_past_the_cap_retire_old_pools_first_and_run_every_job_once() {
        let backend = RayonBackend::<Job>::new(300, 0).expect("pool");
        let ran = Arc::new(AtomicUsize::new(0));
        let mut peak = backend.live_threads();
        let jobs = 600;
        for round in 0..12 {
            for _ in 0..jobs / 12 {
                let ran = Arc::clone(&ran);
                let job: Job = Box::new(move || {
                    std::thread::sleep(Duration::from_millis(1));
                    ran.fetch_add(1, Ordering::Relaxed);
                });
                assert!(backend.try_submit(job).is_ok());
            }
            // 300 and 301 alternately: each needs the old pool gone first.
            assert_eq!(backend.set_threads(300 + round % 2), 300 + round % 2);
            peak = peak.max(backend.live_threads());
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while ran.load(Ordering::Relaxed) < jobs && Instant::now() < deadline {
            peak = peak.max(backend.live_threads());
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(ran.load(Ordering::Relaxed), jobs, "every job ran");
        assert!(peak <= RAYON_LIVE_THREADS_MAX, "{peak} rayon threads alive");
        // Nothing runs twice: the count stays put.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(ran.load(Ordering::Relaxed), jobs);
        assert_eq!(backend.threads(), 301);
    }
}
