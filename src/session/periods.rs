//! The periods of a session: one per stretch with one configuration (backend,
//! threads, workload, load) while work flows, measured from the engine's
//! never-reset totals carried by the Snapshots at its ends and from the exact
//! busy and CPU seconds of the backend's threads. The dashboard's comparison
//! (`c`) and the `run --scenario` report show the same periods.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use super::pool::pool_of;
use super::starvation::{Threshold, Verdict};
use crate::bounds;
use crate::metrics::percentiles::percentiles_between;
use crate::metrics::proc_stat::{CpuTicks, external_cpu_pct};
use crate::metrics::snapshot::{PoolKind, RunningTotals, Snapshot};
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

/// One stretch of a session with one configuration.
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
    /// The heartbeat p99 of the period against the run's starvation
    /// threshold, the live health's line (null: no tick measured).
    pub verdict: Option<Verdict>,
    /// The scenario's caption during the period.
    pub caption: Option<String>,
    /// CPU other programs used during the period, percent of the machine.
    pub external_cpu_pct: Option<f64>,
    /// Tasks behind `latency_us` and heartbeat ticks behind `heartbeat_lag_us`.
    #[serde(skip)]
    pub latency_samples: u64,
    #[serde(skip)]
    pub heartbeat_samples: u64,
    /// Seconds inside jobs and OS CPU seconds of the backend's threads in the
    /// period, threads that exited in it included.
    #[serde(skip)]
    pub pool_busy_s: f64,
    #[serde(skip)]
    pub pool_cpu_s: f64,
}

impl Period {
    pub fn duration_s(&self) -> f64 {
        (self.to_s - self.from_s).max(0.0)
    }

    /// p99 of total latency over the tasks that ended in the period, µs.
    pub fn latency_p99_us(&self) -> Option<f64> {
        (self.latency_samples > 0).then_some(self.latency_us.total.p99)
    }

    /// p99 of heartbeat lag over the period, µs.
    pub fn heartbeat_p99_us(&self) -> Option<f64> {
        (self.heartbeat_samples > 0).then_some(self.heartbeat_lag_us.p99)
    }

    /// Busy time in jobs over OS CPU time of the backend's threads (1.0: no
    /// CPU spent outside jobs; above 1.0: the threads waited for a core).
    pub fn cpu_efficiency(&self) -> Option<f64> {
        (self.pool_cpu_s > 0.0).then(|| self.pool_busy_s / self.pool_cpu_s)
    }
}

/// What makes two Snapshots belong to one period.
fn same_configuration(a: &Snapshot, b: &Snapshot) -> bool {
    a.config.backend == b.config.backend
        && a.config.threads == b.config.threads
        && a.config.workload == b.config.workload
        && a.config.load == b.config.load
}

/// Work flows: neither stopped nor paused.
fn working(s: &Snapshot) -> bool {
    s.config.running && !s.config.paused
}

/// Busy and CPU seconds of one pool's threads, summed from their cumulative
/// per-thread readings as Snapshots arrive.
#[derive(Clone, Debug, Default)]
struct PoolTime {
    pool: PoolKind,
    busy_s: f64,
    cpu_s: f64,
    /// Each thread's last (busy, CPU) seconds seen.
    last: HashMap<i32, (f64, f64)>,
}

impl PoolTime {
    /// Counting from the threads' readings in `start`.
    fn from(start: &Snapshot) -> PoolTime {
        let pool = pool_of(start.config.backend);
        PoolTime {
            pool,
            last: start
                .threads
                .iter()
                .filter(|t| t.pool == pool)
                .map(|t| (t.tid, (t.busy_s, t.cpu_s)))
                .collect(),
            ..PoolTime::default()
        }
    }

    fn observe(&mut self, s: &Snapshot) {
        for t in s.threads.iter().filter(|t| t.pool == self.pool) {
            // A thread born in the period counts from zero.
            let (busy, cpu) = self.last.get(&t.tid).copied().unwrap_or((0.0, 0.0));
            // Busy seconds restart at a statistics reset; CPU seconds never do.
            self.busy_s += if t.busy_s >= busy {
                t.busy_s - busy
            } else {
                t.busy_s
            };
            self.cpu_s += (t.cpu_s - cpu).max(0.0);
            self.last.insert(t.tid, (t.busy_s, t.cpu_s));
        }
    }
}

/// The period being measured.
#[derive(Clone, Debug)]
struct Open {
    start: Arc<Snapshot>,
    /// The latest Snapshot of the period, and the period measured up to it.
    last: Arc<Snapshot>,
    measured: Period,
    caption: Option<String>,
    /// The machine's CPU counters when the period opened.
    ticks: Option<CpuTicks>,
    pool: PoolTime,
}

/// Cuts a session into periods as its Snapshots arrive. Stopped, paused and
/// stalled stretches belong to no period.
#[derive(Clone, Debug)]
pub struct PeriodTracker {
    open: Option<Open>,
    done: VecDeque<Period>,
    /// Periods closed so far, those dropped past the bound included.
    closed: u64,
    /// When the latest Snapshot was taken, seconds since the engine started.
    last_t: Option<f64>,
    /// Reads the machine's CPU counters (replaced in tests).
    read_ticks: fn() -> Option<CpuTicks>,
}

impl Default for PeriodTracker {
    fn default() -> PeriodTracker {
        PeriodTracker {
            open: None,
            done: VecDeque::new(),
            closed: 0,
            last_t: None,
            read_ticks: CpuTicks::read,
        }
    }
}

impl PeriodTracker {
    /// Offers the latest Snapshot (the same one twice is harmless).
    pub fn observe(&mut self, snapshot: &Arc<Snapshot>) {
        let t = snapshot.elapsed_s;
        if self.last_t.is_some_and(|last| t < last) {
            return;
        }
        let stalled = self
            .last_t
            .is_some_and(|last| t - last > bounds::PERIOD_STALL_MAX_S);
        self.last_t = Some(t);
        if stalled {
            // The stall belongs to no period: the open one ends before it.
            if let Some(open) = self.open.take() {
                self.close(open);
            }
        }
        match self.open.as_mut() {
            Some(open) if working(snapshot) && same_configuration(&open.start, snapshot) => {
                if open.caption.is_none() {
                    open.caption.clone_from(&snapshot.caption);
                }
                open.pool.observe(snapshot);
                open.last = snapshot.clone();
                open.measured = measure(&open.start, snapshot, open.caption.clone(), &open.pool);
            }
            Some(_) => {
                // A new configuration, a pause or a stop: the period ends here.
                if let Some(mut open) = self.open.take() {
                    open.pool.observe(snapshot);
                    open.last = snapshot.clone();
                    open.measured =
                        measure(&open.start, snapshot, open.caption.clone(), &open.pool);
                    self.close(open);
                }
                if working(snapshot) {
                    self.start(snapshot);
                }
            }
            None if working(snapshot) => self.start(snapshot),
            None => {}
        }
    }

    fn start(&mut self, snapshot: &Arc<Snapshot>) {
        let pool = PoolTime::from(snapshot);
        self.open = Some(Open {
            start: snapshot.clone(),
            last: snapshot.clone(),
            measured: measure(snapshot, snapshot, snapshot.caption.clone(), &pool),
            caption: snapshot.caption.clone(),
            ticks: (self.read_ticks)(),
            pool,
        });
    }

    fn close(&mut self, open: Open) {
        if open.last.elapsed_s <= open.start.elapsed_s {
            return;
        }
        let mut period = open.measured;
        period.external_cpu_pct = match (open.ticks, (self.read_ticks)()) {
            (Some(before), Some(after)) => external_cpu_pct(&before, &after).map(round2),
            _ => None,
        };
        self.done.push_back(period);
        self.closed += 1;
        while self.done.len() > bounds::PERIODS_MAX {
            self.done.pop_front();
        }
    }

    /// Every period so far, oldest first, the open one measured up to the
    /// latest Snapshot.
    pub fn periods(&self) -> impl Iterator<Item = &Period> {
        self.done
            .iter()
            .chain(self.open.as_ref().map(|open| &open.measured))
    }

    /// Periods that lasted long enough to compare, oldest first.
    pub fn rows(&self) -> Vec<&Period> {
        self.rows_since(0)
    }

    /// Ends the open period at its latest Snapshot, so that the next one
    /// opens a period of its own even in the same configuration (a scenario
    /// starts), and returns the mark that [`PeriodTracker::rows_since`] takes.
    pub fn cut(&mut self) -> u64 {
        if let Some(open) = self.open.take() {
            self.close(open);
        }
        self.closed
    }

    /// The rows of the periods opened after the [`PeriodTracker::cut`] that
    /// returned `mark`, oldest first.
    pub fn rows_since(&self, mark: u64) -> Vec<&Period> {
        let dropped = self.closed - self.done.len() as u64;
        let skipped = usize::try_from(mark.saturating_sub(dropped)).unwrap_or(usize::MAX);
        self.done
            .iter()
            .skip(skipped)
            .chain(self.open.as_ref().map(|open| &open.measured))
            .filter(|p| p.duration_s() >= bounds::PERIOD_SHOWN_MIN_S)
            .collect()
    }

    /// Closes the open period at `last` (the run's final Snapshot) and
    /// returns every period in order.
    pub fn finish(mut self, last: &Arc<Snapshot>) -> Vec<Period> {
        if let Some(mut open) = self.open.take() {
            if last.elapsed_s >= open.last.elapsed_s {
                open.pool.observe(last);
                open.last = last.clone();
                open.measured = measure(&open.start, last, open.caption.clone(), &open.pool);
            }
            self.close(open);
        }
        self.done.into()
    }
}

/// Indexes in `rows` of the highest throughput of each workload.
pub fn best_of_each_workload(rows: &[&Period]) -> Vec<usize> {
    let mut best: Vec<usize> = Vec::new();
    for (i, p) in rows.iter().enumerate() {
        match best.iter_mut().find(|b| rows[**b].workload == p.workload) {
            Some(b) if p.tasks_per_s > rows[*b].tasks_per_s => *b = i,
            Some(_) => {}
            None => best.push(i),
        }
    }
    best.sort_unstable();
    best
}

/// A period from the Snapshot that opened it to `end`; the configuration is
/// the opening one's.
fn measure(start: &Snapshot, end: &Snapshot, caption: Option<String>, pool: &PoolTime) -> Period {
    let (a, b): (&RunningTotals, &RunningTotals) = (&start.running_totals, &end.running_totals);
    let seconds = end.elapsed_s - start.elapsed_s;
    let completed = b.completed.saturating_sub(a.completed);
    let failed = b.failed.saturating_sub(a.failed);
    let per_s = |n: u64| per_second(n, seconds);
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
        verdict: (heartbeat.count > 0).then(|| {
            Threshold {
                heartbeat_p99_us: start.health.threshold_us,
                ..Threshold::default()
            }
            .heartbeat_verdict(heartbeat.p99)
        }),
        caption,
        external_cpu_pct: None,
        latency_samples: latency.count,
        heartbeat_samples: heartbeat.count,
        pool_busy_s: pool.busy_s,
        pool_cpu_s: pool.cpu_s,
    }
}

/// `count` over `seconds` (0 for no time).
pub fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
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
    use crate::metrics::snapshot::ThreadView;

    /// A Snapshot at `t` s running `backend` x `threads`, whose never-reset
    /// totals say `completed` tasks so far, each of them `latency_us` long,
    /// and whose one rayon thread has been busy 0.8 s and used 1 s of CPU
    /// per second so far.
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
            threads: vec![ThreadView {
                tid: 1,
                name: "rayon-0".into(),
                pool: PoolKind::Rayon,
                busy_s: 0.8 * t,
                cpu_s: t,
                alive: true,
                ..ThreadView::default()
            }],
            ..Snapshot::default()
        };
        s.config.backend = backend;
        s.config.threads = threads;
        s.config.running = true;
        // The window rate is deliberately wrong: periods use the counters.
        s.throughput.tasks_per_s = 1e9;
        s.caption = Some(format!("{backend} x{threads}"));
        Arc::new(s)
    }

    fn no_ticks() -> Option<CpuTicks> {
        None
    }

    fn tracker() -> PeriodTracker {
        PeriodTracker {
            read_ticks: no_ticks,
            ..PeriodTracker::default()
        }
    }

    #[test]
    fn each_configuration_is_one_period_measured_by_difference() {
        let mut tracker = tracker();
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
    fn the_open_period_is_measured_up_to_the_latest_snapshot() {
        let mut tracker = tracker();
        for i in 0..=4 {
            tracker.observe(&snap(i as f64, BackendKind::Rayon, 1, 100 * i, 0));
        }
        for i in 5..=9 {
            tracker.observe(&snap(
                i as f64,
                BackendKind::Rayon,
                2,
                400 + 190 * (i - 4),
                0,
            ));
        }
        let rows = tracker.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].duration_s(), 5.0);
        assert_eq!(rows[0].tasks_completed, 590);
        assert_eq!(rows[1].duration_s(), 4.0);
        assert_eq!(rows[1].tasks_per_s, 190.0);
        assert_eq!(best_of_each_workload(&rows), [1]);
    }

    #[test]
    fn pool_efficiency_comes_from_the_threads_exact_seconds() {
        let mut tracker = tracker();
        tracker.observe(&snap(10.0, BackendKind::Rayon, 1, 0, 0));
        // A thread born in the period, then gone from the Snapshots: its
        // seconds count from zero and stay counted.
        let mut with_newcomer = (*snap(11.0, BackendKind::Rayon, 1, 10, 0)).clone();
        with_newcomer.threads.push(ThreadView {
            tid: 2,
            name: "rayon-1".into(),
            pool: PoolKind::Rayon,
            busy_s: 0.5,
            cpu_s: 1.0,
            ..ThreadView::default()
        });
        tracker.observe(&Arc::new(with_newcomer));
        let periods = tracker.finish(&snap(12.0, BackendKind::Rayon, 1, 20, 0));
        let p = &periods[0];
        // Thread 1: 1.6 s busy of 2 s CPU; thread 2: 0.5 of 1.
        assert!((p.pool_busy_s - 2.1).abs() < 1e-9, "{p:?}");
        assert!((p.pool_cpu_s - 3.0).abs() < 1e-9, "{p:?}");
        assert_eq!(p.cpu_efficiency(), Some(p.pool_busy_s / p.pool_cpu_s));
    }

    #[test]
    fn a_statistics_reset_does_not_lose_busy_time() {
        let mut tracker = tracker();
        tracker.observe(&snap(1.0, BackendKind::Rayon, 1, 0, 0));
        let mut reset = (*snap(2.0, BackendKind::Rayon, 1, 10, 0)).clone();
        reset.threads[0].busy_s = 0.3; // busy seconds since the reset
        tracker.observe(&Arc::new(reset));
        let periods = tracker.finish(&snap(3.0, BackendKind::Rayon, 1, 20, 0));
        // 0.3 after the reset, then from 0.3 to 2.4.
        assert!(
            (periods[0].pool_busy_s - 2.4).abs() < 1e-9,
            "{:?}",
            periods[0]
        );
        assert!((periods[0].pool_cpu_s - 2.0).abs() < 1e-9);
    }

    #[test]
    fn paused_and_stalled_time_belongs_to_no_period() {
        let mut tracker = tracker();
        tracker.observe(&snap(0.0, BackendKind::Rayon, 1, 0, 0));
        tracker.observe(&snap(1.0, BackendKind::Rayon, 1, 100, 0));
        let mut paused = (*snap(2.0, BackendKind::Rayon, 1, 150, 0)).clone();
        paused.config.paused = true;
        tracker.observe(&Arc::new(paused));
        tracker.observe(&snap(3.0, BackendKind::Rayon, 1, 150, 0));
        tracker.observe(&snap(4.0, BackendKind::Rayon, 1, 250, 0));
        // Nothing for longer than a stall: the next period starts after it.
        tracker.observe(&snap(30.0, BackendKind::Rayon, 1, 260, 0));
        let periods = tracker.finish(&snap(32.0, BackendKind::Rayon, 1, 460, 0));
        let spans: Vec<(f64, f64, u64)> = periods
            .iter()
            .map(|p| (p.from_s, p.to_s, p.tasks_completed))
            .collect();
        assert_eq!(spans, [(0.0, 2.0, 150), (3.0, 4.0, 100), (30.0, 32.0, 200)]);
    }

    #[test]
    fn the_best_row_is_marked_per_workload() {
        let mut tracker = tracker();
        let with_size = |s: Arc<Snapshot>, size: u64| {
            let mut s = (*s).clone();
            s.config.workload.size = size;
            Arc::new(s)
        };
        for i in 0..=2 {
            tracker.observe(&with_size(
                snap(i as f64, BackendKind::Rayon, 1, 500 * i, 0),
                1,
            ));
        }
        for i in 3..=5 {
            let completed = 900 + 10 * i;
            tracker.observe(&with_size(
                snap(i as f64, BackendKind::Rayon, 2, completed, 0),
                2,
            ));
        }
        for i in 6..=8 {
            let completed = 1000 + 100 * i;
            tracker.observe(&with_size(
                snap(i as f64, BackendKind::Rayon, 1, completed, 0),
                1,
            ));
        }
        // Workload 1: row 0 (500/s and more) beats row 2 (100/s); workload 2 has only row 1.
        assert_eq!(best_of_each_workload(&tracker.rows()), [0, 1]);
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
    fn a_cut_starts_a_new_period_in_the_same_configuration_and_marks_it() {
        let mut tracker = tracker();
        for t in 0..=3 {
            tracker.observe(&snap(t as f64, BackendKind::Rayon, 1, 100 * t, 0));
        }
        let mark = tracker.cut();
        assert_eq!(mark, 1);
        for t in 4..=6 {
            tracker.observe(&snap(t as f64, BackendKind::Rayon, 1, 100 * t, 0));
        }
        for t in 7..=9 {
            tracker.observe(&snap(t as f64, BackendKind::Inline, 1, 100 * t, 0));
        }
        let spans = |rows: Vec<&Period>| -> Vec<(BackendKind, f64, f64)> {
            rows.iter().map(|p| (p.backend, p.from_s, p.to_s)).collect()
        };
        // The stretch 3-4 s ran before the first Snapshot after the cut: no period's.
        assert_eq!(
            spans(tracker.rows_since(mark)),
            [
                (BackendKind::Rayon, 4.0, 7.0),
                (BackendKind::Inline, 7.0, 9.0)
            ]
        );
        assert_eq!(tracker.rows().len(), 3);
        assert_eq!(tracker.rows()[0].to_s, 3.0);
    }

    #[test]
    fn a_period_is_starved_when_its_heartbeat_p99_passes_the_runs_threshold() {
        let with_heartbeat = |t: f64, ticks: u64, lag_us: u64| {
            let mut s = (*snap(t, BackendKind::Inline, 2, 10 * ticks, 0)).clone();
            let mut buckets = vec![0; BUCKETS];
            buckets[bucket_of(lag_us * 1000)] = ticks;
            s.running_totals = Arc::new(RunningTotals {
                heartbeat_buckets: buckets,
                ..(*s.running_totals).clone()
            });
            s.health.threshold_us = 10_000.0;
            Arc::new(s)
        };
        let verdict_over = |ticks: u64, lag_us: u64| {
            let mut periods = tracker();
            periods.observe(&with_heartbeat(0.0, 0, 0));
            periods
                .finish(&with_heartbeat(2.0, ticks, lag_us))
                .remove(0)
        };
        let starved = verdict_over(100, 30_000);
        assert_eq!(starved.verdict, Some(Verdict::Starved), "{starved:?}");
        let healthy = verdict_over(100, 500);
        assert_eq!(healthy.verdict, Some(Verdict::Healthy), "{healthy:?}");
        let silent = verdict_over(0, 0);
        assert_eq!(silent.verdict, None, "no tick, no verdict");
    }

    #[test]
    fn latency_percentiles_cover_only_the_tasks_of_the_period() {
        let mut before = vec![0; BUCKETS];
        before[bucket_of(1_000_000)] = 100;
        let totals = |completed: u64, buckets: Vec<u64>| {
            Arc::new(RunningTotals {
                completed,
                total_latency_buckets: buckets,
                heartbeat_buckets: vec![0; BUCKETS],
                ..RunningTotals::default()
            })
        };
        // 100 tasks of 1 ms before the period, 100 of 50 ms during it.
        let start = Arc::new(Snapshot {
            running_totals: totals(100, before.clone()),
            ..(*snap(0.0, BackendKind::Rayon, 1, 0, 0)).clone()
        });
        let mut after = before;
        after[bucket_of(50_000_000)] = 100;
        let end = Arc::new(Snapshot {
            running_totals: totals(200, after),
            ..(*snap(2.0, BackendKind::Rayon, 1, 0, 0)).clone()
        });
        let mut tracker = tracker();
        tracker.observe(&start);
        let period = tracker.finish(&end).remove(0);
        let p50_ms = period.latency_us.total.p50 / 1000.0;
        assert!((48.0..52.0).contains(&p50_ms), "{p50_ms}");
        assert_eq!(period.tasks_completed, 100);
        assert_eq!(period.latency_samples, 100);
        assert_eq!(period.heartbeat_p99_us(), None);
    }
}
