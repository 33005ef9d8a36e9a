//! Tracing setup. Under the dashboard every event goes into a bounded in-memory
//! ring (`LogBuffer`) that the Log panel reads, so nothing is printed over the
//! screen; headless commands log to stderr.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// Lines kept by `init_dashboard_logging`'s buffer.
pub const DEFAULT_LOG_CAPACITY: usize = 500;

/// One recorded event.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub time: SystemTime,
    pub level: Level,
    pub target: String,
    /// The message followed by the event's other fields as `key=value`.
    pub message: String,
}

impl LogLine {
    /// `HH:MM:SS` of the event, UTC.
    pub fn clock(&self) -> String {
        let secs = self
            .time
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let day = secs % 86_400;
        format!("{:02}:{:02}:{:02}", day / 3600, (day / 60) % 60, day % 60)
    }
}

#[derive(Debug)]
struct Ring {
    lines: VecDeque<LogLine>,
    capacity: usize,
}

/// A bounded ring of log lines, cheap to clone (all clones share one ring).
#[derive(Clone, Debug)]
pub struct LogBuffer {
    ring: Arc<Mutex<Ring>>,
    /// Counts every push, so a reader can tell cheaply whether anything is new.
    pushed: Arc<AtomicU64>,
}

impl Default for LogBuffer {
    fn default() -> Self {
        LogBuffer::new(DEFAULT_LOG_CAPACITY)
    }
}

impl LogBuffer {
    /// A ring keeping the newest `capacity` lines (at least one).
    pub fn new(capacity: usize) -> LogBuffer {
        let capacity = capacity.max(1);
        LogBuffer {
            ring: Arc::new(Mutex::new(Ring {
                lines: VecDeque::with_capacity(capacity),
                capacity,
            })),
            pushed: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn push(&self, line: LogLine) {
        // A poisoned lock only means a panic elsewhere mid-push; the ring is still usable.
        let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        Self::push_locked(&mut ring, line);
        self.pushed.fetch_add(1, Ordering::Relaxed);
    }

    /// Like `push` but gives up instead of waiting: for the panic hook, which may run
    /// while this very thread holds the lock.
    pub fn try_push(&self, line: LogLine) -> bool {
        match self.ring.try_lock() {
            Ok(mut ring) => {
                Self::push_locked(&mut ring, line);
                self.pushed.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(_) => false,
        }
    }

    fn push_locked(ring: &mut Ring, line: LogLine) {
        while ring.lines.len() >= ring.capacity {
            ring.lines.pop_front();
        }
        ring.lines.push_back(line);
    }

    /// Convenience for code that logs without tracing (and for tests).
    pub fn push_message(&self, level: Level, target: &str, message: impl Into<String>) {
        self.push(LogLine {
            time: SystemTime::now(),
            level,
            target: target.to_string(),
            message: message.into(),
        });
    }

    /// The newest `n` lines, oldest first.
    pub fn recent(&self, n: usize) -> Vec<LogLine> {
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        let skip = ring.lines.len().saturating_sub(n);
        ring.lines.iter().skip(skip).cloned().collect()
    }

    /// Runs `f` over the lines, oldest first, without copying them (the
    /// dashboard draws a few of hundreds, ten times a second).
    pub fn with_lines<R>(&self, f: impl FnOnce(&VecDeque<LogLine>) -> R) -> R {
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        f(&ring.lines)
    }

    pub fn len(&self) -> usize {
        self.ring
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .lines
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lines pushed since the buffer was made (including those the ring dropped).
    pub fn pushed(&self) -> u64 {
        self.pushed.load(Ordering::Relaxed)
    }

    /// A tracing layer that records every event it sees into this buffer.
    pub fn layer(&self) -> LogBufferLayer {
        LogBufferLayer {
            buffer: self.clone(),
        }
    }
}

/// The tracing `Layer` behind `LogBuffer::layer`.
pub struct LogBufferLayer {
    buffer: LogBuffer,
}

impl<S: Subscriber> Layer<S> for LogBufferLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut visitor = MessageVisitor::default();
        event.record(&mut visitor);
        let metadata = event.metadata();
        self.buffer.push(LogLine {
            time: SystemTime::now(),
            level: *metadata.level(),
            target: metadata.target().to_string(),
            message: visitor.finish(),
        });
    }
}

/// Collects `message` first and the other fields as ` key=value`.
#[derive(Default)]
struct MessageVisitor {
    message: String,
    fields: String,
}

impl MessageVisitor {
    fn finish(self) -> String {
        if self.message.is_empty() {
            self.fields.trim_start().to_string()
        } else {
            self.message + &self.fields
        }
    }
}

impl Visit for MessageVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
}

/// Installs a global subscriber whose events (info and above) go only to the
/// returned buffer. If a subscriber is already installed (tests), the buffer still
/// works for direct pushes but receives no tracing events.
pub fn init_dashboard_logging() -> LogBuffer {
    let buffer = LogBuffer::default();
    let _ = tracing_subscriber::registry()
        .with(buffer.layer().with_filter(LevelFilter::INFO))
        .try_init();
    buffer
}

/// Installs a global subscriber writing to stderr: warnings and errors, or info
/// and above with `verbose`. Stdout stays clean for reports.
pub fn init_headless_logging(verbose: bool) {
    let level = if verbose {
        LevelFilter::INFO
    } else {
        LevelFilter::WARN
    };
    // Colour codes only for a terminal: a log file or a pipe gets plain text.
    let colour = std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_max_level(level)
        .with_target(false)
        // A closed stderr (a reader that went away) loses the line: reporting
        // the failed write goes through eprintln!, which would panic.
        .log_internal_errors(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_only_the_newest_lines() {
        let logs = LogBuffer::new(3);
        for i in 0..5 {
            logs.push_message(Level::INFO, "t", format!("line {i}"));
        }
        let lines: Vec<String> = logs.recent(10).into_iter().map(|l| l.message).collect();
        assert_eq!(lines, ["line 2", "line 3", "line 4"]);
        assert_eq!(logs.pushed(), 5);
        assert_eq!(logs.recent(1)[0].message, "line 4");
    }

    #[test]
    fn layer_records_message_and_fields() {
        let logs = LogBuffer::new(10);
        let subscriber = tracing_subscriber::registry().with(logs.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(threads = 4, backend = "rayon", "pool resized");
        });
        let line = &logs.recent(1)[0];
        assert_eq!(line.level, Level::WARN);
        assert_eq!(line.message, "pool resized threads=4 backend=rayon");
    }

    #[test]
    fn clock_formats_utc_time_of_day() {
        let line = LogLine {
            time: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(86_400 + 3_723),
            level: Level::INFO,
            target: String::new(),
            message: String::new(),
        };
        assert_eq!(line.clock(), "01:02:03");
    }
}
