//! The sampler's bookkeeping: reads every thread's counters and histograms, the
//! OS's per-thread CPU, tokio's runtime metrics and sysinfo, and turns them into
//! Snapshots (a sliding window plus totals since the last reset).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::merged_histograms::MergedHistograms;
use super::observed::Observed;
use super::os_threads;
use super::own_cpu::{OwnCpu, OwnCpuBaseline};
use super::percentiles::{Buckets, empty_buckets, percentiles_between};
use super::snapshot::{
    Failures, Health, HealthState, LatencySet, LatencyView, Percentiles, PoolKind, ProbeView,
    RunningTotals, RuntimeView, Snapshot, SystemView, TaskCounts, ThreadView, Throughput,
    sort_in_thread_order, thread_order_positions,
};
use super::system::SystemProbe;
use super::thread_name::ThreadName;
use super::thread_stats::{Counters, ThreadStats, sum_consistent};
use crate::metrics::http_stats::{HttpReading, HttpStats, Route};

/// How long an exited thread stays visible (dimmed) in snapshots.
const FADE: Duration = crate::bounds::EXITED_THREAD_LINGER;

/// Cumulative totals at one instant: what windows and resets subtract.
#[derive(Clone)]
struct Totals {
    at: Instant,
    counters: Counters,
    queue: Buckets,
    service: Buckets,
    total: Buckets,
    heartbeat: Buckets,
    echo: Buckets,
}

impl Totals {
    fn zero(at: Instant) -> Totals {
        Totals {
            at,
            counters: Counters::default(),
            queue: empty_buckets(),
            service: empty_buckets(),
            total: empty_buckets(),
            heartbeat: empty_buckets(),
            echo: empty_buckets(),
        }
    }
}

/// One thread's cumulative readings at one sample.
#[derive(Clone, Copy)]
struct ThreadReading {
    /// OS CPU time.
    cpu_ns: u64,
    /// Time waiting for a CPU while ready to run.
    wait_ns: u64,
    /// When the OS times were read: with many threads, an earlier sample's.
    read_at: Instant,
    /// The rates shown at this sample, which stand until the thread's OS
    /// times are read again.
    cpu_pct: f64,
    wait_pct: f64,
    /// Time inside jobs.
    busy_ns: u64,
    /// Tasks ended.
    ended: u64,
}

type ThreadReadings = super::thread_readings::ThreadReadings<ThreadReading>;

/// A thread that ran tasks, for the run report's `threads_seen`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ThreadSeen {
    pub name: String,
    pub tid: i32,
    pub pool: PoolKind,
    pub tasks: u64,
    pub busy_s: f64,
    pub cpu_s: f64,
    /// Seconds the thread was ready to run but waited for a CPU (schedstat's
    /// run delay): where busy time exceeds CPU time, this is usually why.
    pub wait_s: f64,
}

/// Totals of a finished run, for its report.
#[derive(Clone, Debug, Default)]
pub struct RunTotals {
    pub counters: Counters,
    pub latency: LatencySet,
    pub heartbeat: Percentiles,
    pub echo: Percentiles,
    pub threads_seen: Vec<ThreadSeen>,
    /// When the statistics were last reset (None: never); totals cover from there.
    pub reset_at: Option<Instant>,
    /// loadlab's own threads' CPU over the same stretch.
    pub own_cpu: OwnCpu,
}

pub struct CollectorConfig {
    pub window: Duration,
    /// Starved when the window's heartbeat p99 exceeds this.
    pub starved_threshold: Duration,
    /// The HTTP service's statistics, when `--serve` is on.
    pub service: Option<Arc<HttpStats>>,
}

/// A thread that ran or waited to run at least this share of the window wants
/// a CPU. Waiting counts: on a machine busy with other work a thread that
/// wants a core gets less than it asks for.
pub const BUSY_THREAD_CPU_PCT: f64 = 30.0;

/// Whether `thread` wants a CPU: alive, and on a CPU or waiting for one at
/// least `BUSY_THREAD_CPU_PCT` of the time.
pub fn wants_a_cpu(thread: &ThreadView) -> bool {
    thread.alive && thread.cpu_pct + thread.wait_pct >= BUSY_THREAD_CPU_PCT
}

pub struct Collector {
    engine: Arc<dyn Observed>,
    runtime: tokio::runtime::Handle,
    config: CollectorConfig,
    system: Option<SystemProbe>,
    /// Other programs' share of the CPUs and the busiest of them.
    others: super::other_processes::OtherProcesses,
    /// Counters of exited threads, folded in so totals never drop.
    retired: Counters,
    /// Every thread's latency histograms, exited or registered, summed.
    latencies: MergedHistograms,
    retired_threads: Vec<ThreadSeen>,
    /// Cumulative totals of recent ticks, oldest first: the window's start.
    recent: VecDeque<Totals>,
    baseline: Totals,
    /// Per-thread counters at the last reset.
    thread_baseline: HashMap<i32, Counters>,
    /// Per-thread readings at recent ticks, for window rates.
    thread_recent: VecDeque<(Instant, ThreadReadings)>,
    /// Last (CPU, wait) reading of every thread in ns, kept after it exits.
    last_os_times: HashMap<i32, (u64, u64)>,
    thread_reader: os_threads::ThreadReader,
    /// Threads' CPU at the last reset (or start): own threads' cost counts from it.
    own_cpu_baseline: OwnCpuBaseline,
    /// Usable cores, read once (it reads cgroup files: too dear for every tick).
    cores: usize,
    fading: HashMap<i32, (ThreadView, Instant)>,
    runtime_recent: VecDeque<(Instant, Vec<(Duration, u64)>)>,
    reset_at: Option<Instant>,
    /// Blocked events counted before the last reset.
    blocked_baseline: u64,
    /// The previous tick's thread views (for fading exited threads).
    last_views: Vec<ThreadView>,
    /// The last thread views' (tid, name) as built, and the positions that
    /// put them in thread order.
    order_input: Vec<(i32, ThreadName)>,
    order_positions: Vec<usize>,
    /// Registered threads' counters at this tick, by tid (kept for its room).
    counters_now: super::thread_readings::ThreadReadings<Counters>,
    seq: u64,
    /// The service's readings at recent ticks (window) and at the last reset.
    service_recent: VecDeque<(Instant, HttpReading)>,
    service_baseline: Option<HttpReading>,
}

impl Collector {
    pub fn new(
        engine: Arc<dyn Observed>,
        runtime: tokio::runtime::Handle,
        config: CollectorConfig,
    ) -> Collector {
        let now = Instant::now();
        let mut thread_reader = os_threads::ThreadReader::new();
        let own_cpu_baseline = OwnCpuBaseline::new(now, &thread_reader.list_all());
        Collector {
            engine,
            runtime,
            config,
            system: SystemProbe::new(),
            others: super::other_processes::OtherProcesses::default(),
            retired: Counters::default(),
            latencies: MergedHistograms::default(),
            retired_threads: Vec::new(),
            recent: VecDeque::new(),
            baseline: Totals::zero(now),
            thread_baseline: HashMap::new(),
            thread_recent: VecDeque::new(),
            last_os_times: HashMap::new(),
            thread_reader,
            own_cpu_baseline,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            fading: HashMap::new(),
            runtime_recent: VecDeque::new(),
            last_views: Vec::new(),
            counters_now: Default::default(),
            order_input: Vec::new(),
            order_positions: Vec::new(),
            reset_at: None,
            blocked_baseline: 0,
            seq: 0,
            service_recent: VecDeque::new(),
            service_baseline: None,
        }
    }

    /// Zeroes the cumulative statistics (the `r` key).
    pub fn reset(&mut self) {
        let now = Instant::now();
        self.reset_at = Some(now);
        self.baseline = self.totals(now, Reads::All);
        let threads = self.read_os_threads(Reads::All);
        self.own_cpu_baseline = OwnCpuBaseline::new(now, &threads);
        self.thread_baseline = self
            .engine
            .registry()
            .all()
            .iter()
            .map(|s| (s.tid, s.counters()))
            .collect();
        self.retired_threads.clear();
        self.service_baseline = self.config.service.as_ref().map(|stats| stats.read());
        // Blocked events count from the reset too.
        self.blocked_baseline = self.engine.probes().blocked_events();
        self.engine.probes().clear_last_block();
    }

    fn fold_exited_threads(&mut self) {
        for stats in self.engine.registry().take_exited() {
            let counters = stats.counters();
            self.retired.add(&counters);
            self.latencies.retire(&stats);
            let since =
                counters.since(&self.thread_baseline.remove(&stats.tid).unwrap_or_default());
            if since.ended() > 0 {
                self.retired_threads.push(self.thread_seen(&stats, &since));
            }
        }
    }

    fn totals(&mut self, at: Instant, reads: Reads) -> Totals {
        self.totals_of(at, &self.engine.registry().all(), reads)
    }

    /// Exited threads' totals plus `registered` threads' counters at `at`
    /// and their latencies as of their last fold: this one's for the
    /// threads `reads` folds now.
    fn totals_of(&mut self, at: Instant, registered: &[Arc<ThreadStats>], reads: Reads) -> Totals {
        match reads {
            Reads::Budget => self
                .latencies
                .fold_in_turn(registered, crate::bounds::THREAD_READS_PER_SAMPLE),
            Reads::All => self.latencies.fold_all(registered),
        }
        let latencies = self.latencies.latencies();
        let mut totals = Totals {
            at,
            counters: sum_consistent(&self.retired, registered.iter().map(|stats| &**stats)),
            queue: latencies.queue.clone(),
            service: latencies.service.clone(),
            total: latencies.total.clone(),
            heartbeat: empty_buckets(),
            echo: empty_buckets(),
        };
        self.engine
            .probes()
            .heartbeat()
            .add_counts_to(&mut totals.heartbeat);
        self.engine.probes().echo().add_counts_to(&mut totals.echo);
        totals
    }

    fn thread_seen(&self, stats: &ThreadStats, since: &Counters) -> ThreadSeen {
        ThreadSeen {
            name: stats.name.clone(),
            tid: stats.tid,
            pool: stats.pool,
            tasks: since.ended(),
            busy_s: since.busy_ns as f64 / 1e9,
            cpu_s: self.os_times_of(stats.tid).0 as f64 / 1e9,
            wait_s: self.os_times_of(stats.tid).1 as f64 / 1e9,
        }
    }

    /// Lists the process's threads and remembers each one's CPU and wait
    /// times, which exited threads' report lines still need.
    fn read_os_threads(&mut self, reads: Reads) -> Vec<os_threads::OsThread> {
        let os = match reads {
            Reads::Budget => self.thread_reader.list(),
            Reads::All => self.thread_reader.list_all(),
        };
        for thread in &os {
            self.last_os_times
                .insert(thread.tid, (thread.cpu_ns, thread.wait_ns));
        }
        os
    }

    /// A thread's last (CPU, wait) times in ns; zeros for one never read.
    fn os_times_of(&self, tid: i32) -> (u64, u64) {
        self.last_os_times.get(&tid).copied().unwrap_or((0, 0))
    }

    /// Takes one sample and builds the Snapshot.
    pub fn sample(&mut self) -> Snapshot {
        if self.engine.take_reset_request() {
            self.reset();
        }
        let now = Instant::now();
        let os = self.read_os_threads(Reads::Budget);
        self.fold_exited_threads();
        let registered = self.engine.registry().all();
        let totals = self.totals_of(now, &registered, Reads::Budget);

        // Window: from the oldest kept tick no older than the window.
        trim_to_window(&mut self.recent, now, self.config.window, |t| t.at);
        let start = self.recent.front().unwrap_or(&self.baseline);
        let window_s = now.duration_since(start.at).as_secs_f64().max(1e-9);
        let window = totals.counters.since(&start.counters);
        let cumulative = totals.counters.since(&self.baseline.counters);
        let latency = LatencyView {
            window: latency_set(&totals, start),
            cumulative: latency_set(&totals, &self.baseline),
        };
        let heartbeat = probe_view(
            &totals.heartbeat,
            &start.heartbeat,
            &self.baseline.heartbeat,
        );
        let echo = probe_view(&totals.echo, &start.echo, &self.baseline.echo);
        let threads = self.thread_views(now, &os, &registered);
        let runtime = self.runtime_view(now);
        let config = self.engine.config_view();
        let elapsed_s = self.engine.elapsed_s();
        let service = self.service_view(now);
        let client_p99_us = service
            .as_ref()
            .map(|service| &service.health_client.window)
            .filter(|window| window.count > 0)
            .map(|window| window.p99);
        let health = self.health(&heartbeat, client_p99_us, elapsed_s);
        let sample_interval = self.recent.back().map(|last| now.duration_since(last.at));
        let system = self.system_view(&os, &threads, sample_interval);
        self.engine
            .probes()
            .set_machine_load(super::probe_stats::MachineLoad {
                busy_threads: system.busy_threads,
                cores: system.cores,
                external_cpu_pct: system.external_cpu_pct,
            });

        // One rate of failures, in the throughput and beside the first error.
        let failed_per_s = window.failed as f64 / window_s;
        let running_totals = Arc::new(running_totals(&totals));
        // From the same read as the counts, so the identity holds.
        let inflight = totals.counters.in_flight();
        let idle = service.is_none() && (config.paused || !config.running) && inflight == 0;
        self.engine.probes().set_idle(idle);
        self.recent.push_back(totals);
        self.seq += 1;
        let submitted = cumulative.submitted;
        Snapshot {
            seq: self.seq,
            elapsed_s,
            window_s,
            since_reset_s: now.duration_since(self.baseline.at).as_secs_f64(),
            config,
            tasks: TaskCounts {
                submitted,
                completed: cumulative.completed,
                failed: cumulative.failed,
                cancelled: cumulative.cancelled,
                inflight,
            },
            throughput: Throughput {
                // Completed only: failures are a separate rate, never throughput.
                tasks_per_s: window.completed as f64 / window_s,
                failed_per_s,
                bytes_per_s: window.bytes_in as f64 / window_s,
            },
            latency,
            heartbeat,
            echo,
            health,
            runtime,
            threads,
            system,
            caption: self.engine.caption(),
            running_totals,
            failures: self.failures(failed_per_s),
            service,
            idle,
            attached: None,
        }
    }

    /// The HTTP service's section: per route, requests/s and percentiles over
    /// the window and since the reset, counts since the service started.
    fn service_view(&mut self, now: Instant) -> Option<crate::metrics::snapshot::ServiceView> {
        use crate::metrics::snapshot::{CodeCount, RouteView, ServiceView};
        let stats = self.config.service.clone()?;
        let reading = stats.read();
        trim_to_window(&mut self.service_recent, now, self.config.window, |r| r.0);
        let (start_at, start) = self
            .service_recent
            .front()
            .map_or((now, &reading), |(at, r)| (*at, r));
        let window_s = now.duration_since(start_at).as_secs_f64();
        let empty = HttpReading::default();
        let baseline = self.service_baseline.as_ref().unwrap_or(&empty);
        let zero = crate::metrics::percentiles::empty_buckets();
        let routes = Route::ALL
            .iter()
            .enumerate()
            .map(|(i, route)| {
                let now_r = &reading.routes[i];
                let start_r = &start.routes[i];
                let base = baseline
                    .routes
                    .get(i)
                    .map_or(&zero, |r| &r.duration_buckets);
                RouteView {
                    route: route.label().to_string(),
                    requests_per_s: if window_s > 0.0 {
                        now_r.requests.saturating_sub(start_r.requests) as f64 / window_s
                    } else {
                        0.0
                    },
                    latency_us: probe_view(
                        &now_r.duration_buckets,
                        &start_r.duration_buckets,
                        base,
                    ),
                    requests: now_r.requests,
                    codes: now_r
                        .codes
                        .iter()
                        .map(|&(code, count)| CodeCount { code, count })
                        .collect(),
                    duration_sum_s: now_r.duration_sum_ns as f64 / 1e9,
                    duration_buckets: Arc::new(now_r.duration_buckets.clone()),
                }
            })
            .collect();
        let round_trips = probe_view(
            &reading.health_client_buckets,
            &start.health_client_buckets,
            if baseline.health_client_buckets.is_empty() {
                &zero
            } else {
                &baseline.health_client_buckets
            },
        );
        let health_client = crate::metrics::snapshot::HealthClientView {
            p50_us: round_trips.cumulative.p50,
            p99_us: round_trips.cumulative.p99,
            max_us: round_trips.cumulative.max,
            samples: round_trips.cumulative.count,
            failures: reading.health_client_failures,
            window: round_trips.window,
            cumulative: round_trips.cumulative,
            buckets: Arc::new(reading.health_client_buckets.clone()),
            sum_s: reading.health_client_sum_ns as f64 / 1e9,
        };
        self.service_recent.push_back((now, reading));
        Some(ServiceView {
            address: stats.address().to_string(),
            routes,
            health_client,
        })
    }

    fn failures(&self, per_s: f64) -> Failures {
        let (first_error, latest_cause) = self.engine.failure_texts();
        Failures {
            per_s,
            first_error,
            latest_cause,
        }
    }

    /// Starved when the heartbeat's window p99 is past the threshold, or with
    /// `--serve` when the `/health` client's is: a client kept waiting is
    /// starvation whatever the timer saw.
    fn health(&self, heartbeat: &ProbeView, client_p99_us: Option<f64>, elapsed_s: f64) -> Health {
        let threshold_us = self.config.starved_threshold.as_secs_f64() * 1e6;
        // No tick at all over a full window also means the runtime is held.
        let silent = heartbeat.window.count == 0 && elapsed_s > self.config.window.as_secs_f64();
        let client_waited = client_p99_us.is_some_and(|p99| p99 > threshold_us);
        let state = if heartbeat.window.p99 > threshold_us || silent || client_waited {
            HealthState::Starved
        } else {
            HealthState::Healthy
        };
        Health {
            state,
            threshold_us,
            blocked_events: self
                .engine
                .probes()
                .blocked_events()
                .saturating_sub(self.blocked_baseline),
            last_block: self.engine.probes().last_block(),
        }
    }

    fn thread_views(
        &mut self,
        now: Instant,
        os: &[os_threads::OsThread],
        registered: &[Arc<ThreadStats>],
    ) -> Vec<ThreadView> {
        self.counters_now.clear();
        for stats in registered {
            self.counters_now.push(stats.tid, stats.counters());
        }
        self.counters_now.seal();
        trim_to_window(&mut self.thread_recent, now, self.config.window, |r| r.0);
        let empty = ThreadReadings::default();
        let (start_at, start) = self
            .thread_recent
            .front()
            .map_or((now, &empty), |(at, r)| (*at, r));
        let span_s = now.duration_since(start_at).as_secs_f64();
        let previous = self.thread_recent.back().map(|(_, readings)| readings);
        let mut readings = ThreadReadings::with_capacity(os.len());
        let mut views: Vec<ThreadView> = Vec::with_capacity(os.len() + self.fading.len());
        views.extend(os.iter().map(|thread| {
            let counters = self
                .counters_now
                .get(thread.tid)
                .copied()
                .unwrap_or_default();
            let mut now_reading = ThreadReading {
                cpu_ns: thread.cpu_ns,
                wait_ns: thread.wait_ns,
                read_at: thread.read_at,
                cpu_pct: 0.0,
                wait_pct: 0.0,
                busy_ns: counters.busy_ns,
                ended: counters.ended(),
            };
            let then = start.get(thread.tid).copied().unwrap_or(now_reading);
            // OS times over the thread's own interval between readings; not
            // read again since the window's start, its last rates stand.
            (now_reading.cpu_pct, now_reading.wait_pct) = if now_reading.read_at > then.read_at {
                let os_span_s = (now_reading.read_at - then.read_at).as_secs_f64();
                let pct = |d: u64| d as f64 / os_span_s / 1e7;
                (
                    pct(now_reading.cpu_ns.saturating_sub(then.cpu_ns)),
                    pct(now_reading.wait_ns.saturating_sub(then.wait_ns)).min(100.0),
                )
            } else {
                previous
                    .and_then(|readings| readings.get(thread.tid))
                    .map_or((0.0, 0.0), |last| (last.cpu_pct, last.wait_pct))
            };
            readings.push(thread.tid, now_reading);
            let per_s = |d: u64| if span_s > 0.0 { d as f64 / span_s } else { 0.0 };
            let baseline = self
                .thread_baseline
                .get(&thread.tid)
                .copied()
                .unwrap_or_default();
            let since = counters.since(&baseline);
            ThreadView {
                tid: thread.tid,
                name: thread.name.clone().into(),
                pool: PoolKind::from_thread_name(&thread.name),
                cpu_pct: now_reading.cpu_pct,
                wait_pct: now_reading.wait_pct,
                busy_pct: (per_s(now_reading.busy_ns.saturating_sub(then.busy_ns)) / 1e7)
                    .min(100.0),
                tasks_per_s: per_s(now_reading.ended.saturating_sub(then.ended)),
                tasks: since.ended(),
                busy_s: since.busy_ns as f64 / 1e9,
                cpu_s: now_reading.cpu_ns as f64 / 1e9,
                wait_s: now_reading.wait_ns as f64 / 1e9,
                alive: true,
            }
        }));
        readings.seal();
        // Threads that just exited stay, dimmed, for FADE (the readings are
        // the live threads).
        if let Some((_, previous)) = self.thread_recent.back() {
            for tid in previous.tids().filter(|tid| !readings.contains(*tid)) {
                if let Some(view) = self.fading_candidate(tid) {
                    self.fading.insert(tid, (view, now));
                }
            }
        }
        self.fading
            .retain(|tid, (_, gone)| !readings.contains(*tid) && now.duration_since(*gone) < FADE);
        // Forget CPU readings of threads gone and folded into the totals, so
        // hours of thread churn keep this map small.
        let counters_now = &self.counters_now;
        self.last_os_times
            .retain(|tid, _| readings.contains(*tid) || counters_now.contains(*tid));
        views.extend(self.fading.values().map(|(view, _)| view.clone()));
        self.put_in_thread_order(&mut views);
        // Names are shared: this copies no text, and reuses the last copy's room.
        self.last_views.clone_from(&views);
        self.thread_recent.push_back((now, readings));
        views
    }

    /// Sorts the views as `sort_in_thread_order` would, reusing the last
    /// sample's order when the same threads came in the same order (the
    /// usual case: the sort's keys cost more than comparing tids and names).
    fn put_in_thread_order(&mut self, views: &mut Vec<ThreadView>) {
        let same_threads = self.order_input.len() == views.len()
            && views
                .iter()
                .zip(&self.order_input)
                .all(|(view, (tid, name))| view.tid == *tid && view.name == *name);
        if !same_threads {
            self.order_input.clear();
            self.order_input
                .extend(views.iter().map(|view| (view.tid, view.name.clone())));
            self.order_positions =
                thread_order_positions(views, |v| (v.pool, v.name.as_str(), v.tid));
        }
        if self
            .order_positions
            .iter()
            .enumerate()
            .all(|(at, from)| at == *from)
        {
            return;
        }
        let mut slots: Vec<Option<ThreadView>> = views.drain(..).map(Some).collect();
        views.extend(
            self.order_positions
                .iter()
                .filter_map(|from| slots.get_mut(*from).and_then(Option::take)),
        );
    }

    fn fading_candidate(&self, tid: i32) -> Option<ThreadView> {
        self.last_views
            .iter()
            .find(|v| v.tid == tid && v.alive)
            .map(|v| ThreadView {
                alive: false,
                cpu_pct: 0.0,
                wait_pct: 0.0,
                busy_pct: 0.0,
                tasks_per_s: 0.0,
                ..v.clone()
            })
    }

    fn runtime_view(&mut self, now: Instant) -> RuntimeView {
        let metrics = self.runtime.metrics();
        let workers = metrics.num_workers();
        let reading: Vec<(Duration, u64)> = (0..workers)
            .map(|w| {
                (
                    metrics.worker_total_busy_duration(w),
                    metrics.worker_park_count(w),
                )
            })
            .collect();
        trim_to_window(&mut self.runtime_recent, now, self.config.window, |r| r.0);
        let (start_at, start) = self
            .runtime_recent
            .front()
            .cloned()
            .unwrap_or((now, reading.clone()));
        let span = now.duration_since(start_at).as_secs_f64();
        let worker_busy_ratio = reading
            .iter()
            .zip(&start)
            .map(|((busy, _), (busy0, _))| {
                if span > 0.0 {
                    (busy.saturating_sub(*busy0).as_secs_f64() / span).min(1.0)
                } else {
                    0.0
                }
            })
            .collect();
        let worker_parks = reading
            .iter()
            .zip(&start)
            .map(|((_, parks), (_, parks0))| parks.saturating_sub(*parks0))
            .collect();
        self.runtime_recent.push_back((now, reading));
        RuntimeView {
            workers,
            alive_tasks: metrics.num_alive_tasks(),
            global_queue_depth: metrics.global_queue_depth(),
            worker_busy_ratio,
            worker_parks,
        }
    }

    fn system_view(
        &mut self,
        os: &[os_threads::OsThread],
        threads: &[ThreadView],
        sample_interval: Option<Duration>,
    ) -> SystemView {
        let cores = self.cores;
        let reading = self.system.as_mut().map(|probe| probe.read());
        // Threads that want a CPU: more of them than cores is contention; an
        // idle app worker or pool thread is not.
        let busy_threads = threads.iter().filter(|t| wants_a_cpu(t)).count();
        let others = self.others.read(Instant::now());
        SystemView {
            external_cpu_pct: others.external_cpu_pct,
            busiest_other: others.busiest.clone(),
            cores,
            core_cpu_pct: reading
                .as_ref()
                .map(|r| r.core_cpu_pct.clone())
                .unwrap_or_default(),
            rss_bytes: reading.as_ref().map_or(0, |r| r.rss_bytes),
            process_threads: os.len(),
            thread_read_every_s: sample_interval
                .and_then(|interval| self.thread_reader.read_every_s(interval)),
            busy_threads,
            oversubscribed: busy_threads > cores,
        }
    }

    /// Totals since the last reset, for a finished run's report.
    pub fn run_totals(&mut self) -> RunTotals {
        // A fresh OS reading of every thread so cpu_s covers the whole run.
        let os = self.read_os_threads(Reads::All);
        self.fold_exited_threads();
        let now = Instant::now();
        let totals = self.totals(now, Reads::All);
        let mut threads_seen = self.retired_threads.clone();
        for stats in self.engine.registry().all() {
            let baseline = self
                .thread_baseline
                .get(&stats.tid)
                .copied()
                .unwrap_or_default();
            let since = stats.counters().since(&baseline);
            // Workers only: a stop empties backend queues from the thread that
            // asked (main, ui), whose cancellations count but ran nothing.
            let worker = !matches!(stats.pool, PoolKind::Tool | PoolKind::Other);
            if worker && since.ended() > 0 {
                threads_seen.push(self.thread_seen(&stats, &since));
            }
        }
        sort_in_thread_order(&mut threads_seen, |t| (t.pool, t.name.as_str(), t.tid));
        // Inline tasks ran on the app runtime: its CPU is the work's, not loadlab's.
        let app_ran_work = threads_seen.iter().any(|t| t.pool == PoolKind::App);
        RunTotals {
            counters: totals.counters.since(&self.baseline.counters),
            latency: latency_set(&totals, &self.baseline),
            heartbeat: since(&totals.heartbeat, &self.baseline.heartbeat),
            echo: since(&totals.echo, &self.baseline.echo),
            own_cpu: self.own_cpu_baseline.since(now, &os, app_ran_work),
            threads_seen,
            reset_at: self.reset_at,
        }
    }
}

/// How many threads a listing reads afresh, and how many threads' latencies
/// a sample folds in.
#[derive(Clone, Copy)]
enum Reads {
    /// At most the reader's budget: a sample.
    Budget,
    /// Every one: baselines and totals that must be exact.
    All,
}

/// The never-reset totals a Snapshot carries for measuring stretches.
fn running_totals(totals: &Totals) -> RunningTotals {
    RunningTotals {
        submitted: totals.counters.submitted,
        completed: totals.counters.completed,
        failed: totals.counters.failed,
        cancelled: totals.counters.cancelled,
        total_latency_buckets: totals.total.clone(),
        heartbeat_buckets: totals.heartbeat.clone(),
        queue_latency_buckets: totals.queue.clone(),
        service_latency_buckets: totals.service.clone(),
        echo_buckets: totals.echo.clone(),
    }
}

/// Drops readings older than `window`, keeping at least one to measure from.
fn trim_to_window<T>(
    readings: &mut VecDeque<T>,
    now: Instant,
    window: Duration,
    at: impl Fn(&T) -> Instant,
) {
    while readings.len() > 1
        && readings
            .front()
            .is_some_and(|r| now.duration_since(at(r)) > window)
    {
        readings.pop_front();
    }
}

/// Percentiles of what a histogram gained between two readings.
fn since(now: &[u64], earlier: &[u64]) -> Percentiles {
    percentiles_between(now, earlier)
}

fn latency_set(now: &Totals, earlier: &Totals) -> LatencySet {
    LatencySet {
        queue: since(&now.queue, &earlier.queue),
        service: since(&now.service, &earlier.service),
        total: since(&now.total, &earlier.total),
    }
}

/// A probe over the window (from `start`) and since the reset (from `baseline`).
fn probe_view(now: &[u64], start: &[u64], baseline: &[u64]) -> ProbeView {
    ProbeView {
        window: since(now, start),
        cumulative: since(now, baseline),
    }
}
