//! The periods of a run that played a scenario: one per stretch with one
//! configuration (backend, threads, workload, load), measured from the
//! engine's never-reset totals carried by the Snapshots at its ends.

use std::sync::Arc;

use serde::Serialize;

use crate::metrics::percentiles::{buckets_since, percentiles_us};
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
}

/// What makes two Snapshots belong to one period.
fn same_configuration(a: &Snapshot, b: &Snapshot) -> bool {
    a.config.backend == b.config.backend
        && a.config.threads == b.config.threads
        && a.config.workload == b.config.workload
        && a.config.load == b.config.load
}

/// Cuts a run into periods as its Snapshots arrive.
#[derive(Clone, Debug, Default)]
pub struct PeriodTracker {
    /// The Snapshot that opened the current period.
    open: Option<Arc<Snapshot>>,
    caption: Option<String>,
    done: Vec<Period>,
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
    }

    fn close(&mut self, open: &Snapshot, end: &Snapshot) {
        if end.elapsed_s > open.elapsed_s {
            self.done.push(measure(open, end, self.caption.take()));
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
    let latency = percentiles_us(&buckets_since(
        &b.total_latency_buckets,
        &a.total_latency_buckets,
    ));
    let heartbeat = percentiles_us(&buckets_since(&b.heartbeat_buckets, &a.heartbeat_buckets));
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
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
