//! What the app runtime's probes measure: the heartbeat's and the echo's
//! lateness, and the stalls the heartbeat detected. The engine owns one and
//! hands the probes a clone of the `Arc` to write into; the sampler reads it,
//! and tells the probes when nothing runs, so they tick at their idle pace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use tokio::sync::watch;

use super::atomic_histogram::AtomicHistogram;
use super::snapshot::BlockEvent;

pub struct ProbeStats {
    heartbeat: AtomicHistogram,
    echo: AtomicHistogram,
    blocked_events: AtomicU64,
    last_block: Mutex<Option<BlockEvent>>,
    /// True while no task runs and none can arrive (see `Snapshot::idle`).
    idle: watch::Sender<bool>,
    /// The sampler's latest view of the CPUs, for the stall's reason.
    machine: Mutex<MachineLoad>,
}

/// Who wanted the CPUs at the sampler's latest tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MachineLoad {
    /// This process's threads that ran or waited to run most of the window.
    pub busy_threads: usize,
    pub cores: usize,
    /// Other programs' share of the machine, percent (None: unknown).
    pub external_cpu_pct: Option<f64>,
}

impl Default for ProbeStats {
    fn default() -> Self {
        ProbeStats {
            heartbeat: AtomicHistogram::default(),
            echo: AtomicHistogram::default(),
            blocked_events: AtomicU64::default(),
            last_block: Mutex::default(),
            idle: watch::Sender::new(false),
            machine: Mutex::default(),
        }
    }
}

impl ProbeStats {
    /// Heartbeat lateness, in nanoseconds (scheduled tick to wake-up).
    pub fn heartbeat(&self) -> &AtomicHistogram {
        &self.heartbeat
    }

    /// Echo round trips over 127.0.0.1, in nanoseconds.
    pub fn echo(&self) -> &AtomicHistogram {
        &self.echo
    }

    /// A stall the heartbeat detected: counted, and kept as the latest.
    pub fn record_block(&self, event: BlockEvent) {
        self.blocked_events.fetch_add(1, Ordering::Relaxed);
        *self
            .last_block
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(event);
    }

    /// Stalls detected since the engine started.
    pub fn blocked_events(&self) -> u64 {
        self.blocked_events.load(Ordering::Relaxed)
    }

    pub fn last_block(&self) -> Option<BlockEvent> {
        self.last_block
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the latest stall (a statistics reset); the count stays
    /// cumulative, readers subtract their own baseline.
    pub fn clear_last_block(&self) {
        *self
            .last_block
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The sampler's latest view of who wants the CPUs.
    pub fn set_machine_load(&self, load: MachineLoad) {
        *self.machine.lock().unwrap_or_else(PoisonError::into_inner) = load;
    }

    pub fn machine_load(&self) -> MachineLoad {
        *self.machine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets whether nothing runs; the probes hear of a change at once.
    pub fn set_idle(&self, idle: bool) {
        self.idle
            .send_if_modified(|was| std::mem::replace(was, idle) != idle);
    }

    pub fn is_idle(&self) -> bool {
        *self.idle.borrow()
    }

    /// Follows `set_idle`: a probe waits on it beside its timer.
    pub fn idle_changes(&self) -> watch::Receiver<bool> {
        self.idle.subscribe()
    }
}
