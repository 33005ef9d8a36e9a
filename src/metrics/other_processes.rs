//! Other programs on the machine, for the System panel: their share of the
//! CPUs (/proc/stat less this process, one file read at most once per
//! [`SCAN_EVERY`]) and the busiest of them by pid and name, as top and htop
//! show it. Naming the busiest reads every /proc/PID/stat, the dearest read
//! the sampler makes, so it is done at most once per [`BUSIEST_EVERY`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::proc_stat::{CpuTicks, CpuTicksReader, external_cpu_pct, parse_own};

/// How often other programs' share of the CPUs is read.
pub const SCAN_EVERY: Duration = Duration::from_secs(1);
/// How often every process is read to find the busiest (the panel shows
/// the last one found, over this stretch).
pub const BUSIEST_EVERY: Duration = Duration::from_secs(5);

/// The process that used the most CPU between two scans, this one excluded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BusiestProcess {
    pub pid: u32,
    /// The kernel's name for it (/proc/PID/comm, at most 15 bytes).
    pub name: String,
    /// Percent of the whole machine (all CPUs) it used.
    pub cpu_pct: f64,
}

/// What the last scan found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OtherReading {
    /// Percent of the machine other processes used (None: /proc unreadable).
    pub external_cpu_pct: Option<f64>,
    pub busiest: Option<BusiestProcess>,
}

pub struct OtherProcesses {
    own_pid: u32,
    /// A second process that is not "other" (the one `loadlab attach` watches).
    watched_pid: Option<u32>,
    last_scan: Option<Instant>,
    /// /proc/stat and this process's stat, kept open.
    ticks: Option<CpuTicksReader>,
    machine: Option<CpuTicks>,
    /// The watched process's CPU ticks at the last reading.
    watched_ticks: Option<u64>,
    /// When every process was last read, and the machine's total ticks then.
    last_busiest_scan: Option<(Instant, u64)>,
    /// CPU ticks (user + system) of every process at the last full scan.
    process_ticks: HashMap<u32, u64>,
    /// The scan being taken (kept for its room, swapped with `process_ticks`).
    scanning: HashMap<u32, u64>,
    /// Scratch for one stat file and its path.
    buffer: Vec<u8>,
    path: String,
    latest: OtherReading,
}

impl Default for OtherProcesses {
    fn default() -> OtherProcesses {
        OtherProcesses {
            own_pid: std::process::id(),
            watched_pid: None,
            last_scan: None,
            ticks: CpuTicksReader::open(),
            machine: None,
            watched_ticks: None,
            last_busiest_scan: None,
            process_ticks: HashMap::new(),
            scanning: HashMap::new(),
            buffer: Vec::new(),
            path: String::new(),
            latest: OtherReading::default(),
        }
    }
}

impl OtherProcesses {
    /// Processes other than this one and `watched`: neither is counted in the
    /// external share nor named the busiest.
    pub fn excluding(watched: u32) -> OtherProcesses {
        OtherProcesses {
            watched_pid: Some(watched),
            ..OtherProcesses::default()
        }
    }

    /// The latest figures: the external share read again when [`SCAN_EVERY`]
    /// has passed, the busiest when [`BUSIEST_EVERY`] has (the first call
    /// only takes the starting readings).
    pub fn read(&mut self, now: Instant) -> &OtherReading {
        if self
            .last_scan
            .is_some_and(|at| now.duration_since(at) < SCAN_EVERY)
        {
            return &self.latest;
        }
        self.last_scan = Some(now);
        let machine = self.ticks.as_mut().and_then(CpuTicksReader::read);
        let watched = self
            .watched_pid
            .and_then(|pid| read_stat(pid, &mut self.buffer, &mut self.path).and_then(parse_own));
        self.latest.external_cpu_pct = match (self.machine, machine) {
            (Some(before), Some(after)) => {
                // The watched process's CPU is not someone else's either.
                let watched_used = match (self.watched_ticks, watched) {
                    (Some(before), Some(now)) => now.saturating_sub(before),
                    _ => 0,
                };
                let after = CpuTicks {
                    own: after.own + watched_used,
                    ..after
                };
                external_cpu_pct(&before, &after)
            }
            _ => None,
        };
        self.machine = machine;
        self.watched_ticks = watched;
        let due = self
            .last_busiest_scan
            .is_none_or(|(at, _)| now.duration_since(at) >= BUSIEST_EVERY);
        if let (true, Some(machine)) = (due, machine) {
            self.scan_for_busiest(now, machine.machine_total);
        }
        &self.latest
    }

    /// Reads every process (but this one and the watched one) and names the
    /// one that used the most CPU since the previous scan.
    fn scan_for_busiest(&mut self, now: Instant, machine_total: u64) {
        scan_processes(
            self.own_pid,
            &mut self.scanning,
            &mut self.buffer,
            &mut self.path,
        );
        if let Some(pid) = self.watched_pid {
            self.scanning.remove(&pid);
        }
        if let Some((_, before_total)) = self.last_busiest_scan {
            self.latest.busiest = machine_total
                .checked_sub(before_total)
                .filter(|t| *t > 0)
                .and_then(|total| busiest(&self.process_ticks, &self.scanning, total))
                .and_then(|(pid, cpu_pct)| {
                    // Only the busiest is named: one more read, not one name per process.
                    Some(BusiestProcess {
                        pid,
                        name: process_name(pid, &mut self.buffer, &mut self.path)?,
                        cpu_pct,
                    })
                });
        }
        self.last_busiest_scan = Some((now, machine_total));
        std::mem::swap(&mut self.process_ticks, &mut self.scanning);
    }
}

/// The process whose ticks grew most since `before`, and its share of
/// `machine_ticks` (the whole machine's time between the scans), percent.
/// None when no other process used any CPU.
pub fn busiest(
    before: &HashMap<u32, u64>,
    now: &HashMap<u32, u64>,
    machine_ticks: u64,
) -> Option<(u32, f64)> {
    let (pid, used) = now
        .iter()
        .filter_map(|(pid, ticks)| {
            // A process born since the last scan counts from zero.
            let used = ticks.saturating_sub(before.get(pid).copied().unwrap_or(0));
            (used > 0).then_some((*pid, used))
        })
        .max_by_key(|(pid, used)| (*used, std::cmp::Reverse(*pid)))?;
    Some((pid, (used as f64 / machine_ticks as f64 * 100.0).min(100.0)))
}

/// Reads `/proc/<pid>/stat` into `buffer` (`path` is scratch); None once
/// the process has gone.
fn read_stat<'a>(pid: u32, buffer: &'a mut Vec<u8>, path: &mut String) -> Option<&'a str> {
    use std::fmt::Write as _;
    use std::io::Read as _;
    path.clear();
    // Writing into a String cannot fail.
    let _ = write!(path, "/proc/{pid}/stat");
    buffer.clear();
    std::fs::File::open(path.as_str())
        .ok()?
        .read_to_end(buffer)
        .ok()?;
    std::str::from_utf8(buffer).ok()
}

/// Every process's CPU ticks but `own_pid`'s, into `ticks`; processes that
/// end mid-scan are skipped. No allocation per process once the map and the
/// buffers have grown.
fn scan_processes(
    own_pid: u32,
    ticks: &mut HashMap<u32, u64>,
    buffer: &mut Vec<u8>,
    path: &mut String,
) {
    ticks.clear();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == own_pid {
            continue;
        }
        if let Some(used) = read_stat(pid, buffer, path).and_then(parse_own) {
            ticks.insert(pid, used);
        }
    }
}

/// A process's command name, from its stat line.
fn process_name(pid: u32, buffer: &mut Vec<u8>, path: &mut String) -> Option<String> {
    parse_name(read_stat(pid, buffer, path)?)
}

/// The command name between the first '(' and the last ')' of a stat line.
fn parse_name(stat: &str) -> Option<String> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    (close > open).then(|| crate::format::escape_control(&stat[open + 1..close]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_is_the_largest_growth_as_a_share_of_the_machine() {
        let before: HashMap<u32, u64> = [(10, 500), (11, 100)].into();
        // 12 was born since: it counts from zero.
        let now: HashMap<u32, u64> = [(10, 500), (11, 196), (12, 40)].into();
        assert_eq!(busiest(&before, &now, 200), Some((11, 48.0)));
        let quiet: HashMap<u32, u64> = [(10, 500)].into();
        assert_eq!(busiest(&before, &quiet, 200), None);
    }

    #[test]
    fn the_busiest_is_named_from_its_stat_line() {
        let (mut buffer, mut path) = (Vec::new(), String::new());
        let me = std::process::id();
        let name = process_name(me, &mut buffer, &mut path);
        let comm = std::fs::read_to_string("/proc/self/comm").ok();
        assert_eq!(name.as_deref(), comm.as_deref().map(str::trim));
        // Beyond the kernel's largest pid (4194304): no such process.
        assert_eq!(process_name(u32::MAX, &mut buffer, &mut path), None);
    }

    #[test]
    fn names_may_hold_spaces_and_parentheses_and_control_characters_are_escaped() {
        assert_eq!(
            parse_name("42 (tmux: server) S 1").as_deref(),
            Some("tmux: server")
        );
        assert_eq!(parse_name("42 (a)b) S 1").as_deref(), Some("a)b"));
        assert_eq!(parse_name("42 x"), None);
        let escaped = parse_name("42 (evil\u{1b}[2J) S 1").unwrap_or_default();
        assert!(!escaped.contains('\u{1b}'), "{escaped}");
    }

    #[test]
    fn every_process_is_read_once_per_busiest_interval_not_once_a_second() {
        if !std::path::Path::new("/proc/stat").exists() {
            return;
        }
        let mut others = OtherProcesses::default();
        let start = Instant::now();
        let scanned_at = |others: &OtherProcesses| others.last_busiest_scan.map(|(at, _)| at);
        others.read(start);
        assert_eq!(scanned_at(&others), Some(start));
        // The external share is read again; the processes are not.
        others.read(start + SCAN_EVERY);
        assert_eq!(others.last_scan, Some(start + SCAN_EVERY));
        assert_eq!(scanned_at(&others), Some(start));
        others.read(start + BUSIEST_EVERY);
        assert_eq!(scanned_at(&others), Some(start + BUSIEST_EVERY));
    }

    #[test]
    fn a_live_machine_reads_after_the_first_scan() {
        let mut others = OtherProcesses::default();
        let start = Instant::now();
        assert_eq!(others.read(start).external_cpu_pct, None);
        // Within the scan interval: the same (empty) reading.
        assert_eq!(others.read(start).busiest, None);
        std::thread::sleep(Duration::from_millis(50));
        let later = start + BUSIEST_EVERY;
        let reading = others.read(later).clone();
        if std::path::Path::new("/proc/stat").exists() {
            let external = reading.external_cpu_pct.unwrap_or(-1.0);
            assert!((0.0..=100.0).contains(&external), "{external}");
        }
    }
}
