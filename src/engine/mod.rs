//! The engine: the app runtime (`app-N`), the live backend, the driver, the
//! probes and the sampler thread. Usable without any UI.

pub mod command;
mod config_bounds;
pub mod controller;
pub mod driver;
pub mod job;
pub mod refill;
mod refused;
pub mod sampler;
pub mod shared;
pub mod single_task;
pub mod start_error;
pub mod task_job;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::sync::{Notify, watch};

use crate::backend;
use crate::metrics::collector::{Collector, CollectorConfig, RunTotals};
use crate::metrics::http_stats::HttpStats;
use crate::metrics::probe_stats::ProbeStats;
use crate::metrics::registry::Registry;
use crate::metrics::snapshot::Snapshot;
use crate::probe::stall_blame::RunningNow;
use crate::probe::stall_log::StallLog;
use crate::spec::{BackendKind, LoadMode, RunLimit, WorkloadSpec};
use command::Command;
pub use config_bounds::BadConfig;
use controller::Controller;
pub use refused::Refused;
use sampler::Sampler;
use shared::{CurrentBackend, ErrorLog, Shared, TaskError};
use single_task::TaskRunner;
pub use start_error::StartError;

/// Everything a run needs to know before it starts.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub backend: BackendKind,
    pub threads: usize,
    pub runtime_workers: usize,
    pub workload: WorkloadSpec,
    pub load: LoadMode,
    pub limit: RunLimit,
    /// How often the sampler produces a Snapshot.
    pub sample_interval: Duration,
    /// What the Snapshot's window fields cover.
    pub window: Duration,
    /// How often the heartbeat probe ticks on the app runtime (at least 1 ms).
    pub heartbeat_period: Duration,
    /// The blocking detector fires when a heartbeat tick is this late.
    pub block_threshold: Duration,
    /// Health turns "starved" when the window's heartbeat p99 exceeds this.
    pub starved_threshold: Duration,
    /// TCP echo pings per second (0: no echo probe).
    pub echo_pings_per_s: u32,
    /// Fault injection: every n-th task panics (0: never).
    pub panic_every: u64,
    /// Start a driver with `limit` at once (false: wait for `run_to_limit`).
    pub start_driver: bool,
    /// Nice value of backend threads (rayon, pool, blocking); 0 leaves them alone.
    pub worker_nice: i32,
    /// Consecutive tasks handed to the backend as one job.
    pub batch: usize,
    /// The statistics of an HTTP service served on the app runtime beside
    /// the engine, if one is (Snapshots carry them); whoever starts the
    /// service binds it first and hands its statistics over here.
    pub service_stats: Option<Arc<HttpStats>>,
    /// Stall warnings as they happen (the dashboard) or tallied for the end.
    pub stall_log: StallLog,
}

impl Default for EngineConfig {
    fn default() -> Self {
        let cores = cores();
        EngineConfig {
            backend: BackendKind::Rayon,
            threads: cores,
            runtime_workers: 2,
            workload: WorkloadSpec::default(),
            load: LoadMode::Closed {
                inflight: 4 * cores,
            },
            limit: RunLimit::Unbounded,
            sample_interval: Duration::from_millis(100),
            window: Duration::from_secs(1),
            heartbeat_period: Duration::from_millis(10),
            block_threshold: Duration::from_secs_f64(crate::bounds::STARVED_HEARTBEAT_P99_MS / 1e3),
            starved_threshold: Duration::from_secs_f64(
                crate::bounds::STARVED_HEARTBEAT_P99_MS / 1e3,
            ),
            // A window's p99 of 20 or of 50 pings is its slowest ping either
            // way; each ping wakes the app runtime once or twice, and at 50 a
            // second the pings were 40% of its wake-ups.
            echo_pings_per_s: 20,
            panic_every: 0,
            start_driver: true,
            worker_nice: crate::backend::worker_priority::DEFAULT_WORKER_NICE,
            batch: 1,
            service_stats: None,
            stall_log: StallLog::default(),
        }
    }
}

/// The machine's cores as the process may use them.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A finished run: totals and what went wrong.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub totals: RunTotals,
    /// From the first submission (or a reset) to the last task's end.
    pub elapsed: Duration,
    /// From the engine's start to the first submission.
    pub startup: Duration,
    /// From the last task's end to these totals (the driver and sampler stopped).
    pub shutdown: Duration,
    pub batch: usize,
    pub errors: Vec<TaskError>,
    pub errors_dropped: u64,
    pub arrivals_dropped: u64,
    pub backend: BackendKind,
    pub threads: usize,
    pub runtime_workers: usize,
    pub workload: WorkloadSpec,
    pub blocked_events: u64,
    pub last_snapshot: Arc<Snapshot>,
    /// Tasks still running when the run's totals were taken (past the stop's
    /// grace), counted in `cancelled`.
    pub abandoned: u64,
}

/// A running lab: the app runtime with its probes, the backend, the driver
/// submitting tasks, and the sampler publishing a [`Snapshot`] every interval.
///
/// Start it with a configuration, change the backend, its threads, the load
/// or the workload while tasks run, read Snapshots, then stop it for the final
/// counts. Every task ends exactly once: in the final counts, `submitted ==
/// completed + failed + cancelled`.
///
/// ```
/// use std::time::Duration;
/// use loadlab::engine::{Engine, EngineConfig};
/// use loadlab::spec::{BackendKind, Kernel, LoadMode, WorkloadSpec};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let engine = Engine::start(EngineConfig {
///     backend: BackendKind::Rayon,
///     threads: 1,
///     workload: WorkloadSpec { kernel: Kernel::Sumsq, size: 2_000, ..WorkloadSpec::default() },
///     load: LoadMode::Closed { inflight: 4 },
///     sample_interval: Duration::from_millis(20),
///     ..EngineConfig::default()
/// })?;
/// engine.set_backend(BackendKind::Channel)?;
/// engine.set_threads(2)?;
/// engine.set_load(LoadMode::Closed { inflight: 8 })?;
/// let snapshot = engine.fresh_snapshot()?;
/// assert_eq!(snapshot.config.backend, BackendKind::Channel);
///
/// let outcome = engine.stop();
/// let counts = outcome.totals.counters;
/// assert_eq!(counts.submitted, counts.completed + counts.failed + counts.cancelled);
/// assert_eq!(outcome.threads, 2);
/// # Ok(())
/// # }
/// ```
///
/// A bounded run instead: `limit: RunLimit::Tasks(n)`, then
/// [`wait_for_run`](Engine::wait_for_run) and [`finish`](Engine::finish).
pub struct Engine {
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
    shared: Arc<Shared>,
    sampler: Mutex<Option<Sampler>>,
    snapshots: watch::Receiver<Arc<Snapshot>>,
    driver: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// When `Engine::start` was called: start-up counts from here.
    created: Instant,
    /// When the first driver was spawned (elapsed counts from here if no task
    /// was ever submitted).
    run_started: Instant,
    /// The statistics of the HTTP service beside the engine, if any.
    service_stats: Option<Arc<HttpStats>>,
    /// Run once when the engine stops, before its runtime does.
    before_runtime_stops: Mutex<Vec<StopHook>>,
    /// How often the sampler publishes: waits for a Snapshot scale with it.
    sample_interval: Duration,
}

/// Work that must end while the app runtime still runs (a service on it
/// answering its last requests).
type StopHook = Box<dyn FnOnce() + Send>;

/// No new Snapshot came within the wait: the sampler has stopped (the engine
/// finished) or is stuck. The last Snapshot published is kept here.
#[derive(Clone, Debug, thiserror::Error)]
#[error(
    "no new snapshot within {waited:?} (the last published is number {}): the sampler has stopped or is stuck",
    .last.seq
)]
pub struct StaleSnapshot {
    pub waited: Duration,
    pub last: Arc<Snapshot>,
}

/// Waits for a tokio task of the engine's runtime from any thread. `block_on`
/// panics on a thread that is inside a runtime (async code calling the
/// engine); there the task is polled for its end instead, which blocks only
/// the calling thread, as any synchronous call does.
fn wait_for_task(handle: &tokio::runtime::Handle, task: tokio::task::JoinHandle<()>) {
    if tokio::runtime::Handle::try_current().is_err() {
        let _ = handle.block_on(task);
        return;
    }
    while !task.is_finished() {
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn build_runtime(workers: usize, blocking_nice: i32) -> std::io::Result<tokio::runtime::Runtime> {
    let spawned = Arc::new(AtomicUsize::new(0));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        // tokio names workers and blocking threads with one function; the
        // workers are spawned first, when the runtime is built.
        .thread_name_fn(move || {
            let n = spawned.fetch_add(1, Ordering::Relaxed);
            if n < workers {
                format!("app-{n}")
            } else {
                format!("blocking-{}", n - workers)
            }
        })
        // Blocking threads serve the spawn-blocking backend: run them like
        // the other backends' threads, below the app workers.
        .on_thread_start(move || {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or_default();
            if name.starts_with("blocking") {
                crate::backend::worker_priority::lower_current_thread(blocking_nice);
            } else if name.starts_with("app-") {
                crate::metrics::work_times::mark_app_worker();
            }
        })
        .enable_all()
        .build()
}

impl Engine {
    /// Builds the runtime and backend, starts the probes, the sampler and (with
    /// `start_driver`) the driver.
    pub fn start(config: EngineConfig) -> Result<Engine, StartError> {
        let created = Instant::now();
        config.check()?;
        let runtime_workers = config.runtime_workers.max(1);
        let runtime = build_runtime(runtime_workers, config.worker_nice)?;
        let backend = backend::build(
            config.backend,
            config.threads.max(1),
            runtime_workers,
            runtime.handle(),
            config.worker_nice,
        )?;
        let clock = crate::workload::task_clock::clock().clone();
        let shared = Arc::new(Shared {
            started: Instant::now(),
            clock_origin: clock.raw(),
            clock,
            deadline_ns: AtomicU64::new(shared::NO_DEADLINE),
            runtime_workers,
            registry: Registry::default(),
            current: ArcSwap::from_pointee(CurrentBackend { backend }),
            workload: ArcSwap::from_pointee(config.workload.clone()),
            load: ArcSwap::from_pointee(config.load),
            paused: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            // True before the driver's first poll, so the first snapshot does not
            // show a freshly started dashboard as STOPPED.
            running: AtomicBool::new(config.start_driver),
            cancel_epoch: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            outstanding: crossbeam_utils::CachePadded::new(AtomicU64::new(0)),
            wake_driver: Notify::new(),
            refill_at: AtomicU64::new(0),
            panic_every: config.panic_every,
            batch: config.batch.max(1),
            run_span: Mutex::new(shared::RunSpan::default()),
            refill: arc_swap::ArcSwapOption::empty(),
            worker_nice: config.worker_nice,
            errors: Mutex::new(ErrorLog::default()),
            probes: Arc::new(ProbeStats::default()),
            work_times: Default::default(),
            shutting_down: AtomicBool::new(false),
            arrivals_dropped: AtomicU64::new(0),
            reset_requested: AtomicBool::new(false),
            caption: Mutex::new(None),
        });

        let read_running = {
            let shared = shared.clone();
            move |now: &mut RunningNow| {
                now.at_s = shared.elapsed_s();
                now.backend = shared.current.load().backend.kind();
                now.driver_kernel = shared
                    .running
                    .load(Ordering::Relaxed)
                    .then(|| shared.workload.load().kernel);
                let at_ns = shared
                    .clock
                    .delta_as_nanos(shared.clock_origin, shared.clock.raw());
                shared.work_times.read(at_ns, &mut now.work);
            }
        };
        // The echo pings on heartbeat ticks: both count from here.
        let heartbeat_origin = tokio::time::Instant::now();
        // A zero period would make tokio's interval panic in the probe's task.
        let heartbeat_period = config.heartbeat_period.max(Duration::from_millis(1));
        let heartbeat = crate::probe::heartbeat::run(
            shared.probes.clone(),
            heartbeat_origin,
            heartbeat_period,
            config.block_threshold,
            config.stall_log.clone(),
            RunningNow::new(config.backend),
            read_running,
        );
        let echo = {
            let probes = shared.probes.clone();
            let pings = config.echo_pings_per_s;
            async move {
                if pings == 0 {
                    return;
                }
                let echo =
                    crate::probe::echo::run(probes, pings, heartbeat_origin, heartbeat_period);
                if let Err(error) = echo.await {
                    tracing::warn!("echo probe on 127.0.0.1 stopped: {error}");
                }
            }
        };
        // One task for both probes, so a tick and the ping due with it cost one
        // wake-up; the heartbeat is polled first, so its lag is read before the
        // ping goes out.
        runtime.spawn(async move {
            tokio::join!(biased; heartbeat, echo);
        });
        let collector = Collector::new(
            shared.clone(),
            runtime.handle().clone(),
            CollectorConfig {
                window: config.window,
                starved_threshold: config.starved_threshold,
                service: config.service_stats.clone(),
            },
        );
        let (sampler, snapshots) = Sampler::spawn(collector, config.sample_interval)?;
        let run_started = Instant::now();
        let driver = config
            .start_driver
            .then(|| runtime.spawn(driver::drive(shared.clone(), config.limit)));
        tracing::info!(
            "started: backend {} with {} threads, {} app workers, workload {}",
            config.backend,
            shared.current.load().backend.threads(),
            runtime_workers,
            config.workload.label()
        );
        Ok(Engine {
            handle: runtime.handle().clone(),
            runtime: Mutex::new(Some(runtime)),
            shared,
            sampler: Mutex::new(Some(sampler)),
            snapshots,
            driver: Mutex::new(driver),
            created,
            run_started,
            service_stats: config.service_stats,
            before_runtime_stops: Mutex::new(Vec::new()),
            sample_interval: config.sample_interval,
        })
    }

    /// Where the HTTP service beside the engine listens, with the real port.
    pub fn service_address(&self) -> Option<std::net::SocketAddr> {
        self.service_stats.as_ref().map(|stats| stats.address())
    }

    /// Runs one task at a time on the current backend for an async caller
    /// (the HTTP service's `/work`), counted like the driver's.
    pub fn task_runner(&self) -> TaskRunner {
        TaskRunner::new(self.shared.clone())
    }

    /// Runs `hook` once when the engine stops (`shutdown`, `stop` or a drop),
    /// before the app runtime stops: a service on the runtime answers its
    /// last requests while tasks can still run.
    pub fn before_runtime_stops(&self, hook: impl FnOnce() + Send + 'static) {
        self.before_runtime_stops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Box::new(hook));
    }

    /// Waits up to `grace` for every task in flight to end; true if all did.
    pub fn drain(&self, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        loop {
            if self.shared.outstanding.load(Ordering::Acquire) == 0 {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Blocks until the driver has finished its bounded run and every task
    /// ended. Safe from async code too (it then blocks the calling thread, so
    /// prefer `tokio::task::spawn_blocking` there).
    pub fn wait_for_run(&self) {
        let handle = self
            .driver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            wait_for_task(&self.handle, handle);
        }
    }

    /// Runs a new driver to `limit` on this engine and waits for it (benchmarks
    /// and sweeps reuse one engine for many bounded runs).
    pub fn run_to_limit(&self, limit: RunLimit) {
        self.shared.stopped.store(false, Ordering::Release);
        // Set before the driver's first poll too, so the sampler woken here
        // leaves its idle pace before the first task.
        self.shared.running.store(true, Ordering::Release);
        let driver = self.handle.spawn(driver::drive(self.shared.clone(), limit));
        self.wake_sampler();
        wait_for_task(&self.handle, driver);
    }

    /// True once a bounded run's driver has finished (or none was started).
    pub fn run_finished(&self) -> bool {
        self.driver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(|driver| driver.is_finished())
    }

    /// Ends the current run early: arrivals stop, queued tasks are cancelled,
    /// running ones finish, and the driver drains and returns.
    pub fn end_run(&self) {
        self.shared.shutting_down.store(true, Ordering::SeqCst);
        self.shared.stop_arrivals();
        self.shared.wake_driver.notify_one();
    }

    /// Ends the run and returns its final counts: arrivals stop, queued tasks
    /// are cancelled, running ones finish, then the sampler's totals are
    /// taken. The engine can be dropped afterwards.
    pub fn stop(&self) -> RunOutcome {
        self.end_run();
        self.wait_for_run();
        let outcome = self.finish();
        self.shutdown(Duration::from_secs(1));
        outcome
    }

    /// The Snapshot the sampler published last (does not wait).
    pub fn latest_snapshot(&self) -> Arc<Snapshot> {
        self.snapshots.borrow().clone()
    }

    /// Swaps the backend live, keeping the thread count; tasks in flight
    /// finish where they started.
    pub fn set_backend(&self, backend: BackendKind) -> Result<(), Refused> {
        self.apply(Command::SetBackend { backend })
    }

    /// Resizes the current backend live (inline: within the app workers).
    pub fn set_threads(&self, threads: usize) -> Result<(), Refused> {
        self.apply(Command::SetThreads { threads })
    }

    /// A closed loop with this many tasks in flight, or an open loop at a rate.
    pub fn set_load(&self, load: LoadMode) -> Result<(), Refused> {
        self.apply(Command::SetLoad { load })
    }

    /// Replaces the workload (kernel, size, distribution, seed, path).
    pub fn set_workload(&self, workload: WorkloadSpec) -> Result<(), Refused> {
        self.apply(Command::SetWorkload { workload })
    }

    /// The next Snapshot the sampler publishes (blocks up to a few intervals,
    /// at least `bounds::SNAPSHOT_WAIT_MIN`); an error if none comes.
    pub fn fresh_snapshot(&self) -> Result<Arc<Snapshot>, StaleSnapshot> {
        let seen = self.snapshots.borrow().seq;
        self.snapshot_after(seen)
    }

    /// Zeroes the statistics and returns the first Snapshot taken after the
    /// reset, so cumulative figures of later Snapshots cover exactly the
    /// period that starts here.
    pub fn reset_and_wait(&self) -> Result<Arc<Snapshot>, StaleSnapshot> {
        let seen = self.snapshots.borrow().seq;
        self.shared.reset_requested.store(true, Ordering::Release);
        // The sample in progress may predate the request: wait for the one after.
        self.snapshot_after(seen + 1)
    }

    fn snapshot_after(&self, seq: u64) -> Result<Arc<Snapshot>, StaleSnapshot> {
        self.wake_sampler();
        let started = Instant::now();
        let wait = crate::bounds::SNAPSHOT_WAIT_MIN + 3 * self.sample_interval;
        loop {
            let latest = self.snapshots.borrow().clone();
            if latest.seq > seq {
                return Ok(latest);
            }
            // A sampler that has finished publishes nothing more: say so now.
            let closed = self.snapshots.has_changed().is_err();
            if closed || started.elapsed() >= wait {
                return Err(StaleSnapshot {
                    waited: started.elapsed(),
                    last: latest,
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// An idle sampler samples at once (see `Sampler::wake`).
    fn wake_sampler(&self) {
        if let Some(sampler) = self
            .sampler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            sampler.wake();
        }
    }

    /// Stops the sampler and returns the run's totals (call after `wait_for_run`).
    pub fn finish(&self) -> RunOutcome {
        let ended = Instant::now();
        let sampler = self
            .sampler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let (mut totals, last_snapshot) = match sampler {
            Some(sampler) => sampler.finish(),
            // Finished twice: the sampler's totals were already taken.
            None => (RunTotals::default(), self.snapshots.borrow().clone()),
        };
        // Tasks still running past the stop's grace never end in this run:
        // counted cancelled (and named abandoned), the totals add up.
        let counters = &mut totals.counters;
        let abandoned = counters
            .submitted
            .saturating_sub(counters.ended())
            .min(self.shared.outstanding.load(Ordering::SeqCst));
        counters.cancelled += abandoned;
        let span = *self
            .shared
            .run_span
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let first = span.first_submission.unwrap_or(self.run_started);
        let last = span.last_end.unwrap_or(ended);
        // Totals cover the run from its first submission, or from a reset (a scenario step).
        let measured_from = totals.reset_at.map_or(first, |reset| reset.max(first));
        let elapsed = last.saturating_duration_since(measured_from);
        let log = self
            .shared
            .errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let current = self.shared.current.load();
        RunOutcome {
            totals,
            abandoned,
            elapsed,
            startup: first.saturating_duration_since(self.created),
            shutdown: Instant::now().saturating_duration_since(last),
            batch: self.shared.batch,
            errors: log.kept.clone(),
            errors_dropped: log.dropped,
            arrivals_dropped: self.shared.arrivals_dropped.load(Ordering::Relaxed),
            backend: current.backend.kind(),
            threads: current.backend.threads(),
            runtime_workers: self.shared.runtime_workers,
            workload: (**self.shared.workload.load()).clone(),
            blocked_events: self.shared.probes.blocked_events(),
            last_snapshot,
        }
    }

    /// The app runtime (probes and drivers of demos run on it).
    pub fn runtime_handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }

    /// The engine's internal state, for the crate's own benchmarks and tests
    /// that look inside; not part of the library's interface.
    #[doc(hidden)]
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Stops arrivals, cancels queued tasks, waits up to `grace` for running
    /// ones, and shuts the runtime down.
    pub fn shutdown(&self, grace: Duration) {
        self.end_run();
        self.drain(grace);
        if let Some(sampler) = self
            .sampler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            sampler.finish();
        }
        self.stop_runtime();
    }

    fn stop_runtime(&self) {
        let hooks = std::mem::take(
            &mut *self
                .before_runtime_stops
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for hook in hooks {
            hook();
        }
        let runtime = self
            .runtime
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(runtime) = runtime {
            if tokio::runtime::Handle::try_current().is_ok() {
                // Inside async code (a library caller) waiting panics: let go.
                runtime.shutdown_background();
            } else {
                // Workers blocked by inline jobs are not waited for past this.
                runtime.shutdown_timeout(Duration::from_millis(200));
            }
        }
    }

    fn swap_backend(&self, kind: BackendKind) -> Result<(), Refused> {
        let old = self.shared.current.load_full();
        if old.backend.kind() == kind {
            return Ok(());
        }
        let threads = old.backend.threads();
        let backend = backend::build(
            kind,
            threads,
            self.shared.runtime_workers,
            &self.handle,
            self.shared.worker_nice,
        )
        .map_err(|source| Refused::Backend {
            backend: kind,
            source,
        })?;
        let applied = backend.threads();
        // In-flight tasks keep their Arc to the old backend and finish there.
        self.shared
            .current
            .store(Arc::new(CurrentBackend { backend }));
        self.shared.bump_generation();
        tracing::info!(
            "backend swapped: {} -> {kind} ({applied} threads)",
            old.backend.kind()
        );
        Ok(())
    }

    fn resize_backend(&self, threads: usize) -> Result<(), Refused> {
        if threads == 0 {
            return Err(Refused::NoThreads);
        }
        let current = self.shared.current.load_full();
        let before = current.backend.threads();
        let applied = current.backend.set_threads(threads);
        if applied != before {
            self.shared.bump_generation();
            tracing::info!(
                "{} pool resized: {before} -> {applied} threads",
                current.backend.kind()
            );
        }
        if applied != threads {
            return Err(Refused::AtMostAppWorkers {
                backend: current.backend.kind(),
                applied,
            });
        }
        Ok(())
    }
}

impl Controller for Engine {
    fn apply(&self, command: Command) -> Result<(), Refused> {
        controller::check_bounds(&command)?;
        let shared = &self.shared;
        match command {
            Command::SetBackend { backend } => self.swap_backend(backend)?,
            Command::SetThreads { threads } => self.resize_backend(threads)?,
            Command::SetLoad { load } => {
                match load {
                    LoadMode::Closed { inflight: 0 } => return Err(Refused::NoInflight),
                    LoadMode::Open { rate } if !(rate.is_finite() && rate > 0.0) => {
                        return Err(Refused::NotARate(rate));
                    }
                    _ => {}
                }
                shared.load.store(Arc::new(load));
                match load {
                    LoadMode::Closed { inflight } => {
                        tracing::info!("load set to a closed loop with {inflight} tasks in flight")
                    }
                    LoadMode::Open { rate } => {
                        tracing::info!("load set to an open loop of {rate} tasks/s")
                    }
                }
            }
            Command::SetWorkload { workload } => {
                workload.validate()?;
                if let Some(path) = &workload.path {
                    crate::workload::files::check_root(path)?;
                }
                tracing::info!("workload set to {}", workload.label());
                shared.workload.store(Arc::new(workload));
                shared.stopped.store(false, Ordering::Release);
                shared.bump_generation();
            }
            Command::Pause { paused } => {
                shared.paused.store(paused, Ordering::Release);
                tracing::info!(
                    "{}",
                    if paused {
                        "arrivals paused"
                    } else {
                        "arrivals resumed"
                    }
                );
            }
            Command::Stop => {
                shared.stop_arrivals();
                tracing::info!("stopped: queued tasks cancelled, running ones finish");
            }
            Command::Start => {
                shared.stopped.store(false, Ordering::Release);
                shared.paused.store(false, Ordering::Release);
                tracing::info!("started again");
            }
            Command::Caption { text } => {
                if let Some(text) = &text {
                    tracing::info!("caption: {text}");
                }
                *shared
                    .caption
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = text;
            }
            Command::ResetStats => {
                shared.reset_requested.store(true, Ordering::Release);
                tracing::info!("statistics reset");
            }
        }
        shared.wake_driver.notify_one();
        // Work may start again: leave the idle pace now, not at the next idle sample.
        self.wake_sampler();
        Ok(())
    }

    fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshots.clone()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.end_run();
        self.stop_runtime();
    }
}
