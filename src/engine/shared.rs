//! State shared by the driver, the jobs, the probes, the sampler and the
//! controller. Everything a job touches is atomic; locks guard rare paths only.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use arc_swap::ArcSwap;
use tokio::sync::Notify;

use crate::backend::Backend;
use crate::metrics::atomic_histogram::AtomicHistogram;
use crate::metrics::registry::Registry;
use crate::metrics::snapshot::BlockEvent;
use crate::spec::{LoadMode, WorkloadSpec};

/// Failed tasks kept in full; the rest are only counted.
pub const ERROR_CAP: usize = 100;

/// The backend new tasks go to.
pub struct CurrentBackend {
    pub backend: Arc<dyn Backend>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskError {
    /// The file (relative to --path) or `task N`.
    pub path: String,
    pub error: String,
}

#[derive(Default)]
pub struct ErrorLog {
    pub kept: Vec<TaskError>,
    pub dropped: u64,
    /// The newest error, kept past the cap for the dashboard.
    pub latest: Option<TaskError>,
}

pub struct Shared {
    pub started: Instant,
    /// Task timestamps: raw TSC reads (a few ns) scaled only when recorded.
    pub clock: quanta::Clock,
    pub runtime_workers: usize,
    pub registry: Registry,
    pub current: ArcSwap<CurrentBackend>,
    pub workload: ArcSwap<WorkloadSpec>,
    pub load: ArcSwap<LoadMode>,
    pub paused: AtomicBool,
    /// Arrivals stopped (the `s` key or a finished bounded run).
    pub stopped: AtomicBool,
    /// A driver is submitting.
    pub running: AtomicBool,
    /// Tasks submitted before this epoch are cancelled when they reach a worker.
    pub cancel_epoch: AtomicU64,
    /// Bumped when backend, threads or workload change.
    pub generation: AtomicU64,
    /// Submitted and not yet ended, as the driver counts them.
    pub outstanding: AtomicU64,
    /// The driver sleeps on this while it has nothing to do.
    pub wake_driver: Notify,
    /// Wake the driver when `outstanding` falls to this.
    pub refill_at: AtomicU64,
    /// Every `n`th task panics on purpose (0 = never): fault injection.
    pub panic_every: u64,
    /// Nice value of backend threads (pools built later use it too).
    pub worker_nice: i32,
    pub errors: Mutex<ErrorLog>,
    pub heartbeat: AtomicHistogram,
    pub echo: AtomicHistogram,
    pub blocked_events: AtomicU64,
    pub last_block: Mutex<Option<BlockEvent>>,
    pub shutting_down: AtomicBool,
    /// Open-loop arrivals not submitted because too many were outstanding.
    pub arrivals_dropped: AtomicU64,
    /// The sampler zeroes its cumulative statistics at its next tick.
    pub reset_requested: AtomicBool,
    /// What a scenario or guided demo says is happening now.
    pub caption: Mutex<Option<String>>,
}

impl Shared {
    /// Called exactly once per task, after its outcome was recorded.
    #[inline]
    pub fn task_ended(&self) {
        let left = self.outstanding.fetch_sub(1, Ordering::AcqRel) - 1;
        if left <= self.refill_at.load(Ordering::Relaxed) {
            self.wake_driver.notify_one();
        }
    }

    /// Stops arrivals and cancels every queued task: each sees the new epoch
    /// when it reaches a worker and ends at once; running tasks finish.
    pub fn stop_arrivals(&self) {
        self.stopped.store(true, Ordering::Release);
        self.cancel_epoch.fetch_add(1, Ordering::AcqRel);
    }

    pub fn record_error(&self, path: String, error: String) {
        let mut log = self.errors.lock().unwrap_or_else(PoisonError::into_inner);
        log.latest = Some(TaskError {
            path: path.clone(),
            error: error.clone(),
        });
        if log.kept.len() < ERROR_CAP {
            log.kept.push(TaskError { path, error });
        } else {
            log.dropped += 1;
        }
    }

    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub fn elapsed_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}
