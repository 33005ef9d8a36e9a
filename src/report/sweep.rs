//! `loadlab sweep`: the grid's rows, scaling efficiency, the knee of each
//! backend's throughput curve, a recommendation, and the four renderers.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::table::{Align, TextTable, fmt_ms, fmt_rate};
use crate::metrics::snapshot::{PoolKind, Snapshot};
use crate::spec::BackendKind;

/// Going from one measured thread count to a larger one must raise throughput
/// by more than this share to count as a gain (knee) or a real difference
/// (recommendation): smaller differences are within run-to-run noise on a small VM.
pub const GAIN_THRESHOLD: f64 = 0.05;

/// A cell whose heartbeat p99 exceeds this is starving the app runtime and is
/// never recommended (the demo's verdict uses the same 10 ms).
pub const HEALTHY_HEARTBEAT_P99_US: f64 = 10_000.0;

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

/// One cell of the grid, measured after the warm-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub backend: BackendKind,
    pub threads: usize,
    pub tasks_per_s: f64,
    /// Filled by [`SweepReport::new`] from the other rows (see [`efficiency`]).
    pub efficiency: f64,
    pub latency_us: SweepLatency,
    pub heartbeat_lag_us: HeartbeatP99,
    /// OS CPU seconds of the backend's threads divided by tasks completed.
    pub cpu_s_per_task: f64,
}

impl SweepRow {
    /// A cell measured between two snapshots of the same engine: `start`
    /// taken right after the `ResetStats` that opens the measured period (so
    /// `end`'s cumulative percentiles cover exactly the period), `end` at its
    /// close. Efficiency is left at 0 for [`SweepReport::new`] to fill.
    pub fn measure(start: &Snapshot, end: &Snapshot) -> SweepRow {
        let backend = end.config.backend;
        let completed = end.tasks.completed.saturating_sub(start.tasks.completed);
        let seconds = end.elapsed_s - start.elapsed_s;
        let tasks_per_s = if seconds > 0.0 {
            completed as f64 / seconds
        } else {
            0.0
        };
        let cpu_s = pool_cpu_s(start, end, backend_pool(backend));
        let total = &end.latency.cumulative.total;
        SweepRow {
            backend,
            threads: end.config.threads,
            tasks_per_s,
            efficiency: 0.0,
            latency_us: SweepLatency {
                total: P50P99 {
                    p50: total.p50,
                    p99: total.p99,
                },
            },
            heartbeat_lag_us: HeartbeatP99 {
                p99: end.heartbeat.cumulative.p99,
            },
            cpu_s_per_task: if completed > 0 {
                cpu_s / completed as f64
            } else {
                0.0
            },
        }
    }
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

/// OS CPU seconds `pool`'s threads used between two snapshots. Threads are
/// matched by tid; one born after `start` counts from zero (its `cpu_s` is
/// since its start), one gone by `end` is lost (snapshots keep exited threads
/// for a few seconds, so only cells longer than that lose any).
pub fn pool_cpu_s(start: &Snapshot, end: &Snapshot, pool: PoolKind) -> f64 {
    end.threads
        .iter()
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub backend: BackendKind,
    pub threads: usize,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    pub rows: Vec<SweepRow>,
    pub recommendation: Option<Recommendation>,
    /// Per backend, the thread count marked as the knee (absent: still scaling).
    pub knees: BTreeMap<String, usize>,
    pub cores: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SweepFormat {
    Text,
    Json,
    Csv,
    Md,
}

/// Scaling efficiency of every row, in row order:
/// `tasks_per_s / (min(threads, cores) x one-thread throughput of the same backend)`.
///
/// When a backend has no threads=1 row, its one-thread throughput is
/// estimated from its smallest measured count `t0` as
/// `throughput(t0) / min(t0, cores)` (assumes that cell scaled perfectly, so
/// the estimate can only flatter the smallest cell: it gets efficiency 1.0).
/// A backend whose baseline throughput is zero gets efficiency 0.
pub fn efficiency(rows: &[SweepRow], cores: usize) -> Vec<f64> {
    let cores = cores.max(1);
    let mut baseline: HashMap<BackendKind, (usize, f64)> = HashMap::new();
    for row in rows.iter().filter(|r| r.threads >= 1) {
        let entry = baseline
            .entry(row.backend)
            .or_insert((row.threads, row.tasks_per_s));
        if row.threads < entry.0 {
            *entry = (row.threads, row.tasks_per_s);
        }
    }
    rows.iter()
        .map(|row| {
            let Some((t0, tps0)) = baseline.get(&row.backend) else {
                return 0.0;
            };
            let one_thread = tps0 / (*t0).min(cores) as f64;
            let ideal = row.threads.clamp(1, cores) as f64 * one_thread;
            if ideal > 0.0 {
                row.tasks_per_s / ideal
            } else {
                0.0
            }
        })
        .collect()
}

/// The knee of one backend's curve: the smallest measured thread count that
/// no larger measured count beats by more than [`GAIN_THRESHOLD`]. `None` when
/// throughput is still growing at the largest count (or only one count was
/// measured): the grid did not reach the knee.
pub fn knee(rows: &[SweepRow], backend: BackendKind) -> Option<usize> {
    let mut curve: Vec<(usize, f64)> = rows
        .iter()
        .filter(|r| r.backend == backend)
        .map(|r| (r.threads, r.tasks_per_s))
        .collect();
    curve.sort_by_key(|(t, _)| *t);
    let last = curve.len().checked_sub(1)?;
    (0..last)
        .find(|&i| {
            curve[i + 1..]
                .iter()
                .all(|(_, tps)| *tps <= curve[i].1 * (1.0 + GAIN_THRESHOLD))
        })
        .map(|i| curve[i].0)
}

/// Picks a cell: among cells with a healthy heartbeat (or all cells if none
/// is healthy), those within [`GAIN_THRESHOLD`] of the best throughput; of
/// those the fewest threads, then the higher throughput.
pub fn recommend(rows: &[SweepRow]) -> Option<Recommendation> {
    let healthy: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| r.heartbeat_lag_us.p99 <= HEALTHY_HEARTBEAT_P99_US)
        .collect();
    let all_starved = healthy.is_empty();
    let pool: Vec<&SweepRow> = if all_starved {
        rows.iter().collect()
    } else {
        healthy
    };
    let best = pool
        .iter()
        .copied()
        .max_by(|a, b| a.tasks_per_s.total_cmp(&b.tasks_per_s))?;
    let floor = best.tasks_per_s * (1.0 - GAIN_THRESHOLD);
    let chosen = pool
        .iter()
        .copied()
        .filter(|r| r.tasks_per_s >= floor)
        .min_by(|a, b| {
            a.threads
                .cmp(&b.threads)
                .then(b.tasks_per_s.total_cmp(&a.tasks_per_s))
        })?;

    let mut why = format!(
        "{} with {} thread{}: {} tasks/s at efficiency {:.2}, latency p99 {} ms, heartbeat p99 {} ms",
        chosen.backend,
        chosen.threads,
        if chosen.threads == 1 { "" } else { "s" },
        fmt_rate(chosen.tasks_per_s),
        chosen.efficiency,
        fmt_ms(chosen.latency_us.total.p99),
        fmt_ms(chosen.heartbeat_lag_us.p99),
    );
    if std::ptr::eq(chosen, best) {
        why.push_str("; the highest throughput of the grid");
    } else {
        let behind = 100.0 * (1.0 - chosen.tasks_per_s / best.tasks_per_s.max(f64::MIN_POSITIVE));
        why.push_str(&format!(
            "; within {behind:.1}% of the best ({} with {} threads, {} tasks/s) using fewer threads",
            best.backend,
            best.threads,
            fmt_rate(best.tasks_per_s)
        ));
    }
    if all_starved {
        why.push_str(&format!(
            "; warning: every cell starved the app runtime (heartbeat p99 above {} ms)",
            fmt_ms(HEALTHY_HEARTBEAT_P99_US)
        ));
    }
    Some(Recommendation {
        backend: chosen.backend,
        threads: chosen.threads,
        why,
    })
}

impl SweepReport {
    /// Fills in efficiency, then finds the knees and the recommendation.
    pub fn new(rows: Vec<SweepRow>, cores: usize) -> SweepReport {
        let mut rows = rows;
        let efficiencies = efficiency(&rows, cores);
        for (row, e) in rows.iter_mut().zip(efficiencies) {
            row.efficiency = e;
        }
        let mut knees = BTreeMap::new();
        for backend in BackendKind::ALL {
            if let Some(t) = knee(&rows, backend) {
                knees.insert(backend.name().to_string(), t);
            }
        }
        let recommendation = recommend(&rows);
        SweepReport {
            rows,
            recommendation,
            knees,
            cores,
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
            ("efficiency", Align::Right),
            ("p50 ms", Align::Right),
            ("p99 ms", Align::Right),
            ("heartbeat p99 ms", Align::Right),
            ("cpu ms/task", Align::Right),
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
            if row.heartbeat_lag_us.p99 > HEALTHY_HEARTBEAT_P99_US {
                marks.push("(starves the runtime)");
            }
            t.push(vec![
                row.backend.to_string(),
                row.threads.to_string(),
                fmt_rate(row.tasks_per_s),
                format!("{:.2}", row.efficiency),
                fmt_ms(row.latency_us.total.p50),
                fmt_ms(row.latency_us.total.p99),
                fmt_ms(row.heartbeat_lag_us.p99),
                format!("{:.3}", row.cpu_s_per_task * 1000.0),
                marks.join(" "),
            ]);
        }
        t
    }

    fn footer(&self) -> String {
        let mut out = String::new();
        for backend in BackendKind::ALL {
            if !self.rows.iter().any(|r| r.backend == backend) {
                continue;
            }
            match self.knees.get(backend.name()) {
                Some(t) => out.push_str(&format!(
                    "knee: {backend} at {t} threads (more threads add under {:.0}% throughput)\n",
                    GAIN_THRESHOLD * 100.0
                )),
                None if self.rows.iter().filter(|r| r.backend == backend).count() < 2 => out
                    .push_str(&format!(
                        "knee: {backend} unknown (one thread count measured)\n"
                    )),
                None => out.push_str(&format!(
                    "knee: {backend} not reached (still scaling at its largest thread count)\n"
                )),
            }
        }
        match &self.recommendation {
            Some(r) => out.push_str(&format!("recommendation: {}\n", r.why)),
            None => out.push_str("recommendation: none (no cells measured)\n"),
        }
        out
    }

    pub fn render_text(&self) -> String {
        format!(
            "loadlab sweep on {} cores (efficiency 1.00 = perfect scaling over one thread)\n\n{}\n{}",
            self.cores,
            self.table().render_text(),
            self.footer()
        )
    }

    pub fn render_markdown(&self) -> String {
        let footer: String = self.footer().lines().map(|l| format!("- {l}\n")).collect();
        format!("{}\n{footer}", self.table().render_markdown())
    }

    /// One header row, then one row per cell; `knee` and `recommended` are 0/1.
    pub fn render_csv(&self) -> String {
        let mut out = String::from(
            "backend,threads,tasks_per_s,efficiency,latency_total_p50_us,latency_total_p99_us,heartbeat_p99_us,cpu_s_per_task,knee,recommended\n",
        );
        for row in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                row.backend,
                row.threads,
                row.tasks_per_s,
                row.efficiency,
                row.latency_us.total.p50,
                row.latency_us.total.p99,
                row.heartbeat_lag_us.p99,
                row.cpu_s_per_task,
                u8::from(self.is_knee(row)),
                u8::from(self.is_recommended(row)),
            ));
        }
        out
    }

    /// `{"rows": [...], "recommendation": {...}, "knees": {...}, "cores": N}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.rows,
            "recommendation": self.recommendation,
            "knees": self.knees,
            "cores": self.cores,
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
