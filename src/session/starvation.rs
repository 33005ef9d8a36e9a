//! When the app runtime counts as starved: one rule for the dashboard's
//! health, the demo's and the advice's verdicts, and the sweep's healthy cells.

use serde::{Deserialize, Serialize};

use crate::bounds;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Starved,
    Healthy,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Starved => "starved",
            Verdict::Healthy => "healthy",
        }
    }
}

/// When a backend counts as starving the app runtime.
///
/// Defaults: heartbeat p99 above 10 ms or echo round-trip p99 above 20 ms.
/// Why these: a healthy runtime beside busy offload workers shows heartbeat
/// p99 under 2 ms and echo p99 under 5 ms (the targets this tool is built to show), so healthy
/// backends sit 4 to 5 times below the line; inline work of a few ms per task
/// on 2 app workers delays both probes by hundreds of ms, 10 times above it.
/// 10 ms is also the blocking detector's default, so "starved" and "blocked"
/// mean the same thing. The echo line is higher because a round trip needs the
/// runtime twice (server and client), and it only catches stalls the 10 ms
/// heartbeat tick happens to miss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub heartbeat_p99_us: f64,
    pub echo_p99_us: f64,
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold {
            heartbeat_p99_us: bounds::STARVED_HEARTBEAT_P99_MS * 1e3,
            echo_p99_us: bounds::STARVED_ECHO_P99_MS * 1e3,
        }
    }
}

impl Threshold {
    /// The default rule with the heartbeat line at `heartbeat_p99_ms`.
    pub fn with_heartbeat_ms(heartbeat_p99_ms: f64) -> Threshold {
        Threshold {
            heartbeat_p99_us: heartbeat_p99_ms * 1e3,
            ..Threshold::default()
        }
    }

    /// The rule in words, printed in the text reports and stored in the JSON.
    pub fn rule(&self) -> String {
        format!(
            "starved when heartbeat lag p99 > {} ms or echo (with --serve, also /health) round-trip p99 > {} ms",
            crate::format::significant(self.heartbeat_p99_us / 1e3),
            crate::format::significant(self.echo_p99_us / 1e3)
        )
    }

    /// Starved when either probe's p99 is above its line.
    pub fn verdict(&self, heartbeat_p99_us: f64, echo_p99_us: f64) -> Verdict {
        if heartbeat_p99_us > self.heartbeat_p99_us || echo_p99_us > self.echo_p99_us {
            Verdict::Starved
        } else {
            Verdict::Healthy
        }
    }

    /// The heartbeat line alone (a sweep cell, the live health state).
    pub fn heartbeat_starved(&self, heartbeat_p99_us: f64) -> bool {
        heartbeat_p99_us > self.heartbeat_p99_us
    }

    /// The verdict of the heartbeat line alone (a scenario period).
    pub fn heartbeat_verdict(&self, heartbeat_p99_us: f64) -> Verdict {
        if self.heartbeat_starved(heartbeat_p99_us) {
            Verdict::Starved
        } else {
            Verdict::Healthy
        }
    }
}

/// Starved when either probe's p99 is above its threshold (see [`Threshold`]).
pub fn verdict(heartbeat_p99_us: f64, echo_p99_us: f64, threshold: &Threshold) -> Verdict {
    threshold.verdict(heartbeat_p99_us, echo_p99_us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_uses_either_probe_and_is_strict_at_the_line() {
        let th = Threshold::default();
        assert_eq!(verdict(10_000.0, 20_000.0, &th), Verdict::Healthy);
        assert_eq!(verdict(10_000.1, 0.0, &th), Verdict::Starved);
        assert_eq!(verdict(500.0, 20_001.0, &th), Verdict::Starved);
        assert_eq!(verdict(1_900.0, 4_000.0, &th), Verdict::Healthy);
    }

    #[test]
    fn the_heartbeat_line_moves_alone_and_reads_in_ms() {
        let th = Threshold::with_heartbeat_ms(2.5);
        assert!(th.heartbeat_starved(2_501.0));
        assert!(!th.heartbeat_starved(2_500.0));
        assert_eq!(th.echo_p99_us, Threshold::default().echo_p99_us);
        assert_eq!(
            Threshold::default().rule(),
            "starved when heartbeat lag p99 > 10.0 ms or echo (with --serve, also /health) round-trip p99 > 20.0 ms"
        );
    }
}
