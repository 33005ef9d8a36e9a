//! The panels and how focus moves between them. The screen is a 2 x 3 grid:
//!
//! ```text
//! Throughput | Latency
//! Threads    | Runtime health
//! System     | Log
//! ```

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PanelId {
    #[default]
    Throughput,
    Latency,
    Threads,
    Health,
    System,
    Log,
}

impl PanelId {
    /// Reading order, which Tab follows.
    pub const ALL: [PanelId; 6] = [
        PanelId::Throughput,
        PanelId::Latency,
        PanelId::Threads,
        PanelId::Health,
        PanelId::System,
        PanelId::Log,
    ];

    /// Attached to another process: the panels drawn (a 2 x 2 grid, reading
    /// order), the engine's Throughput and Latency left out.
    pub const ATTACHED: [PanelId; 4] = [
        PanelId::Threads,
        PanelId::Health,
        PanelId::System,
        PanelId::Log,
    ];

    /// Focus moved by `step` while only `shown` panels are drawn: a step that
    /// lands on a hidden panel keeps going the same way (Tab), or stays put
    /// (arrows, `stay`).
    pub fn moved_within(
        self,
        shown: &[PanelId],
        step: impl Fn(PanelId) -> PanelId,
        stay: bool,
    ) -> PanelId {
        let mut at = self;
        for _ in 0..Self::ALL.len() {
            at = step(at);
            if shown.contains(&at) {
                return at;
            }
            if stay {
                return self;
            }
        }
        self
    }

    pub fn title(self) -> &'static str {
        match self {
            PanelId::Throughput => "Throughput",
            PanelId::Latency => "Latency",
            PanelId::Threads => "Threads",
            PanelId::Health => "Runtime health",
            PanelId::System => "System",
            PanelId::Log => "Log",
        }
    }

    /// `(row, column)` in the grid.
    pub fn cell(self) -> (usize, usize) {
        let at = Self::ALL.iter().position(|p| *p == self).unwrap_or(0);
        (at / 2, at % 2)
    }

    fn at(row: usize, column: usize) -> PanelId {
        Self::ALL[(row.min(2)) * 2 + column.min(1)]
    }

    /// Tab (`step` = 1) and Shift-Tab (`step` = -1).
    pub fn cycle(self, step: isize) -> PanelId {
        let n = Self::ALL.len() as isize;
        let at = Self::ALL.iter().position(|p| *p == self).unwrap_or(0) as isize;
        Self::ALL[(at + step).rem_euclid(n) as usize]
    }

    pub fn up(self) -> PanelId {
        let (r, c) = self.cell();
        Self::at(r.saturating_sub(1), c)
    }

    pub fn down(self) -> PanelId {
        let (r, c) = self.cell();
        Self::at(r + 1, c)
    }

    pub fn left(self) -> PanelId {
        let (r, _) = self.cell();
        Self::at(r, 0)
    }

    pub fn right(self) -> PanelId {
        let (r, _) = self.cell();
        Self::at(r, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_move_in_the_grid_and_stop_at_edges() {
        assert_eq!(PanelId::Throughput.down(), PanelId::Threads);
        assert_eq!(PanelId::Threads.right(), PanelId::Health);
        assert_eq!(PanelId::Health.down(), PanelId::Log);
        assert_eq!(PanelId::Log.down(), PanelId::Log);
        assert_eq!(PanelId::Throughput.up(), PanelId::Throughput);
        assert_eq!(PanelId::Log.cycle(1), PanelId::Throughput);
        assert_eq!(PanelId::Throughput.cycle(-1), PanelId::Log);
    }
}
