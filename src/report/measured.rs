//! What was measured, in the words every caption ends with: the dashboard's
//! caption row under a scenario or the guided demo, and each period of a
//! `run --scenario` report. One sentence for both, so they cannot drift apart.

use crate::format::micros;
use crate::session::periods::Period;
use crate::session::starvation::Verdict;

/// `measured: heartbeat p99 19.1ms: STARVED, while other programs used 48%
/// of the CPU` (the share only when the machine was busy).
pub fn measured_words(
    heartbeat_p99_us: f64,
    verdict: Verdict,
    external_cpu_pct: Option<f64>,
) -> String {
    let mut text = format!(
        "measured: heartbeat p99 {}: {}",
        micros(heartbeat_p99_us),
        verdict.name().to_uppercase()
    );
    if let Some(external) = super::noise::machine_busy(external_cpu_pct) {
        text.push_str(&format!(
            ", while other programs used {external:.0}% of the CPU"
        ));
    }
    text
}

/// What was measured over a period (None: no heartbeat tick in it).
pub fn period_measured(period: &Period) -> Option<String> {
    let verdict = period.verdict?;
    Some(measured_words(
        period.heartbeat_lag_us.p99,
        verdict,
        period.external_cpu_pct,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_in_capitals_and_other_programs_only_when_busy() {
        assert_eq!(
            measured_words(19_100.0, Verdict::Starved, Some(48.0)),
            "measured: heartbeat p99 19.1ms: STARVED, while other programs used 48% of the CPU"
        );
        assert_eq!(
            measured_words(850.0, Verdict::Healthy, Some(2.0)),
            "measured: heartbeat p99 850µs: HEALTHY"
        );
        assert_eq!(
            measured_words(850.0, Verdict::Healthy, None),
            "measured: heartbeat p99 850µs: HEALTHY"
        );
    }
}
