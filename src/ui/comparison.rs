//! The comparison view (`c`): each period of the session that ran one
//! (backend, threads, workload, load) becomes a row, measured from the
//! engine's exact totals at its ends.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::metrics::percentiles::percentiles_between;
use crate::metrics::snapshot::{PoolKind, Snapshot};
use crate::spec::{BackendKind, LoadMode};

/// Rows kept; older periods are dropped.
pub const MAX_PERIODS: usize = 100;
/// Gaps longer than this between Snapshots are not counted (a stall, not a period).
const MAX_STEP_S: f64 = 10.0;

/// The threads whose work a backend's jobs run on.
pub fn pool_of(backend: BackendKind) -> PoolKind {
    match backend {
        BackendKind::Inline => PoolKind::App,
        BackendKind::SpawnBlocking => PoolKind::Blocking,
        BackendKind::Rayon => PoolKind::Rayon,
        BackendKind::Channel => PoolKind::Pool,
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Period {
    pub backend: Option<BackendKind>,
    pub threads: usize,
    pub workload: String,
    pub load: Option<LoadMode>,
    pub duration_s: f64,
    /// Tasks completed and failed in the period: exact counters.
    pub completed: u64,
    pub failed: u64,
    /// p99 of total latency over every task that ended in the period, µs.
    latency_p99_us: Option<f64>,
    /// p99 of heartbeat lag over the period, µs.
    heartbeat_p99_us: Option<f64>,
    /// Busy % and CPU % of the backend's threads, integrated over time.
    busy_pct_s: f64,
    cpu_pct_s: f64,
}

impl Period {
    /// Completed tasks per second (failures are not throughput).
    pub fn tasks_per_s(&self) -> f64 {
        self.per_s(self.completed)
    }

    pub fn failed_per_s(&self) -> f64 {
        self.per_s(self.failed)
    }

    fn per_s(&self, n: u64) -> f64 {
        if self.duration_s > 0.0 {
            n as f64 / self.duration_s
        } else {
            0.0
        }
    }

    /// p99 of total latency over the whole period, µs.
    pub fn latency_p99_us(&self) -> Option<f64> {
        self.latency_p99_us
    }

    /// p99 of heartbeat lag over the whole period, µs.
    pub fn heartbeat_p99_us(&self) -> Option<f64> {
        self.heartbeat_p99_us
    }

    /// Busy time in jobs over OS CPU time of the backend's threads (1.0: no CPU
    /// spent outside jobs).
    pub fn cpu_efficiency(&self) -> Option<f64> {
        (self.cpu_pct_s > 0.0).then(|| self.busy_pct_s / self.cpu_pct_s)
    }

    fn same_setup(&self, s: &Snapshot) -> bool {
        self.backend == Some(s.config.backend)
            && self.threads == s.config.threads
            && self.workload == s.config.workload.label()
            && self.load == Some(s.config.load)
    }

    /// Counts and percentiles from the engine's exact totals between the
    /// Snapshot that opened the period and `now`.
    fn measure(&mut self, start: &Snapshot, now: &Snapshot) {
        let (a, b) = (&start.running_totals, &now.running_totals);
        self.duration_s = (now.elapsed_s - start.elapsed_s).max(0.0);
        self.completed = b.completed.saturating_sub(a.completed);
        self.failed = b.failed.saturating_sub(a.failed);
        let p99 = |later: &[u64], earlier: &[u64]| {
            let p = percentiles_between(later, earlier);
            (p.count > 0).then_some(p.p99)
        };
        self.latency_p99_us = p99(&b.total_latency_buckets, &a.total_latency_buckets);
        self.heartbeat_p99_us = p99(&b.heartbeat_buckets, &a.heartbeat_buckets);
    }
}

#[derive(Clone, Debug, Default)]
pub struct Comparison {
    periods: VecDeque<Period>,
    last_t: Option<f64>,
    /// The Snapshot that opened the newest period while it is still accumulating.
    open: Option<Arc<Snapshot>>,
}

impl Comparison {
    pub fn on_snapshot(&mut self, s: &Arc<Snapshot>) {
        let (dt, stalled) = match self.last_t {
            Some(last) if s.elapsed_s > last && s.elapsed_s - last <= MAX_STEP_S => {
                (s.elapsed_s - last, false)
            }
            Some(last) => (0.0, s.elapsed_s > last),
            None => (0.0, false),
        };
        self.last_t = Some(s.elapsed_s);
        if !s.config.running || s.config.paused {
            self.open = None;
            return;
        }
        if stalled {
            // A stall is not part of any period: the next one starts here.
            self.open = None;
        }
        let continuing =
            self.open.is_some() && self.periods.back().is_some_and(|p| p.same_setup(s));
        let (Some(start), true) = (self.open.clone(), continuing) else {
            // The window behind this Snapshot may mix the old and new setup:
            // the period counts from here.
            self.periods.push_back(Period {
                backend: Some(s.config.backend),
                threads: s.config.threads,
                workload: s.config.workload.label(),
                load: Some(s.config.load),
                ..Period::default()
            });
            while self.periods.len() > MAX_PERIODS {
                self.periods.pop_front();
            }
            self.open = Some(s.clone());
            return;
        };
        let Some(period) = self.periods.back_mut() else {
            return;
        };
        period.measure(&start, s);
        let pool = pool_of(s.config.backend);
        for t in s.threads.iter().filter(|t| t.pool == pool && t.alive) {
            period.busy_pct_s += t.busy_pct * dt;
            period.cpu_pct_s += t.cpu_pct * dt;
        }
    }

    /// Periods that lasted long enough to mean something, oldest first.
    pub fn rows(&self) -> Vec<&Period> {
        self.periods
            .iter()
            .filter(|p| p.duration_s >= 1.0)
            .collect()
    }

    /// Indexes in `rows()` of the highest throughput of each workload.
    pub fn best_rows(&self) -> Vec<usize> {
        let rows = self.rows();
        let mut best: Vec<usize> = Vec::new();
        for (i, p) in rows.iter().enumerate() {
            match best.iter_mut().find(|b| rows[**b].workload == p.workload) {
                Some(b) if p.tasks_per_s() > rows[*b].tasks_per_s() => *b = i,
                Some(_) => {}
                None => best.push(i),
            }
        }
        best.sort_unstable();
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::snapshot::{RunningTotals, ThreadView};

    /// A Snapshot at `t` s whose exact counters say `completed` tasks so far.
    fn snap(t: f64, backend: BackendKind, threads: usize, completed: u64) -> Arc<Snapshot> {
        let mut s = Snapshot {
            elapsed_s: t,
            ..Snapshot::default()
        };
        s.config.backend = backend;
        s.config.threads = threads;
        s.config.running = true;
        // The window rate is deliberately wrong: rows must use the counters.
        s.throughput.tasks_per_s = 1e9;
        s.running_totals = Arc::new(RunningTotals {
            completed,
            failed: completed / 10,
            ..RunningTotals::default()
        });
        s.threads = vec![ThreadView {
            tid: 1,
            name: "rayon-0".into(),
            pool: PoolKind::Rayon,
            cpu_pct: 100.0,
            busy_pct: 80.0,
            alive: true,
            ..ThreadView::default()
        }];
        Arc::new(s)
    }

    #[test]
    fn each_setup_becomes_a_row_counted_exactly_and_the_fastest_is_best() {
        let mut c = Comparison::default();
        for i in 0..=4 {
            c.on_snapshot(&snap(i as f64, BackendKind::Rayon, 1, 100 * i));
        }
        for i in 5..=9 {
            c.on_snapshot(&snap(i as f64, BackendKind::Rayon, 2, 400 + 190 * (i - 4)));
        }
        let rows = c.rows();
        assert_eq!(rows.len(), 2);
        assert!((rows[0].duration_s - 4.0).abs() < 1e-9);
        assert_eq!(rows[0].completed, 400);
        assert!((rows[0].tasks_per_s() - 100.0).abs() < 1e-9);
        assert!((rows[0].failed_per_s() - 10.0).abs() < 1e-9);
        assert_eq!(rows[0].cpu_efficiency(), Some(0.8));
        assert!((rows[1].tasks_per_s() - 190.0).abs() < 1e-9);
        assert_eq!(c.best_rows(), [1]);
    }

    #[test]
    fn the_best_row_is_marked_per_workload() {
        let mut c = Comparison::default();
        let with_workload = |s: Arc<Snapshot>, size: u64| {
            let mut s = (*s).clone();
            s.config.workload.size = size;
            Arc::new(s)
        };
        for i in 0..=2 {
            c.on_snapshot(&with_workload(
                snap(i as f64, BackendKind::Rayon, 1, 500 * i),
                1,
            ));
        }
        for i in 3..=5 {
            c.on_snapshot(&with_workload(
                snap(i as f64, BackendKind::Rayon, 2, 900 + 10 * i),
                2,
            ));
        }
        for i in 6..=8 {
            c.on_snapshot(&with_workload(
                snap(i as f64, BackendKind::Rayon, 1, 1000 + 100 * i),
                1,
            ));
        }
        // Workload 1: row 0 (500/s) beats row 2 (100/s); workload 2 has only row 1.
        assert_eq!(c.best_rows(), [0, 1]);
    }

    #[test]
    fn paused_time_is_not_counted() {
        let mut c = Comparison::default();
        c.on_snapshot(&snap(0.0, BackendKind::Rayon, 1, 0));
        c.on_snapshot(&snap(1.0, BackendKind::Rayon, 1, 100));
        let mut paused = (*snap(2.0, BackendKind::Rayon, 1, 100)).clone();
        paused.config.paused = true;
        c.on_snapshot(&Arc::new(paused));
        c.on_snapshot(&snap(3.0, BackendKind::Rayon, 1, 100));
        c.on_snapshot(&snap(4.0, BackendKind::Rayon, 1, 200));
        let rows = c.rows();
        assert_eq!(rows.len(), 2);
        assert!((rows[0].duration_s - 1.0).abs() < 1e-9);
        assert_eq!(rows[1].completed, 100);
    }
}
