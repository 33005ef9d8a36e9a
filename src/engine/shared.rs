//! State shared by the driver, the jobs, the probes, the sampler and the
//! controller. Everything a job touches is atomic; locks guard rare paths only.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use arc_swap::ArcSwap;
use crossbeam_utils::CachePadded;
use tokio::sync::Notify;

use super::job::Job;
use crate::backend::Backend;
use crate::metrics::observed::Observed;
use crate::metrics::probe_stats::ProbeStats;
use crate::metrics::registry::Registry;
use crate::metrics::snapshot::ConfigView;
use crate::spec::{LoadMode, WorkloadSpec};

/// Failed tasks kept in full; the rest are only counted.
pub const ERROR_CAP: usize = 100;

/// `Shared::deadline_ns` of a run without a deadline.
pub const NO_DEADLINE: u64 = u64::MAX;

/// The backend new tasks go to.
pub struct CurrentBackend {
    pub backend: Arc<dyn Backend<Job>>,
}

/// What a run's elapsed time covers: its first submission to its last task's end.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunSpan {
    pub first_submission: Option<Instant>,
    pub last_end: Option<Instant>,
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
    /// A raw clock reading taken at start: the origin of `deadline_ns`.
    pub clock_origin: u64,
    /// Tasks that would start later than this (ns after `clock_origin`) are
    /// cancelled; `NO_DEADLINE` when the run has none. Kept by the tasks
    /// themselves, so it holds even while the driver cannot run (inline).
    pub deadline_ns: AtomicU64,
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
    /// Submitted and not yet ended, as the driver counts them. Every thread
    /// updates it per task: on a cache line of its own, so the fields every
    /// task only reads (clock, epoch, deadline) stay in every core's cache.
    pub outstanding: CachePadded<AtomicU64>,
    /// The driver sleeps on this while it has nothing to do.
    pub wake_driver: Notify,
    /// Wake the driver when `outstanding` falls to this.
    pub refill_at: AtomicU64,
    /// Every `n`th task panics on purpose (0 = never): fault injection.
    pub panic_every: u64,
    /// Consecutive tasks handed to the backend as one job.
    pub batch: usize,
    /// The current run's first submission and last end (the driver's, once each).
    pub run_span: Mutex<RunSpan>,
    /// Closed-loop top-up by ending tasks, when the driver allows it.
    pub refill: arc_swap::ArcSwapOption<super::refill::Refill>,
    /// Nice value of backend threads (pools built later use it too).
    pub worker_nice: i32,
    pub errors: Mutex<ErrorLog>,
    /// The probes write here; the sampler reads.
    pub probes: Arc<ProbeStats>,
    /// What ran on the app workers and for `/work`, for the stall's blame.
    pub work_times: crate::metrics::work_times::WorkTimes,
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
        self.places_given_back(1);
    }

    /// Gives back places in flight: of tasks that ended (a batch at once), or
    /// claimed for tasks that were not submitted. The driver wakes when few are left.
    #[inline]
    pub fn places_given_back(&self, places: u64) {
        let left = self.outstanding.fetch_sub(places, Ordering::AcqRel) - places;
        if left <= self.refill_at.load(Ordering::Relaxed) {
            self.wake_driver.notify_one();
        }
    }

    /// Stops arrivals and cancels every queued task: those in the backend's
    /// own queue end here, the others when they reach a worker (they see the
    /// new epoch); running tasks finish.
    pub fn stop_arrivals(&self) {
        // SeqCst: a task topping up (see `Refill`) sees the stop or is seen draining.
        self.stopped.store(true, Ordering::SeqCst);
        self.cancel_epoch.fetch_add(1, Ordering::SeqCst);
        self.current.load().backend.cancel_queued();
        // Tasks waiting for memory budget are cancelled too.
        crate::workload::memory_budget::process_budget().wake_waiters();
    }

    /// Sets (or with None clears) the instant after which no task starts.
    pub fn set_deadline(&self, after: Option<std::time::Duration>) {
        let ns = after.map_or(NO_DEADLINE, |after| {
            let now_ns = self
                .clock
                .delta_as_nanos(self.clock_origin, self.clock.raw());
            now_ns.saturating_add(u64::try_from(after.as_nanos()).unwrap_or(u64::MAX))
        });
        self.deadline_ns.store(ns, Ordering::Release);
    }

    /// True if a task starting at raw clock reading `now` is past the deadline.
    #[inline]
    pub fn past_deadline(&self, now: u64) -> bool {
        let deadline = self.deadline_ns.load(Ordering::Relaxed);
        deadline != NO_DEADLINE && self.clock.delta_as_nanos(self.clock_origin, now) >= deadline
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

    pub fn update_run_span(&self, update: impl FnOnce(&mut RunSpan)) {
        update(&mut self.run_span.lock().unwrap_or_else(PoisonError::into_inner));
    }

    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub fn elapsed_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

/// The sampler's view of the engine.
impl Observed for Shared {
    fn registry(&self) -> &Registry {
        &self.registry
    }

    fn probes(&self) -> &ProbeStats {
        &self.probes
    }

    fn take_reset_request(&self) -> bool {
        self.reset_requested.swap(false, Ordering::AcqRel)
    }

    fn elapsed_s(&self) -> f64 {
        Shared::elapsed_s(self)
    }

    fn config_view(&self) -> ConfigView {
        let current = self.current.load();
        ConfigView {
            backend: current.backend.kind(),
            threads: current.backend.threads(),
            runtime_workers: self.runtime_workers,
            workload: (**self.workload.load()).clone(),
            load: **self.load.load(),
            paused: self.paused.load(Ordering::Acquire),
            running: self.running.load(Ordering::Acquire) && !self.stopped.load(Ordering::Acquire),
            generation: self.generation.load(Ordering::Acquire),
        }
    }

    fn caption(&self) -> Option<String> {
        self.caption
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn failure_texts(&self) -> (Option<String>, Option<String>) {
        let log = self.errors.lock().unwrap_or_else(PoisonError::into_inner);
        let first = log.kept.first().map(|e| format!("{}: {}", e.path, e.error));
        (first, log.latest.as_ref().map(|e| e.error.clone()))
    }
}
