//! `loadlab demo advice`: every kind of work (CPU, blocking, mixed) measured on
//! every backend at a thread count that suits it, the measured best per kind,
//! and the usual advice beside it, as a table or JSON.

use serde::{Deserialize, Serialize};

use super::demo::Spread;
use super::table::{Align, TextTable, fmt_ms, fmt_rate};
use crate::session::starvation::{Threshold, Verdict};
use crate::spec::{BackendKind, Kernel};

/// A kind of work, each run by one kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkKind {
    /// Pure computation (`sumsq`).
    Cpu,
    /// A blocking call that holds a thread without using a CPU (`sleep`).
    Blocking,
    /// Computation, then a blocking wait (`mixed`).
    Mixed,
}

impl WorkKind {
    pub const ALL: [WorkKind; 3] = [WorkKind::Cpu, WorkKind::Blocking, WorkKind::Mixed];

    pub fn name(self) -> &'static str {
        match self {
            WorkKind::Cpu => "cpu",
            WorkKind::Blocking => "blocking",
            WorkKind::Mixed => "mixed",
        }
    }

    pub fn kernel(self) -> Kernel {
        match self {
            WorkKind::Cpu => Kernel::Sumsq,
            WorkKind::Blocking => Kernel::Sleep,
            WorkKind::Mixed => Kernel::Mixed,
        }
    }

    /// The usual advice for this kind of work, as one sentence.
    pub fn usual_advice(self) -> &'static str {
        match self {
            WorkKind::Cpu => "CPU work: rayon or a pool sized to the cores, never inline",
            WorkKind::Blocking => {
                "blocking calls: spawn_blocking with many threads (tokio allows 512), \
                 never inline, never a pool sized to the cores"
            }
            WorkKind::Mixed => {
                "mixed work: a pool of about cores / CPU share threads, or spawn_blocking, \
                 never inline"
            }
        }
    }

    /// Backends the usual advice recommends for this kind of work.
    pub fn advised_backends(self) -> &'static [BackendKind] {
        match self {
            WorkKind::Cpu => &[BackendKind::Rayon, BackendKind::Channel],
            WorkKind::Blocking => &[BackendKind::SpawnBlocking],
            WorkKind::Mixed => &[
                BackendKind::SpawnBlocking,
                BackendKind::Channel,
                BackendKind::Rayon,
            ],
        }
    }
}

impl std::fmt::Display for WorkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// The four rows of the usual advice, printed beside the measurements.
pub const USUAL_ADVICE: [&str; 4] = [
    "network I/O stays async on the runtime",
    "file I/O goes async, or to spawn_blocking",
    "CPU computation goes to a pool sized to the cores (rayon)",
    "blocking libraries go to spawn_blocking, which allows many threads",
];

/// A row within this share of the most tasks/s counts as just as fast, and
/// the one with fewer threads is preferred.
pub const SAME_THROUGHPUT: f64 = 0.10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdviceRow {
    pub work: WorkKind,
    pub kernel: Kernel,
    pub size: u64,
    pub backend: BackendKind,
    pub threads: usize,
    pub tasks_per_s: f64,
    pub heartbeat_lag_us: Spread,
    pub echo_rtt_us: Spread,
    pub verdict: Verdict,
    /// CPU other programs used during the row, percent of the machine.
    #[serde(default)]
    pub external_cpu_pct: Option<f64>,
}

/// The measured best of one kind of work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Best {
    pub work: WorkKind,
    pub backend: BackendKind,
    pub threads: usize,
    pub tasks_per_s: f64,
    pub why: String,
    pub usual_advice: String,
    /// Is the measured best one of the backends the usual advice names?
    pub agrees_with_usual_advice: bool,
}

/// Picks the best row of one kind: among rows that kept the runtime healthy,
/// the fewest threads within `SAME_THROUGHPUT` of the most tasks/s. None
/// without rows of that kind.
pub fn best_of(work: WorkKind, rows: &[AdviceRow]) -> Option<Best> {
    let rows: Vec<&AdviceRow> = rows.iter().filter(|r| r.work == work).collect();
    let healthy: Vec<&AdviceRow> = rows
        .iter()
        .copied()
        .filter(|r| r.verdict == Verdict::Healthy)
        .collect();
    let (chosen, why) = match fastest(&healthy) {
        None => {
            // A starved runtime is the failure this demo is about: the pick is
            // the row that starved it least.
            let least = rows
                .iter()
                .copied()
                .min_by(|a, b| a.heartbeat_lag_us.p99.total_cmp(&b.heartbeat_lag_us.p99))?;
            (
                least,
                format!(
                    "no row kept the app runtime healthy; the least starved was {} x{} \
                     (heartbeat p99 {} ms, {}/s)",
                    least.backend,
                    least.threads,
                    fmt_ms(least.heartbeat_lag_us.p99),
                    fmt_rate(least.tasks_per_s)
                ),
            )
        }
        Some(top) => {
            let floor = top.tasks_per_s * (1.0 - SAME_THROUGHPUT);
            let chosen = healthy
                .iter()
                .copied()
                .filter(|r| r.tasks_per_s >= floor)
                .min_by(|a, b| {
                    a.threads
                        .cmp(&b.threads)
                        .then(b.tasks_per_s.total_cmp(&a.tasks_per_s))
                })
                .unwrap_or(top);
            (chosen, explain(chosen, top, &rows))
        }
    };
    let agrees = work.advised_backends().contains(&chosen.backend);
    Some(Best {
        work,
        backend: chosen.backend,
        threads: chosen.threads,
        tasks_per_s: chosen.tasks_per_s,
        why,
        usual_advice: work.usual_advice().to_string(),
        agrees_with_usual_advice: agrees,
    })
}

/// A kind of work whose measured pick is not stated: it could not be told
/// from other programs' noise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Withheld {
    pub work: WorkKind,
    pub why: String,
}

/// The most CPU other programs used during the rows of one kind of work.
fn busiest_during(work: WorkKind, rows: &[AdviceRow]) -> Option<f64> {
    super::noise::busiest_external_cpu(
        rows.iter()
            .filter(|r| r.work == work)
            .map(|r| r.external_cpu_pct),
    )
}

/// The measured best of one kind, judged against the noise: formed while
/// other programs took more than [`crate::bounds::BUSY_EXTERNAL_CPU_PCT`] of
/// the machine, a pick that contradicts the usual advice (or a runtime no
/// row kept healthy) is withheld, and one that agrees says how busy it was.
pub fn judge(work: WorkKind, rows: &[AdviceRow]) -> Option<Result<Best, Withheld>> {
    let mut best = best_of(work, rows)?;
    let Some(external) =
        busiest_during(work, rows).filter(|e| *e > crate::bounds::BUSY_EXTERNAL_CPU_PCT)
    else {
        return Some(Ok(best));
    };
    let any_healthy = rows
        .iter()
        .any(|r| r.work == work && r.verdict == Verdict::Healthy);
    if !best.agrees_with_usual_advice || !any_healthy {
        return Some(Err(Withheld {
            work,
            why: format!(
                "measured {} x{} ({}) while other programs used up to {external:.0}% of the CPUs: not told apart from their noise, so no best is stated",
                best.backend, best.threads, best.why
            ),
        }));
    }
    best.why.push_str(&format!(
        "; measured while other programs used up to {external:.0}% of the CPUs"
    ));
    Some(Ok(best))
}

fn fastest<'a>(rows: &[&'a AdviceRow]) -> Option<&'a AdviceRow> {
    rows.iter()
        .copied()
        .max_by(|a, b| a.tasks_per_s.total_cmp(&b.tasks_per_s))
}

/// Why `chosen` won: its throughput against the others', the runtime's
/// health, and who starved it.
fn explain(chosen: &AdviceRow, top: &AdviceRow, rows: &[&AdviceRow]) -> String {
    let mut why = if std::ptr::eq(chosen, top) {
        let runner_up = rows
            .iter()
            .filter(|r| !std::ptr::eq(**r, chosen))
            .max_by(|a, b| a.tasks_per_s.total_cmp(&b.tasks_per_s));
        match runner_up {
            Some(next) if next.tasks_per_s > 0.0 => format!(
                "the most tasks/s with a healthy runtime: {}/s, {}x {} x{} ({}/s)",
                fmt_rate(chosen.tasks_per_s),
                fmt_ratio(chosen.tasks_per_s / next.tasks_per_s),
                next.backend,
                next.threads,
                fmt_rate(next.tasks_per_s)
            ),
            _ => format!(
                "the most tasks/s with a healthy runtime: {}/s",
                fmt_rate(chosen.tasks_per_s)
            ),
        }
    } else {
        format!(
            "{}/s with {} threads, within {:.0}% of the most ({} x{}, {}/s) with fewer threads; \
             runtime healthy",
            fmt_rate(chosen.tasks_per_s),
            chosen.threads,
            SAME_THROUGHPUT * 100.0,
            top.backend,
            top.threads,
            fmt_rate(top.tasks_per_s)
        )
    };
    let starved: Vec<String> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Starved)
        .map(|r| format!("{} x{}", r.backend, r.threads))
        .collect();
    if !starved.is_empty() {
        why.push_str(&format!("; starved the runtime: {}", starved.join(", ")));
    }
    why
}

fn fmt_ratio(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0}")
    } else {
        format!("{ratio:.1}")
    }
}

/// The app runtime's probes with no work running: the floor this machine
/// puts under every row (other processes competing for the cores).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdleBaseline {
    pub heartbeat_lag_us: Spread,
    pub echo_rtt_us: Spread,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdviceReport {
    pub rows: Vec<AdviceRow>,
    /// What the verdicts used: `line` plus the idle baseline's p99s.
    pub threshold: Threshold,
    /// How much later than when idle the runtime may run before it counts as starved.
    pub line: Threshold,
    pub idle: IdleBaseline,
    /// Measured seconds per row.
    pub duration_s: f64,
    pub runtime_workers: usize,
    pub cores: usize,
    /// `mixed`: percent of a task spent computing.
    pub cpu_share: u8,
    /// The signal that ended the demo early (its finished rows are reported).
    pub interrupted: Option<String>,
}

impl AdviceReport {
    /// The kinds of work measured, in the order first measured.
    pub fn kinds(&self) -> Vec<WorkKind> {
        let mut kinds = Vec::new();
        for row in &self.rows {
            if !kinds.contains(&row.work) {
                kinds.push(row.work);
            }
        }
        kinds
    }

    /// The measured best of each kind that stands beyond the noise.
    pub fn best(&self) -> Vec<Best> {
        self.kinds()
            .into_iter()
            .filter_map(|work| judge(work, &self.rows)?.ok())
            .collect()
    }

    /// The kinds whose best is not stated, and why.
    pub fn withheld(&self) -> Vec<Withheld> {
        self.kinds()
            .into_iter()
            .filter_map(|work| judge(work, &self.rows)?.err())
            .collect()
    }

    /// What each kind ran, e.g. `cpu: sumsq 20000000`.
    fn workloads(&self) -> Vec<String> {
        self.kinds()
            .into_iter()
            .filter_map(|work| {
                let row = self.rows.iter().find(|r| r.work == work)?;
                let unit = match row.kernel {
                    Kernel::Sumsq => " iterations".to_string(),
                    Kernel::Mixed => format!(" us, {}% computing", self.cpu_share),
                    _ => " us".to_string(),
                };
                Some(format!("{work}: {} {}{unit}", row.kernel, row.size))
            })
            .collect()
    }

    pub fn render_text(&self) -> String {
        let mut t = TextTable::new(&[
            ("work", Align::Left),
            ("backend", Align::Left),
            ("threads", Align::Right),
            ("tasks/s", Align::Right),
            ("heartbeat p99 ms", Align::Right),
            ("echo p99 ms", Align::Right),
            ("other cpu %", Align::Right),
            ("verdict", Align::Left),
        ]);
        for r in &self.rows {
            t.push(vec![
                r.work.to_string(),
                r.backend.to_string(),
                r.threads.to_string(),
                fmt_rate(r.tasks_per_s),
                fmt_ms(r.heartbeat_lag_us.p99),
                fmt_ms(r.echo_rtt_us.p99),
                r.external_cpu_pct.map_or("-".into(), |e| format!("{e:.0}")),
                match r.verdict {
                    Verdict::Starved => "STARVED".to_string(),
                    Verdict::Healthy => "healthy".to_string(),
                },
            ]);
        }
        let mut out = format!(
            "loadlab demo advice: {:.1} s per row, {} cores, app runtime with {} workers\n\
             work: {}\n\
             verdict: {}\n\
             {}\n\n{}\n",
            self.duration_s,
            self.cores,
            self.runtime_workers,
            self.workloads().join("; "),
            self.threshold.rule(),
            self.baseline_sentence(),
            t.render_text(),
        );
        for warning in self.warnings() {
            out.push_str(&format!("warning: {warning}\n\n"));
        }
        if let Some(signal) = &self.interrupted {
            out.push_str(&format!(
                "interrupted by {signal}: only the rows measured before it are reported\n\n"
            ));
        }
        out.push_str("measured best per kind of work:\n");
        for best in self.best() {
            out.push_str(&format!(
                "  {:<9} {} x{}: {}\n            usual advice: {} ({})\n",
                best.work,
                best.backend,
                best.threads,
                best.why,
                best.usual_advice,
                if best.agrees_with_usual_advice {
                    "agrees"
                } else {
                    "differs here"
                }
            ));
        }
        for withheld in self.withheld() {
            out.push_str(&format!(
                "  {:<9} withheld: {}\n",
                withheld.work, withheld.why
            ));
        }
        out.push_str("\nthe usual advice:\n");
        for line in USUAL_ADVICE {
            out.push_str(&format!("  - {line}\n"));
        }
        out
    }

    /// How the verdict's line was set, in words.
    fn baseline_sentence(&self) -> String {
        format!(
            "(the {} ms / {} ms lines plus the runtime's own p99 with no work, up to the line \
             again: heartbeat {} ms, echo {} ms)",
            fmt_ms(self.line.heartbeat_p99_us),
            fmt_ms(self.line.echo_p99_us),
            fmt_ms(self.idle.heartbeat_lag_us.p99),
            fmt_ms(self.idle.echo_rtt_us.p99)
        )
    }

    /// Sentences for a machine too busy to trust the verdicts.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let idle = self.idle.heartbeat_lag_us.p99;
        if idle > self.line.heartbeat_p99_us / 2.0 {
            out.push(format!(
                "the app runtime was {} ms late (heartbeat p99) with no work at all: other \
                 processes are using the cores, so the verdicts here are unreliable",
                fmt_ms(idle)
            ));
        }
        for work in self.kinds() {
            let during = format!("the {work} rows");
            if let Some(w) = super::noise::busy_warning(busiest_during(work, &self.rows), &during) {
                out.push(w);
            }
        }
        out
    }

    /// The contract's rows and per-kind `best`, with the usual advice,
    /// threshold and setting.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.rows,
            "interrupted": self.interrupted,
            "best": self.best(),
            "best_withheld": self.withheld(),
            "usual_advice": USUAL_ADVICE,
            "threshold": {
                "heartbeat_p99_us": self.threshold.heartbeat_p99_us,
                "echo_p99_us": self.threshold.echo_p99_us,
                "rule": self.threshold.rule(),
                "line_heartbeat_p99_us": self.line.heartbeat_p99_us,
                "line_echo_p99_us": self.line.echo_p99_us,
            },
            "idle": self.idle,
            "warnings": self.warnings(),
            "duration_s": self.duration_s,
            "runtime_workers": self.runtime_workers,
            "cores": self.cores,
            "cpu_share": self.cpu_share,
        })
    }

    pub fn render_json(&self) -> String {
        format!("{}\n", self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(work: WorkKind, backend: BackendKind, threads: usize, rate: f64, p99: f64) -> AdviceRow {
        let spread = Spread {
            p50: p99 / 4.0,
            p99,
            max: p99 * 2.0,
            samples: 100,
        };
        AdviceRow {
            work,
            kernel: work.kernel(),
            size: 20_000,
            backend,
            threads,
            tasks_per_s: rate,
            heartbeat_lag_us: spread,
            echo_rtt_us: spread,
            verdict: Threshold::default().verdict(p99, p99),
            external_cpu_pct: Some(2.0),
        }
    }

    fn report() -> AdviceReport {
        use BackendKind::*;
        use WorkKind::*;
        AdviceReport {
            rows: vec![
                row(Cpu, Inline, 2, 96.0, 21_000.0),
                row(Cpu, SpawnBlocking, 64, 99.0, 1_500.0),
                row(Cpu, Rayon, 2, 97.0, 800.0),
                row(Cpu, Channel, 2, 98.0, 900.0),
                row(Blocking, Inline, 2, 99.0, 20_500.0),
                row(Blocking, SpawnBlocking, 64, 3_100.0, 400.0),
                row(Blocking, Rayon, 2, 99.5, 300.0),
                row(Blocking, Channel, 2, 99.0, 300.0),
            ],
            threshold: Threshold::default(),
            line: Threshold::default(),
            idle: IdleBaseline::default(),
            duration_s: 2.0,
            runtime_workers: 2,
            cores: 2,
            cpu_share: 50,
            interrupted: None,
        }
    }

    #[test]
    fn an_interrupted_report_says_so_in_text() {
        assert!(!report().render_text().contains("interrupted"));
        let interrupted = AdviceReport {
            interrupted: Some("SIGINT".to_string()),
            ..report()
        };
        assert!(
            interrupted
                .render_text()
                .contains("interrupted by SIGINT: only the rows measured before it are reported")
        );
    }

    #[test]
    fn fewer_threads_win_at_the_same_throughput_and_many_win_when_blocking() {
        let best = report().best();
        assert_eq!(best.len(), 2);
        assert_eq!(best[0].work, WorkKind::Cpu);
        assert_eq!(
            (best[0].backend, best[0].threads),
            (BackendKind::Channel, 2)
        );
        assert!(best[0].agrees_with_usual_advice);
        assert!(
            best[0]
                .why
                .contains("within 10% of the most (spawn-blocking x64"),
            "{}",
            best[0].why
        );
        assert!(
            best[0].why.ends_with("starved the runtime: inline x2"),
            "{}",
            best[0].why
        );
        assert_eq!(best[1].backend, BackendKind::SpawnBlocking);
        assert!(
            best[1].why.contains("3100/s, 31x rayon x2"),
            "{}",
            best[1].why
        );
    }

    #[test]
    fn with_every_row_starved_the_least_starved_is_named_as_such() {
        let rows = vec![
            row(WorkKind::Mixed, BackendKind::Inline, 2, 50.0, 900_000.0),
            row(WorkKind::Mixed, BackendKind::Rayon, 2, 40.0, 30_000.0),
        ];
        let best = best_of(WorkKind::Mixed, &rows).unwrap_or_else(|| panic!("best"));
        assert_eq!(best.backend, BackendKind::Rayon);
        assert!(best.agrees_with_usual_advice);
        assert_eq!(
            best.why,
            "no row kept the app runtime healthy; the least starved was rayon x2 \
             (heartbeat p99 30.0 ms, 40.0/s)"
        );
        assert!(best_of(WorkKind::Cpu, &rows).is_none());
    }

    #[test]
    fn a_late_idle_runtime_is_a_warning() {
        let mut r = report();
        assert!(r.warnings().is_empty());
        r.idle.heartbeat_lag_us.p99 = 7_000.0;
        let warnings = r.warnings();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("the app runtime was 7.00 ms late"),
            "{warnings:?}"
        );
        assert!(
            r.render_text()
                .contains("warning: the app runtime was 7.00 ms late")
        );
    }

    #[test]
    fn a_pick_formed_beside_busy_programs_is_withheld_when_it_contradicts_the_advice() {
        use BackendKind::*;
        let busy = |mut r: AdviceRow| {
            r.external_cpu_pct = Some(48.0);
            r
        };
        // The measured pick for CPU work, spawn-blocking x64, contradicts the
        // usual advice while a hog ran: withheld, and warned about.
        let mut r = report();
        r.rows[1] = busy(row(WorkKind::Cpu, SpawnBlocking, 64, 150.0, 1_500.0));
        assert!(r.best().iter().all(|b| b.work != WorkKind::Cpu));
        let withheld = r.withheld();
        assert_eq!(withheld.len(), 1);
        assert!(
            withheld[0].why.starts_with("measured spawn-blocking x64 (")
                && withheld[0].why.ends_with(
                    "while other programs used up to 48% of the CPUs: not told apart from their noise, so no best is stated"
                ),
            "{}",
            withheld[0].why
        );
        assert!(
            r.warnings().iter().any(|w| w.starts_with(
                "other programs used 48% of the CPUs during the cpu rows (above 10%)"
            )),
            "{:?}",
            r.warnings()
        );
        let v = r.to_json();
        assert_eq!(v["best_withheld"][0]["work"], "cpu");
        assert_eq!(v["rows"][1]["external_cpu_pct"], 48.0);
        assert!(
            r.render_text()
                .contains("  cpu       withheld: measured spawn-blocking x64")
        );
        // A pick that agrees stands, and says how busy the machine was.
        let mut r = report();
        r.rows[3] = busy(row(WorkKind::Cpu, Channel, 2, 98.0, 900.0));
        let best = r.best();
        assert_eq!((best[0].backend, best[0].threads), (Channel, 2));
        assert!(
            best[0]
                .why
                .ends_with("; measured while other programs used up to 48% of the CPUs"),
            "{}",
            best[0].why
        );
        assert!(r.withheld().is_empty());
        // Quiet rows: nothing withheld, no warning.
        assert!(report().withheld().is_empty());
        assert!(report().warnings().is_empty());
    }

    #[test]
    fn json_has_the_contract_keys() {
        let v: serde_json::Value =
            serde_json::from_str(&report().render_json()).unwrap_or_else(|e| panic!("{e}"));
        let first = &v["rows"][0];
        for key in ["work", "backend", "threads", "tasks_per_s", "verdict"] {
            assert!(!first[key].is_null(), "{key}");
        }
        assert_eq!(first["work"], "cpu");
        assert_eq!(first["verdict"], "starved");
        assert_eq!(first["heartbeat_lag_us"]["p99"], 21_000.0);
        assert_eq!(v["rows"][5]["backend"], "spawn-blocking");
        let best = &v["best"][1];
        assert_eq!(best["work"], "blocking");
        assert_eq!(best["backend"], "spawn-blocking");
        assert_eq!(best["threads"], 64);
        assert!(best["why"].is_string());
        assert_eq!(v["usual_advice"].as_array().map(Vec::len), Some(4));
    }

    #[test]
    fn text_shows_rows_best_and_the_usual_advice() {
        let text = report().render_text();
        assert!(
            text.contains("work: cpu: sumsq 20000 iterations; blocking: sleep 20000 us"),
            "{text}"
        );
        let inline = text
            .lines()
            .find(|l| l.starts_with("blocking  inline"))
            .unwrap_or_default();
        assert!(inline.ends_with("STARVED"), "{inline}");
        assert!(text.contains("  cpu       channel x2: "), "{text}");
        assert!(text.contains("  blocking  spawn-blocking x64: "), "{text}");
        assert!(
            text.contains("- blocking libraries go to spawn_blocking"),
            "{text}"
        );
    }
}
