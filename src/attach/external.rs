//! CPU that neither the target nor loadlab used, as a share of the machine:
//! /proc/stat's busy time less both processes' own. A busy machine slows the
//! target's threads (their wait% grows) without the target being at fault.

use crate::metrics::proc_stat::{CpuTicks, external_cpu_pct};

pub struct ExternalShare {
    start: Option<CpuTicks>,
    target_start: Option<u64>,
}

impl ExternalShare {
    /// Starts the window; `target_ticks` is the target's CPU now, clock ticks.
    pub fn start(target_ticks: Option<u64>) -> ExternalShare {
        ExternalShare {
            start: CpuTicks::read(),
            target_start: target_ticks,
        }
    }

    /// Percent of the machine others used since `start` (None where /proc
    /// cannot be read or no time passed). `target_ticks`: its CPU now, or
    /// the last reading before it ended.
    pub fn pct(&self, target_ticks: Option<u64>) -> Option<f64> {
        let start = self.start?;
        let now = CpuTicks::read()?;
        let target = target_ticks
            .zip(self.target_start)
            .map_or(0, |(now, start)| now.saturating_sub(start));
        // The target's CPU counts as ours: neither is someone else's.
        let with_target = CpuTicks {
            own: now.own + target,
            ..now
        };
        external_cpu_pct(&start, &with_target)
    }
}
