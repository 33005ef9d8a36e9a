//! The heartbeat: a periodic timer task on the app runtime. How late each tick
//! runs (scheduled instant to actual wake-up) says whether the runtime is free
//! to serve; a tick later than the detector's threshold means something held
//! every worker, and is reported with the backend and kernel that ran then.

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

use crate::engine::shared::Shared;
use crate::metrics::atomic_histogram::AtomicHistogram;
use crate::metrics::snapshot::BlockEvent;

pub async fn run(shared: Arc<Shared>, period: Duration, block_threshold: Duration) {
    let mut ticks = tokio::time::interval(period);
    // After a stall, measure the stall once rather than firing a burst of catch-up ticks.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        let scheduled = ticks.tick().await;
        let late = Instant::now().saturating_duration_since(scheduled);
        record_with_missed_ticks(&shared.heartbeat, late, period);
        if late >= block_threshold {
            report_block(&shared, late);
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

fn report_block(shared: &Shared, blocked: Duration) {
    let backend = shared.current.load().backend.kind();
    let kernel = shared.workload.load().kernel.to_string();
    let blocked_ms = blocked.as_secs_f64() * 1e3;
    let why = if backend.offloads() {
        "the app workers waited for a CPU (are backend threads + app workers > cores?)"
    } else {
        "CPU work is running on the async workers"
    };
    tracing::warn!(
        "app runtime blocked for {blocked_ms:.1} ms (backend {backend}, kernel {kernel}): {why}"
    );
    shared.blocked_events.fetch_add(1, Ordering::Relaxed);
    let event = BlockEvent {
        at_s: shared.elapsed_s(),
        blocked_ms,
        backend,
        kernel,
    };
    *shared
        .last_block
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(event);
}
