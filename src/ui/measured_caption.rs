//! What a scenario caption or the guided demo adds to what it says to watch:
//! what was measured, from the same Snapshot the panels draw, so the caption
//! and the Runtime health panel cannot disagree. At the demo's end, the
//! summary compares its periods.

use crate::metrics::snapshot::{HealthState, Snapshot};
use crate::report::measured::measured_words;
use crate::session::periods::Period;
use crate::session::starvation::Verdict;
use crate::ui::format::{micros, rate};

/// `measured: heartbeat p99 19.1ms: STARVED, while other programs used 48%
/// of the CPU`, from the Runtime health panel's own figures (None before the
/// heartbeat has ticked in the window).
pub fn measured(s: &Snapshot) -> Option<String> {
    let heartbeat = &s.heartbeat.window;
    if heartbeat.count == 0 {
        return None;
    }
    let verdict = match s.health.state {
        HealthState::Healthy => Verdict::Healthy,
        HealthState::Starved => Verdict::Starved,
    };
    Some(measured_words(
        heartbeat.p99,
        verdict,
        s.system.external_cpu_pct,
    ))
}

/// The demo's closing line: each of its periods' backend, throughput,
/// heartbeat p99 and verdict, oldest first.
pub fn summary(periods: &[&Period]) -> String {
    let parts: Vec<String> = periods
        .iter()
        .map(|p| {
            let heartbeat = match p.verdict {
                Some(verdict) => format!(
                    "heartbeat p99 {} {}",
                    micros(p.heartbeat_lag_us.p99),
                    verdict.name().to_uppercase()
                ),
                None => "no heartbeat measured".to_string(),
            };
            let busy = crate::report::noise::machine_busy(p.external_cpu_pct)
                .map(|e| format!(" (other programs {e:.0}%)"))
                .unwrap_or_default();
            format!(
                "{} x{} {} tasks/s, {heartbeat}{busy}",
                p.backend,
                p.threads,
                rate(p.tasks_per_s)
            )
        })
        .collect();
    if parts.is_empty() {
        return "guided demo finished (no period lasted a second)".to_string();
    }
    format!(
        "guided demo finished: {} (c: comparison)",
        parts.join(" · ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caption_adds_the_verdict_and_other_programs_share_when_the_machine_is_busy() {
        let mut s = Snapshot::default();
        assert_eq!(measured(&s), None);
        s.heartbeat.window.count = 40;
        s.heartbeat.window.p99 = 19_100.0;
        s.health.state = HealthState::Starved;
        s.system.external_cpu_pct = Some(48.0);
        assert_eq!(
            measured(&s).as_deref(),
            Some(
                "measured: heartbeat p99 19.1ms: STARVED, while other programs used 48% of the CPU"
            )
        );
        s.system.external_cpu_pct = Some(2.0);
        assert_eq!(
            measured(&s).as_deref(),
            Some("measured: heartbeat p99 19.1ms: STARVED")
        );
        assert_eq!(
            summary(&[]),
            "guided demo finished (no period lasted a second)"
        );
    }
}
