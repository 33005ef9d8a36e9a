//! The heartbeat: a periodic timer task on the app runtime. How late each tick
//! runs (scheduled instant to actual wake-up) says whether the runtime is free
//! to serve; a tick later than the detector's threshold means something held
//! every worker, and is reported with the backend and kernel that ran then.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

use super::pace;
use crate::metrics::atomic_histogram::AtomicHistogram;
use crate::metrics::probe_stats::ProbeStats;
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
                    late,
                    RunningNow {
                        at_s,
                        ..before_stall
                    },
                );
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

fn report_block(stats: &ProbeStats, blocked: Duration, now: RunningNow) {
    let RunningNow {
        at_s,
        backend,
        kernel,
    } = now;
    let blocked_ms = blocked.as_secs_f64() * 1e3;
    let why = if backend.offloads() {
        "the app workers waited for a CPU (are backend threads + app workers > cores?)"
    } else {
        "CPU work is running on the async workers"
    };
    tracing::warn!(
        "app runtime blocked for {blocked_ms:.1} ms (backend {backend}, kernel {kernel}): {why}"
    );
    stats.record_block(BlockEvent {
        at_s,
        blocked_ms,
        backend,
        kernel: kernel.to_string(),
    });
}
