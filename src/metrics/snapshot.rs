//! `Snapshot`: plain data describing the whole process at one instant, produced
//! by the sampler thread. The dashboard, `--record` and the reports render from it.

use serde::{Deserialize, Serialize};

use crate::spec::{BackendKind, LoadMode, WorkloadSpec};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Increments with every snapshot the sampler sends.
    pub seq: u64,
    /// Seconds since the engine started.
    pub elapsed_s: f64,
    /// Seconds covered by the window fields (rates, window percentiles).
    pub window_s: f64,
    /// Seconds since the statistics were last reset (cumulative fields cover this).
    pub since_reset_s: f64,
    pub config: ConfigView,
    pub tasks: TaskCounts,
    /// Over the last window.
    pub throughput: Throughput,
    pub latency: LatencyView,
    pub heartbeat: ProbeView,
    pub echo: ProbeView,
    pub health: Health,
    pub runtime: RuntimeView,
    /// Every thread of the process, grouped by pool (sorted by pool, then name).
    pub threads: Vec<ThreadView>,
    pub system: SystemView,
    /// What a scenario or guided demo says is happening now.
    pub caption: Option<String>,
    /// Exact totals since the engine started (never reset): any stretch
    /// between two Snapshots is measured from their difference.
    #[serde(skip)]
    pub running_totals: std::sync::Arc<RunningTotals>,
    /// Failed tasks: how fast, and what went wrong.
    #[serde(default)]
    pub failures: Failures,
    /// The HTTP service (`--serve`), when it is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceView>,
    /// Nothing runs and nothing can arrive (arrivals paused or stopped, no
    /// task in flight, no HTTP service): the probes and the sampler run at
    /// their slower idle pace until work resumes.
    #[serde(default)]
    pub idle: bool,
    /// `loadlab attach`: the process watched, when the Snapshot describes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached: Option<super::attached::AttachedView>,
}

/// The HTTP service on the app runtime: where it listens and how each route does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    /// `IP:port` it listens on (the real port when 0 was asked for).
    pub address: String,
    /// One entry per route, `/health`, `/work`, `/metrics`, `/snapshot`, then
    /// `other` (answered 404).
    pub routes: Vec<RouteView>,
    /// What a client of the service sees: round trips of the internal
    /// `/health` client, timed from its own thread and runtime.
    #[serde(default)]
    pub health_client: HealthClientView,
}

/// Round trips of the internal `/health` client (10 a second over one
/// kept-alive connection, from its own thread), microseconds: the wait a
/// starved runtime puts before a request is even read, which the routes'
/// handler times cannot show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthClientView {
    /// Since the reset, like `cumulative`.
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    /// Answers timed since the reset.
    pub samples: u64,
    /// Requests that got no 200 answer since the service started (refused,
    /// closed, or none within the client's timeout).
    pub failures: u64,
    pub window: Percentiles,
    pub cumulative: Percentiles,
    /// Round trip bucket counts since the service started, nanoseconds: what
    /// `/metrics` turns into a histogram.
    #[serde(skip)]
    pub buckets: std::sync::Arc<Vec<u64>>,
    /// Sum of every round trip since the service started, seconds.
    #[serde(skip)]
    pub sum_s: f64,
}

/// One route of the HTTP service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteView {
    pub route: String,
    /// Requests answered over the window, per second.
    pub requests_per_s: f64,
    /// Handler time: from the request read (its head parsed) to its answer,
    /// microseconds. The wait before a request is read is the client's
    /// (`health_client`).
    pub latency_us: ProbeView,
    /// Requests answered since the service started (never reset).
    pub requests: u64,
    /// Requests answered since the service started, by status code.
    pub codes: Vec<CodeCount>,
    /// Sum of every request's duration since the service started, seconds.
    pub duration_sum_s: f64,
    /// Duration bucket counts since the service started, nanoseconds (see
    /// `AtomicHistogram`): what `/metrics` turns into a histogram.
    #[serde(skip)]
    pub duration_buckets: std::sync::Arc<Vec<u64>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCount {
    pub code: u16,
    pub count: u64,
}

/// Failed tasks over the window and the errors behind them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Failures {
    /// Tasks that failed during the window, per second.
    pub per_s: f64,
    /// The first task error of the run (`task N: cause` or `file: cause`).
    pub first_error: Option<String>,
    /// What the newest failed task died of (its error without the task or file).
    pub latest_cause: Option<String>,
}

/// Counters and histograms since the engine started, never reset: counts of
/// a stretch are the difference of two readings, its percentiles come from
/// the difference of the bucket counts (see `percentiles::percentiles_between`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunningTotals {
    pub submitted: u64,
    pub completed: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Bucket counts of total latency (submit to end), nanoseconds.
    pub total_latency_buckets: Vec<u64>,
    /// Bucket counts of heartbeat lag, nanoseconds.
    pub heartbeat_buckets: Vec<u64>,
    /// Bucket counts of queue wait (submit to start), nanoseconds.
    pub queue_latency_buckets: Vec<u64>,
    /// Bucket counts of service time (start to end), nanoseconds.
    pub service_latency_buckets: Vec<u64>,
    /// Bucket counts of the TCP echo round trip, nanoseconds.
    pub echo_buckets: Vec<u64>,
}

/// What is running right now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigView {
    pub backend: BackendKind,
    /// Worker threads of the backend (for inline: app workers jobs may occupy).
    pub threads: usize,
    pub runtime_workers: usize,
    pub workload: WorkloadSpec,
    pub load: LoadMode,
    /// Arrivals paused (space).
    pub paused: bool,
    /// A driver is submitting tasks (false after stop, or when a bounded run ended).
    pub running: bool,
    /// Increments whenever backend, threads or workload change: a chart marker.
    pub generation: u64,
}

impl Default for ConfigView {
    fn default() -> Self {
        ConfigView {
            backend: BackendKind::Rayon,
            threads: 2,
            runtime_workers: 2,
            workload: WorkloadSpec::default(),
            load: LoadMode::Closed { inflight: 4 },
            paused: false,
            running: false,
            generation: 0,
        }
    }
}

/// Every submitted task ends exactly once: `submitted == completed + failed +
/// cancelled + inflight` (inflight is zero once a run has drained).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounts {
    pub submitted: u64,
    pub completed: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Submitted and not yet ended (queued or running).
    pub inflight: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// Tasks completed per second (failures are counted apart).
    pub tasks_per_s: f64,
    /// Tasks that failed per second.
    #[serde(default)]
    pub failed_per_s: f64,
    /// Input bytes processed per second (file kernels and `hash`).
    pub bytes_per_s: f64,
}

/// Percentiles of a latency distribution, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    /// Number of samples behind the figures.
    pub count: u64,
}

/// Queue wait (submit to start), service (start to end) and total (submit to end).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySet {
    pub queue: Percentiles,
    pub service: Percentiles,
    pub total: Percentiles,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyView {
    /// Tasks that ended during the last window.
    pub window: LatencySet,
    /// Every task since the last reset.
    pub cumulative: LatencySet,
}

/// A probe on the app runtime: heartbeat lateness or TCP echo round trip, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProbeView {
    pub window: Percentiles,
    pub cumulative: Percentiles,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthState {
    #[default]
    Healthy,
    Starved,
}

/// Is the app runtime starving? Decided from the heartbeat p99 over the window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub state: HealthState,
    /// Starved when the window's heartbeat p99 exceeds this many microseconds.
    pub threshold_us: f64,
    /// Times the heartbeat was blocked longer than the detector's threshold.
    pub blocked_events: u64,
    pub last_block: Option<BlockEvent>,
}

/// One detection: the app runtime failed to run the heartbeat for `blocked_ms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockEvent {
    pub at_s: f64,
    pub blocked_ms: f64,
    pub backend: BackendKind,
    /// The kernel that held the workers longest (empty: no task ran).
    pub kernel: String,
    /// What ran, longest first: `argon2 from /work 91%, spin from the driver 9%`.
    #[serde(default)]
    pub ran: String,
}

/// tokio's stable RuntimeMetrics of the app runtime.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuntimeView {
    pub workers: usize,
    pub alive_tasks: usize,
    pub global_queue_depth: usize,
    /// Per worker: share of the window it spent busy (0..1).
    pub worker_busy_ratio: Vec<f64>,
    /// Per worker: times it parked during the window.
    pub worker_parks: Vec<u64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PoolKind {
    /// The app runtime's workers (`app-N`).
    App,
    /// tokio's blocking threads (spawn-blocking backend).
    Blocking,
    /// rayon workers (`rayon-N`).
    Rayon,
    /// channel-pool workers (`pool-N`).
    Pool,
    /// The dashboard (`ui`) and the sampler (`sampler`).
    Tool,
    /// Any other thread (main, runtime helpers).
    #[default]
    Other,
    /// A pool of a process `loadlab attach` watches, by the name its threads
    /// give it (`tokio`, `db`, a `--group` name): see [`PoolKind::named`].
    Named(&'static str),
}

/// In JSON a pool is its name: `app`, `blocking`, `rayon`, `pool`, `tool`,
/// `other`, or a watched process's pool name.
impl Serialize for PoolKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            PoolKind::Tool => "tool",
            other => other.name(),
        })
    }
}

impl<'de> Deserialize<'de> for PoolKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(match name.as_str() {
            "tool" => PoolKind::Tool,
            other => PoolKind::named(other),
        })
    }
}

/// Pool names given out as `PoolKind::Named`, kept for the process's life
/// so the kind stays `Copy`; at most `bounds::POOL_NAMES_MAX` of them.
static POOL_NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

impl PoolKind {
    pub fn name(self) -> &'static str {
        match self {
            PoolKind::App => "app",
            PoolKind::Blocking => "blocking",
            PoolKind::Rayon => "rayon",
            PoolKind::Pool => "pool",
            PoolKind::Tool => "ui/sampler",
            PoolKind::Other => "other",
            PoolKind::Named(name) => name,
        }
    }

    /// The pool called `name`: a built-in kind where the name is one, else a
    /// named pool. Past `bounds::POOL_NAMES_MAX` distinct names, `Other`.
    pub fn named(name: &str) -> PoolKind {
        let builtin = [
            PoolKind::App,
            PoolKind::Blocking,
            PoolKind::Rayon,
            PoolKind::Pool,
            PoolKind::Other,
        ];
        if let Some(kind) = builtin.into_iter().find(|kind| kind.name() == name) {
            return kind;
        }
        let Ok(mut names) = POOL_NAMES.lock() else {
            return PoolKind::Other;
        };
        if let Some(known) = names.iter().find(|known| **known == name) {
            return PoolKind::Named(known);
        }
        if names.len() >= crate::bounds::POOL_NAMES_MAX {
            return PoolKind::Other;
        }
        let kept: &'static str = Box::leak(name.to_string().into_boxed_str());
        names.push(kept);
        PoolKind::Named(kept)
    }

    /// Classifies a thread by the name it was given (see the contract's thread names).
    pub fn from_thread_name(name: &str) -> PoolKind {
        if name.starts_with("app-") {
            PoolKind::App
        } else if name.starts_with("blocking") {
            PoolKind::Blocking
        } else if name.starts_with("rayon-") {
            PoolKind::Rayon
        } else if name.starts_with("pool-") {
            PoolKind::Pool
        } else if name == "ui" || name.starts_with("ui-") || name == "sampler" {
            PoolKind::Tool
        } else {
            PoolKind::Other
        }
    }
}

/// A thread's place in [`thread_order`]: pool, name stem, trailing number, tid.
pub type ThreadOrder<'a> = (PoolKind, &'a str, u64, i32);

/// The order threads are listed in: by pool, then by name with a trailing
/// number compared as a number (`rayon-9` before `rayon-10`), then by tid.
pub fn thread_order(pool: PoolKind, name: &str, tid: i32) -> ThreadOrder<'_> {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    (pool, stem, number.parse().unwrap_or(0), tid)
}

/// The positions of `items` in [`thread_order`] (`key` gives an item's pool,
/// name and tid): each name's number is read once, not at every comparison,
/// which with hundreds of threads ten times a second was a tenth of the
/// sampler's work.
pub fn thread_order_positions<T>(
    items: &[T],
    key: impl for<'a> Fn(&'a T) -> (PoolKind, &'a str, i32),
) -> Vec<usize> {
    let mut keyed: Vec<(ThreadOrder<'_>, usize)> = items
        .iter()
        .enumerate()
        .map(|(at, item)| {
            let (pool, name, tid) = key(item);
            (thread_order(pool, name, tid), at)
        })
        .collect();
    // Listings mostly come in the order of the previous one: often sorted already.
    if !keyed.is_sorted() {
        keyed.sort_unstable();
    }
    keyed.into_iter().map(|(_, at)| at).collect()
}

/// Sorts `items` in [`thread_order`] (see [`thread_order_positions`]).
pub fn sort_in_thread_order<T>(
    items: &mut Vec<T>,
    key: impl for<'a> Fn(&'a T) -> (PoolKind, &'a str, i32),
) {
    let order = thread_order_positions(items, key);
    if order.iter().enumerate().all(|(at, from)| at == *from) {
        return;
    }
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|from| slots[from].take()));
}

/// One OS thread of the process.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadView {
    pub tid: i32,
    pub name: super::thread_name::ThreadName,
    pub pool: PoolKind,
    /// OS CPU time over the window, percent of one core (what the thread cost).
    pub cpu_pct: f64,
    /// Time spent ready to run but waiting for a CPU over the window, percent
    /// of the window: the thread wanted a core it did not get.
    #[serde(default)]
    pub wait_pct: f64,
    /// Time inside jobs over the window, percent (what the pool did).
    pub busy_pct: f64,
    /// Tasks this thread ended during the window, per second.
    pub tasks_per_s: f64,
    /// Tasks ended since the last reset.
    pub tasks: u64,
    /// Seconds inside jobs since the last reset.
    pub busy_s: f64,
    /// OS CPU seconds since the thread started.
    pub cpu_s: f64,
    /// Seconds spent ready to run but waiting for a CPU since the thread started.
    #[serde(default)]
    pub wait_s: f64,
    /// False once the thread has exited (shown fading for a few seconds).
    pub alive: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SystemView {
    pub cores: usize,
    /// Per-core CPU percent from sysinfo (all processes).
    pub core_cpu_pct: Vec<f64>,
    pub rss_bytes: u64,
    pub process_threads: usize,
    /// Seconds between two readings of one thread's CPU and wait times when
    /// there are more threads than one sample reads (None: every sample
    /// reads every thread).
    #[serde(default)]
    pub thread_read_every_s: Option<f64>,
    /// This process's threads that ran or waited to run at least 30% of the
    /// window (`cpu_pct + wait_pct`).
    #[serde(default)]
    pub busy_threads: usize,
    /// More of this process's threads want a CPU than there are cores.
    pub oversubscribed: bool,
    /// CPU other processes used, percent of the machine (read once a second).
    #[serde(default)]
    pub external_cpu_pct: Option<f64>,
    /// The other process that used the most CPU in the last scan.
    #[serde(default)]
    pub busiest_other: Option<super::other_processes::BusiestProcess>,
}
