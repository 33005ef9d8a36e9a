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

fn report_block(stats: &ProbeStats, blocked: Duration, now: RunningNow) {
    let RunningNow {
        at_s,
        backend,
        kernel,
    } = now;
    let blocked_ms = blocked.as_secs_f64() * 1e3;
    let why = stall_reason(backend, kernel, &stats.machine_load());
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
