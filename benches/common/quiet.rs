//! Other processes on the machine (the 2 cores are shared) distort a batch; this
//! tells, from /proc (Linux), how much CPU they used while it ran, so a harness
//! can re-run disturbed batches instead of averaging them in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// CPU time used so far: by the whole machine, and by this process (clock ticks).
#[derive(Clone, Copy, Debug)]
pub struct CpuMark {
    machine_busy: u64,
    own: u64,
}

/// Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux).
const TICKS_PER_S: f64 = 100.0;

impl CpuMark {
    /// None where /proc is missing or unreadable: then nothing counts as disturbed.
    pub fn now() -> Option<CpuMark> {
        Some(CpuMark {
            machine_busy: machine_busy_ticks()?,
            own: own_ticks()?,
        })
    }

    /// CPU seconds used by other processes (and the hypervisor's steal) since `self`.
    pub fn foreign_since(&self, later: &CpuMark) -> f64 {
        let machine = later.machine_busy.saturating_sub(self.machine_busy);
        let own = later.own.saturating_sub(self.own);
        machine.saturating_sub(own) as f64 / TICKS_PER_S
    }
}

/// Runs `batch` and says whether another process took a noticeable share of the
/// machine meanwhile: more than 2 ticks (ticks are coarse) and 5% of one core.
pub fn timed_quietly(
    batch: impl FnOnce() -> anyhow::Result<Duration>,
) -> anyhow::Result<(Duration, bool)> {
    let before = CpuMark::now();
    let elapsed = batch()?;
    let disturbed = match (before, CpuMark::now()) {
        (Some(before), Some(after)) => {
            let foreign = before.foreign_since(&after);
            foreign > (2.0 / TICKS_PER_S).max(0.05 * elapsed.as_secs_f64())
        }
        _ => false,
    };
    Ok((elapsed, disturbed))
}

/// user + nice + system + irq + softirq + steal of the `cpu` line of /proc/stat.
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    let [user, nice, system, _idle, _iowait, irq, softirq, steal, ..] = fields[..] else {
        return None;
    };
    Some(user + nice + system + irq + softirq + steal)
}

/// utime + stime of this process (fields 14 and 15 of /proc/self/stat).
fn own_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces; the fields after it start past ')'.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Total time the harness may spend waiting for a quiet machine, in ms.
static WAIT_BUDGET_MS: AtomicU64 = AtomicU64::new(6 * 60 * 1000);
/// One look at the machine before deciding it is quiet.
const LOOK: Duration = Duration::from_millis(300);

/// Sleeps until other processes leave the CPU alone for one look (at most 2
/// ticks used), at most `max`, and within a budget for the whole run. Returns
/// false when it gave up (busy machine or budget spent).
pub fn wait_for_quiet(max: Duration) -> bool {
    let started = Instant::now();
    let quiet = loop {
        let budget = Duration::from_millis(WAIT_BUDGET_MS.load(Ordering::Relaxed));
        if started.elapsed() >= max.min(budget) {
            break false;
        }
        let Some(before) = CpuMark::now() else {
            break true;
        };
        std::thread::sleep(LOOK);
        let Some(after) = CpuMark::now() else {
            break true;
        };
        if before.foreign_since(&after) <= 2.0 / TICKS_PER_S {
            break true;
        }
    };
    let spent = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let _ = WAIT_BUDGET_MS.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
        Some(left.saturating_sub(spent))
    });
    quiet
}
