//! Where stall warnings go. The dashboard's Log hears them as they happen,
//! folded per [`crate::bounds::LOG_FOLD_WINDOW`] so a stalling runtime cannot
//! flood it; headless runs tally them per cause and print one line per cause
//! at the end, beside their report.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use super::stall_blame::Blame;

/// How an engine reports the stalls its heartbeat detects.
#[derive(Clone, Debug)]
pub enum StallLog {
    /// Warnings as they happen, folded (the dashboard's Log).
    Live,
    /// Counted per cause into a tally the caller prints at the end (headless
    /// runs; the engines of a sweep's cells share one).
    Tally(Arc<StallTally>),
}

impl Default for StallLog {
    /// Tallied into the process's tally, which a headless command prints
    /// once at its end: a sweep's many engines give one line per cause.
    fn default() -> Self {
        StallLog::Tally(process_tally())
    }
}

/// The tally every engine of this process adds to unless told otherwise.
pub fn process_tally() -> Arc<StallTally> {
    static TALLY: OnceLock<Arc<StallTally>> = OnceLock::new();
    TALLY.get_or_init(Arc::default).clone()
}

/// Stalls per cause (what ran, where): count, first and last, the worst.
#[derive(Debug, Default)]
pub struct StallTally {
    causes: Mutex<Vec<Cause>>,
}

#[derive(Debug)]
struct Cause {
    /// `inline: argon2 from /work`.
    key: String,
    count: u64,
    first: Instant,
    last: Instant,
    worst_ms: f64,
    /// The worst stall's blame.
    worst: String,
}

impl StallTally {
    pub fn add(&self, now: Instant, blocked_ms: f64, blame: &Blame) {
        // Held by work and waiting for a CPU are different causes even when
        // the same kernel was running: they fold into separate lines.
        let key = format!(
            "{}: {}{}",
            blame.backend,
            blame.cause,
            if blame.held_by_work { "" } else { " (waiting)" }
        );
        let mut causes = self.causes.lock().unwrap_or_else(PoisonError::into_inner);
        match causes.iter_mut().find(|c| c.key == key) {
            Some(cause) => {
                cause.count += 1;
                cause.last = now;
                if blocked_ms > cause.worst_ms {
                    cause.worst_ms = blocked_ms;
                    cause.worst = blame.describe();
                }
            }
            None => causes.push(Cause {
                key,
                count: 1,
                first: now,
                last: now,
                worst_ms: blocked_ms,
                worst: blame.describe(),
            }),
        }
    }

    /// One line per cause, the most frequent first: `app runtime blocked 30x
    /// in 10 s (3.0/s), worst 612.0 ms (inline: argon2 from /work): reason`.
    pub fn lines(&self) -> Vec<String> {
        let mut causes = self.causes.lock().unwrap_or_else(PoisonError::into_inner);
        causes.sort_by_key(|c| std::cmp::Reverse(c.count));
        causes
            .iter()
            .map(|c| {
                let secs = c.last.duration_since(c.first).as_secs_f64();
                let how_often = if c.count > 1 && secs >= 1e-3 {
                    format!(
                        "{}x in {secs:.1} s ({:.1}/s)",
                        c.count,
                        (c.count - 1) as f64 / secs
                    )
                } else {
                    format!("{}x", c.count)
                };
                format!(
                    "app runtime blocked {how_often}, worst {:.1} ms {}",
                    c.worst_ms, c.worst
                )
            })
            .collect()
    }

    /// Logs `lines` as warnings (on stderr in headless runs) and forgets them.
    pub fn log(&self) {
        for line in self.lines() {
            tracing::warn!("{line}");
        }
        self.causes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Stall warnings folded per [`crate::bounds::LOG_FOLD_WINDOW`]: the first
/// is logged whole at once, the next ones as one line with their count, rate
/// and the worst of them, so a stalling runtime cannot flood the Log or stderr.
#[derive(Default)]
pub(super) struct StallFold {
    /// When the current window opened (None: no stall lately).
    since: Option<Instant>,
    count: u64,
    worst_ms: f64,
    /// `(inline: argon2 from /work): reason` of the worst.
    worst: String,
}

impl StallFold {
    /// A stall at `now`; the line to log at once, if any. `what`:
    /// `(inline: argon2 from /work): reason`.
    pub(super) fn add(&mut self, now: Instant, blocked_ms: f64, what: String) -> Option<String> {
        if self.since.is_none() {
            self.since = Some(now);
            return Some(format!("app runtime blocked for {blocked_ms:.1} ms {what}"));
        }
        self.count += 1;
        if blocked_ms > self.worst_ms {
            self.worst_ms = blocked_ms;
            self.worst = what;
        }
        None
    }

    /// The folded line once the window is over.
    pub(super) fn flush_if_due(&mut self, now: Instant) -> Option<String> {
        let since = self.since?;
        if now.duration_since(since) < crate::bounds::LOG_FOLD_WINDOW {
            return None;
        }
        let line = self.flush(now);
        // Still stalling: keep folding; a quiet window starts afresh.
        self.since = line.is_some().then_some(now);
        line
    }

    fn flush(&mut self, now: Instant) -> Option<String> {
        let since = self.since?;
        let line = (self.count > 0).then(|| {
            let secs = now.duration_since(since).as_secs_f64().max(1e-3);
            format!(
                "app runtime blocked {}x more in {secs:.0} s ({:.1}/s), worst {:.1} ms {}",
                self.count,
                self.count as f64 / secs,
                self.worst_ms,
                self.worst
            )
        });
        // Field by field: replacing the whole value would drop it, and its
        // Drop flushes.
        self.since = None;
        self.count = 0;
        self.worst_ms = 0.0;
        self.worst.clear();
        line
    }
}

impl Drop for StallFold {
    fn drop(&mut self) {
        if let Some(line) = self.flush(Instant::now()) {
            tracing::warn!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::spec::{BackendKind, Kernel};

    #[test]
    fn repeated_stalls_fold_into_one_line_with_a_count_a_rate_and_the_worst() {
        let t0 = std::time::Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let what = |k: &str| {
            format!("(inline: {k} from the driver): CPU work is running on the async workers")
        };
        let mut fold = StallFold::default();
        assert_eq!(
            fold.add(at(0), 57.2, what("spin")).as_deref(),
            Some(
                "app runtime blocked for 57.2 ms (inline: spin from the driver): CPU work is running on the async workers"
            )
        );
        for i in 1..=99 {
            let ms = if i == 50 { 612.0 } else { 20.0 };
            let kernel = if i == 50 { "argon2" } else { "spin" };
            assert_eq!(fold.add(at(i * 100), ms, what(kernel)), None);
        }
        assert_eq!(fold.flush_if_due(at(9_999)), None);
        assert_eq!(
            fold.flush_if_due(at(10_000)).as_deref(),
            Some(
                "app runtime blocked 99x more in 10 s (9.9/s), worst 612.0 ms (inline: argon2 from the driver): CPU work is running on the async workers"
            )
        );
        // Still folding: the next stall is counted, not logged whole.
        assert_eq!(fold.add(at(10_100), 30.0, what("spin")), None);
        assert!(
            fold.flush(at(20_000))
                .is_some_and(|l| l.starts_with("app runtime blocked 1x more"))
        );
        // A quiet window: the next stall is logged whole again.
        let mut quiet = StallFold::default();
        assert!(quiet.add(at(0), 15.0, what("spin")).is_some());
        assert_eq!(quiet.flush_if_due(at(10_000)), None);
        assert!(quiet.add(at(10_500), 15.0, what("spin")).is_some());
    }

    #[test]
    fn a_tally_gives_one_line_per_cause_with_count_rate_and_worst() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let blame = |cause: &str, kernel| Blame {
            backend: BackendKind::Inline,
            kernel: Some(kernel),
            cause: cause.to_string(),
            ran: cause.to_string(),
            reason: "CPU work is running on the async workers".to_string(),
            held_by_work: true,
        };
        let tally = StallTally::default();
        for i in 0..31 {
            let ms = if i == 7 { 612.0 } else { 40.0 };
            tally.add(at(i * 100), ms, &blame("argon2 from /work", Kernel::Argon2));
        }
        tally.add(at(500), 25.0, &blame("spin from the driver", Kernel::Spin));
        assert_eq!(
            tally.lines(),
            [
                "app runtime blocked 31x in 3.0 s (10.0/s), worst 612.0 ms (inline: argon2 from /work): CPU work is running on the async workers",
                "app runtime blocked 1x, worst 25.0 ms (inline: spin from the driver): CPU work is running on the async workers",
            ]
        );
    }

    #[test]
    fn a_stall_that_waited_for_a_cpu_is_not_folded_into_one_held_by_work() {
        let t0 = Instant::now();
        let held = Blame {
            backend: BackendKind::Inline,
            kernel: Some(Kernel::Spin),
            cause: "spin from the driver".to_string(),
            ran: "spin from the driver".to_string(),
            reason: "CPU work is running on the async workers".to_string(),
            held_by_work: true,
        };
        let waited = Blame {
            reason: "the app workers did not get a CPU in time".to_string(),
            held_by_work: false,
            ..held.clone()
        };
        let tally = StallTally::default();
        tally.add(t0, 31.0, &held);
        tally.add(t0 + Duration::from_millis(100), 31.0, &held);
        // Worse than either, but a different cause: its reason must not
        // replace the held line's.
        tally.add(t0 + Duration::from_millis(200), 36.0, &waited);
        assert_eq!(
            tally.lines(),
            [
                "app runtime blocked 2x in 0.1 s (10.0/s), worst 31.0 ms (inline: spin from the driver): CPU work is running on the async workers",
                "app runtime blocked 1x, worst 36.0 ms (inline: spin from the driver): the app workers did not get a CPU in time",
            ]
        );
    }
}
