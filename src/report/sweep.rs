//! `loadlab sweep`: the grid's rows (each the median of interleaved rounds,
//! with min-max, spread and the machine's drift), scaling efficiency against
//! a measured one-thread cell, the knee of each backend's curve, the
//! recommendation with its confidence (decided in `sweep_verdict`), warnings,
//! and the four renderers.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::noise::{Range, describe, noise_reason};
pub use super::sweep_verdict::{Confidence, Recommendation, Terms, Verdict, decide};
use super::table::{Align, TextTable, fmt_ms, fmt_rate};
use crate::engine::RunOutcome;
use crate::metrics::collector::ThreadSeen;
use crate::metrics::snapshot::{PoolKind, Snapshot};
use crate::spec::BackendKind;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct P50P99 {
    pub p50: f64,
    pub p99: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepLatency {
    /// Submit to end, microseconds.
    pub total: P50P99,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatP99 {
    pub p99: f64,
}

/// One round of one cell: a fresh engine's measured period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CellRound {
    /// The round it was measured in, from 0: rounds of different cells with
    /// the same number are compared with each other.
    #[serde(default)]
    pub round: usize,
    /// Tasks completed per second (failures are not throughput).
    pub tasks_per_s: f64,
    pub failed_per_s: f64,
    pub latency_us: SweepLatency,
    pub heartbeat_lag_us: HeartbeatP99,
    /// OS CPU seconds of the backend's threads per completed task.
    pub cpu_s_per_task: f64,
    /// CPU other processes used during the round, percent of the machine
    /// (None where /proc cannot be read).
    pub external_cpu_pct: Option<f64>,
}

impl CellRound {
    /// A round from the Snapshot taken right after the reset that opened the
    /// measured period and the engine's exact totals at its close (counts,
    /// percentiles and per-thread CPU since that reset, exited threads
    /// included).
    pub fn measure(
        round: usize,
        start: &Snapshot,
        end: &RunOutcome,
        external_cpu_pct: Option<f64>,
    ) -> CellRound {
        let counters = &end.totals.counters;
        let seconds = end.elapsed.as_secs_f64();
        let per_s = |n: u64| {
            if seconds > 0.0 {
                n as f64 / seconds
            } else {
                0.0
            }
        };
        let total = &end.totals.latency.total;
        CellRound {
            round,
            tasks_per_s: per_s(counters.completed),
            failed_per_s: per_s(counters.failed),
            latency_us: SweepLatency {
                total: P50P99 {
                    p50: total.p50,
                    p99: total.p99,
                },
            },
            heartbeat_lag_us: HeartbeatP99 {
                p99: end.totals.heartbeat.p99,
            },
            cpu_s_per_task: cpu_s_per_task(start, end),
            external_cpu_pct,
        }
    }
}

/// OS CPU seconds of the backend's threads per completed task over a
/// measured period (0 when none completed).
pub fn cpu_s_per_task(start: &Snapshot, end: &RunOutcome) -> f64 {
    let completed = end.totals.counters.completed;
    if completed == 0 {
        return 0.0;
    }
    pool_cpu_s(start, &end.totals.threads_seen, backend_pool(end.backend)) / completed as f64
}

/// One cell of the grid over its rounds: medians, the throughput's min-max
/// and spread, and whether the machine was quiet enough to trust it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub backend: BackendKind,
    pub threads: usize,
    /// Rounds measured (fewer than asked when a signal ended the sweep).
    pub rounds: usize,
    /// Median over the rounds of tasks completed per second.
    pub tasks_per_s: f64,
    pub tasks_per_s_min: f64,
    pub tasks_per_s_max: f64,
    /// (max - min) / median x 100.
    pub spread_pct: f64,
    /// Median failed tasks per second (shown beside throughput, never in it).
    pub failed_per_s: f64,
    /// Filled by [`SweepReport::new`]: null without a measured one-thread cell
    /// of the same backend (see [`efficiency`]).
    pub efficiency: Option<f64>,
    pub latency_us: SweepLatency,
    pub heartbeat_lag_us: HeartbeatP99,
    pub cpu_s_per_task: f64,
    /// How much `cpu_s_per_task` varied between rounds, (max - min) / median
    /// x 100: the same work costing more CPU time means the machine itself
    /// slowed (its clock, its host), which /proc/stat does not show. None
    /// with fewer than two rounds that completed tasks.
    pub machine_drift_pct: Option<f64>,
    /// The most CPU other processes used during any round, percent of the machine.
    pub external_cpu_pct: Option<f64>,
    /// High spread or busy machine: see the report's warnings.
    pub noisy: bool,
    /// Every round's figures, in the order measured.
    pub round_figures: Vec<CellRound>,
}

impl SweepRow {
    /// Aggregates a cell's rounds (at least one).
    pub fn from_rounds(backend: BackendKind, threads: usize, rounds: Vec<CellRound>) -> SweepRow {
        let throughput: Vec<f64> = rounds.iter().map(|r| r.tasks_per_s).collect();
        let range = Range::of(&throughput).unwrap_or_default();
        let external_cpu_pct =
            super::noise::busiest_external_cpu(rounds.iter().map(|r| r.external_cpu_pct));
        let mut row = SweepRow {
            backend,
            threads,
            rounds: rounds.len(),
            tasks_per_s: range.median,
            tasks_per_s_min: range.min,
            tasks_per_s_max: range.max,
            spread_pct: range.spread_pct(),
            failed_per_s: super::noise::median_of(&rounds, |r| r.failed_per_s),
            efficiency: None,
            latency_us: SweepLatency {
                total: P50P99 {
                    p50: super::noise::median_of(&rounds, |r| r.latency_us.total.p50),
                    p99: super::noise::median_of(&rounds, |r| r.latency_us.total.p99),
                },
            },
            heartbeat_lag_us: HeartbeatP99 {
                p99: super::noise::median_of(&rounds, |r| r.heartbeat_lag_us.p99),
            },
            cpu_s_per_task: super::noise::median_of(&rounds, |r| r.cpu_s_per_task),
            machine_drift_pct: machine_drift_pct(&rounds),
            external_cpu_pct,
            noisy: false,
            round_figures: rounds,
        };
        row.noisy = row.noise().is_some();
        row
    }

    /// `rayon x2`.
    pub fn label(&self) -> String {
        format!("{} x{}", self.backend, self.threads)
    }

    /// Median, min and max of the throughput.
    pub fn range(&self) -> Range {
        Range {
            median: self.tasks_per_s,
            min: self.tasks_per_s_min,
            max: self.tasks_per_s_max,
        }
    }

    /// Why the cell is noisy, as a warning sentence (None: quiet).
    pub fn noise(&self) -> Option<String> {
        noise_reason(&self.label(), &self.range(), self.external_cpu_pct)
    }

    /// `tasks/s` as `median (min-max)`.
    pub fn throughput_text(&self) -> String {
        describe(&self.range(), self.rounds)
    }
}

/// Variation of the CPU time per task over the rounds that completed tasks.
fn machine_drift_pct(rounds: &[CellRound]) -> Option<f64> {
    super::paired::cost_drift_pct(rounds.iter().map(|r| r.cpu_s_per_task))
}

/// The pool whose threads run a backend's jobs.
pub fn backend_pool(backend: BackendKind) -> PoolKind {
    match backend {
        BackendKind::Inline => PoolKind::App,
        BackendKind::SpawnBlocking => PoolKind::Blocking,
        BackendKind::Rayon => PoolKind::Rayon,
        BackendKind::Channel => PoolKind::Pool,
    }
}

/// OS CPU seconds `pool`'s threads used since `start`: the engine's exact
/// per-thread totals (threads that exited during the period included), less
/// what each thread had used when `start` was taken (a thread born later
/// counts from zero).
pub fn pool_cpu_s(start: &Snapshot, seen: &[ThreadSeen], pool: PoolKind) -> f64 {
    seen.iter()
        .filter(|t| t.pool == pool)
        .map(|t| {
            let before = start
                .threads
                .iter()
                .find(|s| s.tid == t.tid && s.name == t.name)
                .map_or(0.0, |s| s.cpu_s);
            (t.cpu_s - before).max(0.0)
        })
        .sum()
}

/// Where a backend's curve flattens.
#[derive(Clone, Debug, PartialEq)]
pub enum Knee {
    /// More threads than this add nothing beyond the measured spread.
    At(usize),
    /// The largest count is still clearly above every smaller one.
    StillScaling,
    /// One thread count measured: no curve.
    OneCount,
    /// The cells overlap too much to say (the sentence says which and why).
    Undetermined(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    pub rows: Vec<SweepRow>,
    /// Always given when a cell was measured, with its confidence.
    pub recommendation: Option<Recommendation>,
    /// Per backend, the thread count marked as the knee (absent: not stated).
    pub knees: BTreeMap<String, usize>,
    /// One sentence per backend about its knee.
    pub knee_notes: Vec<String>,
    pub cores: usize,
    /// Rounds every cell was to be measured.
    pub rounds: usize,
    /// `--rounds auto`: the most rounds the leading cells could get (equal
    /// to `rounds` when the count was fixed).
    pub max_rounds: usize,
    /// The heartbeat p99 above which a cell starved the app runtime, us.
    pub starved_threshold_us: f64,
    /// Sentences about what bears on the decision, missing baselines and
    /// interruptions.
    pub warnings: Vec<String>,
    /// The signal that ended the sweep early (finished cells are reported).
    pub interrupted: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SweepFormat {
    Text,
    Json,
    Csv,
    Md,
}

/// Scaling efficiency of every row, in row order:
/// `tasks_per_s / (min(threads, cores) x the same backend's one-thread
/// tasks_per_s)`, medians both. None for a backend without a measured
/// threads=1 cell (no estimate stands in for the baseline) or whose baseline
/// completed nothing.
pub fn efficiency(rows: &[SweepRow], cores: usize) -> Vec<Option<f64>> {
    let cores = cores.max(1);
    let baseline: HashMap<BackendKind, f64> = rows
        .iter()
        .filter(|r| r.threads == 1 && r.tasks_per_s > 0.0)
        .map(|r| (r.backend, r.tasks_per_s))
        .collect();
    rows.iter()
        .map(|row| {
            let one_thread = baseline.get(&row.backend)?;
            Some(row.tasks_per_s / (row.threads.clamp(1, cores) as f64 * one_thread))
        })
        .collect()
}

/// The knee of one backend's curve: the smallest measured thread count that
/// no larger count beats beyond the measured spread, stated only when it is
/// not the largest count and none of the cells from it on is noisy (noise
/// can fake a flat curve).
pub fn knee(rows: &[SweepRow], backend: BackendKind) -> Knee {
    let mut curve: Vec<&SweepRow> = rows.iter().filter(|r| r.backend == backend).collect();
    curve.sort_by_key(|r| r.threads);
    if curve.len() < 2 {
        return Knee::OneCount;
    }
    let Some(i) = (0..curve.len()).find(|&i| {
        curve[i + 1..]
            .iter()
            .all(|later| !later.range().clearly_above(&curve[i].range()))
    }) else {
        return Knee::StillScaling;
    };
    if i == curve.len() - 1 {
        return Knee::StillScaling;
    }
    let candidate = curve[i];
    // Flat from here: believable only if the flat part is steady.
    let shaky: Vec<&&SweepRow> = curve[i..].iter().filter(|r| r.noisy).collect();
    if !shaky.is_empty() {
        let names: Vec<String> = shaky
            .iter()
            .map(|r| format!("{} {} tasks/s", r.label(), r.throughput_text()))
            .collect();
        return Knee::Undetermined(format!(
            "knee: {backend} undetermined: {} and the larger counts are indistinguishable but noisy ({}), so a flat curve and noise cannot be told apart",
            candidate.label(),
            names.join(", ")
        ));
    }
    Knee::At(candidate.threads)
}

/// Sentences for the top-level `warnings`: noisy cells among those the
/// decision was between (`leading`, row indices), a single round, efficiency
/// without a baseline.
pub fn warnings(rows: &[SweepRow], leading: &[usize], rounds: usize) -> Vec<String> {
    let mut out: Vec<String> = leading
        .iter()
        .filter_map(|&i| rows.get(i).and_then(SweepRow::noise))
        .collect();
    if rounds == 1 {
        out.push(
            "one round per cell: no spread was measured, so differences may be noise (use --rounds 3 or more)"
                .into(),
        );
    }
    let mut without_baseline: Vec<&str> = Vec::new();
    for row in rows.iter().filter(|r| r.efficiency.is_none()) {
        if !without_baseline.contains(&row.backend.name()) {
            without_baseline.push(row.backend.name());
        }
    }
    if !without_baseline.is_empty() {
        out.push(format!(
            "efficiency not computed for {}: no one-thread cell was measured (add 1 to --threads)",
            without_baseline.join(", ")
        ));
    }
    out
}

impl SweepReport {
    /// Fills in efficiency, then finds the knees, the recommendation and the
    /// warnings. `interrupted`: the signal that ended the sweep early.
    pub fn new(rows: Vec<SweepRow>, terms: &Terms, interrupted: Option<String>) -> SweepReport {
        let cores = terms.cores;
        let mut rows = rows;
        let efficiencies = efficiency(&rows, cores);
        for (row, e) in rows.iter_mut().zip(efficiencies) {
            row.efficiency = e;
        }
        let mut knees = BTreeMap::new();
        let mut knee_notes = Vec::new();
        for backend in BackendKind::ALL {
            if !rows.iter().any(|r| r.backend == backend) {
                continue;
            }
            knee_notes.push(match knee(&rows, backend) {
                Knee::At(t) => {
                    knees.insert(backend.name().to_string(), t);
                    format!(
                        "knee: {backend} at {t} thread{}: no larger count is faster beyond the measured spread",
                        if t == 1 { "" } else { "s" }
                    )
                }
                Knee::StillScaling => format!(
                    "knee: {backend} not reached (still scaling at its largest thread count)"
                ),
                Knee::OneCount => format!("knee: {backend} unknown (one thread count measured)"),
                Knee::Undetermined(why) => why,
            });
        }
        let verdict = decide(&rows, terms);
        let mut warnings = verdict.warnings;
        // Noise of the cells the decision was between bears on it.
        let leading: Vec<usize> = verdict.recommendation.as_ref().map_or(Vec::new(), |r| {
            (0..rows.len())
                .filter(|&i| r.leading.contains(&rows[i].label()))
                .collect()
        });
        warnings.extend(self::warnings(&rows, &leading, terms.rounds));
        if let Some(signal) = &interrupted {
            warnings.push(format!(
                "interrupted by {signal}: only the finished rounds are reported"
            ));
        }
        SweepReport {
            rows,
            recommendation: verdict.recommendation,
            knees,
            knee_notes,
            cores,
            rounds: terms.rounds,
            max_rounds: terms.max_rounds.max(terms.rounds),
            starved_threshold_us: terms.starved_p99_us,
            warnings,
            interrupted,
        }
    }

    fn is_knee(&self, row: &SweepRow) -> bool {
        self.knees.get(row.backend.name()) == Some(&row.threads)
    }

    fn is_recommended(&self, row: &SweepRow) -> bool {
        self.recommendation
            .as_ref()
            .is_some_and(|r| r.backend == row.backend && r.threads == row.threads)
    }

    pub fn render(&self, format: SweepFormat) -> String {
        match format {
            SweepFormat::Text => self.render_text(),
            SweepFormat::Json => self.render_json(),
            SweepFormat::Csv => self.render_csv(),
            SweepFormat::Md => self.render_markdown(),
        }
    }

    fn table(&self) -> TextTable {
        let mut t = TextTable::new(&[
            ("backend", Align::Left),
            ("threads", Align::Right),
            ("tasks/s", Align::Right),
            ("min-max", Align::Right),
            ("spread %", Align::Right),
            ("failed/s", Align::Right),
            ("efficiency", Align::Right),
            ("p50 ms", Align::Right),
            ("p99 ms", Align::Right),
            ("heartbeat p99 ms", Align::Right),
            ("cpu ms/task", Align::Right),
            ("drift %", Align::Right),
            ("other cpu %", Align::Right),
            ("", Align::Left),
        ]);
        for row in &self.rows {
            let mut marks = Vec::new();
            if self.is_knee(row) {
                marks.push("<- knee");
            }
            if self.is_recommended(row) {
                marks.push("<- recommended");
            }
            if row.noisy {
                marks.push("(noisy)");
            }
            if row.heartbeat_lag_us.p99 > self.starved_threshold_us {
                marks.push("(starves the runtime)");
            }
            t.push(vec![
                row.backend.to_string(),
                row.threads.to_string(),
                fmt_rate(row.tasks_per_s),
                format!(
                    "{}-{}",
                    fmt_rate(row.tasks_per_s_min),
                    fmt_rate(row.tasks_per_s_max)
                ),
                format!("{:.1}", row.spread_pct),
                fmt_rate(row.failed_per_s),
                row.efficiency.map_or("-".into(), |e| format!("{e:.2}")),
                fmt_ms(row.latency_us.total.p50),
                fmt_ms(row.latency_us.total.p99),
                fmt_ms(row.heartbeat_lag_us.p99),
                format!("{:.3}", row.cpu_s_per_task * 1000.0),
                row.machine_drift_pct
                    .map_or("-".into(), |d| format!("{d:.0}")),
                row.external_cpu_pct
                    .map_or("-".into(), |e| format!("{e:.0}")),
                marks.join(" "),
            ]);
        }
        t
    }

    fn footer(&self) -> String {
        let mut out = String::new();
        for note in &self.knee_notes {
            out.push_str(note);
            out.push('\n');
        }
        match &self.recommendation {
            Some(r) => out.push_str(&format!(
                "recommendation ({}, {} round{}): {}\n",
                r.confidence.name(),
                r.rounds_used,
                if r.rounds_used == 1 { "" } else { "s" },
                r.why
            )),
            None => out.push_str("recommendation: none (no cell was measured)\n"),
        }
        for warning in &self.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
        out
    }

    pub fn render_text(&self) -> String {
        let rounds = if self.max_rounds > self.rounds {
            format!(
                "{} rounds per cell and up to {} for the leading cells",
                self.rounds, self.max_rounds
            )
        } else {
            format!(
                "{} round{} per cell",
                self.rounds,
                if self.rounds == 1 { "" } else { "s" }
            )
        };
        format!(
            "loadlab sweep on {} cores, {rounds}, interleaved: tasks/s is the median (completed tasks only), min-max over the rounds; efficiency 1.00 = perfect scaling over the measured one-thread cell; drift: how much a task's CPU time varied between rounds\n\n{}\n{}",
            self.cores,
            self.table().render_text(),
            self.footer()
        )
    }

    pub fn render_markdown(&self) -> String {
        let footer: String = self.footer().lines().map(|l| format!("- {l}\n")).collect();
        format!("{}\n{footer}", self.table().render_markdown())
    }

    /// One header row, then one row per cell; `knee`, `recommended` and
    /// `noisy` are 0/1, a missing efficiency or external CPU is empty.
    pub fn render_csv(&self) -> String {
        let mut out = String::from(
            "backend,threads,rounds,tasks_per_s,tasks_per_s_min,tasks_per_s_max,spread_pct,failed_per_s,efficiency,latency_total_p50_us,latency_total_p99_us,heartbeat_p99_us,cpu_s_per_task,machine_drift_pct,external_cpu_pct,noisy,knee,recommended\n",
        );
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        for row in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                row.backend,
                row.threads,
                row.rounds,
                row.tasks_per_s,
                row.tasks_per_s_min,
                row.tasks_per_s_max,
                row.spread_pct,
                row.failed_per_s,
                opt(row.efficiency),
                row.latency_us.total.p50,
                row.latency_us.total.p99,
                row.heartbeat_lag_us.p99,
                row.cpu_s_per_task,
                opt(row.machine_drift_pct),
                opt(row.external_cpu_pct),
                u8::from(row.noisy),
                u8::from(self.is_knee(row)),
                u8::from(self.is_recommended(row)),
            ));
        }
        out
    }

    /// `{"rows": [...], "recommendation": {...} or null, "knees": {...}, "warnings": [...], ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.rows,
            "recommendation": self.recommendation,
            "knees": self.knees,
            "knee_notes": self.knee_notes,
            "cores": self.cores,
            "rounds": self.rounds,
            "max_rounds": self.max_rounds,
            "starved_threshold_ms": self.starved_threshold_us / 1000.0,
            "warnings": self.warnings,
            "interrupted": self.interrupted,
        })
    }

    pub fn render_json(&self) -> String {
        format!("{}\n", self.to_json())
    }
}

/// Parses `--threads`: a comma list of counts and inclusive ranges,
/// e.g. `1,2,4,8`, `1..4`, `1-4`, `1..=4`, `1-3,8`. Sorted, duplicates removed.
pub fn parse_thread_list(text: &str) -> Result<Vec<usize>, String> {
    const MAX_THREADS: usize = 1024;
    let bad = |why: &str| {
        format!("--threads {text:?}: {why}; expected counts like 1,2,4,8 or a range like 1..4")
    };
    let count = |s: &str| -> Result<usize, String> {
        let n: usize = s
            .trim()
            .parse()
            .map_err(|_| bad(&format!("{:?} is not a thread count", s.trim())))?;
        if n == 0 {
            return Err(bad("thread counts start at 1"));
        }
        if n > MAX_THREADS {
            return Err(bad(&format!("{n} is more than {MAX_THREADS} threads")));
        }
        Ok(n)
    };
    let mut out = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(bad("empty item"));
        }
        let range = item
            .split_once("..=")
            .or_else(|| item.split_once(".."))
            .or_else(|| item.split_once('-'));
        match range {
            Some((lo, hi)) => {
                let (lo, hi) = (count(lo)?, count(hi)?);
                if lo > hi {
                    return Err(bad(&format!("range {item} runs backwards")));
                }
                out.extend(lo..=hi);
            }
            None => out.push(count(item)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Parses `--backends`: `all` or a comma list of backend names, in the order
/// given, duplicates removed.
pub fn parse_backend_list(text: &str) -> Result<Vec<BackendKind>, String> {
    let names: Vec<&str> = BackendKind::ALL.iter().map(|b| b.name()).collect();
    if text.trim() == "all" {
        return Ok(BackendKind::ALL.to_vec());
    }
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim) {
        let backend = BackendKind::ALL
            .into_iter()
            .find(|b| b.name() == item)
            .ok_or_else(|| {
                format!(
                    "--backends {text:?}: unknown backend {item:?}, expected all or a list of {}",
                    names.join(", ")
                )
            })?;
        if !out.contains(&backend) {
            out.push(backend);
        }
    }
    Ok(out)
}
