//! The Threads panel's view state: sort column and order, a name/pool filter,
//! hiding idle and exited threads, and a scroll position kept within the rows.

use std::cell::Cell;

use super::history::{ThreadTrack, ThreadTracks};

/// A column the table can be sorted by (`<` / `>` move between them, `o` flips the order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortColumn {
    /// Grouped by pool, then by name: the default, with one summary row per pool.
    #[default]
    Pool,
    Tid,
    Name,
    Cpu,
    Busy,
    TasksPerS,
}

impl SortColumn {
    pub const ALL: [SortColumn; 6] = [
        SortColumn::Pool,
        SortColumn::Tid,
        SortColumn::Name,
        SortColumn::Cpu,
        SortColumn::Busy,
        SortColumn::TasksPerS,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Pool => "pool",
            SortColumn::Tid => "tid",
            SortColumn::Name => "name",
            SortColumn::Cpu => "cpu%",
            SortColumn::Busy => "busy%",
            SortColumn::TasksPerS => "tasks/s",
        }
    }

    pub fn step(self, by: isize) -> SortColumn {
        let n = Self::ALL.len() as isize;
        let at = Self::ALL.iter().position(|c| *c == self).unwrap_or(0) as isize;
        Self::ALL[(at + by).rem_euclid(n) as usize]
    }

    /// Figures read best largest first; names and numbers smallest first.
    fn descending_by_default(self) -> bool {
        matches!(
            self,
            SortColumn::Cpu | SortColumn::Busy | SortColumn::TasksPerS
        )
    }
}

/// Below this a thread counts as idle (percent of a core, and tasks/s).
const IDLE_PCT: f64 = 0.5;

#[derive(Clone, Debug, Default)]
pub struct ThreadTable {
    pub sort: SortColumn,
    /// The order is flipped from the column's natural one (`o`).
    pub reversed: bool,
    /// Shown: threads whose name or pool contains this (case-insensitive).
    pub filter: String,
    /// `/` is typing into the filter.
    pub editing_filter: bool,
    /// Idle and exited threads are left out.
    pub hide_idle: bool,
    /// First row shown.
    pub scroll: usize,
    /// Body rows the panel had when last drawn (for paging and the scroll bound).
    pub page: Cell<usize>,
}

impl ThreadTable {
    pub fn is_descending(&self) -> bool {
        self.sort.descending_by_default() != self.reversed
    }

    /// The header's mark for the sort column, e.g. `cpu%▼`.
    pub fn arrow(&self) -> char {
        if self.is_descending() { '▼' } else { '▲' }
    }

    /// `needle`: the filter, trimmed and lowercased.
    fn admits(&self, track: &ThreadTrack, needle: &str) -> bool {
        if self.hide_idle && (!track.is_alive() || is_idle(track)) {
            return false;
        }
        needle.is_empty()
            || track.view.name.to_lowercase().contains(needle)
            || track.view.pool.name().contains(needle)
    }

    /// The threads to list, filtered and in the chosen order.
    pub fn rows<'a>(&self, tracks: &'a ThreadTracks) -> Vec<&'a ThreadTrack> {
        let needle = self.filter.trim().to_lowercase();
        // In the natural order already: a stable sort by the column keeps it
        // among equals.
        let mut rows: Vec<&ThreadTrack> = tracks
            .sorted()
            .into_iter()
            .filter(|t| self.admits(t, &needle))
            .collect();
        let by = |a: &&ThreadTrack, b: &&ThreadTrack| {
            let (a, b) = (&a.view, &b.view);
            match self.sort {
                SortColumn::Pool => std::cmp::Ordering::Equal,
                SortColumn::Tid => a.tid.cmp(&b.tid),
                SortColumn::Name => a.name.cmp(&b.name),
                SortColumn::Cpu => a.cpu_pct.total_cmp(&b.cpu_pct),
                SortColumn::Busy => a.busy_pct.total_cmp(&b.busy_pct),
                SortColumn::TasksPerS => a.tasks_per_s.total_cmp(&b.tasks_per_s),
            }
        };
        if self.sort == SortColumn::Pool {
            if self.reversed {
                rows.reverse();
            }
        } else if self.is_descending() {
            rows.sort_by(|a, b| by(b, a));
        } else {
            rows.sort_by(by);
        }
        rows
    }

    /// Rows the panel lists: one per thread, plus one per pool when grouped.
    pub fn line_count(&self, tracks: &ThreadTracks) -> usize {
        let rows = self.rows(tracks);
        let groups = if self.sort == SortColumn::Pool {
            let mut pools: Vec<_> = rows.iter().map(|t| t.view.pool).collect();
            pools.dedup();
            pools.len()
        } else {
            0
        };
        rows.len() + groups
    }

    /// The furthest the list can scroll for `rows` rows: the last page shows full.
    pub fn max_scroll(&self, rows: usize) -> usize {
        rows.saturating_sub(self.page.get().max(1))
    }

    /// Moves by `by` rows, kept within `[0, max_scroll]`.
    pub fn scroll_by(&mut self, by: isize, rows: usize) {
        self.scroll = self
            .scroll
            .min(self.max_scroll(rows))
            .saturating_add_signed(by)
            .min(self.max_scroll(rows));
    }

    pub fn page_rows(&self) -> isize {
        isize::try_from(self.page.get().max(1)).unwrap_or(1)
    }
}

fn is_idle(track: &ThreadTrack) -> bool {
    let v = &track.view;
    v.cpu_pct < IDLE_PCT && v.busy_pct < IDLE_PCT && v.tasks_per_s <= 0.0
}
