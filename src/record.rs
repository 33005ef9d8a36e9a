//! `--record FILE.jsonl`: one JSON summary line per second of a session,
//! written and flushed line by line so a killed process leaves complete lines.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::metrics::snapshot::{HealthState, PoolKind, Snapshot, TaskCounts};
use crate::spec::{BackendKind, LoadMode};

/// p50 / p90 / p99 in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread3 {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

/// Mean utilization of one pool's alive threads over the snapshot's window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolUsage {
    pub pool: PoolKind,
    /// Alive threads of the pool.
    pub threads: usize,
    /// Mean share of the window spent inside jobs, percent (what the pool did).
    pub busy_pct: f64,
    /// Mean OS CPU, percent of one core (what the threads cost).
    pub cpu_pct: f64,
}

/// One line of a recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryLine {
    /// Seconds since the engine started.
    pub t: f64,
    pub seq: u64,
    pub backend: BackendKind,
    pub threads: usize,
    pub runtime_workers: usize,
    /// e.g. `sumsq 1000000 fixed`.
    pub workload: String,
    pub load: LoadMode,
    pub paused: bool,
    pub running: bool,
    /// Changes whenever backend, threads or workload change.
    pub generation: u64,
    /// Seconds the rates and window percentiles cover.
    pub window_s: f64,
    pub tasks_per_s: f64,
    pub bytes_per_s: f64,
    /// Submit to end, tasks ended during the window.
    pub latency_total_us: Spread3,
    pub heartbeat_p99_us: f64,
    pub echo_p99_us: f64,
    pub pools: Vec<PoolUsage>,
    /// Cumulative since the last reset.
    pub tasks: TaskCounts,
    pub health: HealthState,
    pub blocked_events: u64,
    /// The scenario caption in force, if a scenario is playing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub caption: Option<String>,
}

/// Per pool, the mean busy and CPU percent over its alive threads; pools in
/// `PoolKind` order, pools without alive threads left out.
pub fn pool_usage(snapshot: &Snapshot) -> Vec<PoolUsage> {
    let mut sums: BTreeMap<PoolKind, (usize, f64, f64)> = BTreeMap::new();
    for t in snapshot.threads.iter().filter(|t| t.alive) {
        let e = sums.entry(t.pool).or_insert((0, 0.0, 0.0));
        e.0 += 1;
        e.1 += t.busy_pct;
        e.2 += t.cpu_pct;
    }
    sums.into_iter()
        .map(|(pool, (n, busy, cpu))| PoolUsage {
            pool,
            threads: n,
            busy_pct: busy / n as f64,
            cpu_pct: cpu / n as f64,
        })
        .collect()
}

/// The summary of one snapshot (without a caption: the [`Recorder`] adds it).
pub fn summary_line(snapshot: &Snapshot) -> SummaryLine {
    let c = &snapshot.config;
    let total = &snapshot.latency.window.total;
    SummaryLine {
        t: snapshot.elapsed_s,
        seq: snapshot.seq,
        backend: c.backend,
        threads: c.threads,
        runtime_workers: c.runtime_workers,
        workload: c.workload.label(),
        load: c.load,
        paused: c.paused,
        running: c.running,
        generation: c.generation,
        window_s: snapshot.window_s,
        tasks_per_s: snapshot.throughput.tasks_per_s,
        bytes_per_s: snapshot.throughput.bytes_per_s,
        latency_total_us: Spread3 {
            p50: total.p50,
            p90: total.p90,
            p99: total.p99,
        },
        heartbeat_p99_us: snapshot.heartbeat.window.p99,
        echo_p99_us: snapshot.echo.window.p99,
        pools: pool_usage(snapshot),
        tasks: snapshot.tasks,
        health: snapshot.health.state,
        blocked_events: snapshot.health.blocked_events,
        caption: None,
    }
}

/// Writes at most one line per `interval_s` of snapshot time.
///
/// Due times sit on a fixed grid (first snapshot, then every whole interval
/// after it), so sampler jitter neither drifts the lines nor drops seconds:
/// a snapshot a hair early waits for the next tick, and the grid does not move.
pub struct Recorder<W: Write> {
    out: W,
    interval_s: f64,
    next_due_s: Option<f64>,
    caption: Option<String>,
    lines: u64,
    /// The file's path for a file recording: its write errors name it and
    /// are kept for the exit status.
    target: Option<String>,
}

/// The first write error of any recording file in this process: the
/// binary turns it into exit status 1 whichever mode wrote the recording.
static WRITE_FAILURE: OnceLock<String> = OnceLock::new();

/// The first recording file's write error of this process, if any
/// (`PATH: cause`; the caller names the option that chose the file).
pub fn write_failure() -> Option<&'static str> {
    WRITE_FAILURE.get().map(String::as_str)
}

impl Recorder<BufWriter<File>> {
    /// Opens `path` for a recording (see [`open_target`]); the error names the
    /// file (`PATH: cause`), and so do later write errors.
    pub fn create(path: &Path) -> io::Result<Self> {
        let target = path.display().to_string();
        let file =
            open_target(path).map_err(|e| io::Error::new(e.kind(), format!("{target}: {e}")))?;
        let mut recorder = Recorder::new(BufWriter::new(file));
        recorder.target = Some(target);
        Ok(recorder)
    }
}

/// A recording never follows a symbolic link at its name and never truncates
/// or appends to a file it did not create: a new file is created; an existing
/// regular file, link, directory, FIFO or socket is refused; an existing
/// character device (`/dev/null`, a terminal) is written to as it is.
pub fn open_target(path: &Path) -> io::Result<File> {
    crate::new_file::create(path, crate::new_file::Existing::WriteCharDevice)
}

impl<W: Write> Recorder<W> {
    /// One line per second.
    pub fn new(out: W) -> Self {
        Recorder::with_interval(out, 1.0)
    }

    pub fn with_interval(out: W, interval_s: f64) -> Self {
        Recorder {
            out,
            interval_s: interval_s.max(f64::MIN_POSITIVE),
            next_due_s: None,
            caption: None,
            lines: 0,
            target: None,
        }
    }

    /// Starts the one-per-interval grid again: the next Snapshot comes from a new
    /// engine whose clock restarts at zero (demo and sweep run one per step).
    pub fn restart_clock(&mut self) {
        self.next_due_s = None;
    }

    /// The caption to stamp on the following lines (a scenario step's caption).
    pub fn set_caption(&mut self, caption: Option<String>) {
        self.caption = caption;
    }

    /// Writes a line if a new interval has begun since the last line.
    pub fn offer(&mut self, snapshot: &Snapshot) -> io::Result<()> {
        let now = snapshot.elapsed_s;
        let due = match self.next_due_s {
            None => true,
            Some(next) => now >= next,
        };
        if !due {
            return Ok(());
        }
        let mut next = self.next_due_s.unwrap_or(now) + self.interval_s;
        while next <= now {
            next += self.interval_s;
        }
        self.next_due_s = Some(next);
        self.write(snapshot)
    }

    /// Writes a line now, whatever the time (the last snapshot of a run).
    pub fn write(&mut self, snapshot: &Snapshot) -> io::Result<()> {
        let written = self.write_line(snapshot);
        match (&self.target, written) {
            (Some(target), Err(e)) => {
                let e = io::Error::new(e.kind(), format!("{target}: {e}"));
                let _ = WRITE_FAILURE.set(e.to_string());
                Err(e)
            }
            (_, written) => written,
        }
    }

    fn write_line(&mut self, snapshot: &Snapshot) -> io::Result<()> {
        let mut line = summary_line(snapshot);
        line.caption = self.caption.clone().or_else(|| snapshot.caption.clone());
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")?;
        // Flush every line: a killed process must leave only complete lines.
        self.out.flush()?;
        self.lines += 1;
        Ok(())
    }

    pub fn lines_written(&self) -> u64 {
        self.lines
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}
