//! A process-wide budget for the memory of tasks running at once (image
//! decodes, generated images, Argon2 memory). A large task reserves its
//! estimated memory before it allocates and waits, blocked on its worker
//! thread, until the budget has room; a task larger than the whole budget
//! fails. Memory grows with the work admitted, not with the thread count.
//!
//! Reserving is lock-free while the budget has room; only a task that must
//! wait takes the lock, and waiters are served first come, first served so a
//! large task is not starved by a stream of smaller ones.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, PoisonError};

use bytesize::ByteSize;

use crate::bounds::{
    MEMORY_BUDGET_DEFAULT_CAP, MEMORY_BUDGET_MAX, MEMORY_BUDGET_MIN, MEMORY_BUDGET_SMALL_TASK_BYTES,
};

/// A task that can never fit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "needs {} of memory, more than the whole memory budget of {}{}",
    human(*needed),
    human(*budget),
    set_by.map(|setting| format!(" ({setting})")).unwrap_or_default()
)]
pub struct TooLarge {
    pub needed: u64,
    pub budget: u64,
    /// How the user changes the budget, as the layer that set it names it
    /// (see [`MemoryBudget::name_setting`]); None when nobody named it.
    pub set_by: Option<&'static str>,
}

/// Bytes as `512.0 MiB`.
pub fn human(bytes: u64) -> String {
    ByteSize(bytes).display().iec().to_string()
}

/// A memory budget's text that is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadBudget {
    #[error("{0:?} is not a size (examples: 512MiB, 2GiB, 1073741824)")]
    NotASize(String),
    #[error(
        "{text:?} is outside {} to {}",
        human(MEMORY_BUDGET_MIN),
        human(MEMORY_BUDGET_MAX)
    )]
    Outside { text: String },
}

/// Parses `512MiB`, `2GiB`, `1.5 GB` or a plain byte count, within
/// [`MEMORY_BUDGET_MIN`, `MEMORY_BUDGET_MAX`]. The error says what was wrong with the text.
pub fn parse_budget(text: &str) -> Result<u64, BadBudget> {
    let bytes = text
        .trim()
        .parse::<ByteSize>()
        .map_err(|_| BadBudget::NotASize(text.to_string()))?
        .as_u64();
    if !(MEMORY_BUDGET_MIN..=MEMORY_BUDGET_MAX).contains(&bytes) {
        return Err(BadBudget::Outside {
            text: text.to_string(),
        });
    }
    Ok(bytes)
}

/// 1 GiB, or half of what the process may use if that is less: the smaller of
/// the machine's RAM and its cgroup's memory limit.
pub fn default_budget() -> u64 {
    let Ok(mut system) = sysinfo::System::new() else {
        return MEMORY_BUDGET_DEFAULT_CAP;
    };
    system.refresh_memory();
    let ram = system.total_memory();
    let usable = match system.cgroup_limits() {
        Some(cgroup) if cgroup.total_memory > 0 => ram.min(cgroup.total_memory),
        _ => ram,
    };
    match usable {
        0 => MEMORY_BUDGET_DEFAULT_CAP,
        usable => (usable / 2).clamp(MEMORY_BUDGET_MIN, MEMORY_BUDGET_DEFAULT_CAP),
    }
}

static PROCESS_BUDGET: LazyLock<MemoryBudget> =
    LazyLock::new(|| MemoryBudget::new(default_budget()));

/// The budget every task of this process reserves from.
pub fn process_budget() -> &'static MemoryBudget {
    &PROCESS_BUDGET
}

/// Reserves `estimate` bytes from the process budget for one task, or nothing
/// for a small task, waiting while `still_wanted()` holds (it is asked again
/// each time memory is given back). Hold the result until the task's memory is
/// freed. The error is a one-line reason.
pub fn reserve_for_task(
    estimate: u64,
    still_wanted: &dyn Fn() -> bool,
) -> Result<Option<Reservation<'static>>, Refusal> {
    if estimate < MEMORY_BUDGET_SMALL_TASK_BYTES {
        return Ok(None);
    }
    match process_budget().reserve_while(estimate, still_wanted) {
        Ok(reservation) => Ok(Some(reservation)),
        Err(Refusal::NoLongerWanted) => {
            GAVE_UP.with(|flag| flag.set(true));
            Err(Refusal::NoLongerWanted)
        }
        Err(refusal) => Err(refusal),
    }
}

/// Bytes reserved against a limit; see the module's documentation.
pub struct MemoryBudget {
    limit: AtomicU64,
    reserved: AtomicU64,
    /// Tasks in the queue; while there are any, newcomers queue behind them.
    waiting: AtomicU64,
    queue: Mutex<Queue>,
    room: Condvar,
    /// How the user sets the limit, named in every `TooLarge`.
    set_by: Mutex<Option<&'static str>>,
}

/// Tickets of the first-come, first-served queue; the front is served next.
#[derive(Default)]
struct Queue {
    next_ticket: u64,
    waiting: VecDeque<u64>,
}

/// Why a reservation was not made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Larger than the whole budget.
    #[error(transparent)]
    TooLarge(TooLarge),
    /// The task stopped wanting the memory while it waited (its run was
    /// stopped or reached its deadline).
    #[error("stopped while waiting for memory")]
    NoLongerWanted,
}

thread_local! {
    /// Set when this thread's task gave up waiting for memory; see `take_gave_up`.
    static GAVE_UP: Cell<bool> = const { Cell::new(false) };
}

/// True (once) if the task that just ran on this thread gave up waiting for
/// memory because it was no longer wanted: it ran nothing and counts as cancelled.
pub fn take_gave_up() -> bool {
    GAVE_UP.with(|flag| flag.replace(false))
}

/// Memory held by one task; given back when dropped.
#[must_use = "the memory is given back when the reservation is dropped"]
pub struct Reservation<'a> {
    budget: &'a MemoryBudget,
    bytes: u64,
}

impl Reservation<'_> {
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.budget.release(self.bytes);
    }
}

impl MemoryBudget {
    pub fn new(limit: u64) -> MemoryBudget {
        MemoryBudget {
            limit: AtomicU64::new(limit),
            reserved: AtomicU64::new(0),
            waiting: AtomicU64::new(0),
            queue: Mutex::new(Queue::default()),
            room: Condvar::new(),
            set_by: Mutex::new(None),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit.load(Ordering::SeqCst)
    }

    /// Bytes reserved right now.
    pub fn reserved(&self) -> u64 {
        self.reserved.load(Ordering::SeqCst)
    }

    /// Changes the limit. Reservations already held keep their memory (the
    /// total may stay above a lowered limit until they end); waiters look again.
    pub fn set_limit(&self, limit: u64) {
        self.limit.store(limit, Ordering::SeqCst);
        let _queue = self.lock();
        self.room.notify_all();
    }

    /// Names how the user sets this limit (the layer that reads the user's
    /// options knows: a flag, a setting); every later `TooLarge` says it, so
    /// the one line tells how to make room.
    pub fn name_setting(&self, setting: &'static str) {
        *self.set_by.lock().unwrap_or_else(PoisonError::into_inner) = Some(setting);
    }

    fn set_by(&self) -> Option<&'static str> {
        *self.set_by.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reserves `bytes`, waiting (blocked, not spinning) until they fit.
    /// Fails at once, or when the limit drops under it while waiting, if
    /// `bytes` exceeds the whole limit.
    pub fn reserve(&self, bytes: u64) -> Result<Reservation<'_>, TooLarge> {
        match self.reserve_while(bytes, &|| true) {
            Ok(reservation) => Ok(reservation),
            Err(Refusal::TooLarge(error)) => Err(error),
            // `still_wanted` above never turns false.
            Err(Refusal::NoLongerWanted) => Err(TooLarge {
                needed: bytes,
                budget: self.limit(),
                set_by: self.set_by(),
            }),
        }
    }

    /// Like `reserve`, but gives up (leaving the queue) as soon as
    /// `still_wanted()` is false; it is asked whenever the waiter wakes.
    pub fn reserve_while(
        &self,
        bytes: u64,
        still_wanted: &dyn Fn() -> bool,
    ) -> Result<Reservation<'_>, Refusal> {
        self.check_fits(bytes).map_err(Refusal::TooLarge)?;
        if self.waiting.load(Ordering::SeqCst) == 0 && self.try_take(bytes) {
            return Ok(self.reservation(bytes));
        }
        let mut queue = self.lock();
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiting.push_back(ticket);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        loop {
            let outcome = if !still_wanted() {
                Some(Err(Refusal::NoLongerWanted))
            } else if queue.waiting.front() == Some(&ticket) {
                match self.check_fits(bytes) {
                    Err(error) => Some(Err(Refusal::TooLarge(error))),
                    Ok(()) if self.try_take(bytes) => Some(Ok(self.reservation(bytes))),
                    Ok(()) => None,
                }
            } else {
                None
            };
            if let Some(outcome) = outcome {
                queue.waiting.retain(|t| *t != ticket);
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                // The next in line may fit in what is left.
                self.room.notify_all();
                return outcome;
            }
            queue = self
                .room
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Wakes every waiter so each asks its `still_wanted` again (call after
    /// stopping a run, so its waiting tasks give up at once).
    pub fn wake_waiters(&self) {
        let _queue = self.lock();
        self.room.notify_all();
    }

    fn check_fits(&self, bytes: u64) -> Result<(), TooLarge> {
        let budget = self.limit();
        if bytes > budget {
            Err(TooLarge {
                needed: bytes,
                budget,
                set_by: self.set_by(),
            })
        } else {
            Ok(())
        }
    }

    /// Adds `bytes` to the reserved total if it stays within the limit.
    fn try_take(&self, bytes: u64) -> bool {
        let limit = self.limit();
        self.reserved
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |reserved| {
                reserved.checked_add(bytes).filter(|&total| total <= limit)
            })
            .is_ok()
    }

    fn reservation(&self, bytes: u64) -> Reservation<'_> {
        Reservation {
            budget: self,
            bytes,
        }
    }

    fn release(&self, bytes: u64) {
        self.reserved.fetch_sub(bytes, Ordering::SeqCst);
        // Both sides use SeqCst: either this sees the waiter, or the waiter's
        // next try (made under the lock) sees the memory given back.
        if self.waiting.load(Ordering::SeqCst) > 0 {
            let _queue = self.lock();
            self.room.notify_all();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    const MIB: u64 = 1 << 20;

    #[test]
    fn concurrent_reservations_never_exceed_the_budget() {
        let budget = Arc::new(MemoryBudget::new(100 * MIB));
        let held = Arc::new(AtomicU64::new(0));
        let peak = Arc::new(AtomicU64::new(0));
        let workers: Vec<_> = (0..8u64)
            .map(|worker| {
                let (budget, held, peak) = (budget.clone(), held.clone(), peak.clone());
                std::thread::spawn(move || {
                    for round in 0..200u64 {
                        let bytes = (1 + (worker * 7 + round * 13) % 60) * MIB;
                        let reservation = budget.reserve(bytes).unwrap_or_else(|e| panic!("{e}"));
                        let now = held.fetch_add(bytes, Ordering::SeqCst) + bytes;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        held.fetch_sub(bytes, Ordering::SeqCst);
                        drop(reservation);
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap_or_else(|_| panic!("worker panicked"));
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!(peak <= 100 * MIB, "peak {peak} above the budget");
        // Eight workers asking up to 60 MiB each did have to share.
        assert!(peak > 60 * MIB, "peak {peak}: the test never overlapped");
        assert_eq!(budget.reserved(), 0);
    }

    #[test]
    fn a_waiter_blocks_until_memory_is_given_back() {
        let budget = Arc::new(MemoryBudget::new(10 * MIB));
        let first = budget.reserve(8 * MIB).unwrap_or_else(|e| panic!("{e}"));
        let got_it = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (budget, got_it) = (budget.clone(), got_it.clone());
            std::thread::spawn(move || {
                let r = budget.reserve(5 * MIB).unwrap_or_else(|e| panic!("{e}"));
                got_it.store(true, Ordering::SeqCst);
                r.bytes()
            })
        };
        // Not a timing assertion: it only has to be still waiting after a
        // pause, which holds however slow the machine is.
        std::thread::sleep(Duration::from_millis(50));
        assert!(!got_it.load(Ordering::SeqCst));
        assert_eq!(budget.reserved(), 8 * MIB);
        drop(first);
        assert_eq!(waiter.join().unwrap_or_else(|_| panic!("join")), 5 * MIB);
        assert_eq!(budget.reserved(), 0);
    }

    #[test]
    fn waiters_are_served_in_order_so_a_large_task_is_not_starved() {
        let budget = Arc::new(MemoryBudget::new(10 * MIB));
        let small = budget.reserve(2 * MIB).unwrap_or_else(|e| panic!("{e}"));
        let large = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.reserve(10 * MIB).map(|r| r.bytes()))
        };
        while budget.waiting.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        // Fits right now, but the large task asked first: it must queue.
        let later = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.reserve(MIB).map(|r| r.bytes()))
        };
        while budget.waiting.load(Ordering::SeqCst) < 2 {
            std::thread::yield_now();
        }
        assert_eq!(budget.reserved(), 2 * MIB);
        drop(small);
        assert_eq!(large.join().ok(), Some(Ok(10 * MIB)));
        assert_eq!(later.join().ok(), Some(Ok(MIB)));
        assert_eq!(budget.reserved(), 0);
    }

    #[test]
    fn a_task_larger_than_the_budget_fails_with_both_sizes() {
        let budget = MemoryBudget::new(512 * MIB);
        let error = budget.reserve(2048 * MIB).err();
        assert_eq!(
            error,
            Some(TooLarge {
                needed: 2048 * MIB,
                budget: 512 * MIB,
                set_by: None,
            })
        );
        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some("needs 2.0 GiB of memory, more than the whole memory budget of 512.0 MiB")
        );
        assert_eq!(budget.reserved(), 0);
    }

    #[test]
    fn a_named_setting_is_said_in_the_refusal() {
        let budget = MemoryBudget::new(512 * MIB);
        budget.name_setting("the budget setting");
        let error = budget.reserve(2048 * MIB).err();
        assert_eq!(
            error.as_ref().and_then(|e| e.set_by),
            Some("the budget setting")
        );
        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some(
                "needs 2.0 GiB of memory, more than the whole memory budget of 512.0 MiB \
                 (the budget setting)"
            )
        );
    }

    #[test]
    fn lowering_the_limit_fails_a_waiter_that_can_no_longer_fit() {
        let budget = Arc::new(MemoryBudget::new(10 * MIB));
        let held = budget.reserve(6 * MIB).unwrap_or_else(|e| panic!("{e}"));
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.reserve(8 * MIB).map(|r| r.bytes()))
        };
        while budget.waiting.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        budget.set_limit(4 * MIB);
        let outcome = waiter.join().unwrap_or_else(|_| panic!("join"));
        assert_eq!(
            outcome,
            Err(TooLarge {
                needed: 8 * MIB,
                budget: 4 * MIB,
                set_by: None,
            })
        );
        drop(held);
        assert_eq!(budget.reserved(), 0);
    }

    #[test]
    fn a_waiter_no_longer_wanted_leaves_the_queue_and_the_next_one_is_served() {
        let budget = Arc::new(MemoryBudget::new(10 * MIB));
        let held = budget.reserve(9 * MIB).unwrap_or_else(|e| panic!("{e}"));
        let wanted = Arc::new(AtomicBool::new(true));
        let first = {
            let (budget, wanted) = (budget.clone(), wanted.clone());
            std::thread::spawn(move || {
                budget
                    .reserve_while(8 * MIB, &|| wanted.load(Ordering::SeqCst))
                    .map(|r| r.bytes())
            })
        };
        while budget.waiting.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        let second = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.reserve(4 * MIB).map(|r| r.bytes()))
        };
        while budget.waiting.load(Ordering::SeqCst) < 2 {
            std::thread::yield_now();
        }
        wanted.store(false, Ordering::SeqCst);
        budget.wake_waiters();
        assert_eq!(first.join().ok(), Some(Err(Refusal::NoLongerWanted)));
        drop(held);
        // The second waiter is not stuck behind the ticket that left.
        assert_eq!(second.join().ok(), Some(Ok(4 * MIB)));
        assert_eq!(budget.reserved(), 0);
        assert_eq!(budget.waiting.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn sizes_parse_in_binary_and_decimal_units() {
        assert_eq!(parse_budget("512MiB"), Ok(512 * MIB));
        assert_eq!(parse_budget("2GiB"), Ok(2048 * MIB));
        assert_eq!(parse_budget("1073741824"), Ok(1 << 30));
        assert_eq!(parse_budget("1.5 GiB"), Ok(1536 * MIB));
        assert_eq!(parse_budget("2GB"), Ok(2_000_000_000));
        for bad in [
            "",
            "lots",
            "-1GiB",
            "12 parsecs",
            "0",
            "1KiB",
            "1e400",
            "inf",
            "999EiB",
        ] {
            assert!(parse_budget(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_default_is_at_most_one_gib() {
        let default = default_budget();
        assert!((MEMORY_BUDGET_MIN..=MEMORY_BUDGET_DEFAULT_CAP).contains(&default));
    }
}
