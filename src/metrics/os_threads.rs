//! Every thread of a process as the OS sees it: id, name, CPU time and time
//! spent waiting for a CPU, read from /proc/<pid>/task (Linux; this process by
//! default). Elsewhere the list is empty.

use super::proc_field::read_leading_numbers;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsThread {
    pub tid: i32,
    /// Shared with the reader: a listing copies no name.
    pub name: Arc<str>,
    /// CPU time consumed by the thread, in nanoseconds.
    pub cpu_ns: u64,
    /// Time the thread was ready to run but waited for a CPU, in nanoseconds
    /// (schedstat's run delay; 0 where the kernel does not report it).
    pub wait_ns: u64,
    /// When `cpu_ns` and `wait_ns` were read: an earlier listing's instant
    /// for a thread outside this listing's read slice.
    pub read_at: Instant,
}

/// Lists a process's threads sample after sample at the cost of one `pread`
/// per thread read and no allocation per thread: each thread's name is read
/// at its first listings only and kept as a shared string, its schedstat file
/// (time on a CPU, then time waiting for one, in nanoseconds) stays open,
/// procfs serving a fresh reading at offset 0, and the listing reuses one
/// buffer. Threads that exit while being read are skipped.
///
/// A listing reads at most `budget` threads (`THREAD_READS_PER_SAMPLE`): past
/// that, a rotating slice in tid order, the others listed with their last
/// reading and its instant (`OsThread::read_at`), so every thread is read
/// every `read_every()` listings and rates are taken over each thread's own
/// interval. New threads are always read; `read_all` reads every thread.
///
/// The task directory is listed again only when the thread count changed
/// (its link count, one `fstat` of the open directory, is two plus the number
/// of threads) or a known thread stopped answering: listing it is the larger
/// cost with hundreds of threads, and a new thread still shows up at the next
/// reading.
pub struct ThreadReader {
    /// `/proc/<pid>` (or `/proc/self`).
    process_dir: PathBuf,
    /// `/proc/<pid>/task`, as a string to build thread paths in `path`.
    task_dir: String,
    /// The task directory kept open for its link count.
    task_handle: Option<File>,
    /// By tid: listings come in the same order every time, which the
    /// sampler's sort of them by pool and name then finds nearly done.
    known: BTreeMap<i32, KnownThread>,
    listing: Vec<OsThread>,
    /// Scratch for thread file paths.
    path: String,
    calls: u64,
    /// The process's name, which a new thread carries until it names itself:
    /// a thread still called so is asked again every `RECHECK_INHERITED` calls.
    inherited_name: Option<Arc<str>>,
    /// The task directory could not be read at the last listing: the
    /// process has exited (or was never readable).
    gone: bool,
    /// Threads read afresh per listing, at most.
    budget: usize,
    /// The tid the next slice starts from (or the first after it).
    cursor: i32,
}

/// Which threads a listing reads afresh: all of them, or the known ones from
/// tid `from` to tid `to` inclusive, wrapping past the largest tid.
#[derive(Clone, Copy)]
enum Slice {
    All,
    Wrapping { from: i32, to: i32 },
}

impl Slice {
    fn holds(self, tid: i32) -> bool {
        match self {
            Slice::All => true,
            Slice::Wrapping { from, to } if from <= to => (from..=to).contains(&tid),
            Slice::Wrapping { from, to } => tid >= from || tid <= to,
        }
    }
}

/// One thread's times as last read.
#[derive(Clone, Copy)]
struct Reading {
    cpu_ns: u64,
    wait_ns: u64,
    read_at: Instant,
}

/// Threads still carrying the process's name are asked again this often.
const RECHECK_INHERITED: u64 = 10;
/// A new thread is asked its name again at each of its first this many
/// listings: a thread names itself just after it starts, and until then it
/// carries its creator's name ("app-0" for a pool built from the app
/// runtime), which would file it under the wrong pool for good.
const YOUNG_LISTINGS: u8 = 10;
/// Thread names are at most 15 bytes (TASK_COMM_LEN - 1) plus a newline.
const COMM_BUFFER: usize = 64;

struct KnownThread {
    name: Arc<str>,
    /// Listings since this thread was first seen, up to `YOUNG_LISTINGS`.
    listings: u8,
    /// None where schedstat is missing (kernels without schedstats): `stat`.
    schedstat: Option<File>,
    /// None until first read.
    reading: Option<Reading>,
}

impl Default for ThreadReader {
    fn default() -> Self {
        ThreadReader::at(PathBuf::from("/proc/self"))
    }
}

impl ThreadReader {
    /// A reader of this process's threads.
    pub fn new() -> ThreadReader {
        ThreadReader::default()
    }

    /// A reader of process `pid`'s threads. Fails, naming the cause, when
    /// its task directory cannot be read (no such process, or not allowed).
    pub fn of_process(pid: i32) -> io::Result<ThreadReader> {
        if pid <= 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{pid} is not a process id"),
            ));
        }
        let reader = ThreadReader::at(PathBuf::from(format!("/proc/{pid}")));
        fs::read_dir(&reader.task_dir)?;
        Ok(reader)
    }

    fn at(process_dir: PathBuf) -> ThreadReader {
        let task_dir = process_dir.join("task").to_string_lossy().into_owned();
        ThreadReader {
            task_handle: File::open(&task_dir).ok(),
            process_dir,
            task_dir,
            known: BTreeMap::new(),
            listing: Vec::new(),
            path: String::new(),
            calls: 0,
            inherited_name: None,
            gone: false,
            budget: crate::bounds::THREAD_READS_PER_SAMPLE,
            cursor: 0,
        }
    }

    /// The same reader reading at most `budget` threads per listing (at
    /// least one).
    pub fn with_read_budget(mut self, budget: usize) -> ThreadReader {
        self.budget = budget.max(1);
        self
    }

    /// Listings between two readings of one thread: 1 while every thread is
    /// read at every listing.
    pub fn read_every(&self) -> usize {
        self.known.len().div_ceil(self.budget).max(1)
    }

    /// Seconds between two readings of one thread when listings come
    /// `sample_interval` apart; None while every listing reads every thread.
    pub fn read_every_s(&self, sample_interval: Duration) -> Option<f64> {
        let every = self.read_every();
        (every > 1).then_some(sample_interval.as_secs_f64() * every as f64)
    }

    /// True once a listing found the process's task directory gone: the
    /// process has exited.
    pub fn process_gone(&self) -> bool {
        self.gone
    }

    /// The process's threads now, as an owned list (within the read budget).
    pub fn list(&mut self) -> Vec<OsThread> {
        self.read().to_vec()
    }

    /// The process's threads now, every one read afresh, as an owned list.
    pub fn list_all(&mut self) -> Vec<OsThread> {
        self.read_all().to_vec()
    }

    /// The process's threads now, at most `budget` of them read afresh; empty
    /// when the process is gone. The slice is the reader's buffer, refilled
    /// by the next call.
    pub fn read(&mut self) -> &[OsThread] {
        self.read_slice(false)
    }

    /// As `read`, every thread read afresh: for totals that must be exact.
    pub fn read_all(&mut self) -> &[OsThread] {
        self.read_slice(true)
    }

    fn read_slice(&mut self, everything: bool) -> &[OsThread] {
        self.calls += 1;
        let now = Instant::now();
        let slice = self.next_slice(everything);
        let threads_now = self.thread_count();
        let same_threads = threads_now == Some(self.known.len()) && !self.known.is_empty();
        if !(same_threads && self.read_known(slice, now)) {
            self.rescan(slice, now);
        }
        &self.listing
    }

    /// The next `budget` known threads in tid order from the cursor, wrapping.
    fn next_slice(&mut self, everything: bool) -> Slice {
        if everything || self.known.len() <= self.budget {
            return Slice::All;
        }
        let mut tids = self
            .known
            .range(self.cursor..)
            .chain(self.known.range(..self.cursor))
            .map(|(tid, _)| *tid)
            .take(self.budget);
        let Some(from) = tids.next() else {
            return Slice::All;
        };
        let to = tids.last().unwrap_or(from);
        self.cursor = to.saturating_add(1);
        Slice::Wrapping { from, to }
    }

    /// The process's thread count from the open task directory's link count.
    fn thread_count(&self) -> Option<usize> {
        let links = self.task_handle.as_ref()?.metadata().ok()?.nlink();
        usize::try_from(links.checked_sub(2)?).ok()
    }

    /// Reads the known threads into the listing; false when one of them did
    /// not answer (exited, or has no schedstat): the directory decides then.
    fn read_known(&mut self, slice: Slice, now: Instant) -> bool {
        self.listing.clear();
        let recheck_inherited = self.calls.is_multiple_of(RECHECK_INHERITED);
        for (&tid, known) in &mut self.known {
            let young = known.listings < YOUNG_LISTINGS;
            if young {
                known.listings += 1;
            }
            if young || (recheck_inherited && self.inherited_name.as_deref() == Some(&*known.name))
            {
                refresh_name(&mut self.path, &self.task_dir, tid, &mut known.name);
            }
            let thread = match known.kept(tid, slice) {
                Some(kept) => kept,
                None => {
                    let Some(times) = known.schedstat.as_ref().and_then(read_schedstat) else {
                        return false;
                    };
                    known.read_now(tid, times, now)
                }
            };
            self.listing.push(thread);
        }
        true
    }

    fn rescan(&mut self, slice: Slice, now: Instant) {
        self.listing.clear();
        let entries = match fs::read_dir(&self.task_dir) {
            Ok(entries) => entries,
            Err(_) => {
                self.gone = true;
                self.known.clear();
                return;
            }
        };
        self.gone = false;
        if self.inherited_name.is_none() {
            self.inherited_name = read_comm(&self.process_dir.join("comm")).map(Arc::from);
        }
        for entry in entries.flatten() {
            let Some(tid) = entry
                .file_name()
                .to_str()
                .and_then(|t| t.parse::<i32>().ok())
            else {
                continue;
            };
            let known = match self.known.entry(tid) {
                std::collections::btree_map::Entry::Occupied(known) => {
                    let known = known.into_mut();
                    let young = known.listings < YOUNG_LISTINGS;
                    known.listings = known.listings.saturating_add(1).min(YOUNG_LISTINGS);
                    if young || self.inherited_name.as_ref() == Some(&known.name) {
                        refresh_name(&mut self.path, &self.task_dir, tid, &mut known.name);
                    }
                    known
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    let dir = entry.path();
                    let Some(name) = read_comm(&dir.join("comm")) else {
                        continue;
                    };
                    slot.insert(KnownThread {
                        name: Arc::from(name),
                        listings: 0,
                        schedstat: File::open(dir.join("schedstat")).ok(),
                        reading: None,
                    })
                }
            };
            if let Some(kept) = known.kept(tid, slice) {
                self.listing.push(kept);
                continue;
            }
            let times = known
                .schedstat
                .as_ref()
                .and_then(read_schedstat)
                .or_else(|| {
                    cpu_ns_from_stat(&Path::new(&self.task_dir).join(tid.to_string()))
                        .map(|cpu_ns| (cpu_ns, 0))
                });
            if let Some(times) = times {
                self.listing.push(known.read_now(tid, times, now));
            }
        }
        // Exited threads' files are closed; a reused tid is read afresh.
        let listed: std::collections::HashSet<i32> = self.listing.iter().map(|t| t.tid).collect();
        self.known.retain(|tid, _| listed.contains(tid));
    }
}

impl KnownThread {
    /// The thread with its last reading, when `slice` leaves it out of this
    /// listing's reads.
    fn kept(&self, tid: i32, slice: Slice) -> Option<OsThread> {
        self.reading
            .filter(|_| !slice.holds(tid))
            .map(|reading| self.listed(tid, reading))
    }

    /// Keeps `(cpu_ns, wait_ns)`, read at `now`, as the latest reading and
    /// lists the thread with it.
    fn read_now(&mut self, tid: i32, (cpu_ns, wait_ns): (u64, u64), now: Instant) -> OsThread {
        let reading = Reading {
            cpu_ns,
            wait_ns,
            read_at: now,
        };
        self.reading = Some(reading);
        self.listed(tid, reading)
    }

    fn listed(&self, tid: i32, reading: Reading) -> OsThread {
        OsThread {
            tid,
            name: self.name.clone(),
            cpu_ns: reading.cpu_ns,
            wait_ns: reading.wait_ns,
            read_at: reading.read_at,
        }
    }
}

/// Reads thread `tid`'s name again into `name`, allocating only when it
/// changed. `path` is scratch space for the file's path.
fn refresh_name(path: &mut String, task_dir: &str, tid: i32, name: &mut Arc<str>) {
    path.clear();
    // Writing into a String cannot fail.
    let _ = write!(path, "{task_dir}/{tid}/comm");
    let mut buffer = [0u8; COMM_BUFFER];
    let Ok(mut file) = File::open(path.as_str()) else {
        return;
    };
    let Ok(read) = file.read(&mut buffer) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(&buffer[..read]) else {
        return;
    };
    let text = text.trim();
    if text != &**name {
        *name = Arc::from(text);
    }
}

/// A thread's (or with /proc/<pid>/comm, the process's) name.
fn read_comm(path: &Path) -> Option<String> {
    fs::read_to_string(path)
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
                    .find(|t| &*t.name == "os-threads-t")
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
                .map(|t| t.name.to_string())
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

#[cfg(test)]
mod other_process_tests {
    use super::*;
    use std::process::{Command, Stdio};

    #[test]
    fn reads_another_process_until_it_exits() {
        let mut child = Command::new("sleep")
            .arg("30")
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        let mut reader = ThreadReader::of_process(pid).unwrap();
        // Until it has exec'd, the child carries the test thread's name.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut threads = reader.list();
        while threads.first().is_some_and(|t| &*t.name != "sleep")
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
            threads = reader.list();
        }
        assert_eq!(threads.len(), 1, "{threads:?}");
        assert_eq!(threads[0].tid, pid);
        assert_eq!(&*threads[0].name, "sleep");
        assert!(!reader.process_gone());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(reader.list().is_empty());
        assert!(reader.process_gone());
    }

    #[test]
    fn a_process_that_does_not_exist_is_an_error() {
        assert!(ThreadReader::of_process(0).is_err());
        assert!(ThreadReader::of_process(-4).is_err());
        // Beyond the kernel's largest pid (4194304).
        let error = ThreadReader::of_process(i32::MAX).err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_new_thread_is_listed_at_the_next_reading_and_an_exited_one_dropped() {
        let mut reader = ThreadReader::new();
        reader.read();
        reader.read();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let (tid_tx, tid_rx) = std::sync::mpsc::channel::<i32>();
        let thread = std::thread::Builder::new()
            .name("newcomer-t".into())
            .spawn(move || {
                tid_tx
                    .send(crate::metrics::registry::current_tid())
                    .unwrap();
                stop_rx.recv().ok();
            })
            .unwrap();
        let tid = tid_rx.recv().unwrap();
        let listed = |reader: &mut ThreadReader| reader.read().iter().any(|t| t.tid == tid);
        assert!(listed(&mut reader));
        drop(stop_tx);
        thread.join().unwrap();
        // Gone at the next reading when the thread count changed; when another
        // test's thread started meanwhile, at its turn in the read rotation.
        let turns = reader.read_every() + 1;
        assert!(
            (0..turns).any(|_| !listed(&mut reader)),
            "still listed after {turns} readings"
        );
    }
}
