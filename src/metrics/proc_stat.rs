//! CPU that other processes used: the machine's busy time from /proc/stat
//! less this process's own CPU from /proc/self/stat, as a share of the
//! machine. A benchmark cell measured while something else was busy is noise,
//! not data.

use std::fs::File;

use super::proc_field::{FIRST_READ_BYTES, read_whole};

/// One reading of the machine's and this process's CPU counters, in clock
/// ticks (USER_HZ, the unit both files use).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTicks {
    /// Every CPU's user, nice, system, irq, softirq and steal time.
    pub machine_busy: u64,
    /// Busy plus idle and iowait: the whole machine's time.
    pub machine_total: u64,
    /// This process's user + system time, every thread (exited ones too).
    pub own: u64,
}

impl CpuTicks {
    /// Reads both files; None where they cannot be read or parsed (not Linux).
    pub fn read() -> Option<CpuTicks> {
        CpuTicksReader::open()?.read()
    }
}

/// Both files kept open, each read whole with one `pread` into a reused
/// buffer: for the sampler, which reads them every second. Reading a /proc
/// file (size 0) with `read_to_string` took 8 reads of 32 bytes and up.
pub struct CpuTicksReader {
    stat: File,
    own: File,
    buffer: Vec<u8>,
}

impl CpuTicksReader {
    /// None where the files cannot be opened (not Linux).
    pub fn open() -> Option<CpuTicksReader> {
        Some(CpuTicksReader {
            stat: File::open("/proc/stat").ok()?,
            own: File::open("/proc/self/stat").ok()?,
            buffer: vec![0; FIRST_READ_BYTES],
        })
    }

    /// The counters now; None where they cannot be read or parsed.
    pub fn read(&mut self) -> Option<CpuTicks> {
        let (machine_busy, machine_total) =
            parse_machine(read_whole(&self.stat, &mut self.buffer)?)?;
        let own = parse_own(read_whole(&self.own, &mut self.buffer)?)?;
        Some(CpuTicks {
            machine_busy,
            machine_total,
            own,
        })
    }
}

/// The aggregate `cpu` line of /proc/stat: (busy, total) ticks.
pub fn parse_machine(stat: &str) -> Option<(u64, u64)> {
    busy_and_total(stat.lines().find(|l| l.starts_with("cpu "))?)
}

/// One `cpu` line of /proc/stat (the aggregate or one core's): (busy, total)
/// ticks.
pub fn busy_and_total(line: &str) -> Option<(u64, u64)> {
    // user nice system idle iowait irq softirq steal [guest guest_nice]:
    // guest time is already inside user and nice.
    let mut fields = [0u64; 8];
    let mut count = 0;
    for (slot, text) in fields.iter_mut().zip(line.split_whitespace().skip(1)) {
        *slot = text.parse().ok()?;
        count += 1;
    }
    if count < 4 {
        return None;
    }
    let [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    let busy = user + nice + system + irq + softirq + steal;
    Some((busy, busy + idle + iowait))
}

/// utime + stime of /proc/self/stat (fields 14 and 15). The command name in
/// field 2 may hold spaces and parentheses, so fields count from the last ')'.
pub fn parse_own(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Other processes' share of the machine over a stretch of time: read when
/// it starts, asked when it ends.
pub struct ExternalCpuWindow(Option<CpuTicks>);

impl ExternalCpuWindow {
    pub fn start() -> ExternalCpuWindow {
        ExternalCpuWindow(CpuTicks::read())
    }

    /// Percent of the machine other processes used since `start` (None where
    /// /proc cannot be read or no time passed).
    pub fn pct(&self) -> Option<f64> {
        external_cpu_pct(self.0.as_ref()?, &CpuTicks::read()?)
    }
}

/// Percent of the whole machine (all CPUs) that other processes used between
/// two readings; None when no time passed. Clamped to 0..=100: the two files
/// are read a moment apart, so a quiet machine can read a tick below zero.
pub fn external_cpu_pct(before: &CpuTicks, after: &CpuTicks) -> Option<f64> {
    let total = after.machine_total.checked_sub(before.machine_total)?;
    if total == 0 {
        return None;
    }
    let busy = after.machine_busy.saturating_sub(before.machine_busy) as f64;
    let own = after.own.saturating_sub(before.own) as f64;
    Some(((busy - own) / total as f64 * 100.0).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_line_sums_busy_and_total_without_counting_guests_twice() {
        let stat = "cpu  100 5 50 800 20 3 2 10 40 0\ncpu0 50 2 25 400 10 1 1 5 20 0\nintr 1\n";
        assert_eq!(parse_machine(stat), Some((170, 990)));
        assert_eq!(parse_machine("intr 5\n"), None);
        assert_eq!(parse_machine("cpu  1 x 3 4\n"), None);
    }

    #[test]
    fn own_time_counts_fields_after_the_last_parenthesis() {
        let stat = "4242 (load lab) (x)) S 1 2 3 4 5 6 7 8 9 10 250 30 0 0 20 0 7";
        assert_eq!(parse_own(stat), Some(280));
        assert_eq!(parse_own("4242 (loadlab) S 1"), None);
    }

    #[test]
    fn external_share_is_machine_busy_less_own_over_machine_time() {
        let before = CpuTicks {
            machine_busy: 1000,
            machine_total: 5000,
            own: 300,
        };
        let after = CpuTicks {
            machine_busy: 1300,
            machine_total: 5400,
            own: 400,
        };
        // 300 busy, 100 ours: 200 of 400 ticks were someone else's.
        assert_eq!(external_cpu_pct(&before, &after), Some(50.0));
        assert_eq!(external_cpu_pct(&after, &after), None);
        let ours_only = CpuTicks { own: 700, ..after };
        assert_eq!(external_cpu_pct(&before, &ours_only), Some(0.0));
    }

    #[test]
    fn this_machine_can_be_read() {
        if cfg!(target_os = "linux") {
            let reading = CpuTicks::read().unwrap_or_else(|| panic!("/proc unreadable"));
            assert!(reading.machine_total >= reading.machine_busy);
        }
    }
}
