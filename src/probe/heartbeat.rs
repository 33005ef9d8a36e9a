//! The heartbeat: a periodic timer task on the app runtime. How late each tick
//! runs (scheduled instant to actual wake-up) says whether the runtime is free
//! to serve; a tick later than the detector's threshold means something held
//! every worker, and is reported with the work that ran then.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::pace;
use super::stall_blame::{RunningNow, blame};
use super::stall_log::{StallFold, StallLog};
use super::tick_pair::TickPair;
use crate::metrics::atomic_histogram::AtomicHistogram;
use crate::metrics::probe_stats::ProbeStats;
use crate::metrics::snapshot::BlockEvent;

/// Ticks every `period` from `origin` until the runtime shuts down (every
/// `pace::IDLE_HEARTBEAT_PERIOD` or so while the engine is idle); a tick at
/// least `block_threshold` late is reported, attributed to what ran between
/// the tick before (when the stall began) and this one. `read_running` fills
/// in what runs now.
pub async fn run(
    stats: Arc<ProbeStats>,
    origin: Instant,
    period: Duration,
    block_threshold: Duration,
    log: StallLog,
    mut before_stall: RunningNow,
    read_running: impl Fn(&mut RunningNow) + Send + 'static,
) {
    let mut idle = stats.idle_changes();
    let mut watching_idle = true;
    read_running(&mut before_stall);
    let mut now = before_stall.clone();
    // Flushes what it holds when the runtime drops this task.
    let mut fold = StallFold::default();
    loop {
        let period = pace::period(
            period,
            pace::IDLE_HEARTBEAT_PERIOD,
            *idle.borrow_and_update(),
        );
        // After a stall, it measures the stall once rather than firing a burst
        // of catch-up ticks; a tick is one wake-up of the timer driver.
        let mut ticks = TickPair::new(pace::next_on_grid(origin, period, Instant::now()), period);
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
            read_running(&mut now);
            if late >= block_threshold {
                report_block(&stats, &log, &mut fold, late, &before_stall, &now);
            }
            if let StallLog::Live = log
                && let Some(line) = fold.flush_if_due(std::time::Instant::now())
            {
                tracing::warn!("{line}");
            }
            // What runs now is what the next stall began after.
            std::mem::swap(&mut before_stall, &mut now);
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

fn report_block(
    stats: &ProbeStats,
    log: &StallLog,
    fold: &mut StallFold,
    blocked: Duration,
    before: &RunningNow,
    now: &RunningNow,
) {
    let blocked_ms = blocked.as_secs_f64() * 1e3;
    let blame = blame(before, now, &stats.machine_load());
    match log {
        StallLog::Live => {
            if let Some(line) = fold.add(std::time::Instant::now(), blocked_ms, blame.describe()) {
                tracing::warn!("{line}");
            }
        }
        StallLog::Tally(tally) => tally.add(std::time::Instant::now(), blocked_ms, &blame),
    }
    stats.record_block(BlockEvent {
        at_s: now.at_s,
        blocked_ms,
        backend: blame.backend,
        kernel: blame.kernel.map_or_else(String::new, |k| k.to_string()),
        ran: blame.ran,
    });
}
