//! Task failures into the Log: grouped by cause and rate-limited, so a
//! workload failing thousands of times a second writes one line per cause
//! every few seconds ("1456 tasks failed: size 1000000 over ...").

use tracing::Level;

use crate::logging::LogBuffer;
use crate::metrics::snapshot::Snapshot;

/// At most one line per cause this often (engine seconds).
pub const FAILURE_LOG_EVERY_S: f64 = 5.0;
/// Causes remembered between two lines; more are counted under the last one.
const MAX_CAUSES: usize = 8;

#[derive(Clone, Debug, Default)]
pub struct FailureLog {
    /// `tasks.failed` of the previous Snapshot.
    seen_failed: u64,
    /// Failures not logged yet, per cause.
    pending: Vec<(String, u64)>,
    /// When the last lines were written (None: never, so the first goes at once).
    last_flush_s: Option<f64>,
}

impl FailureLog {
    pub fn on_snapshot(&mut self, s: &Snapshot, logs: &LogBuffer) {
        let failed = s.tasks.failed;
        // Fewer than before: the statistics were reset.
        let new = failed.saturating_sub(self.seen_failed);
        self.seen_failed = failed;
        if new > 0 {
            let cause = s
                .failures
                .latest_cause
                .clone()
                .unwrap_or_else(|| "no error text was recorded".to_string());
            let room = self.pending.len() < MAX_CAUSES;
            match self.pending.iter().position(|(c, _)| *c == cause) {
                Some(at) => self.pending[at].1 += new,
                None if room => self.pending.push((cause, new)),
                None => {
                    if let Some((_, n)) = self.pending.last_mut() {
                        *n += new;
                    }
                }
            }
        }
        let due = self
            .last_flush_s
            .is_none_or(|at| s.elapsed_s - at >= FAILURE_LOG_EVERY_S || s.elapsed_s < at);
        if self.pending.is_empty() || !due {
            return;
        }
        for (cause, n) in self.pending.drain(..) {
            let tasks = if n == 1 { "task" } else { "tasks" };
            logs.push_message(
                Level::WARN,
                "loadlab::failures",
                format!(
                    "{n} {tasks} failed: {}",
                    crate::format::escape_control(&cause)
                ),
            );
        }
        self.last_flush_s = Some(s.elapsed_s);
    }
}
