//! What ran where, in time: for each kind of task (who submitted it, its
//! kernel, whether it ran on an app worker), the time tasks of that kind have
//! spent running so far. The heartbeat compares two readings to say which
//! work held the app workers during a stall.
//!
//! Only tasks that matter for that blame are tracked: those running on an app
//! worker (the inline backend) and those from `/work` (one per request). Driver
//! tasks on the backends' own threads cost nothing here. A tracked task holds
//! an app worker or answers a request for far longer than the lock it takes.

use std::cell::Cell;
use std::sync::{Mutex, PoisonError};

use crate::spec::Kernel;

/// Who submitted a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskSource {
    /// The workload driver (the run's own load).
    Driver,
    /// An HTTP `/work` request.
    Http,
}

impl TaskSource {
    pub fn label(self) -> &'static str {
        match self {
            TaskSource::Driver => "the driver",
            TaskSource::Http => "/work",
        }
    }
}

/// One kind of task, as the blame names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkKind {
    pub source: TaskSource,
    pub kernel: Kernel,
    /// It ran on an app worker (inline), not on a backend thread.
    pub on_app_worker: bool,
}

impl WorkKind {
    /// `argon2 from /work`.
    pub fn label(&self) -> String {
        format!("{} from {}", self.kernel, self.source.label())
    }
}

struct Slot {
    kind: WorkKind,
    running: u64,
    /// Sum of the start times of the running tasks, ns.
    started_sum_ns: u64,
    /// Time of the tasks that ended, ns.
    ended_ns: u64,
}

/// Running time per kind of task. Slots are never removed: there are at most
/// (sources x kernels x places) of them.
#[derive(Default)]
pub struct WorkTimes {
    slots: Mutex<Vec<Slot>>,
}

/// A reading: time each kind has run up to the reading, ns.
pub type WorkReading = Vec<(WorkKind, u64)>;

impl WorkTimes {
    /// A task of `kind` started at `at_ns` (any fixed origin, the same for all calls).
    pub fn started(&self, kind: WorkKind, at_ns: u64) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = match slots.iter().position(|s| s.kind == kind) {
            Some(i) => &mut slots[i],
            None => {
                slots.push(Slot {
                    kind,
                    running: 0,
                    started_sum_ns: 0,
                    ended_ns: 0,
                });
                let last = slots.len() - 1;
                &mut slots[last]
            }
        };
        slot.running += 1;
        slot.started_sum_ns = slot.started_sum_ns.wrapping_add(at_ns);
    }

    /// The task of `kind` that started at `started_ns` ended at `ended_ns`.
    pub fn ended(&self, kind: WorkKind, started_ns: u64, ended_ns: u64) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.iter_mut().find(|s| s.kind == kind) {
            slot.running = slot.running.saturating_sub(1);
            slot.started_sum_ns = slot.started_sum_ns.wrapping_sub(started_ns);
            slot.ended_ns += ended_ns.saturating_sub(started_ns);
        }
    }

    /// Time each kind has run up to `at_ns`, running tasks included, into
    /// `out` (reused, so a probe reading it every tick does not allocate).
    pub fn read(&self, at_ns: u64, out: &mut WorkReading) {
        out.clear();
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        out.extend(slots.iter().map(|s| {
            // Sum over running tasks of (now - start): exact, from two sums.
            let running_ns = (s.running.saturating_mul(at_ns)).saturating_sub(s.started_sum_ns);
            (s.kind, s.ended_ns.saturating_add(running_ns))
        }));
    }
}

/// What ran between two readings, the longest-running kind first, with its
/// share of the time: `[(argon2 from /work, 0.9), (spin from the driver, 0.1)]`.
pub fn ran_between(before: &WorkReading, after: &WorkReading) -> Vec<(WorkKind, f64)> {
    let mut ran: Vec<(WorkKind, u64)> = after
        .iter()
        .filter_map(|(kind, ns)| {
            let earlier = before
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(0, |(_, ns)| *ns);
            let delta = ns.saturating_sub(earlier);
            (delta > 0).then_some((*kind, delta))
        })
        .collect();
    ran.sort_by_key(|r| std::cmp::Reverse(r.1));
    let total: u64 = ran.iter().map(|(_, ns)| ns).sum();
    ran.into_iter()
        .map(|(kind, ns)| (kind, ns as f64 / total.max(1) as f64))
        .collect()
}

thread_local! {
    static ON_APP_WORKER: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as an app runtime worker (at its start).
pub fn mark_app_worker() {
    ON_APP_WORKER.with(|flag| flag.set(true));
}

/// True on the app runtime's workers.
pub fn on_app_worker() -> bool {
    ON_APP_WORKER.with(|flag| flag.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn kind(source: TaskSource, kernel: Kernel) -> WorkKind {
        WorkKind {
            source,
            kernel,
            on_app_worker: true,
        }
    }

    #[test]
    fn the_work_that_held_the_workers_longest_between_two_readings_comes_first() {
        let times = WorkTimes::default();
        let spin = kind(TaskSource::Driver, Kernel::Spin);
        let argon2 = kind(TaskSource::Http, Kernel::Argon2);
        let mut before = WorkReading::new();
        let mut after = WorkReading::new();
        // Short spin tasks back to back; one long argon2 task still running.
        times.started(spin, 0);
        times.ended(spin, 0, 5 * MS);
        times.started(argon2, 5 * MS);
        times.read(10 * MS, &mut before);
        for i in 1..10 {
            times.started(spin, i * 20 * MS);
            times.ended(spin, i * 20 * MS, i * 20 * MS + 5 * MS);
        }
        times.read(200 * MS, &mut after);
        let ran = ran_between(&before, &after);
        assert_eq!(ran.len(), 2);
        assert_eq!(ran[0].0, argon2);
        // argon2 ran all 190 ms; spin 9 tasks x 5 ms (the first ended before 10 ms).
        let argon2_share = 190.0 / (190.0 + 45.0);
        assert!((ran[0].1 - argon2_share).abs() < 1e-9, "{ran:?}");
        assert_eq!(ran[1].0.label(), "spin from the driver");
        // Nothing ran between two equal readings.
        assert!(ran_between(&after, &after).is_empty());
        // A kind first seen after the earlier reading counts from zero.
        assert_eq!(ran_between(&WorkReading::new(), &before)[0].0, spin);
    }
}
