//! The heartbeat: a periodic timer task on the app runtime. How late each tick
//! runs (scheduled instant to actual wake-up) says whether the runtime is free
//! to serve; a tick later than the detector's threshold means something held
//! every worker, and is reported with the backend and kernel that ran then.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

use super::pace;
use crate::metrics::atomic_histogram::AtomicHistogram;
use crate::metrics::probe_stats::{MachineLoad, ProbeStats};
use crate::metrics::snapshot::BlockEvent;
use crate::spec::{BackendKind, Kernel};

/// What was running when the runtime stalled, for the warning and the event.
/// Read at every tick, so it holds only plain copies (no allocation).
#[derive(Clone, Copy)]
pub struct RunningNow {
    /// Seconds since the engine started.
    pub at_s: f64,
    pub backend: BackendKind,
    pub kernel: Kernel,
}

/// Ticks every `period` from `origin` until the runtime shuts down (every
/// `pace::IDLE_HEARTBEAT_PERIOD` or so while the engine is idle); a tick at
/// least `block_threshold` late is reported with what `running_now` said at
/// the tick before (when the stall began).
pub async fn run(
    stats: Arc<ProbeStats>,
    origin: Instant,
    period: Duration,
    block_threshold: Duration,
    running_now: impl Fn() -> RunningNow + Send + 'static,
) {
    let mut idle = stats.idle_changes();
    let mut watching_idle = true;
    // What ran at the previous tick: a stall began after it, so that is what
    // held the workers, even if the backend changed before the stall ended.
    let mut before_stall = running_now();
    // Flushes what it holds when the runtime drops this task.
    let mut fold = StallFold::default();
    loop {
        let period = pace::period(
            period,
            pace::IDLE_HEARTBEAT_PERIOD,
            *idle.borrow_and_update(),
        );
        let mut ticks =
            tokio::time::interval_at(pace::next_on_grid(origin, period, Instant::now()), period);
        // After a stall, measure the stall once rather than firing a burst of catch-up ticks.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            let scheduled = tokio::select! {
                biased;
                scheduled = ticks.tick() => scheduled,
                changed = idle.changed(), if watching_idle => {
                    watching_idle = changed.is_ok();
                    break;
                }
            };
            let late = Instant::now().saturating_duration_since(scheduled);
            record_with_missed_ticks(stats.heartbeat(), late, period);
            let now = running_now();
            if late >= block_threshold {
                let at_s = now.at_s;
                report_block(
                    &stats,
                    &mut fold,
                    late,
                    RunningNow {
                        at_s,
                        ..before_stall
                    },
                );
            }
            if let Some(line) = fold.flush_if_due(std::time::Instant::now()) {
                tracing::warn!("{line}");
            }
            before_stall = now;
        }
    }
}

/// Records `late`, plus the ticks a stall swallowed: with `Skip`, a 500 ms
/// stall yields one late tick, but 50 ticks were due during it, late by 490,
/// 480, ... ms. Recording them too (HdrHistogram's coordinated-omission
/// correction) keeps percentiles weighted by time, not by ticks that ran.
pub fn record_with_missed_ticks(histogram: &AtomicHistogram, late: Duration, period: Duration) {
    let late_ns = u64::try_from(late.as_nanos()).unwrap_or(u64::MAX);
    let period_ns = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX).max(1);
    histogram.record_shared(late_ns);
    let mut missed = late_ns;
    while missed > period_ns {
        missed -= period_ns;
        histogram.record_shared(missed);
    }
}

/// Why the runtime stalled, in words that fit what ran: on inline, the kind
/// of work the kernel does held the workers; offloaded, the workers waited
/// for a CPU, and the sampler says whether this process's threads or other
/// programs filled the cores (nothing is blamed on the set-up otherwise).
pub fn stall_reason(backend: BackendKind, kernel: Kernel, machine: &MachineLoad) -> String {
    if !backend.offloads() {
        return match kernel {
            Kernel::Sleep => {
                "a blocking call (sleep) is holding the async workers: it belongs on spawn_blocking"
                    .to_string()
            }
            Kernel::Mixed => {
                "computation and blocking calls are running on the async workers".to_string()
            }
            _ => "CPU work is running on the async workers".to_string(),
        };
    }
    if machine.busy_threads > machine.cores && machine.cores > 0 {
        return format!(
            "the app workers waited for a CPU: {} of this process's threads wanted one on {} cores (backend threads + app workers > cores)",
            machine.busy_threads, machine.cores
        );
    }
    match machine
        .external_cpu_pct
        .filter(|e| *e > crate::bounds::BUSY_EXTERNAL_CPU_PCT)
    {
        Some(external) => format!(
            "the app workers waited for a CPU: other programs used {external:.0}% of the CPUs"
        ),
        None => "the app workers did not get a CPU in time".to_string(),
    }
}

/// Stall warnings folded per [`crate::bounds::LOG_FOLD_WINDOW`]: the first
/// is logged whole at once, the next ones as one line with their count, rate
/// and the worst of them, so a stalling runtime cannot flood the Log or stderr.
#[derive(Default)]
struct StallFold {
    /// When the current window opened (None: no stall lately).
    since: Option<std::time::Instant>,
    count: u64,
    worst_ms: f64,
    /// `backend inline, kernel argon2: reason` of the worst.
    worst: String,
}

impl StallFold {
    /// A stall at `now`; the line to log at once, if any. `what`:
    /// `(backend inline, kernel argon2): reason`.
    fn add(&mut self, now: std::time::Instant, blocked_ms: f64, what: String) -> Option<String> {
        if self.since.is_none() {
            self.since = Some(now);
            return Some(format!("app runtime blocked for {blocked_ms:.1} ms {what}"));
        }
        self.count += 1;
        if blocked_ms > self.worst_ms {
            self.worst_ms = blocked_ms;
            self.worst = what;
        }
        None
    }

    /// The folded line once the window is over.
    fn flush_if_due(&mut self, now: std::time::Instant) -> Option<String> {
        let since = self.since?;
        if now.duration_since(since) < crate::bounds::LOG_FOLD_WINDOW {
            return None;
        }
        let line = self.flush(now);
        // Still stalling: keep folding; a quiet window starts afresh.
        self.since = line.is_some().then_some(now);
        line
    }

    fn flush(&mut self, now: std::time::Instant) -> Option<String> {
        let since = self.since?;
        let line = (self.count > 0).then(|| {
            let secs = now.duration_since(since).as_secs_f64().max(1e-3);
            format!(
                "app runtime blocked {}x more in {secs:.0} s ({:.1}/s), worst {:.1} ms {}",
                self.count,
                self.count as f64 / secs,
                self.worst_ms,
                self.worst
            )
        });
        // Field by field: replacing the whole value would drop it, and its
        // Drop flushes.
        self.since = None;
        self.count = 0;
        self.worst_ms = 0.0;
        self.worst.clear();
        line
    }
}

impl Drop for StallFold {
    fn drop(&mut self) {
        if let Some(line) = self.flush(std::time::Instant::now()) {
            tracing::warn!("{line}");
        }
    }
}

fn report_block(stats: &ProbeStats, fold: &mut StallFold, blocked: Duration, now: RunningNow) {
    let RunningNow {
        at_s,
        backend,
        kernel,
    } = now;
    let blocked_ms = blocked.as_secs_f64() * 1e3;
    let why = stall_reason(backend, kernel, &stats.machine_load());
    let what = format!("(backend {backend}, kernel {kernel}): {why}");
    if let Some(line) = fold.add(std::time::Instant::now(), blocked_ms, what) {
        tracing::warn!("{line}");
    }
    stats.record_block(BlockEvent {
        at_s,
        blocked_ms,
        backend,
        kernel: kernel.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(busy_threads: usize, external: f64) -> MachineLoad {
        MachineLoad {
            busy_threads,
            cores: 2,
            external_cpu_pct: Some(external),
        }
    }

    #[test]
    fn repeated_stalls_fold_into_one_line_with_a_count_a_rate_and_the_worst() {
        let t0 = std::time::Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let what = |k: &str| {
            format!("(backend inline, kernel {k}): CPU work is running on the async workers")
        };
        let mut fold = StallFold::default();
        assert_eq!(
            fold.add(at(0), 57.2, what("spin")).as_deref(),
            Some(
                "app runtime blocked for 57.2 ms (backend inline, kernel spin): CPU work is running on the async workers"
            )
        );
        for i in 1..=99 {
            let ms = if i == 50 { 612.0 } else { 20.0 };
            let kernel = if i == 50 { "argon2" } else { "spin" };
            assert_eq!(fold.add(at(i * 100), ms, what(kernel)), None);
        }
        assert_eq!(fold.flush_if_due(at(9_999)), None);
        assert_eq!(
            fold.flush_if_due(at(10_000)).as_deref(),
            Some(
                "app runtime blocked 99x more in 10 s (9.9/s), worst 612.0 ms (backend inline, kernel argon2): CPU work is running on the async workers"
            )
        );
        // Still folding: the next stall is counted, not logged whole.
        assert_eq!(fold.add(at(10_100), 30.0, what("spin")), None);
        assert!(
            fold.flush(at(20_000))
                .is_some_and(|l| l.starts_with("app runtime blocked 1x more"))
        );
        // A quiet window: the next stall is logged whole again.
        let mut quiet = StallFold::default();
        assert!(quiet.add(at(0), 15.0, what("spin")).is_some());
        assert_eq!(quiet.flush_if_due(at(10_000)), None);
        assert!(quiet.add(at(10_500), 15.0, what("spin")).is_some());
    }

    #[test]
    fn the_reason_fits_the_kernel_and_who_wanted_the_cpus() {
        use BackendKind::*;
        let quiet = load(2, 1.0);
        assert_eq!(
            stall_reason(Inline, Kernel::Sleep, &quiet),
            "a blocking call (sleep) is holding the async workers: it belongs on spawn_blocking"
        );
        assert_eq!(
            stall_reason(Inline, Kernel::Argon2, &quiet),
            "CPU work is running on the async workers"
        );
        assert!(
            stall_reason(Inline, Kernel::Mixed, &quiet).starts_with("computation and blocking")
        );
        // The default set-up (2 backend threads + 2 mostly idle app workers
        // on 2 cores) is not blamed: nothing wanted more CPUs than there are.
        let offloaded = stall_reason(Rayon, Kernel::Sumsq, &quiet);
        assert_eq!(offloaded, "the app workers did not get a CPU in time");
        assert!(!offloaded.contains("> cores"));
        assert_eq!(
            stall_reason(Channel, Kernel::Spin, &load(5, 1.0)),
            "the app workers waited for a CPU: 5 of this process's threads wanted one on 2 cores (backend threads + app workers > cores)"
        );
        assert_eq!(
            stall_reason(SpawnBlocking, Kernel::Spin, &load(2, 48.0)),
            "the app workers waited for a CPU: other programs used 48% of the CPUs"
        );
    }
}
