//! The comparison view (`c`): each period of the session that ran one
//! (backend, threads, workload) becomes a row, integrated from the Snapshots.

use std::collections::VecDeque;

use crate::metrics::snapshot::{PoolKind, Snapshot};
use crate::spec::BackendKind;

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
    pub duration_s: f64,
    /// Tasks ended, integrated from tasks/s.
    pub tasks: f64,
    latency_p99_weighted: f64,
    latency_weight: f64,
    heartbeat_p99_weighted: f64,
    heartbeat_weight: f64,
    /// Busy % and CPU % of the backend's threads, integrated over time.
    busy_pct_s: f64,
    cpu_pct_s: f64,
}

impl Period {
    pub fn tasks_per_s(&self) -> f64 {
        if self.duration_s > 0.0 {
            self.tasks / self.duration_s
        } else {
            0.0
        }
    }

    /// Time-weighted mean of the window p99 of total latency, µs.
    pub fn latency_p99_us(&self) -> Option<f64> {
        (self.latency_weight > 0.0).then(|| self.latency_p99_weighted / self.latency_weight)
    }

    /// Time-weighted mean of the window p99 of heartbeat lag, µs.
    pub fn heartbeat_p99_us(&self) -> Option<f64> {
        (self.heartbeat_weight > 0.0).then(|| self.heartbeat_p99_weighted / self.heartbeat_weight)
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
    }
}

#[derive(Clone, Debug, Default)]
pub struct Comparison {
    periods: VecDeque<Period>,
    last_t: Option<f64>,
    /// The newest period is still accumulating.
    open: bool,
}

impl Comparison {
    pub fn on_snapshot(&mut self, s: &Snapshot) {
        let dt = match self.last_t {
            Some(last) if s.elapsed_s > last && s.elapsed_s - last <= MAX_STEP_S => {
                s.elapsed_s - last
            }
            _ => 0.0,
        };
        self.last_t = Some(s.elapsed_s);
        if !s.config.running || s.config.paused {
            self.open = false;
            return;
        }
        let continuing = self.open && self.periods.back().is_some_and(|p| p.same_setup(s));
        if !continuing {
            // The window behind this Snapshot may mix the old and new setup: start empty.
            self.periods.push_back(Period {
                backend: Some(s.config.backend),
                threads: s.config.threads,
                workload: s.config.workload.label(),
                ..Period::default()
            });
            while self.periods.len() > MAX_PERIODS {
                self.periods.pop_front();
            }
            self.open = true;
            return;
        }
        let Some(period) = self.periods.back_mut() else {
            return;
        };
        period.duration_s += dt;
        period.tasks += s.throughput.tasks_per_s.max(0.0) * dt;
        if s.latency.window.total.count > 0 {
            period.latency_p99_weighted += s.latency.window.total.p99 * dt;
            period.latency_weight += dt;
        }
        if s.heartbeat.window.count > 0 {
            period.heartbeat_p99_weighted += s.heartbeat.window.p99 * dt;
            period.heartbeat_weight += dt;
        }
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

    /// Index in `rows()` of the highest throughput among rows of the newest row's workload.
    pub fn best_row(&self) -> Option<usize> {
        let rows = self.rows();
        let workload = &rows.last()?.workload;
        rows.iter()
            .enumerate()
            .filter(|(_, p)| &p.workload == workload)
            .max_by(|a, b| a.1.tasks_per_s().total_cmp(&b.1.tasks_per_s()))
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::snapshot::ThreadView;

    fn snap(t: f64, backend: BackendKind, threads: usize, tasks_per_s: f64) -> Snapshot {
        let mut s = Snapshot {
            elapsed_s: t,
            ..Snapshot::default()
        };
        s.config.backend = backend;
        s.config.threads = threads;
        s.config.running = true;
        s.throughput.tasks_per_s = tasks_per_s;
        s.threads = vec![ThreadView {
            tid: 1,
            name: "rayon-0".into(),
            pool: PoolKind::Rayon,
            cpu_pct: 100.0,
            busy_pct: 80.0,
            alive: true,
            ..ThreadView::default()
        }];
        s
    }

    #[test]
    fn each_setup_becomes_a_row_and_the_fastest_is_best() {
        let mut c = Comparison::default();
        for i in 0..=4 {
            c.on_snapshot(&snap(i as f64, BackendKind::Rayon, 1, 100.0));
        }
        for i in 5..=9 {
            c.on_snapshot(&snap(i as f64, BackendKind::Rayon, 2, 190.0));
        }
        let rows = c.rows();
        assert_eq!(rows.len(), 2);
        assert!((rows[0].duration_s - 4.0).abs() < 1e-9);
        assert!((rows[0].tasks_per_s() - 100.0).abs() < 1e-9);
        assert_eq!(rows[0].cpu_efficiency(), Some(0.8));
        assert_eq!(c.best_row(), Some(1));
    }

    #[test]
    fn paused_time_is_not_counted() {
        let mut c = Comparison::default();
        c.on_snapshot(&snap(0.0, BackendKind::Rayon, 1, 100.0));
        c.on_snapshot(&snap(1.0, BackendKind::Rayon, 1, 100.0));
        let mut paused = snap(2.0, BackendKind::Rayon, 1, 0.0);
        paused.config.paused = true;
        c.on_snapshot(&paused);
        c.on_snapshot(&snap(3.0, BackendKind::Rayon, 1, 100.0));
        c.on_snapshot(&snap(4.0, BackendKind::Rayon, 1, 100.0));
        let rows = c.rows();
        assert_eq!(rows.len(), 2);
        assert!((rows[0].duration_s - 1.0).abs() < 1e-9);
    }
}
