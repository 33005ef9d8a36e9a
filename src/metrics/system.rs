//! Machine-wide figures from sysinfo: per-core CPU and this process's memory.

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

pub struct SystemProbe {
    system: System,
    pid: Option<Pid>,
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
        Some(SystemProbe { system, pid })
    }

    /// Per-core usage since the previous call (sysinfo needs two readings).
    pub fn read(&mut self) -> SystemReading {
        self.system.refresh_cpu_usage();
        let core_cpu_pct = self
            .system
            .cpus()
            .iter()
            .map(|cpu| f64::from(cpu.usage()))
            .collect();
        let rss_bytes = match self.pid {
            Some(pid) => {
                self.system.refresh_processes_specifics(
                    ProcessesToUpdate::Some(&[pid]),
                    false,
                    ProcessRefreshKind::nothing().with_memory(),
                );
                self.system.process(pid).map_or(0, |p| p.memory())
            }
            None => 0,
        };
        SystemReading {
            core_cpu_pct,
            rss_bytes,
        }
    }
}
