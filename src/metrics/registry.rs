//! The set of per-thread stats of one engine. A thread registers itself the
//! first time it records (one short lock per thread lifetime); after that it
//! reaches its own `ThreadStats` through a thread-local, without any lock.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::thread_stats::ThreadStats;

static NEXT_REGISTRY_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's stats in each registry it recorded into (normally one).
    static CURRENT: RefCell<Vec<(u64, Arc<ThreadStats>)>> = const { RefCell::new(Vec::new()) };
}

pub struct Registry {
    id: u64,
    threads: Mutex<Vec<Arc<ThreadStats>>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            id: NEXT_REGISTRY_ID.fetch_add(1, Ordering::Relaxed),
            threads: Mutex::new(Vec::new()),
        }
    }
}

impl Registry {
    /// Runs `f` with the calling thread's stats, registering the thread on first use.
    #[inline]
    pub fn with_current<R>(&self, f: impl FnOnce(&ThreadStats) -> R) -> R {
        CURRENT.with(|current| {
            // The common case: no Arc clone, no lock, just a borrow.
            if let Some((_, stats)) = current.borrow().iter().find(|(id, _)| *id == self.id) {
                return f(stats);
            }
            let stats = Arc::new(ThreadStats::new(current_tid(), current_thread_name()));
            self.threads
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(stats.clone());
            current.borrow_mut().push((self.id, stats.clone()));
            f(&stats)
        })
    }

    /// Every registered thread's stats, live or exited.
    pub fn all(&self) -> Vec<Arc<ThreadStats>> {
        self.threads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Removes and returns the stats of threads that have exited (only the registry
    /// still holds them), so a long session with churning threads stays bounded.
    pub fn take_exited(&self) -> Vec<Arc<ThreadStats>> {
        let mut threads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
        // Called every sample: with hundreds of threads and none gone, move nothing.
        if !threads.iter().any(|stats| Arc::strong_count(stats) == 1) {
            return Vec::new();
        }
        let (exited, live): (Vec<_>, Vec<_>) = threads
            .drain(..)
            .partition(|stats| Arc::strong_count(stats) == 1);
        *threads = live;
        exited
    }
}

/// The calling thread's kernel thread id, from /proc/thread-self (Linux); 0 elsewhere.
pub fn current_tid() -> i32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|link| {
            link.file_name()
                .and_then(|tid| tid.to_str())
                .and_then(|tid| tid.parse().ok())
        })
        .unwrap_or(0)
}

fn current_thread_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_string()
}
