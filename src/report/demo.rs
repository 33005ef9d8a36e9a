//! `loadlab demo starvation`: one row per backend with throughput, heartbeat
//! lag, echo round trip and a verdict, rendered as a side-by-side table or JSON.

use serde::{Deserialize, Serialize};

use super::noise::Range;
use super::round_stats::{RoundFigures, RoundStats};
use super::table::{Align, TextTable, fmt_ms, fmt_rate};
use crate::engine::RunOutcome;
use crate::metrics::snapshot::{Percentiles, Snapshot};
use crate::session::pool::cpu_s_per_task;
use crate::spec::BackendKind;

use crate::session::starvation::{Threshold, Verdict, verdict};

/// p50 / p99 / max of a probe over a demo period, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    /// Samples behind the figures.
    pub samples: u64,
}

impl From<&Percentiles> for Spread {
    fn from(p: &Percentiles) -> Spread {
        Spread {
            p50: p.p50,
            p99: p.p99,
            max: p.max,
            samples: p.count,
        }
    }
}

/// One round of one backend: a fresh engine's measured period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoRound {
    /// Throughput, failures, CPU per task, other programs' CPU.
    #[serde(flatten)]
    pub figures: RoundFigures,
    pub heartbeat_lag_us: Spread,
    pub echo_rtt_us: Spread,
    /// `--serve`: round trips of `GET /health` timed by a client on its own
    /// thread and runtime (absent without `--serve`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_rtt_us: Option<Spread>,
    pub verdict: Verdict,
}

impl DemoRound {
    pub fn new(
        tasks_per_s: f64,
        heartbeat_lag_us: Spread,
        echo_rtt_us: Spread,
        threshold: &Threshold,
    ) -> DemoRound {
        DemoRound {
            figures: RoundFigures {
                tasks_per_s,
                ..RoundFigures::default()
            },
            heartbeat_lag_us,
            echo_rtt_us,
            health_rtt_us: None,
            verdict: verdict(heartbeat_lag_us.p99, echo_rtt_us.p99, threshold),
        }
    }

    /// A round from the Snapshot taken right after the reset that opened the
    /// measured period and the engine's exact totals at its close (the pool's
    /// CPU per task counts from that Snapshot, as a sweep cell's does).
    pub fn measure(
        start: &Snapshot,
        end: &RunOutcome,
        external_cpu_pct: Option<f64>,
        threshold: &Threshold,
    ) -> DemoRound {
        let seconds = end.elapsed.as_secs_f64();
        let per_s = |n: u64| crate::session::periods::per_second(n, seconds);
        let counters = &end.totals.counters;
        let round = DemoRound::new(
            per_s(counters.completed),
            Spread::from(&end.totals.heartbeat),
            Spread::from(&end.totals.echo),
            threshold,
        );
        DemoRound {
            figures: RoundFigures {
                failed_per_s: per_s(counters.failed),
                external_cpu_pct,
                cpu_s_per_task: cpu_s_per_task(start, end),
                ..round.figures
            },
            // Since the reset that opened the period, like the other probes.
            health_rtt_us: end
                .last_snapshot
                .service
                .as_ref()
                .map(|service| Spread::from(&service.health_client.cumulative)),
            ..round
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoRow {
    pub backend: BackendKind,
    pub threads: usize,
    /// Rounds, throughput, failures, other programs and drift.
    #[serde(flatten)]
    pub stats: RoundStats,
    /// Medians of the rounds' p50 and p99, the largest max, all samples.
    pub heartbeat_lag_us: Spread,
    pub echo_rtt_us: Spread,
    /// `--serve`: the internal client's `GET /health` round trips (medians
    /// of the rounds' p50 and p99, the largest max).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_rtt_us: Option<Spread>,
    /// From the median p99s.
    pub verdict: Verdict,
    /// High spread, busy machine, or rounds that disagree on the verdict.
    pub noisy: bool,
    pub round_figures: Vec<DemoRound>,
}

fn combined(rounds: &[DemoRound], probe: impl Fn(&DemoRound) -> Spread) -> Spread {
    Spread {
        p50: super::noise::median_of(rounds, |r| probe(r).p50),
        p99: super::noise::median_of(rounds, |r| probe(r).p99),
        max: rounds.iter().map(|r| probe(r).max).fold(0.0, f64::max),
        samples: rounds.iter().map(|r| probe(r).samples).sum(),
    }
}

impl DemoRow {
    /// A one-round row whose verdict follows from its probes and `threshold`.
    pub fn new(
        backend: BackendKind,
        threads: usize,
        tasks_per_s: f64,
        heartbeat_lag_us: Spread,
        echo_rtt_us: Spread,
        threshold: &Threshold,
    ) -> DemoRow {
        DemoRow::from_rounds(
            backend,
            threads,
            vec![DemoRound::new(
                tasks_per_s,
                heartbeat_lag_us,
                echo_rtt_us,
                threshold,
            )],
            threshold,
        )
    }

    /// Aggregates a backend's rounds (at least one).
    pub fn from_rounds(
        backend: BackendKind,
        threads: usize,
        rounds: Vec<DemoRound>,
        threshold: &Threshold,
    ) -> DemoRow {
        let figures: Vec<RoundFigures> = rounds.iter().map(|round| round.figures).collect();
        let heartbeat_lag_us = combined(&rounds, |r| r.heartbeat_lag_us);
        let echo_rtt_us = combined(&rounds, |r| r.echo_rtt_us);
        let mut row = DemoRow {
            backend,
            threads,
            stats: RoundStats::of(&figures),
            heartbeat_lag_us,
            echo_rtt_us,
            health_rtt_us: rounds
                .iter()
                .all(|r| r.health_rtt_us.is_some())
                .then(|| combined(&rounds, |r| r.health_rtt_us.unwrap_or_default())),
            verdict: verdict(heartbeat_lag_us.p99, echo_rtt_us.p99, threshold),
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

    /// Why the row is noisy, as a warning sentence (None: quiet).
    pub fn noise(&self) -> Option<String> {
        let starved = self
            .round_figures
            .iter()
            .filter(|r| r.verdict == Verdict::Starved)
            .count();
        let rounds = self.stats.rounds;
        let split = (starved > 0 && starved < rounds).then(|| {
            format!(
                "{} starved the runtime in {starved} of {rounds} rounds: the verdict is the median's, rerun on a quiet machine",
                self.label()
            )
        });
        match (self.stats.noise(&self.label()), split) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        }
    }

    /// Heartbeat p99 over the rounds: median, min, max.
    pub fn heartbeat_p99_range(&self) -> Range {
        let values: Vec<f64> = self
            .round_figures
            .iter()
            .map(|r| r.heartbeat_lag_us.p99)
            .collect();
        Range::of(&values).unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoReport {
    pub rows: Vec<DemoRow>,
    pub threshold: Threshold,
    /// What every backend ran, e.g. `sumsq 5000000 fixed, closed loop, 8 in flight`.
    pub workload: String,
    /// Measured seconds per backend and round.
    pub duration_s: f64,
    /// Worker threads of the app runtime the probes run on.
    pub runtime_workers: usize,
    /// Rounds asked per backend.
    pub rounds: usize,
    /// The signal that ended the demo early (finished rows are reported).
    pub interrupted: Option<String>,
}

impl DemoReport {
    /// Inline's heartbeat p99 over the best (lowest) offload backend's, when
    /// both were measured and the offload figure is above zero.
    pub fn inline_vs_best_offload(&self) -> Option<(f64, &DemoRow, &DemoRow)> {
        let inline = self.rows.iter().find(|r| !r.backend.offloads())?;
        let best = self
            .rows
            .iter()
            .filter(|r| r.backend.offloads())
            .min_by(|a, b| a.heartbeat_lag_us.p99.total_cmp(&b.heartbeat_lag_us.p99))?;
        (best.heartbeat_lag_us.p99 > 0.0).then(|| {
            (
                inline.heartbeat_lag_us.p99 / best.heartbeat_lag_us.p99,
                inline,
                best,
            )
        })
    }

    /// One sentence: how much worse inline was, and which backends starved.
    pub fn conclusion(&self) -> String {
        let starved: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Starved)
            .map(|r| r.backend.name())
            .collect();
        let verdicts = if starved.is_empty() {
            "every backend kept the app runtime healthy".to_string()
        } else {
            format!("starved: {}", starved.join(", "))
        };
        match self.inline_vs_best_offload() {
            // A "worse" is stated only beyond the rounds' spread.
            Some((_, inline, best))
                if !inline
                    .heartbeat_p99_range()
                    .clearly_above(&best.heartbeat_p99_range()) =>
            {
                format!(
                    "inline and {} heartbeat p99 are indistinguishable over the rounds ({} ms vs {} ms medians, ranges overlap or differ by under 5%); {verdicts}",
                    best.backend,
                    fmt_ms(inline.heartbeat_lag_us.p99),
                    fmt_ms(best.heartbeat_lag_us.p99)
                )
            }
            Some((ratio, inline, best)) => format!(
                "inline heartbeat p99 is {}x the best offload backend's ({} ms vs {} ms on {}); {verdicts}",
                fmt_ratio(ratio),
                fmt_ms(inline.heartbeat_lag_us.p99),
                fmt_ms(best.heartbeat_lag_us.p99),
                best.backend
            ),
            None => verdicts,
        }
    }

    pub fn render_text(&self) -> String {
        let with_health = self.rows.iter().any(|r| r.health_rtt_us.is_some());
        let mut columns = vec![
            ("backend", Align::Left),
            ("threads", Align::Right),
            ("tasks/s", Align::Right),
            ("min-max", Align::Right),
            ("failed/s", Align::Right),
            ("heartbeat p50 ms", Align::Right),
            ("p99 ms", Align::Right),
            ("max ms", Align::Right),
            ("echo rtt p50 ms", Align::Right),
            ("p99 ms", Align::Right),
            ("max ms", Align::Right),
        ];
        if with_health {
            columns.push(("/health p99 ms", Align::Right));
        }
        columns.extend([("other cpu %", Align::Right), ("verdict", Align::Left)]);
        let mut t = TextTable::new(&columns);
        for r in &self.rows {
            let mut cells = vec![
                r.backend.to_string(),
                r.threads.to_string(),
                fmt_rate(r.stats.tasks_per_s),
                r.stats.min_max_text(),
                fmt_rate(r.stats.failed_per_s),
                fmt_ms(r.heartbeat_lag_us.p50),
                fmt_ms(r.heartbeat_lag_us.p99),
                fmt_ms(r.heartbeat_lag_us.max),
                fmt_ms(r.echo_rtt_us.p50),
                fmt_ms(r.echo_rtt_us.p99),
                fmt_ms(r.echo_rtt_us.max),
            ];
            if with_health {
                cells.push(r.health_rtt_us.map_or("-".into(), |h| fmt_ms(h.p99)));
            }
            cells.extend([
                r.stats
                    .external_cpu_pct
                    .map_or("-".into(), |e| format!("{e:.0}")),
                match (r.verdict, r.noisy) {
                    (Verdict::Starved, false) => "STARVED".to_string(),
                    (Verdict::Healthy, false) => "healthy".to_string(),
                    (Verdict::Starved, true) => "STARVED (noisy)".to_string(),
                    (Verdict::Healthy, true) => "healthy (noisy)".to_string(),
                },
            ]);
            t.push(cells);
        }
        let warnings: String = self
            .warnings()
            .iter()
            .map(|w| format!("warning: {w}\n"))
            .collect();
        format!(
            "loadlab demo starvation: {:.1} s per backend and round, {} round{} interleaved, app runtime with {} workers\n\
             workload: {}\n\
             verdict: {} (median of the rounds)\n\n{}\n{}\n{warnings}",
            self.duration_s,
            self.rounds,
            if self.rounds == 1 { "" } else { "s" },
            self.runtime_workers,
            self.workload,
            self.threshold.rule(),
            t.render_text(),
            self.conclusion()
        )
    }

    /// The contract's `{"rows": [...]}` plus the threshold, workload, duration
    /// and conclusion.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.rows,
            "threshold": {
                "heartbeat_p99_us": self.threshold.heartbeat_p99_us,
                "echo_p99_us": self.threshold.echo_p99_us,
                "rule": self.threshold.rule(),
            },
            "workload": self.workload,
            "duration_s": self.duration_s,
            "runtime_workers": self.runtime_workers,
            "inline_vs_best_offload_heartbeat_p99": self.inline_vs_best_offload().map(|(r, _, _)| r),
            "conclusion": self.conclusion(),
            "rounds": self.rounds,
            "warnings": self.warnings(),
            "interrupted": self.interrupted,
        })
    }

    pub fn render_json(&self) -> String {
        format!("{}\n", self.to_json())
    }

    /// Noisy rows, a single round, an interruption: one sentence each.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.rows.iter().filter_map(DemoRow::noise).collect();
        if self.rounds == 1 {
            out.push(
                "one round per backend: no spread was measured, so differences may be noise (use --rounds 3 or more)"
                    .into(),
            );
        }
        if let Some(signal) = &self.interrupted {
            out.push(format!(
                "interrupted by {signal}: only the finished rounds are reported"
            ));
        }
        out
    }
}

fn fmt_ratio(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0}")
    } else {
        format!("{ratio:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(p50: f64, p99: f64) -> Spread {
        Spread {
            p50,
            p99,
            max: p99 * 1.5,
            samples: 500,
        }
    }

    fn report() -> DemoReport {
        let th = Threshold::default();
        let rows = vec![
            DemoRow::new(
                BackendKind::Inline,
                2,
                380.0,
                spread(90_000.0, 312_000.0),
                spread(150_000.0, 400_000.0),
                &th,
            ),
            DemoRow::new(
                BackendKind::SpawnBlocking,
                2,
                395.0,
                spread(200.0, 1_500.0),
                spread(300.0, 2_500.0),
                &th,
            ),
            DemoRow::new(
                BackendKind::Rayon,
                2,
                400.0,
                spread(150.0, 1_000.0),
                spread(250.0, 2_000.0),
                &th,
            ),
            DemoRow::new(
                BackendKind::Channel,
                2,
                401.0,
                spread(160.0, 1_200.0),
                spread(260.0, 2_100.0),
                &th,
            ),
        ];
        DemoReport {
            rows,
            threshold: th,
            workload: "sumsq 5000000 fixed, 8 in flight".into(),
            duration_s: 5.0,
            runtime_workers: 2,
            rounds: 1,
            interrupted: None,
        }
    }

    #[test]
    fn conclusion_compares_inline_with_the_best_offload() {
        let r = report();
        let (ratio, _, best) = r
            .inline_vs_best_offload()
            .unwrap_or_else(|| panic!("ratio"));
        assert_eq!(ratio, 312.0);
        assert_eq!(best.backend, BackendKind::Rayon);
        assert_eq!(
            r.conclusion(),
            "inline heartbeat p99 is 312x the best offload backend's (312 ms vs 1.00 ms on rayon); starved: inline"
        );
    }

    #[test]
    fn json_has_four_rows_in_the_contract_shape_and_states_the_threshold() {
        let v: serde_json::Value =
            serde_json::from_str(&report().render_json()).unwrap_or_else(|e| panic!("{e}"));
        let rows = v["rows"].as_array().unwrap_or_else(|| panic!("rows"));
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0]["backend"], "inline");
        assert_eq!(rows[0]["verdict"], "starved");
        assert_eq!(rows[1]["backend"], "spawn-blocking");
        assert_eq!(rows[2]["verdict"], "healthy");
        assert_eq!(rows[2]["heartbeat_lag_us"]["p99"], 1000.0);
        assert_eq!(rows[2]["echo_rtt_us"]["max"], 3000.0);
        assert_eq!(rows[3]["threads"], 2);
        assert_eq!(rows[3]["tasks_per_s"], 401.0);
        assert_eq!(v["threshold"]["heartbeat_p99_us"], 10_000.0);
        assert_eq!(v["threshold"]["echo_p99_us"], 20_000.0);
        assert_eq!(v["inline_vs_best_offload_heartbeat_p99"], 312.0);
    }

    #[test]
    fn text_states_threshold_rows_and_conclusion() {
        let text = report().render_text();
        assert!(
            text.contains(
                "verdict: starved when heartbeat lag p99 > 10.0 ms or echo (with --serve, also /health) round-trip p99 > 20.0 ms"
            ),
            "{text}"
        );
        let inline = text
            .lines()
            .find(|l| l.starts_with("inline "))
            .unwrap_or_default();
        assert!(inline.ends_with("STARVED"), "{inline}");
        assert!(inline.contains(" 312 "), "{inline}");
        assert_eq!(text.matches("healthy").count(), 3, "{text}");
        assert!(text.contains("312x the best offload backend's"), "{text}");
    }

    #[test]
    fn no_offload_rows_means_no_ratio() {
        let mut r = report();
        r.rows.retain(|row| !row.backend.offloads());
        assert!(r.inline_vs_best_offload().is_none());
        assert_eq!(r.conclusion(), "starved: inline");
    }

    fn round(tasks_per_s: f64, heartbeat_p99: f64) -> DemoRound {
        DemoRound::new(
            tasks_per_s,
            spread(heartbeat_p99 / 3.0, heartbeat_p99),
            spread(300.0, 2_000.0),
            &Threshold::default(),
        )
    }

    #[test]
    fn a_rounds_figures_sit_beside_its_probes_in_the_json() {
        let mut measured = round(400.0, 1_000.0);
        measured.figures.cpu_s_per_task = 0.002;
        measured.figures.external_cpu_pct = Some(3.0);
        let json = serde_json::to_value(&measured).unwrap_or_default();
        let mut keys: Vec<&str> = json
            .as_object()
            .map(|object| object.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "cpu_s_per_task",
                "echo_rtt_us",
                "external_cpu_pct",
                "failed_per_s",
                "heartbeat_lag_us",
                "tasks_per_s",
                "verdict"
            ],
            "{json}"
        );
        assert_eq!(json["tasks_per_s"], 400.0);
        assert_eq!(json["cpu_s_per_task"], 0.002);
        let back: Option<DemoRound> = serde_json::from_value(json).ok();
        assert_eq!(back, Some(measured));
    }

    #[test]
    fn rows_take_medians_over_rounds_and_flag_a_split_verdict() {
        let th = Threshold::default();
        let row = DemoRow::from_rounds(
            BackendKind::Channel,
            2,
            vec![
                round(400.0, 1_000.0),
                round(300.0, 40_000.0),
                round(410.0, 1_200.0),
            ],
            &th,
        );
        assert_eq!(row.stats.rounds, 3);
        assert_eq!(row.stats.tasks_per_s, 400.0);
        assert_eq!(
            (row.stats.tasks_per_s_min, row.stats.tasks_per_s_max),
            (300.0, 410.0)
        );
        assert_eq!(row.heartbeat_lag_us.p99, 1_200.0);
        // One starved round of three: the median says healthy, the row is noisy.
        assert_eq!(row.verdict, Verdict::Healthy);
        assert!(row.noisy);
        let why = row.noise().unwrap_or_default();
        assert!(
            why.contains("channel x2 starved the runtime in 1 of 3 rounds"),
            "{why}"
        );
    }

    #[test]
    fn rows_report_how_much_the_same_tasks_cpu_time_drifted_between_rounds() {
        let th = Threshold::default();
        let costing = |cpu_s_per_task| {
            let mut round = round(400.0, 1_000.0);
            round.figures.cpu_s_per_task = cpu_s_per_task;
            round
        };
        let rounds = vec![costing(0.010), costing(0.012), costing(0.0), costing(0.011)];
        let row = DemoRow::from_rounds(BackendKind::Rayon, 2, rounds, &th);
        // The round that completed nothing does not count: (12 - 10) / 11.
        let drift = row.stats.machine_drift_pct.unwrap_or_default();
        assert!((drift - 200.0 / 11.0).abs() < 1e-9, "{drift}");
        let json = serde_json::to_value(&row).unwrap_or_default();
        assert!(json["machine_drift_pct"].is_number(), "{json}");
        let one = DemoRow::from_rounds(BackendKind::Rayon, 2, vec![costing(0.01)], &th);
        assert_eq!(one.stats.machine_drift_pct, None);
    }

    #[test]
    fn inline_is_called_worse_only_beyond_the_rounds_spread() {
        let th = Threshold::default();
        let mut r = report();
        r.rows = vec![
            DemoRow::from_rounds(
                BackendKind::Inline,
                2,
                vec![
                    round(380.0, 9_000.0),
                    round(380.0, 2_000.0),
                    round(380.0, 9_500.0),
                ],
                &th,
            ),
            DemoRow::from_rounds(
                BackendKind::Rayon,
                2,
                vec![
                    round(400.0, 1_000.0),
                    round(400.0, 3_000.0),
                    round(400.0, 1_100.0),
                ],
                &th,
            ),
        ];
        let conclusion = r.conclusion();
        assert!(
            conclusion.starts_with("inline and rayon heartbeat p99 are indistinguishable"),
            "{conclusion}"
        );
    }

    #[test]
    fn spread_comes_from_snapshot_percentiles() {
        let p = Percentiles {
            p50: 1.0,
            p90: 2.0,
            p99: 3.0,
            max: 4.0,
            count: 9,
        };
        assert_eq!(
            Spread::from(&p),
            Spread {
                p50: 1.0,
                p99: 3.0,
                max: 4.0,
                samples: 9
            }
        );
    }
}
