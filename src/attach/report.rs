//! The report of a headless attach: JSON with the keys scripts rely on, and
//! text with latencies in milliseconds.

use std::fmt::Write as _;

use serde::Serialize;

use super::verdict::Verdict;
use crate::metrics::attached::AttachedMetrics;

#[derive(Clone, Debug, Serialize)]
pub struct AttachReport {
    pub pid: i32,
    pub command: String,
    /// Seconds attached.
    pub elapsed_s: f64,
    /// Every thread seen while attached (exited ones too), by pool then name.
    pub threads_seen: Vec<ThreadSeen>,
    pub pools: Vec<PoolSeen>,
    pub probe: Option<ProbeSummary>,
    /// The tokio runtime metrics `--metrics` read (rates over the whole
    /// attach); null without `--metrics`.
    pub metrics: Option<AttachedMetrics>,
    pub verdict: Verdict,
    /// What `verdict` compares the probe's p99 with.
    pub starved_threshold_ms: f64,
    /// CPU neither the target nor loadlab used, percent of the machine;
    /// null where /proc cannot be read.
    pub external_cpu_pct: Option<f64>,
    /// The target ended while attached (the report covers it up to its end).
    pub target_exited: bool,
    /// A signal ended attach before `--duration` or the target's end.
    pub interrupted: bool,
    /// Sentences about what makes the figures doubtful or incomplete.
    pub warnings: Vec<String>,
}

/// One thread: CPU and run delay (ready but waiting for a CPU) while attached.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreadSeen {
    pub name: String,
    pub tid: i32,
    pub pool: String,
    pub cpu_s: f64,
    pub wait_s: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PoolSeen {
    pub pool: String,
    /// Threads seen in the pool while attached (exited ones too).
    pub threads: usize,
    pub cpu_s: f64,
    pub wait_s: f64,
}

/// The `--probe` URL's round trips while attached, microseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeSummary {
    pub url: String,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    /// Answers timed.
    pub samples: u64,
    /// Requests without a 2xx answer (refused, closed, error status, timed out).
    pub failures: u64,
}

impl AttachReport {
    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
        text.push('\n');
        text
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "attach: pid {} ({})", self.pid, self.command);
        let ending = if self.target_exited {
            ", until the target ended"
        } else if self.interrupted {
            ", until interrupted"
        } else {
            ""
        };
        let _ = writeln!(out, "attached {:.1} s{ending}", self.elapsed_s);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<20} {:>7} {:>10} {:>10}",
            "pool", "threads", "cpu s", "wait s"
        );
        for pool in &self.pools {
            let _ = writeln!(
                out,
                "{:<20} {:>7} {:>10.3} {:>10.3}",
                crate::format::truncate(&pool.pool, 20),
                pool.threads,
                pool.cpu_s,
                pool.wait_s
            );
        }
        let _ = writeln!(out);
        match &self.probe {
            Some(probe) => {
                let _ = writeln!(
                    out,
                    "probe {}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} answers, {} failures)",
                    probe.url,
                    probe.p50_us / 1e3,
                    probe.p99_us / 1e3,
                    probe.max_us / 1e3,
                    probe.samples,
                    probe.failures
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "probe: none (add --probe http://127.0.0.1:PORT/health)"
                );
            }
        }
        if let Some(metrics) = &self.metrics {
            write_metrics(&mut out, metrics);
        }
        let _ = writeln!(
            out,
            "verdict: {} (probe p99 against {} ms)",
            self.verdict.label().to_uppercase(),
            self.starved_threshold_ms
        );
        if let Some(pct) = self.external_cpu_pct {
            let _ = writeln!(out, "other programs used {pct:.0}% of the machine");
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        out
    }
}

/// The `--metrics` page's tokio series, one a line, and the busy share.
fn write_metrics(out: &mut String, metrics: &AttachedMetrics) {
    let _ = writeln!(
        out,
        "metrics {}: {} reads, {} failed, {} tokio series",
        metrics.url,
        metrics.scrapes,
        metrics.failures,
        metrics.series.len()
    );
    if let Some(busy) = metrics.busy_pct {
        let _ = writeln!(
            out,
            "  runtime busy {busy:.0}% of its workers' time over {:.1} s",
            metrics.span_s
        );
    }
    for series in &metrics.series {
        let labels = if series.labels.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", series.labels)
        };
        let _ = writeln!(out, "  {}{labels} {}", series.name, series.value_text());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> AttachReport {
        AttachReport {
            pid: 42,
            command: "svc --port 1".into(),
            elapsed_s: 2.125,
            threads_seen: vec![ThreadSeen {
                name: "tokio-rt-worker".into(),
                tid: 43,
                pool: "tokio".into(),
                cpu_s: 1.5,
                wait_s: 0.25,
            }],
            pools: vec![PoolSeen {
                pool: "tokio".into(),
                threads: 1,
                cpu_s: 1.5,
                wait_s: 0.25,
            }],
            probe: Some(ProbeSummary {
                url: "http://127.0.0.1:1/health".into(),
                p50_us: 250.0,
                p99_us: 25_000.0,
                max_us: 40_000.0,
                samples: 20,
                failures: 0,
            }),
            metrics: None,
            verdict: Verdict::Starved,
            starved_threshold_ms: 10.0,
            external_cpu_pct: Some(3.0),
            target_exited: false,
            interrupted: false,
            warnings: vec![],
        }
    }

    #[test]
    fn json_has_the_documented_keys() {
        let value: serde_json::Value = serde_json::from_str(&report().json()).unwrap();
        for key in [
            "pid",
            "command",
            "elapsed_s",
            "threads_seen",
            "pools",
            "probe",
            "metrics",
            "verdict",
            "external_cpu_pct",
            "target_exited",
            "interrupted",
            "warnings",
        ] {
            assert!(value.get(key).is_some(), "{key} missing");
        }
        assert_eq!(value["verdict"], "starved");
        assert_eq!(value["probe"]["p99_us"], 25_000.0);
        assert_eq!(value["pools"][0]["pool"], "tokio");
        assert_eq!(value["threads_seen"][0]["wait_s"], 0.25);
        // Figures stay JSON numbers, unrounded.
        for figure in [
            &value["elapsed_s"],
            &value["external_cpu_pct"],
            &value["probe"]["p50_us"],
        ] {
            assert!(figure.is_f64(), "{figure} is not a number");
        }
        assert_eq!(value["elapsed_s"], 2.125);
        assert!(value["metrics"].is_null());
    }

    #[test]
    fn text_gives_latencies_in_ms() {
        let text = report().text();
        assert!(text.contains("p99 25.00 ms"), "{text}");
        assert!(text.contains("verdict: STARVED"), "{text}");
    }
}
