//! The report of one headless run (`loadlab run`): JSON per the contract, and text.

use std::fmt::Write;

use serde::Serialize;

use super::table::fmt_ms;
use crate::engine::RunOutcome;
use crate::metrics::collector::ThreadSeen;
use crate::metrics::own_cpu::OwnCpu;
use crate::metrics::snapshot::Percentiles;
use crate::session::periods::Period;
use crate::spec::{BackendKind, Dist, Kernel, LoadMode};
use crate::workload::checksum::format_checksum;

#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub backend: BackendKind,
    pub threads: usize,
    pub runtime_workers: usize,
    pub workload: WorkloadView,
    pub load: LoadMode,
    pub tasks: TasksView,
    /// Consecutive tasks handed over as one job (`--batch`).
    pub batch: usize,
    /// From the first submission to the last task's end.
    pub elapsed_s: f64,
    /// From the engine's start to the first submission (not in `elapsed_s`).
    pub startup_s: f64,
    /// From the last task's end to the totals being taken (not in `elapsed_s`).
    pub shutdown_s: f64,
    pub throughput: ThroughputView,
    /// Input bytes processed (file kernels and `hash`).
    pub input_bytes: u64,
    /// Bytes the kernel produced (compress: deflated size; resize: PNG thumbnails).
    pub output_bytes: u64,
    /// compress: output bytes over input bytes (smaller is better); null otherwise.
    pub compression_ratio: Option<f64>,
    pub latency_us: LatencyUs,
    pub heartbeat_lag_us: ProbeUs,
    pub echo_rtt_us: ProbeUs,
    /// Heartbeat ticks later than the blocking detector's threshold.
    pub blocked_events: u64,
    pub threads_seen: Vec<ThreadSeen>,
    /// loadlab's own threads (not the backend's workers), percent of one core.
    pub own_cpu_pct: OwnCpu,
    pub checksum: String,
    pub errors: Vec<ErrorView>,
    /// Failed tasks beyond the errors listed.
    pub errors_not_listed: u64,
    /// Open loop: arrivals not submitted because too many were outstanding.
    pub arrivals_dropped: u64,
    /// A scenario's stretches of one configuration each (absent without
    /// one), each with what was measured in the caption's words.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "periods_with_measured"
    )]
    pub periods: Vec<Period>,
    /// The signal that ended the run early (`SIGINT`, ...); null otherwise.
    pub interrupted: Option<String>,
    /// CPU other programs used during the run, percent of the machine
    /// (/proc/stat less this process); null where /proc cannot be read.
    pub external_cpu_pct: Option<f64>,
    /// Sentences about what makes the figures doubtful (a busy machine).
    pub warnings: Vec<String>,
    /// The HTTP service (`--serve`): its address and each route's requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<crate::metrics::snapshot::ServiceView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkloadView {
    pub kernel: Kernel,
    pub size: u64,
    pub dist: Dist,
    pub seed: u64,
    pub path: Option<String>,
    /// `mixed` only: percent of each task spent computing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_share: Option<u8>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct TasksView {
    pub submitted: u64,
    pub completed: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Of `cancelled`: tasks still running at the end, past the stop's grace.
    #[serde(skip_serializing_if = "is_zero")]
    pub abandoned: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A period as reported: its figures, then what was measured.
#[derive(Serialize)]
struct ReportedPeriod<'a> {
    #[serde(flatten)]
    period: &'a Period,
    measured: Option<String>,
}

fn periods_with_measured<S: serde::Serializer>(
    periods: &[Period],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(periods.iter().map(|period| ReportedPeriod {
        period,
        measured: super::measured::period_measured(period),
    }))
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct ThroughputView {
    pub tasks_per_s: f64,
    pub bytes_per_s: f64,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct PercentilesUs {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl From<Percentiles> for PercentilesUs {
    fn from(p: Percentiles) -> Self {
        PercentilesUs {
            p50: round2(p.p50),
            p90: round2(p.p90),
            p99: round2(p.p99),
            max: round2(p.max),
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct LatencyUs {
    pub queue: PercentilesUs,
    pub service: PercentilesUs,
    pub total: PercentilesUs,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct ProbeUs {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub samples: u64,
}

impl From<Percentiles> for ProbeUs {
    fn from(p: Percentiles) -> Self {
        ProbeUs {
            p50: round2(p.p50),
            p99: round2(p.p99),
            max: round2(p.max),
            samples: p.count,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ErrorView {
    pub path: String,
    pub error: String,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl RunReport {
    pub fn from_outcome(outcome: &RunOutcome) -> RunReport {
        let counters = &outcome.totals.counters;
        let elapsed_s = outcome.elapsed.as_secs_f64().max(1e-9);
        let latency = &outcome.totals.latency;
        let snapshot_load = outcome.last_snapshot.config.load;
        RunReport {
            backend: outcome.backend,
            threads: outcome.threads,
            runtime_workers: outcome.runtime_workers,
            workload: WorkloadView {
                kernel: outcome.workload.kernel,
                size: outcome.workload.size,
                dist: outcome.workload.dist,
                seed: outcome.workload.seed,
                path: outcome
                    .workload
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string()),
                cpu_share: (outcome.workload.kernel == Kernel::Mixed)
                    .then_some(outcome.workload.cpu_share),
            },
            load: snapshot_load,
            tasks: TasksView {
                submitted: counters.submitted,
                completed: counters.completed,
                failed: counters.failed,
                cancelled: counters.cancelled,
                abandoned: outcome.abandoned,
            },
            batch: outcome.batch,
            elapsed_s: round3(elapsed_s),
            startup_s: round3(outcome.startup.as_secs_f64()),
            shutdown_s: round3(outcome.shutdown.as_secs_f64()),
            throughput: ThroughputView {
                tasks_per_s: round2(counters.completed as f64 / elapsed_s),
                bytes_per_s: round2(counters.bytes_in as f64 / elapsed_s),
            },
            input_bytes: counters.bytes_in,
            output_bytes: counters.bytes_out,
            compression_ratio: (outcome.workload.kernel == Kernel::Compress
                && counters.bytes_in > 0)
                .then(|| {
                    (counters.bytes_out as f64 / counters.bytes_in as f64 * 1e4).round() / 1e4
                }),
            latency_us: LatencyUs {
                queue: latency.queue.into(),
                service: latency.service.into(),
                total: latency.total.into(),
            },
            heartbeat_lag_us: outcome.totals.heartbeat.into(),
            echo_rtt_us: outcome.totals.echo.into(),
            blocked_events: outcome.blocked_events,
            threads_seen: outcome
                .totals
                .threads_seen
                .iter()
                .map(|t| ThreadSeen {
                    busy_s: round3(t.busy_s),
                    cpu_s: round3(t.cpu_s),
                    wait_s: round3(t.wait_s),
                    ..t.clone()
                })
                .collect(),
            own_cpu_pct: outcome.totals.own_cpu,
            checksum: format_checksum(counters.checksum),
            errors: outcome
                .errors
                .iter()
                .map(|e| ErrorView {
                    path: e.path.clone(),
                    error: e.error.clone(),
                })
                .collect(),
            errors_not_listed: outcome.errors_dropped,
            arrivals_dropped: outcome.arrivals_dropped,
            periods: Vec::new(),
            interrupted: None,
            external_cpu_pct: None,
            warnings: Vec::new(),
            service: outcome.last_snapshot.service.clone(),
        }
    }

    /// Records other programs' share of the machine during the run, with a
    /// warning when it was busy.
    /// Scenario periods are judged on their own.
    pub fn note_other_programs(&mut self, external_cpu_pct: Option<f64>) {
        self.external_cpu_pct = external_cpu_pct.map(round2);
        if let Some(warning) = super::noise::busy_warning(external_cpu_pct, "the run") {
            self.warnings.push(warning);
        }
        for p in &self.periods {
            let during = format!(
                "the period {:.1}-{:.1} s ({})",
                p.from_s,
                p.to_s,
                p.caption.as_deref().unwrap_or("no caption")
            );
            if let Some(warning) = super::noise::busy_warning(p.external_cpu_pct, &during) {
                self.warnings.push(warning);
            }
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let w = &self.workload;
        let _ = writeln!(
            out,
            "loadlab run: {} backend, {} threads, {} app workers{}",
            self.backend,
            self.threads,
            self.runtime_workers,
            if self.periods.is_empty() {
                ""
            } else {
                " (the last configuration; every one is under periods)"
            }
        );
        if let Some(signal) = &self.interrupted {
            let _ = writeln!(
                out,
                "interrupted by {signal}: arrivals stopped, queued tasks cancelled; what finished is below"
            );
        }
        let what = match &w.path {
            Some(path) => format!(
                "{} over files in {}",
                w.kernel,
                crate::format::escape_control(path)
            ),
            None => format!(
                "{} size {} ({}), {} sizes, seed {}",
                w.kernel,
                w.size,
                w.kernel.size_unit(),
                w.dist,
                w.seed
            ),
        };
        let what = match w.cpu_share {
            Some(share) => format!("{what}, {share}% computing"),
            None => what,
        };
        let _ = writeln!(out, "workload    {what}");
        let _ = writeln!(out, "load        {}", self.load.describe());
        let t = &self.tasks;
        let _ = writeln!(
            out,
            "tasks       {} submitted = {} completed + {} failed + {} cancelled",
            t.submitted, t.completed, t.failed, t.cancelled
        );
        if t.abandoned > 0 {
            let _ = writeln!(
                out,
                "            ({} of the cancelled were still running {} s after the stop and were abandoned)",
                t.abandoned,
                crate::bounds::STOP_GRACE.as_secs()
            );
        }
        if self.batch > 1 {
            let _ = writeln!(out, "batch       {} tasks per job", self.batch);
        }
        let _ = writeln!(
            out,
            "elapsed     {:.3} s (first submission to last end; start-up {:.3} s, shutdown {:.3} s apart)\nthroughput  {:.1} tasks/s, {}/s",
            self.elapsed_s,
            self.startup_s,
            self.shutdown_s,
            self.throughput.tasks_per_s,
            crate::format::bytes(self.throughput.bytes_per_s)
        );
        if let Some(external) = self.external_cpu_pct {
            let _ = writeln!(
                out,
                "machine     other programs used {external:.0}% of the CPUs"
            );
        }
        if let Some(ratio) = self.compression_ratio {
            let _ = writeln!(
                out,
                "compressed  {} -> {} (deflate, {:.1}% of the input)",
                crate::format::bytes(self.input_bytes as f64),
                crate::format::bytes(self.output_bytes as f64),
                ratio * 100.0
            );
        }
        let _ = writeln!(
            out,
            "\nlatency (ms)        p50        p90        p99        max"
        );
        for (name, p) in [
            ("queue wait", self.latency_us.queue),
            ("service", self.latency_us.service),
            ("total", self.latency_us.total),
        ] {
            let _ = writeln!(
                out,
                "  {name:<12} {:>10} {:>10} {:>10} {:>10}",
                fmt_ms(p.p50),
                fmt_ms(p.p90),
                fmt_ms(p.p99),
                fmt_ms(p.max)
            );
        }
        let h = self.heartbeat_lag_us;
        let e = self.echo_rtt_us;
        let _ = writeln!(
            out,
            "\napp runtime heartbeat lag (ms): p50 {}  p99 {}  max {}  ({} ticks, {} blocked > threshold)",
            fmt_ms(h.p50),
            fmt_ms(h.p99),
            fmt_ms(h.max),
            h.samples,
            self.blocked_events
        );
        let _ = writeln!(
            out,
            "app runtime TCP echo rtt (ms):  p50 {}  p99 {}  max {}  ({} pings)",
            fmt_ms(e.p50),
            fmt_ms(e.p99),
            fmt_ms(e.max),
            e.samples
        );
        if let Some(service) = &self.service {
            out.push_str(&crate::service::summary::service_text(service));
        }
        let _ = writeln!(
            out,
            "\nthreads that ran tasks   tid        pool    tasks   busy s    cpu s   wait s"
        );
        for th in &self.threads_seen {
            let _ = writeln!(
                out,
                "  {:<20} {:>7} {:>11} {:>8} {:>8.3} {:>8.3} {:>8.3}",
                th.name,
                th.tid,
                th.pool.name(),
                th.tasks,
                th.busy_s,
                th.cpu_s,
                th.wait_s
            );
        }
        let own = &self.own_cpu_pct;
        let app = match own.app_runtime_pct {
            Some(pct) => format!("app runtime (driver, probes) {pct:.2}%"),
            None => "app runtime not counted: it ran the work".to_string(),
        };
        let _ = writeln!(
            out,
            "loadlab's own threads   {:.2}% of a core: {app}, sampler {:.2}%, other {:.2}%",
            own.total_pct, own.sampler_pct, own.other_pct
        );
        if !self.periods.is_empty() {
            let _ = writeln!(out, "\n{}", periods_table(&self.periods));
            out.push_str(&periods_captions(&self.periods));
        }
        let _ = writeln!(out, "\nchecksum    {}", self.checksum);
        if self.arrivals_dropped > 0 {
            let _ = writeln!(
                out,
                "dropped     {} open-loop arrivals (too many outstanding)",
                self.arrivals_dropped
            );
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nerrors ({} failed tasks)", t.failed);
            for e in &self.errors {
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    crate::format::escape_control(&e.path),
                    crate::format::escape_control(&e.error)
                );
            }
            if self.errors_not_listed > 0 {
                let _ = writeln!(out, "  ... and {} more", self.errors_not_listed);
            }
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        out
    }
}

/// The periods of a scenario run as a text table.
fn periods_table(periods: &[Period]) -> String {
    use super::table::{Align, TextTable, fmt_rate};
    let mut t = TextTable::new(&[
        ("periods from s", Align::Right),
        ("to s", Align::Right),
        ("backend", Align::Left),
        ("threads", Align::Right),
        ("workload", Align::Left),
        ("load", Align::Left),
        ("tasks/s", Align::Right),
        ("failed/s", Align::Right),
        ("p99 ms", Align::Right),
        ("heartbeat p99 ms", Align::Right),
        ("other cpu %", Align::Right),
    ]);
    for p in periods {
        t.push(vec![
            format!("{:.1}", p.from_s),
            format!("{:.1}", p.to_s),
            p.backend.to_string(),
            p.threads.to_string(),
            crate::format::truncate(&p.workload, 40),
            p.load.describe(),
            fmt_rate(p.tasks_per_s),
            fmt_rate(p.failed_per_s),
            fmt_ms(p.latency_us.total.p99),
            fmt_ms(p.heartbeat_lag_us.p99),
            p.external_cpu_pct.map_or("-".into(), |e| format!("{e:.0}")),
        ]);
    }
    t.render_text()
}

/// Each period's caption (what to watch), then what was measured in it, in
/// the words of the dashboard's caption row.
fn periods_captions(periods: &[Period]) -> String {
    let mut out = String::from("what each period showed:\n");
    for p in periods {
        let span = format!("{:.1}-{:.1} s", p.from_s, p.to_s);
        let caption = p.caption.as_deref().map_or_else(
            || "(no caption)".to_string(),
            |c| crate::format::escape_control(c).into_owned(),
        );
        let measured = super::measured::period_measured(p)
            .unwrap_or_else(|| "measured: no heartbeat tick".to_string());
        let _ = writeln!(out, "  {span:<13} {caption}");
        let _ = writeln!(out, "  {:<13} {measured}", "");
    }
    out
}
