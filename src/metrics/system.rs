//! Machine-wide figures: per-core CPU (from /proc/stat, sysinfo where that
//! cannot be read), and this process's memory.

use std::fs::File;

use super::core_cpu::CoreCpu;
use super::proc_field::read_number_field;
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

pub struct SystemProbe {
    system: System,
    cores: Option<CoreCpu>,
    pid: Option<Pid>,
    /// /proc/self/statm kept open: one `pread` a tick, where a sysinfo process
    /// refresh opens and parses several files (a third of a tick's cost).
    statm: Option<File>,
    page_size: u64,
}

pub struct SystemReading {
    pub core_cpu_pct: Vec<f64>,
    pub rss_bytes: u64,
}

impl SystemProbe {
    /// None where sysinfo cannot read this system.
    pub fn new() -> Option<SystemProbe> {
        let system = System::new().ok()?;
        let pid = sysinfo::get_current_pid().ok();
        Some(SystemProbe {
            system,
            cores: CoreCpu::open(),
            pid,
            statm: File::open("/proc/self/statm").ok(),
            page_size: rustix::param::page_size() as u64,
        })
    }

    /// Per-core usage since the previous call (sysinfo needs two readings).
    pub fn read(&mut self) -> SystemReading {
        let now = std::time::Instant::now();
        let core_cpu_pct = match self.cores.as_mut().and_then(|cores| cores.read(now)) {
            Some(pct) => pct,
            None => {
                self.cores = None;
                self.cores_from_sysinfo()
            }
        };
        let rss_bytes = self
            .statm
            .as_ref()
            .and_then(resident_pages)
            .map(|pages| pages * self.page_size)
            .unwrap_or_else(|| self.rss_from_sysinfo());
        SystemReading {
            core_cpu_pct,
            rss_bytes,
        }
    }

    fn cores_from_sysinfo(&mut self) -> Vec<f64> {
        self.system.refresh_cpu_usage();
        self.system
            .cpus()
            .iter()
            .map(|cpu| f64::from(cpu.usage()))
            .collect()
    }

    fn rss_from_sysinfo(&mut self) -> u64 {
        let Some(pid) = self.pid else {
            return 0;
        };
        self.system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&[pid]),
            false,
            ProcessRefreshKind::nothing().with_memory().without_tasks(),
        );
        self.system.process(pid).map_or(0, |p| p.memory())
    }
}

/// The second field of statm: resident pages.
fn resident_pages(statm: &File) -> Option<u64> {
    read_number_field(statm, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read_and_grows_with_touched_pages() {
        let Some(mut probe) = SystemProbe::new() else {
            return;
        };
        let before = probe.read().rss_bytes;
        assert!(before > 0);
        let touched = vec![1u8; 64 << 20];
        let after = probe.read().rss_bytes;
        assert!(
            after >= before + (48 << 20),
            "{before} -> {after} after touching 64 MiB"
        );
        drop(std::hint::black_box(touched));
    }
}
