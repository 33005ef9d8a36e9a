//! What the Log panel shows: a level filter and how far back it is scrolled.

use tracing::Level;

use crate::logging::{DEFAULT_LOG_CAPACITY, LogBuffer, LogLine};

/// The lowest level shown (`l` cycles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFilter {
    #[default]
    All,
    Warnings,
    Errors,
}

impl LogFilter {
    pub fn next(self) -> LogFilter {
        match self {
            LogFilter::All => LogFilter::Warnings,
            LogFilter::Warnings => LogFilter::Errors,
            LogFilter::Errors => LogFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LogFilter::All => "every level",
            LogFilter::Warnings => "warnings and errors",
            LogFilter::Errors => "errors only",
        }
    }

    pub fn admits(self, level: Level) -> bool {
        match self {
            LogFilter::All => true,
            LogFilter::Warnings => level <= Level::WARN,
            LogFilter::Errors => level == Level::ERROR,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogView {
    pub filter: LogFilter,
    /// Entries hidden below the bottom row (0: following the newest).
    pub scroll: usize,
    /// `LogBuffer::pushed` when last looked at.
    seen_pushed: u64,
}

impl LogView {
    /// The entries the filter admits, oldest first.
    pub fn visible(&self, logs: &LogBuffer) -> Vec<LogLine> {
        logs.recent(DEFAULT_LOG_CAPACITY)
            .into_iter()
            .filter(|l| self.filter.admits(l.level))
            .collect()
    }

    /// How many entries the filter admits, and up to `n` of them from the
    /// scroll position back, newest first: what a frame shows, copied alone.
    pub fn shown(&self, logs: &LogBuffer, n: usize) -> (usize, Vec<LogLine>) {
        logs.with_lines(|lines| {
            let admitted = lines.iter().filter(|l| self.filter.admits(l.level)).count();
            let scroll = self.scroll.min(admitted.saturating_sub(1));
            let newest = lines
                .iter()
                .rev()
                .filter(|l| self.filter.admits(l.level))
                .skip(scroll)
                .take(n)
                .cloned()
                .collect();
            (admitted, newest)
        })
    }

    /// Scrolls `by` entries towards older (positive) or newer (negative) ones,
    /// never past the oldest entry.
    pub fn scroll_by(&mut self, by: isize, logs: &LogBuffer) {
        let max = self.visible(logs).len().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(by).min(max);
    }

    /// Keeps a scrolled-back view on the same entries while new ones arrive
    /// (following the newest when not scrolled).
    pub fn hold_position(&mut self, logs: &LogBuffer) {
        let pushed = logs.pushed();
        let new = pushed.saturating_sub(self.seen_pushed);
        self.seen_pushed = pushed;
        if self.scroll > 0 && new > 0 {
            let admitted = logs
                .recent(usize::try_from(new).unwrap_or(usize::MAX))
                .iter()
                .filter(|l| self.filter.admits(l.level))
                .count();
            self.scroll_by(isize::try_from(admitted).unwrap_or(isize::MAX), logs);
        }
    }

    /// The bottom row the Log shows (the newest unless scrolled back): the
    /// one Enter shows whole.
    pub fn selected(&self, logs: &LogBuffer) -> Option<LogLine> {
        let mut entries = self.visible(logs);
        let scroll = self.scroll.min(entries.len().saturating_sub(1));
        let at = entries.len().checked_sub(1 + scroll)?;
        Some(entries.swap_remove(at))
    }

    pub fn to_oldest(&mut self, logs: &LogBuffer) {
        self.scroll = self.visible(logs).len().saturating_sub(1);
    }
}
