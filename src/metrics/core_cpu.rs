//! Each core's CPU use from /proc/stat's `cpuN` lines, the file kept open: a
//! reading is one `pread`. sysinfo's refresh opened the file and read it line
//! by line every time, which cost the sampler twice as much.

use std::fs::File;
use std::time::Instant;

use crate::bounds::CORE_CPU_READ_EVERY;

use super::proc_field::read_whole;
use super::proc_stat::busy_and_total;

pub struct CoreCpu {
    stat: File,
    buffer: Vec<u8>,
    /// Each core's (busy, total) ticks at the last reading, and the one
    /// being taken (kept for its room).
    last: Vec<(u64, u64)>,
    now: Vec<(u64, u64)>,
    /// When `last` was read, and the shares it gave.
    last_at: Instant,
    last_pct: Vec<f64>,
}

impl CoreCpu {
    /// Opens /proc/stat and takes the first reading; None where it cannot
    /// be read or holds no core.
    pub fn open() -> Option<CoreCpu> {
        let mut cores = CoreCpu {
            stat: File::open("/proc/stat").ok()?,
            buffer: Vec::new(),
            last: Vec::new(),
            now: Vec::new(),
            last_at: Instant::now(),
            last_pct: Vec::new(),
        };
        cores.read_ticks()?;
        std::mem::swap(&mut cores.last, &mut cores.now);
        cores.last_pct = vec![0.0; cores.last.len()];
        Some(cores)
    }

    /// Each core's busy share since the last reading, in percent; the last
    /// shares again within `CORE_CPU_READ_EVERY` of that reading. None when
    /// the file no longer reads.
    pub fn read(&mut self, now: Instant) -> Option<Vec<f64>> {
        if now.duration_since(self.last_at) < CORE_CPU_READ_EVERY {
            return Some(self.last_pct.clone());
        }
        self.read_ticks()?;
        self.last_pct = busy_pct(&self.last, &self.now);
        self.last_at = now;
        std::mem::swap(&mut self.last, &mut self.now);
        Some(self.last_pct.clone())
    }

    fn read_ticks(&mut self) -> Option<()> {
        parse_cores(read_whole(&self.stat, &mut self.buffer)?, &mut self.now)
    }
}

/// Fills `into` with the (busy, total) ticks of every `cpuN` line; None when
/// there is none or one does not parse.
fn parse_cores(stat: &str, into: &mut Vec<(u64, u64)>) -> Option<()> {
    into.clear();
    for line in stat.lines().take_while(|line| line.starts_with("cpu")) {
        if line.as_bytes().get(3).is_some_and(u8::is_ascii_digit) {
            into.push(busy_and_total(line)?);
        }
    }
    (!into.is_empty()).then_some(())
}

/// Each core's busy ticks over its total ticks between two readings, in
/// percent (0 for a core with no ticks between them or none before).
fn busy_pct(last: &[(u64, u64)], now: &[(u64, u64)]) -> Vec<f64> {
    now.iter()
        .enumerate()
        .map(|(core, &(busy, total))| {
            let (busy_then, total_then) = last.get(core).copied().unwrap_or((busy, total));
            let ticks = total.saturating_sub(total_then);
            if ticks == 0 {
                return 0.0;
            }
            (busy.saturating_sub(busy_then) as f64 / ticks as f64 * 100.0).min(100.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = "cpu  300 0 100 1600 0 0 0 0 0 0\n\
        cpu0 100 0 50 850 0 0 0 0 0 0\n\
        cpu1 200 0 50 750 0 0 0 0 0 0\n\
        intr 12345 1 2 3\nctxt 99\n";
    const AFTER: &str = "cpu  500 0 100 1800 0 0 0 0 0 0\n\
        cpu0 130 0 50 920 0 0 0 0 0 0\n\
        cpu1 370 0 50 780 0 0 0 0 0 0\n\
        intr 12400 1 2 3\nctxt 120\n";

    #[test]
    fn each_core_is_its_busy_ticks_over_its_ticks_between_two_readings() {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        assert_eq!(parse_cores(BEFORE, &mut before), Some(()));
        assert_eq!(parse_cores(AFTER, &mut after), Some(()));
        assert_eq!(before, [(150, 1000), (250, 1000)]);
        // cpu0: 30 busy of 100 ticks; cpu1: 170 of 200.
        assert_eq!(busy_pct(&before, &after), [30.0, 85.0]);
        assert_eq!(busy_pct(&after, &after), [0.0, 0.0]);
        // A core that came online since: no share yet.
        assert_eq!(busy_pct(&before[..1], &after), [30.0, 0.0]);
        assert_eq!(parse_cores("cpu  1 2 3 4\nintr 1\n", &mut after), None);
        assert_eq!(parse_cores("cpu0 1 x 3 4\n", &mut after), None);
    }

    #[test]
    fn this_machine_reads_one_share_per_core() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let mut cores = CoreCpu::open().unwrap_or_else(|| panic!("/proc/stat unreadable"));
        // A buffer too small for the file grows until it fits.
        cores.buffer.truncate(8);
        let later = Instant::now() + CORE_CPU_READ_EVERY;
        let pct = cores
            .read(later)
            .unwrap_or_else(|| panic!("/proc/stat unreadable"));
        // Within the interval: the same shares, the file not read again.
        cores.buffer.clear();
        assert_eq!(cores.read(later).as_ref(), Some(&pct));
        assert!(cores.buffer.is_empty(), "read again");
        let online = std::fs::read_to_string("/proc/stat")
            .unwrap_or_default()
            .lines()
            .filter(|line| line.starts_with("cpu") && !line.starts_with("cpu "))
            .count();
        assert_eq!(pct.len(), online);
        assert!(pct.iter().all(|p| (0.0..=100.0).contains(p)), "{pct:?}");
    }
}
