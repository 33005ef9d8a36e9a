//! The target sample after sample: its threads' CPU and run delay (time ready
//! but waiting for a CPU) from the shared /proc thread reader, its memory and
//! total CPU from /proc/PID/statm and stat kept open, threads appearing and
//! exiting, and the target ending. Totals cover the time attached: a thread
//! present at the first sample counts from there, a later one from its birth.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::AttachError;
use super::pools::PoolRules;
use super::target::{Target, state_of};
use crate::bounds;
use crate::metrics::os_threads::ThreadReader;
use crate::metrics::proc_field::read_number_field;

/// Something the Log shows.
#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent {
    Appeared {
        tid: i32,
        name: Arc<str>,
        pool: Arc<str>,
    },
    Exited {
        tid: i32,
        name: Arc<str>,
        pool: Arc<str>,
        cpu_s: f64,
    },
    TargetEnded,
}

/// One thread over the time attached.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadTotals {
    pub tid: i32,
    pub name: Arc<str>,
    pub pool: Arc<str>,
    pub cpu_s: f64,
    pub wait_s: f64,
    pub alive: bool,
}

/// One live thread over the last interval, percent of one core.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadRate {
    pub tid: i32,
    pub name: Arc<str>,
    pub pool: Arc<str>,
    pub cpu_pct: f64,
    pub wait_pct: f64,
    /// Since attach started (or since the thread's birth).
    pub cpu_s: f64,
    pub wait_s: f64,
}

/// A pool over the time attached.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PoolTotals {
    pub threads: usize,
    pub cpu_s: f64,
    pub wait_s: f64,
}

struct Watched {
    name: Arc<str>,
    pool: Arc<str>,
    /// Readings at the first sample (0 for a thread born since), then the latest.
    base_cpu_ns: u64,
    base_wait_ns: u64,
    cpu_ns: u64,
    wait_ns: u64,
    /// When the latest readings were taken (an earlier sample's instant for
    /// a thread outside the sample's read slice).
    read_at: Instant,
    /// Over the interval between the last two readings, percent of one core.
    cpu_pct: f64,
    wait_pct: f64,
}

impl Watched {
    fn totals(&self, tid: i32, alive: bool) -> ThreadTotals {
        ThreadTotals {
            tid,
            name: self.name.clone(),
            pool: self.pool.clone(),
            cpu_s: self.cpu_ns.saturating_sub(self.base_cpu_ns) as f64 / 1e9,
            wait_s: self.wait_ns.saturating_sub(self.base_wait_ns) as f64 / 1e9,
            alive,
        }
    }
}

pub struct TargetWatcher {
    pub target: Target,
    rules: PoolRules,
    reader: ThreadReader,
    stat: Option<File>,
    statm: Option<File>,
    page_size: u64,
    live: HashMap<i32, Watched>,
    /// Exited threads, the first `ATTACH_EXITED_THREADS_MAX` by name.
    exited: Vec<ThreadTotals>,
    /// Every exited thread's totals by pool, listed or not.
    exited_pools: BTreeMap<Arc<str>, PoolTotals>,
    exited_unlisted: usize,
    /// Scratch: tids seen in this sample.
    seen: Vec<i32>,
    previous: Option<Instant>,
    ended: bool,
}

impl TargetWatcher {
    pub fn new(target: Target, rules: PoolRules) -> Result<TargetWatcher, AttachError> {
        let pid = target.pid;
        let reader = ThreadReader::of_process(pid).map_err(|error| AttachError::Unreadable {
            pid,
            path: format!("/proc/{pid}/task"),
            cause: error.to_string(),
        })?;
        let open = |file: &str| File::open(format!("/proc/{pid}/{file}")).ok();
        Ok(TargetWatcher {
            stat: open("stat"),
            statm: open("statm"),
            page_size: rustix::param::page_size() as u64,
            target,
            rules,
            reader,
            live: HashMap::new(),
            exited: Vec::new(),
            exited_pools: BTreeMap::new(),
            exited_unlisted: 0,
            seen: Vec::new(),
            previous: None,
            ended: false,
        })
    }

    /// Reads the target's threads, at most the reader's budget of them
    /// afresh (the first sample reads every one); `events` gets what changed
    /// since the last sample (nothing is reported as appearing at the
    /// first). Returns false once the target has ended.
    pub fn sample(&mut self, now: Instant, events: &mut Vec<WatchEvent>) -> bool {
        self.sample_reading(now, events, false)
    }

    /// As `sample`, every thread read afresh: the last sample of a report,
    /// whose totals must be exact.
    pub fn sample_all(&mut self, now: Instant, events: &mut Vec<WatchEvent>) -> bool {
        self.sample_reading(now, events, true)
    }

    /// Seconds between two readings of one thread (see
    /// [`ThreadReader::read_every_s`]).
    pub fn read_every_s(&self, sample_interval: Duration) -> Option<f64> {
        self.reader.read_every_s(sample_interval)
    }

    fn sample_reading(
        &mut self,
        now: Instant,
        events: &mut Vec<WatchEvent>,
        everything: bool,
    ) -> bool {
        if self.ended {
            return false;
        }
        let first = self.previous.is_none();
        let interval_ns = self
            .previous
            .map_or(0, |at| now.saturating_duration_since(at).as_nanos() as u64);
        self.previous = Some(now);
        let pid = self.target.pid;
        self.seen.clear();
        let threads = if everything || first {
            self.reader.read_all()
        } else {
            self.reader.read()
        };
        for thread in threads {
            self.seen.push(thread.tid);
            let pct = |now_ns: u64, before_ns: u64| {
                if interval_ns == 0 {
                    0.0
                } else {
                    now_ns.saturating_sub(before_ns) as f64 / interval_ns as f64 * 100.0
                }
            };
            match self.live.get_mut(&thread.tid) {
                Some(watched) => {
                    // Not read again since: the last rates stand.
                    if thread.read_at > watched.read_at {
                        let own_interval_ns = (thread.read_at - watched.read_at).as_nanos() as f64;
                        let pct = |now_ns: u64, before_ns: u64| {
                            now_ns.saturating_sub(before_ns) as f64 / own_interval_ns * 100.0
                        };
                        watched.cpu_pct = pct(thread.cpu_ns, watched.cpu_ns);
                        watched.wait_pct = pct(thread.wait_ns, watched.wait_ns);
                        watched.cpu_ns = thread.cpu_ns;
                        watched.wait_ns = thread.wait_ns;
                        watched.read_at = thread.read_at;
                    }
                    if watched.name != thread.name {
                        watched.pool = self.rules.pool_of(&thread.name, thread.tid == pid).into();
                        watched.name = thread.name.clone();
                    }
                }
                None => {
                    let pool: Arc<str> = self.rules.pool_of(&thread.name, thread.tid == pid).into();
                    // Born since the last sample: everything it used is ours to count.
                    let (base_cpu_ns, base_wait_ns) = if first {
                        (thread.cpu_ns, thread.wait_ns)
                    } else {
                        events.push(WatchEvent::Appeared {
                            tid: thread.tid,
                            name: thread.name.clone(),
                            pool: pool.clone(),
                        });
                        (0, 0)
                    };
                    self.live.insert(
                        thread.tid,
                        Watched {
                            name: thread.name.clone(),
                            pool,
                            base_cpu_ns,
                            base_wait_ns,
                            cpu_ns: thread.cpu_ns,
                            wait_ns: thread.wait_ns,
                            read_at: thread.read_at,
                            cpu_pct: if first { 0.0 } else { pct(thread.cpu_ns, 0) },
                            wait_pct: if first { 0.0 } else { pct(thread.wait_ns, 0) },
                        },
                    );
                }
            }
        }
        if self.live.len() > self.seen.len() {
            self.seen.sort_unstable();
            let gone: Vec<i32> = self
                .live
                .keys()
                .filter(|tid| self.seen.binary_search(tid).is_err())
                .copied()
                .collect();
            for tid in gone {
                if let Some(watched) = self.live.remove(&tid) {
                    self.retire(tid, &watched, events);
                }
            }
        }
        if self.target_gone() {
            self.ended = true;
            let tids: Vec<i32> = self.live.keys().copied().collect();
            for tid in tids {
                if let Some(watched) = self.live.remove(&tid) {
                    self.retire(tid, &watched, events);
                }
            }
            events.push(WatchEvent::TargetEnded);
            return false;
        }
        true
    }

    fn retire(&mut self, tid: i32, watched: &Watched, events: &mut Vec<WatchEvent>) {
        let totals = watched.totals(tid, false);
        let pool = self.exited_pools.entry(watched.pool.clone()).or_default();
        pool.threads += 1;
        pool.cpu_s += totals.cpu_s;
        pool.wait_s += totals.wait_s;
        events.push(WatchEvent::Exited {
            tid,
            name: watched.name.clone(),
            pool: watched.pool.clone(),
            cpu_s: totals.cpu_s,
        });
        if self.exited.len() < bounds::ATTACH_EXITED_THREADS_MAX {
            self.exited.push(totals);
        } else {
            self.exited_unlisted += 1;
        }
    }

    /// The process's stat no longer answers (reaped) or says it is a zombie.
    fn target_gone(&self) -> bool {
        if self.reader.process_gone() {
            return true;
        }
        let Some(stat) = &self.stat else {
            return false;
        };
        let mut buf = [0u8; 512];
        match std::os::unix::fs::FileExt::read_at(stat, &mut buf, 0) {
            Ok(0) | Err(_) => true,
            Ok(n) => matches!(
                state_of(&String::from_utf8_lossy(&buf[..n])),
                Some('Z' | 'X')
            ),
        }
    }

    pub fn ended(&self) -> bool {
        self.ended
    }

    /// The target's resident memory, bytes.
    pub fn rss_bytes(&self) -> Option<u64> {
        self.statm
            .as_ref()
            .and_then(|statm| read_number_field(statm, 1))
            .map(|pages| pages * self.page_size)
    }

    /// The target's CPU time (every thread, exited ones too), clock ticks.
    pub fn cpu_ticks(&self) -> Option<u64> {
        let stat = self.stat.as_ref()?;
        let mut buf = [0u8; 1024];
        let n = std::os::unix::fs::FileExt::read_at(stat, &mut buf, 0).ok()?;
        crate::metrics::proc_stat::parse_own(&String::from_utf8_lossy(&buf[..n]))
    }

    /// Live threads now.
    pub fn live_threads(&self) -> usize {
        self.live.len()
    }

    /// Live threads over the last interval, by pool then name then tid.
    pub fn rates(&self) -> Vec<ThreadRate> {
        let mut rates: Vec<ThreadRate> = self
            .live
            .iter()
            .map(|(tid, watched)| {
                let totals = watched.totals(*tid, true);
                ThreadRate {
                    tid: *tid,
                    name: watched.name.clone(),
                    pool: watched.pool.clone(),
                    cpu_pct: watched.cpu_pct,
                    wait_pct: watched.wait_pct,
                    cpu_s: totals.cpu_s,
                    wait_s: totals.wait_s,
                }
            })
            .collect();
        rates.sort_by(|a, b| (&a.pool, &a.name, a.tid).cmp(&(&b.pool, &b.name, b.tid)));
        rates
    }

    /// Every thread seen (exited ones up to the bound, then live ones), by
    /// pool then name then tid; and how many exited threads are not listed.
    pub fn threads_seen(&self) -> (Vec<ThreadTotals>, usize) {
        let mut threads = self.exited.clone();
        threads.extend(self.live.iter().map(|(tid, w)| w.totals(*tid, true)));
        threads.sort_by(|a, b| (&a.pool, &a.name, a.tid).cmp(&(&b.pool, &b.name, b.tid)));
        (threads, self.exited_unlisted)
    }

    /// Every pool's totals, exited threads included, by pool name.
    pub fn pools(&self) -> BTreeMap<Arc<str>, PoolTotals> {
        let mut pools = self.exited_pools.clone();
        for (tid, watched) in &self.live {
            let totals = watched.totals(*tid, true);
            let pool = pools.entry(watched.pool.clone()).or_default();
            pool.threads += 1;
            pool.cpu_s += totals.cpu_s;
            pool.wait_s += totals.wait_s;
        }
        pools
    }
}
