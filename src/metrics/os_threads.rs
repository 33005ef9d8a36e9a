//! Every thread of this process as the OS sees it: id, name, CPU time and time
//! spent waiting for a CPU, read from /proc/self/task (Linux). Elsewhere the
//! list is empty.

use super::proc_field::read_leading_numbers;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsThread {
    pub tid: i32,
    pub name: String,
    /// CPU time consumed by the thread, in nanoseconds.
    pub cpu_ns: u64,
    /// Time the thread was ready to run but waited for a CPU, in nanoseconds
    /// (schedstat's run delay; 0 where the kernel does not report it).
    pub wait_ns: u64,
}

/// Lists the process's threads sample after sample at the cost of one `pread`
/// per thread: each thread's name is read at its first listings only and its
/// schedstat file (time on a CPU, then time waiting for one, in nanoseconds)
/// stays open, procfs serving a fresh reading at offset 0, rather than two
/// opens, reads and closes per thread per sample. With hundreds of threads at 10 samples a second that is most of the
/// sampler's cost. Threads that exit while being read are skipped.
///
/// The directory is listed on every `RESCAN_EVERY`-th call only (listing
/// /proc/self/task is the larger cost with hundreds of threads): a new thread
/// shows up within that many samples, an exited one at once (its open
/// schedstat file stops answering).
#[derive(Default)]
pub struct ThreadReader {
    known: HashMap<i32, KnownThread>,
    calls: u64,
    /// The process's name, which a new thread carries until it names itself:
    /// a thread still called so is asked again at each rescan.
    inherited_name: Option<String>,
}

const RESCAN_EVERY: u64 = 5;
/// A new thread is asked its name again at each of its first this many
/// listings: a thread names itself just after it starts, and until then it
/// carries its creator's name ("app-0" for a pool built from the app
/// runtime), which would file it under the wrong pool for good.
const YOUNG_LISTINGS: u8 = 10;

struct KnownThread {
    name: String,
    /// Listings since this thread was first seen, up to `YOUNG_LISTINGS`.
    listings: u8,
    /// None where schedstat is missing (kernels without schedstats): `stat`.
    schedstat: Option<File>,
}

impl ThreadReader {
    pub fn new() -> ThreadReader {
        ThreadReader::default()
    }

    pub fn list(&mut self) -> Vec<OsThread> {
        self.calls += 1;
        if self.calls % RESCAN_EVERY != 1 && !self.known.is_empty() {
            return self.read_known();
        }
        self.rescan()
    }

    /// The known threads' CPU times; a thread that exited is forgotten.
    fn read_known(&mut self) -> Vec<OsThread> {
        let mut threads = Vec::with_capacity(self.known.len());
        self.known.retain(|&tid, known| {
            if known.listings < YOUNG_LISTINGS {
                known.listings += 1;
                if let Some(name) = read_comm(&Path::new("/proc/self/task").join(tid.to_string())) {
                    known.name = name;
                }
            }
            let Some((cpu_ns, wait_ns)) = known.schedstat.as_ref().and_then(read_schedstat) else {
                // No schedstat (or the thread is gone): the next rescan decides.
                return known.schedstat.is_none();
            };
            threads.push(OsThread {
                tid,
                name: known.name.clone(),
                cpu_ns,
                wait_ns,
            });
            true
        });
        if threads.len() < self.known.len() {
            // Threads without schedstat need the directory's `stat` files.
            return self.rescan();
        }
        threads
    }

    fn rescan(&mut self) -> Vec<OsThread> {
        let Ok(entries) = fs::read_dir("/proc/self/task") else {
            return Vec::new();
        };
        if self.inherited_name.is_none() {
            self.inherited_name = read_comm(Path::new("/proc/self"));
        }
        let mut seen = HashSet::new();
        let mut threads = Vec::new();
        for entry in entries.flatten() {
            let Some(tid) = entry
                .file_name()
                .to_str()
                .and_then(|t| t.parse::<i32>().ok())
            else {
                continue;
            };
            let dir = entry.path();
            let known = match self.known.entry(tid) {
                std::collections::hash_map::Entry::Occupied(known) => {
                    let known = known.into_mut();
                    let young = known.listings < YOUNG_LISTINGS;
                    known.listings = known.listings.saturating_add(1).min(YOUNG_LISTINGS);
                    if (young || self.inherited_name.as_ref() == Some(&known.name))
                        && let Some(name) = read_comm(&dir)
                    {
                        known.name = name;
                    }
                    known
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let Some(name) = read_comm(&dir) else {
                        continue;
                    };
                    slot.insert(KnownThread {
                        name,
                        listings: 0,
                        schedstat: File::open(dir.join("schedstat")).ok(),
                    })
                }
            };
            let times = known
                .schedstat
                .as_ref()
                .and_then(read_schedstat)
                .or_else(|| cpu_ns_from_stat(&dir).map(|cpu_ns| (cpu_ns, 0)));
            if let Some((cpu_ns, wait_ns)) = times {
                seen.insert(tid);
                threads.push(OsThread {
                    tid,
                    name: known.name.clone(),
                    cpu_ns,
                    wait_ns,
                });
            }
        }
        // Exited threads' files are closed; a reused tid is read afresh.
        self.known.retain(|tid, _| seen.contains(tid));
        threads
    }
}

/// A thread's (or with /proc/self, the process's) name.
fn read_comm(dir: &Path) -> Option<String> {
    fs::read_to_string(dir.join("comm"))
        .ok()
        .map(|name| name.trim().to_string())
}

/// A fresh reading from an open schedstat file: (time on a CPU, time waiting
/// for one), in ns.
fn read_schedstat(file: &File) -> Option<(u64, u64)> {
    read_leading_numbers::<2>(file).map(|[cpu_ns, wait_ns]| (cpu_ns, wait_ns))
}

/// Fallback: utime + stime from stat, in clock ticks (USER_HZ, 100 on Linux).
fn cpu_ns_from_stat(dir: &Path) -> Option<u64> {
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
                // Spin until the thread itself has had 30 ms of CPU (by its
                // own schedstat), not 30 ms of wall time: on a busy machine
                // 30 ms of wall time can hold a few ms of CPU.
                let own = File::open("/proc/thread-self/schedstat").unwrap();
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
                let mut x = 0u64;
                while read_schedstat(&own).unwrap().0 < 30_000_000 {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "no 30 ms of CPU in 30 s"
                    );
                    for _ in 0..100_000 {
                        x = std::hint::black_box(x.wrapping_add(1));
                    }
                }
                let me = ThreadReader::new()
                    .list()
                    .into_iter()
                    .find(|t| t.name == "os-threads-t")
                    .map(|t| t.cpu_ns);
                (x, me)
            })
            .unwrap();
        let (_, cpu) = handle.join().unwrap();
        let cpu = cpu.expect("thread listed");
        assert!(cpu >= 30_000_000, "cpu_ns {cpu}");
    }

    #[test]
    fn a_thread_listed_before_it_names_itself_is_renamed() {
        // A thread created by "creator-t" carries that name until it names
        // itself; listed in between, it must not stay filed under it.
        let (named_tx, named_rx) = std::sync::mpsc::channel::<()>();
        let (listed_tx, listed_rx) = std::sync::mpsc::channel::<i32>();
        let creator = std::thread::Builder::new()
            .name("creator-t".into())
            .spawn(move || {
                std::thread::spawn(move || {
                    let link = fs::read_link("/proc/thread-self").unwrap();
                    let tid: i32 = link.file_name().unwrap().to_str().unwrap().parse().unwrap();
                    listed_tx.send(tid).unwrap();
                    named_rx.recv().unwrap();
                    fs::write("/proc/thread-self/comm", "worker-t").unwrap();
                    named_rx.recv().ok();
                })
            })
            .unwrap();
        let child = creator.join().unwrap();
        let tid = listed_rx.recv().unwrap();
        let mut reader = ThreadReader::new();
        let name_of = |threads: Vec<OsThread>| {
            threads
                .into_iter()
                .find(|t| t.tid == tid)
                .map(|t| t.name)
                .unwrap()
        };
        assert_eq!(name_of(reader.list()), "creator-t");
        named_tx.send(()).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"))
            .unwrap()
            .trim()
            != "worker-t"
        {
            assert!(std::time::Instant::now() < deadline);
            std::thread::yield_now();
        }
        // The next listing is not a rescan: the name must still be asked again.
        assert_eq!(name_of(reader.list()), "worker-t");
        drop(named_tx);
        child.join().unwrap();
    }
}
