//! The dashboard's source while attached: a "sampler" thread that reads the
//! target, writes Snapshots the panels draw (threads by pool, the target's
//! memory and the machine, the probe's round trips and verdict) and lines
//! for the Log (threads appearing and exiting, probe failures, the target
//! ending). It accepts no command: loadlab runs no work of its own here.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tracing::Level;

use super::AttachOptions;
use super::error::AttachError;
use super::metrics_scraper::{MetricsScraper, Span};
use super::pools::PoolRules;
use super::probe::{Probe, ProbeReading};
use super::target;
use super::verdict::Verdict;
use super::watcher::{TargetWatcher, WatchEvent};
use crate::engine::Refused;
use crate::engine::command::Command;
use crate::engine::controller::Controller;
use crate::logging::LogBuffer;
use crate::metrics::attached::{AttachedMetrics, AttachedProbe, AttachedView};
use crate::metrics::collector::wants_a_cpu;
use crate::metrics::other_processes::OtherProcesses;
use crate::metrics::percentiles::{percentiles_between, percentiles_us};
use crate::metrics::snapshot::{Health, HealthState, PoolKind, Snapshot, SystemView, ThreadView};
use crate::metrics::system::SystemProbe;

/// The probe's live verdict covers this much time, as the engine's does.
const WINDOW: Duration = Duration::from_secs(1);
/// Thread events of one kind and pool in one sample beyond this are one Log line.
const EVENTS_LISTED: usize = 3;
const LOG_TARGET: &str = "attach";
/// Fields named in the Log line that says what `--metrics` found.
const FIELDS_LISTED: usize = 6;

pub struct AttachSource {
    pid: i32,
    snapshots: watch::Receiver<Arc<Snapshot>>,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl AttachSource {
    /// Resolves the target and starts watching it; errors come before any
    /// terminal is touched.
    pub fn start(options: &AttachOptions, logs: LogBuffer) -> Result<AttachSource, AttachError> {
        let target = target::resolve(&options.target)?;
        let rules = PoolRules::new(&options.groups)?;
        let pid = target.pid;
        let watcher = TargetWatcher::new(target, rules)?;
        let probe = Probe::start_if_asked(options.probe.clone())?;
        let scraper = MetricsScraper::start_if_asked(options.metrics.clone())?;
        let (sender, snapshots) = watch::channel(Arc::new(Snapshot::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = Sampler {
            watcher,
            probe,
            scraper,
            logs,
            sender,
            stop: stop.clone(),
            every: options.sample_every,
            threshold_ms: options.starved_threshold_ms,
            system: SystemProbe::new(),
            others: OtherProcesses::excluding(pid.unsigned_abs()),
            probe_window: VecDeque::new(),
            failures_logged: 0,
            metrics_logged: MetricsLogged::default(),
            seq: 0,
        };
        let thread = std::thread::Builder::new()
            .name("sampler".into())
            .spawn(move || sampler.run())
            .map_err(|error| AttachError::CannotStart {
                cause: error.to_string(),
            })?;
        Ok(AttachSource {
            pid,
            snapshots,
            stop,
            thread: Mutex::new(Some(thread)),
        })
    }
}

impl Controller for AttachSource {
    fn apply(&self, _command: Command) -> Result<(), Refused> {
        Err(Refused::Watching { pid: self.pid })
    }

    fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshots.clone()
    }
}

impl Drop for AttachSource {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let thread = self.thread.lock().ok().and_then(|mut thread| thread.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// What the Log has said of `--metrics`, so each change is one line.
#[derive(Default)]
struct MetricsLogged {
    failures: u64,
    /// Whether the last page read had tokio series (None: no page yet).
    found: Option<bool>,
}

struct Sampler {
    watcher: TargetWatcher,
    probe: Option<Probe>,
    scraper: Option<MetricsScraper>,
    logs: LogBuffer,
    sender: watch::Sender<Arc<Snapshot>>,
    stop: Arc<AtomicBool>,
    every: Duration,
    threshold_ms: f64,
    system: Option<SystemProbe>,
    others: OtherProcesses,
    /// The probe's readings over the last `WINDOW`, oldest first.
    probe_window: VecDeque<(Instant, ProbeReading)>,
    failures_logged: u64,
    metrics_logged: MetricsLogged,
    seq: u64,
}

impl Sampler {
    fn run(mut self) {
        let started = Instant::now();
        let mut events = Vec::new();
        let mut previous = started;
        let mut next = started;
        let target = &self.watcher.target;
        self.logs.push_message(
            Level::INFO,
            LOG_TARGET,
            format!("attached to process {} ({})", target.pid, target.command),
        );
        if self.probe.is_none() {
            self.logs.push_message(
                Level::INFO,
                LOG_TARGET,
                "no probe: add --probe http://127.0.0.1:PORT/health for the runtime's health",
            );
        }
        while !self.stop.load(Ordering::Acquire) {
            let now = Instant::now();
            if now < next {
                std::thread::sleep((next - now).min(Duration::from_millis(50)));
                continue;
            }
            next = now + self.every;
            if self.watcher.ended() {
                continue;
            }
            events.clear();
            let alive = self.watcher.sample(now, &mut events);
            self.log_events(&events);
            let snapshot = self.snapshot(now, started, now.duration_since(previous), !alive);
            previous = now;
            self.sender.send_replace(Arc::new(snapshot));
            if !alive {
                if let Some(probe) = self.probe.as_mut() {
                    probe.stop();
                }
                if let Some(scraper) = self.scraper.as_mut() {
                    scraper.stop();
                }
            }
        }
    }

    /// One line per event; several of one kind and pool in one sample, one line.
    fn log_events(&self, events: &[WatchEvent]) {
        let mut grouped: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
        for event in events {
            match event {
                WatchEvent::Appeared { tid, name, pool } => grouped
                    .entry(("appeared", pool))
                    .or_default()
                    .push(format!("{name} ({tid})")),
                WatchEvent::Exited {
                    tid,
                    name,
                    pool,
                    cpu_s,
                } => grouped
                    .entry(("exited", pool))
                    .or_default()
                    .push(format!("{name} ({tid}, {cpu_s:.2} s cpu)")),
                WatchEvent::TargetEnded => {}
            }
        }
        for ((what, pool), threads) in grouped {
            let message = if threads.len() <= EVENTS_LISTED {
                format!("thread {what} in pool {pool}: {}", threads.join(", "))
            } else {
                format!("{} threads {what} in pool {pool}", threads.len())
            };
            self.logs.push_message(Level::INFO, LOG_TARGET, message);
        }
        if events.contains(&WatchEvent::TargetEnded) {
            self.logs.push_message(
                Level::WARN,
                LOG_TARGET,
                format!(
                    "process {} has ended: the figures are its last (q quits)",
                    self.watcher.target.pid
                ),
            );
        }
    }

    fn snapshot(
        &mut self,
        now: Instant,
        started: Instant,
        window: Duration,
        ended: bool,
    ) -> Snapshot {
        self.seq += 1;
        let threads: Vec<ThreadView> = self
            .watcher
            .rates()
            .into_iter()
            .map(|rate| ThreadView {
                tid: rate.tid,
                name: rate.name.into(),
                pool: PoolKind::named(&rate.pool),
                cpu_pct: rate.cpu_pct,
                wait_pct: rate.wait_pct,
                cpu_s: rate.cpu_s,
                wait_s: rate.wait_s,
                alive: true,
                ..ThreadView::default()
            })
            .collect();
        let attached = self.attached_view(now, ended);
        let starved = attached.verdict == Verdict::Starved.label();
        let system = self.system_view(now, &threads, window);
        Snapshot {
            seq: self.seq,
            elapsed_s: now.duration_since(started).as_secs_f64(),
            window_s: window.as_secs_f64(),
            since_reset_s: now.duration_since(started).as_secs_f64(),
            threads,
            system,
            health: Health {
                state: if starved {
                    HealthState::Starved
                } else {
                    HealthState::Healthy
                },
                threshold_us: self.threshold_ms * 1e3,
                ..Health::default()
            },
            attached: Some(attached),
            ..Snapshot::default()
        }
    }

    fn attached_view(&mut self, now: Instant, ended: bool) -> AttachedView {
        let metrics = self
            .scraper
            .as_ref()
            .map(|scraper| scraper.view(Span::Latest));
        if let Some(metrics) = &metrics {
            self.log_metrics(metrics);
        }
        let target = &self.watcher.target;
        let mut verdict = Verdict::Unknown;
        let probe = self.probe.as_ref().map(|probe| {
            let reading = probe.read();
            self.probe_window.push_back((now, reading.clone()));
            while self
                .probe_window
                .front()
                .is_some_and(|(at, _)| now.duration_since(*at) > WINDOW)
            {
                self.probe_window.pop_front();
            }
            let oldest = self.probe_window.front().map(|(_, r)| r);
            let window = oldest.map_or_else(
                || percentiles_us(&reading.buckets),
                |oldest| percentiles_between(&reading.buckets, &oldest.buckets),
            );
            let failed_in_window = reading.failures > oldest.map_or(0, |oldest| oldest.failures);
            // Failing requests (refused, error status) say nothing of starvation.
            verdict = if ended || (failed_in_window && window.count == 0) {
                Verdict::Unknown
            } else {
                Verdict::live(&window, reading.waiting_s, self.threshold_ms)
            };
            if reading.failures > self.failures_logged {
                self.logs.push_message(
                    Level::WARN,
                    LOG_TARGET,
                    format!(
                        "probe {}: {} failed request(s): {}",
                        probe.url.text,
                        reading.failures - self.failures_logged,
                        reading.latest_cause.as_deref().unwrap_or("no 2xx answer")
                    ),
                );
                self.failures_logged = reading.failures;
            }
            AttachedProbe {
                url: probe.url.text.clone(),
                window,
                cumulative: percentiles_us(&reading.buckets),
                failures: reading.failures,
                latest_failure: reading.latest_cause,
            }
        });
        AttachedView {
            pid: target.pid,
            command: target.command.clone(),
            probe,
            verdict: verdict.label().to_string(),
            threshold_ms: self.threshold_ms,
            target_exited: ended,
            metrics,
        }
    }

    /// A line when `--metrics` reads fail, and when what the page holds changes.
    fn log_metrics(&mut self, metrics: &AttachedMetrics) {
        if metrics.failures > self.metrics_logged.failures {
            self.logs.push_message(
                Level::WARN,
                LOG_TARGET,
                format!(
                    "metrics {}: {} failed read(s): {}",
                    metrics.url,
                    metrics.failures - self.metrics_logged.failures,
                    metrics.latest_failure.as_deref().unwrap_or("no page")
                ),
            );
            self.metrics_logged.failures = metrics.failures;
        }
        if metrics.scrapes == metrics.failures {
            return;
        }
        let found = !metrics.series.is_empty();
        if self.metrics_logged.found == Some(found) {
            return;
        }
        self.metrics_logged.found = Some(found);
        if found {
            let mut fields: Vec<&str> = metrics.series.iter().map(|s| s.field.as_str()).collect();
            fields.dedup();
            if fields.len() > FIELDS_LISTED {
                fields.truncate(FIELDS_LISTED);
                fields.push("...");
            }
            self.logs.push_message(
                Level::INFO,
                LOG_TARGET,
                format!(
                    "metrics {}: {} tokio runtime series ({})",
                    metrics.url,
                    metrics.series.len(),
                    fields.join(", ")
                ),
            );
        } else {
            self.logs.push_message(
                Level::WARN,
                LOG_TARGET,
                format!(
                    "metrics {}: no tokio runtime metrics among its {} samples (tokio-metrics' names, e.g. tokio_workers_count)",
                    metrics.url, metrics.samples_on_page
                ),
            );
        }
    }

    fn system_view(
        &mut self,
        now: Instant,
        threads: &[ThreadView],
        sample_interval: Duration,
    ) -> SystemView {
        let cores = crate::engine::cores();
        let core_cpu_pct = self
            .system
            .as_mut()
            .map(|probe| probe.read().core_cpu_pct)
            .unwrap_or_default();
        let busy_threads = threads.iter().filter(|t| wants_a_cpu(t)).count();
        let others = self.others.read(now);
        SystemView {
            cores,
            core_cpu_pct,
            rss_bytes: self.watcher.rss_bytes().unwrap_or(0),
            process_threads: self.watcher.live_threads(),
            thread_read_every_s: self.watcher.read_every_s(sample_interval),
            busy_threads,
            oversubscribed: busy_threads > cores,
            external_cpu_pct: others.external_cpu_pct,
            busiest_other: others.busiest.clone(),
        }
    }
}
