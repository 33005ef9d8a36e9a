//! The periods of a run that played a scenario: one per stretch with one
//! configuration (backend, threads, workload, load), measured from the
//! engine's never-reset totals carried by the Snapshots at its ends.

use std::sync::Arc;

use serde::Serialize;

use crate::metrics::percentiles::percentiles_between;
use crate::metrics::proc_stat::{CpuTicks, external_cpu_pct};
use crate::metrics::snapshot::{RunningTotals, Snapshot};
use crate::spec::{BackendKind, LoadMode};

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PeriodPercentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PeriodLatency {
    /// Submit to end of the tasks that ended in the period, microseconds.
    pub total: PeriodPercentiles,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PeriodHeartbeat {
    pub p99: f64,
}

/// One stretch of a run with one configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Period {
    /// Seconds since the engine started.
    pub from_s: f64,
    pub to_s: f64,
    pub backend: BackendKind,
    pub threads: usize,
    /// e.g. `sumsq 200000 fixed`.
    pub workload: String,
    pub load: LoadMode,
    /// Tasks completed in the period and per second (failures apart).
    pub tasks_completed: u64,
    pub tasks_failed: u64,
    pub tasks_per_s: f64,
    pub failed_per_s: f64,
    pub latency_us: PeriodLatency,
    pub heartbeat_lag_us: PeriodHeartbeat,
    /// The scenario's caption during the period.
    pub caption: Option<String>,
    /// CPU other programs used during the period, percent of the machine.
    pub external_cpu_pct: Option<f64>,
}

/// What makes two Snapshots belong to one period.
fn same_configuration(a: &Snapshot, b: &Snapshot) -> bool {
    a.config.backend == b.config.backend
        && a.config.threads == b.config.threads
        && a.config.workload == b.config.workload
        && a.config.load == b.config.load
}

/// Cuts a run into periods as its Snapshots arrive.
#[derive(Clone, Debug)]
pub struct PeriodTracker {
    /// The Snapshot that opened the current period.
    open: Option<Arc<Snapshot>>,
    caption: Option<String>,
    done: Vec<Period>,
    /// The machine's CPU counters when the current period opened.
    open_ticks: Option<CpuTicks>,
    /// Reads them (replaced in tests).
    read_ticks: fn() -> Option<CpuTicks>,
}

impl Default for PeriodTracker {
    fn default() -> PeriodTracker {
        PeriodTracker {
            open: None,
            caption: None,
            done: Vec::new(),
            open_ticks: None,
            read_ticks: CpuTicks::read,
        }
    }
}

impl PeriodTracker {
    /// Offers the latest Snapshot (the same one twice is harmless).
    pub fn observe(&mut self, snapshot: &Arc<Snapshot>) {
        match &self.open {
            Some(open) if same_configuration(open, snapshot) => {
                if self.caption.is_none() {
                    self.caption.clone_from(&snapshot.caption);
                }
            }
            Some(open) => {
                let open = open.clone();
                self.close(&open, snapshot);
                self.start(snapshot);
            }
            None => self.start(snapshot),
        }
    }

    fn start(&mut self, snapshot: &Arc<Snapshot>) {
        self.open = Some(snapshot.clone());
        self.caption.clone_from(&snapshot.caption);
        self.open_ticks = (self.read_ticks)();
    }

    fn close(&mut self, open: &Snapshot, end: &Snapshot) {
        if end.elapsed_s > open.elapsed_s {
            let mut period = measure(open, end, self.caption.take());
            period.external_cpu_pct = match (self.open_ticks, (self.read_ticks)()) {
                (Some(before), Some(after)) => external_cpu_pct(&before, &after).map(round2),
                _ => None,
            };
            self.done.push(period);
        }
    }

    /// Closes the last period at `last` (the run's final Snapshot) and
    /// returns every period in order.
    pub fn finish(mut self, last: &Snapshot) -> Vec<Period> {
        if let Some(open) = self.open.take() {
            self.close(&open, last);
        }
        self.done
    }
}

/// A period from the Snapshot that opened it to the one that closed it; the
/// configuration is the opening one's.
pub fn measure(start: &Snapshot, end: &Snapshot, caption: Option<String>) -> Period {
    let (a, b): (&RunningTotals, &RunningTotals) = (&start.running_totals, &end.running_totals);
    let seconds = end.elapsed_s - start.elapsed_s;
    let completed = b.completed.saturating_sub(a.completed);
    let failed = b.failed.saturating_sub(a.failed);
    let per_s = |n: u64| {
        if seconds > 0.0 {
            n as f64 / seconds
        } else {
            0.0
        }
    };
    let latency = percentiles_between(&b.total_latency_buckets, &a.total_latency_buckets);
    let heartbeat = percentiles_between(&b.heartbeat_buckets, &a.heartbeat_buckets);
    Period {
        from_s: round3(start.elapsed_s),
        to_s: round3(end.elapsed_s),
        backend: start.config.backend,
        threads: start.config.threads,
        workload: start.config.workload.label(),
        load: start.config.load,
        tasks_completed: completed,
        tasks_failed: failed,
        tasks_per_s: round2(per_s(completed)),
        failed_per_s: round2(per_s(failed)),
        latency_us: PeriodLatency {
            total: PeriodPercentiles {
                p50: round2(latency.p50),
                p90: round2(latency.p90),
                p99: round2(latency.p99),
                max: round2(latency.max),
            },
        },
        heartbeat_lag_us: PeriodHeartbeat {
            p99: round2(heartbeat.p99),
        },
        caption,
        external_cpu_pct: None,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::atomic_histogram::{BUCKETS, bucket_of};

    /// A Snapshot at `t` s running `backend` x `threads`, whose never-reset
    /// totals say `completed` tasks so far, each of them `latency_us` long.
    fn snap(
        t: f64,
        backend: BackendKind,
        threads: usize,
        completed: u64,
        latency_us: u64,
    ) -> Arc<Snapshot> {
        let mut latency = vec![0; BUCKETS];
        latency[bucket_of(latency_us * 1000)] = completed;
        let mut s = Snapshot {
            elapsed_s: t,
            running_totals: Arc::new(RunningTotals {
                completed,
                failed: completed / 10,
                total_latency_buckets: latency,
                heartbeat_buckets: vec![0; BUCKETS],
                ..RunningTotals::default()
            }),
            ..Snapshot::default()
        };
        s.config.backend = backend;
        s.config.threads = threads;
        s.caption = Some(format!("{backend} x{threads}"));
        Arc::new(s)
    }

    #[test]
    fn each_configuration_is_one_period_measured_by_difference() {
        let mut tracker = PeriodTracker::default();
        tracker.observe(&snap(0.0, BackendKind::Rayon, 1, 0, 0));
        tracker.observe(&snap(1.0, BackendKind::Rayon, 1, 100, 0));
        tracker.observe(&snap(1.0, BackendKind::Rayon, 1, 100, 0)); // seen twice: harmless
        tracker.observe(&snap(2.0, BackendKind::Channel, 2, 200, 0));
        tracker.observe(&snap(3.0, BackendKind::Channel, 2, 500, 0));
        let periods = tracker.finish(&snap(4.0, BackendKind::Channel, 2, 800, 0));
        assert_eq!(periods.len(), 2);
        let (first, second) = (&periods[0], &periods[1]);
        assert_eq!((first.backend, first.threads), (BackendKind::Rayon, 1));
        assert_eq!((first.from_s, first.to_s), (0.0, 2.0));
        assert_eq!(first.tasks_completed, 200);
        assert_eq!(first.tasks_per_s, 100.0);
        assert_eq!(first.caption.as_deref(), Some("rayon x1"));
        assert_eq!((second.backend, second.threads), (BackendKind::Channel, 2));
        assert_eq!((second.from_s, second.to_s), (2.0, 4.0));
        assert_eq!(second.tasks_completed, 600);
        assert_eq!(second.tasks_failed, 60);
        assert_eq!(second.tasks_per_s, 300.0);
        assert_eq!(second.failed_per_s, 30.0);
    }

    #[test]
    fn each_period_says_how_much_cpu_other_programs_used_in_it() {
        // Each reading: 100 more ticks of machine time, 60 busy, 10 ours.
        static READS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        fn ticks() -> Option<CpuTicks> {
            let n = READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            Some(CpuTicks {
                machine_busy: 60 * n,
                machine_total: 100 * n,
                own: 10 * n,
            })
        }
        let mut tracker = PeriodTracker {
            read_ticks: ticks,
            ..PeriodTracker::default()
        };
        tracker.observe(&snap(0.0, BackendKind::Rayon, 1, 0, 0));
        tracker.observe(&snap(1.0, BackendKind::Channel, 2, 100, 0));
        let periods = tracker.finish(&snap(2.0, BackendKind::Channel, 2, 200, 0));
        assert_eq!(periods.len(), 2);
        for p in &periods {
            assert_eq!(p.external_cpu_pct, Some(50.0), "{p:?}");
        }
    }

    #[test]
    fn latency_percentiles_cover_only_the_tasks_of_the_period() {
        let start = snap(0.0, BackendKind::Rayon, 1, 0, 1_000);
        let mut end = (*snap(2.0, BackendKind::Rayon, 1, 0, 1_000)).clone();
        // 100 tasks of 1 ms before the period, 100 of 50 ms during it.
        let mut before = vec![0; BUCKETS];
        before[bucket_of(1_000_000)] = 100;
        let start = Arc::new(Snapshot {
            running_totals: Arc::new(RunningTotals {
                completed: 100,
                total_latency_buckets: before.clone(),
                heartbeat_buckets: vec![0; BUCKETS],
                ..RunningTotals::default()
            }),
            ..(*start).clone()
        });
        let mut after = before;
        after[bucket_of(50_000_000)] = 100;
        end.running_totals = Arc::new(RunningTotals {
            completed: 200,
            total_latency_buckets: after,
            heartbeat_buckets: vec![0; BUCKETS],
            ..RunningTotals::default()
        });
        let period = measure(&start, &end, None);
        let p50_ms = period.latency_us.total.p50 / 1000.0;
        assert!((48.0..52.0).contains(&p50_ms), "{p50_ms}");
        assert_eq!(period.tasks_completed, 100);
    }
}
