//! The sweep report's four renderings: a text table with its footer,
//! Markdown, CSV and JSON.

use super::sweep::SweepReport;
use super::sweep_row::SweepRow;
use super::table::{Align, TextTable, fmt_ms, fmt_rate};

/// Which of the four renderings [`SweepReport::render`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepFormat {
    Text,
    Json,
    Csv,
    Md,
}

impl SweepReport {
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
            if row
                .efficiency
                .is_some_and(|e| e > 1.0 + super::noise::MIN_REAL_DIFFERENCE)
            {
                // More than perfect scaling cannot come from the threads.
                marks.push("(efficiency above 1: noise)");
            }
            if row.heartbeat_lag_us.p99 > self.starved_threshold_us {
                marks.push("(starves the runtime)");
            }
            t.push(vec![
                row.backend.to_string(),
                row.threads.to_string(),
                fmt_rate(row.stats.tasks_per_s),
                row.stats.min_max_text(),
                format!("{:.1}", row.stats.spread_pct),
                fmt_rate(row.stats.failed_per_s),
                row.efficiency.map_or("-".into(), |e| format!("{e:.2}")),
                fmt_ms(row.latency_us.total.p50),
                fmt_ms(row.latency_us.total.p99),
                fmt_ms(row.heartbeat_lag_us.p99),
                format!("{:.3}", row.cpu_s_per_task * 1000.0),
                row.stats
                    .machine_drift_pct
                    .map_or("-".into(), |d| format!("{d:.0}")),
                row.stats
                    .external_cpu_pct
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
                row.stats.rounds,
                row.stats.tasks_per_s,
                row.stats.tasks_per_s_min,
                row.stats.tasks_per_s_max,
                row.stats.spread_pct,
                row.stats.failed_per_s,
                opt(row.efficiency),
                row.latency_us.total.p50,
                row.latency_us.total.p99,
                row.heartbeat_lag_us.p99,
                row.cpu_s_per_task,
                opt(row.stats.machine_drift_pct),
                opt(row.stats.external_cpu_pct),
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
