//! Every thread of this process as the OS sees it: id, name and CPU time, read
//! from /proc/self/task (Linux). Elsewhere the list is empty.

use std::fs;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsThread {
    pub tid: i32,
    pub name: String,
    /// CPU time consumed by the thread, in nanoseconds.
    pub cpu_ns: u64,
}

/// Lists the process's threads. Threads that exit while we read are skipped.
pub fn list() -> Vec<OsThread> {
    let Ok(entries) = fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let tid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let dir = entry.path();
            let name = fs::read_to_string(dir.join("comm"))
                .ok()?
                .trim()
                .to_string();
            let cpu_ns = cpu_ns_from_schedstat(&dir).or_else(|| cpu_ns_from_stat(&dir))?;
            Some(OsThread { tid, name, cpu_ns })
        })
        .collect()
}

/// schedstat's first field is the time spent on the CPU in nanoseconds.
fn cpu_ns_from_schedstat(dir: &std::path::Path) -> Option<u64> {
    let text = fs::read_to_string(dir.join("schedstat")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Fallback: utime + stime from stat, in clock ticks (USER_HZ, 100 on Linux).
fn cpu_ns_from_stat(dir: &std::path::Path) -> Option<u64> {
    const NS_PER_TICK: u64 = 10_000_000;
    let text = fs::read_to_string(dir.join("stat")).ok()?;
    // The name field may contain spaces and parentheses: fields start after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')' come state (field 3) ... utime is field 14, stime 15 (1-based).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * NS_PER_TICK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_a_named_busy_thread() {
        let handle = std::thread::Builder::new()
            .name("os-threads-t".into())
            .spawn(|| {
                let start = std::time::Instant::now();
                let mut x = 0u64;
                while start.elapsed().as_millis() < 30 {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
                let me = list()
                    .into_iter()
                    .find(|t| t.name == "os-threads-t")
                    .map(|t| t.cpu_ns);
                (x, me)
            })
            .unwrap();
        let (_, cpu) = handle.join().unwrap();
        let cpu = cpu.expect("thread listed");
        assert!(cpu >= 10_000_000, "cpu_ns {cpu}");
    }
}
