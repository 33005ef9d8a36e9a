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

/// Failures of one cause waiting to be logged.
#[derive(Clone, Debug)]
struct Cause {
    /// The cause with its numbers blanked: what groups failures.
    key: String,
    /// The newest error text of the group.
    example: String,
    count: u64,
    /// The group's texts differ (in their numbers).
    varied: bool,
}

/// `size 1000000 over the limit 4096 (task 17)` -> `size # over the limit # (task #)`.
fn cause_key(cause: &str) -> String {
    let mut key = String::with_capacity(cause.len());
    let mut in_number = false;
    for c in cause.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                key.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            key.push(c);
        }
    }
    key
}

#[derive(Clone, Debug, Default)]
pub struct FailureLog {
    /// `tasks.failed` of the previous Snapshot.
    seen_failed: u64,
    /// Failures not logged yet, per cause.
    pending: Vec<Cause>,
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
            let key = cause_key(&cause);
            let room = self.pending.len() < MAX_CAUSES;
            match self.pending.iter_mut().position(|c| c.key == key) {
                Some(at) => {
                    let group = &mut self.pending[at];
                    group.count += new;
                    group.varied |= group.example != cause;
                    group.example = cause;
                }
                None if room => self.pending.push(Cause {
                    key,
                    example: cause,
                    count: new,
                    varied: false,
                }),
                None => {
                    if let Some(last) = self.pending.last_mut() {
                        last.count += new;
                        last.varied = true;
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
        for cause in self.pending.drain(..) {
            let n = cause.count;
            let tasks = if n == 1 { "task" } else { "tasks" };
            // Causes that differ only in numbers (a task's index) are one group,
            // told by its newest example.
            let how = if cause.varied { ", the last with" } else { "" };
            logs.push_message(
                Level::WARN,
                "loadlab::failures",
                format!(
                    "{n} {tasks} failed{how}: {}",
                    crate::format::escape_control(&cause.example)
                ),
            );
        }
        self.last_flush_s = Some(s.elapsed_s);
    }
}
