//! Healthy or starved, from the probe's round trips: the same rule and
//! threshold as loadlab's own runtime (its p99 above `--starved-threshold-ms`
//! is starved). Without a probe, or with no answer at all, nothing is known.

use serde::Serialize;

use crate::metrics::snapshot::Percentiles;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Healthy,
    Starved,
    Unknown,
}

impl Verdict {
    /// `round_trips` in microseconds; None without a probe.
    pub fn of(round_trips: Option<&Percentiles>, threshold_ms: f64) -> Verdict {
        match round_trips {
            Some(p) if p.count > 0 && p.p99 > threshold_ms * 1e3 => Verdict::Starved,
            Some(p) if p.count > 0 => Verdict::Healthy,
            _ => Verdict::Unknown,
        }
    }

    /// The live verdict: also starved when the request in flight has
    /// already waited past the threshold (a target starved for longer than
    /// the window answers nothing in it).
    pub fn live(window: &Percentiles, waiting_s: f64, threshold_ms: f64) -> Verdict {
        if waiting_s * 1e3 > threshold_ms {
            return Verdict::Starved;
        }
        Verdict::of(Some(window), threshold_ms)
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Starved => "starved",
            Verdict::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p99_against_the_threshold_decides() {
        let at = |p99: f64, count: u64| Percentiles {
            p99,
            count,
            ..Percentiles::default()
        };
        assert_eq!(Verdict::of(Some(&at(900.0, 10)), 10.0), Verdict::Healthy);
        assert_eq!(Verdict::of(Some(&at(10_001.0, 10)), 10.0), Verdict::Starved);
        assert_eq!(Verdict::of(Some(&at(0.0, 0)), 10.0), Verdict::Unknown);
        assert_eq!(Verdict::of(None, 10.0), Verdict::Unknown);
        assert_eq!(Verdict::live(&at(0.0, 0), 0.5, 10.0), Verdict::Starved);
        assert_eq!(Verdict::live(&at(900.0, 3), 0.001, 10.0), Verdict::Healthy);
    }
}
