//! What the bare-library programs share: their arguments, the spin task (the
//! same kernel function loadlab runs) and the countdown that marks the last task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use loadlab::spec::Kernel;
use loadlab::workload::kernels::run_synthetic;

/// loadlab's default seed, so both sides spin the same way.
const SEED: u64 = 7;

/// `TASKS MICROS THREADS`, all optional (20000, 100, 2).
pub struct Args {
    pub tasks: u64,
    pub micros: u64,
    pub threads: usize,
}

/// Also calibrates the spin kernel's clock (milliseconds, once), as loadlab's
/// engine does before its first task, so neither side times it.
pub fn args() -> Result<Args, String> {
    loadlab::workload::task_clock::clock();
    let given: Vec<String> = std::env::args().skip(1).collect();
    let number = |at: usize, name: &str, default: u64| -> Result<u64, String> {
        match given.get(at) {
            None => Ok(default),
            Some(text) => match text.parse::<u64>() {
                Ok(value) if value > 0 => Ok(value),
                _ => Err(format!("{name}: {text:?} is not a positive integer")),
            },
        }
    };
    let threads = number(2, "THREADS", 2)?;
    Ok(Args {
        tasks: number(0, "TASKS", 20_000)?,
        micros: number(1, "MICROS", 100)?,
        threads: usize::try_from(threads.min(1024)).map_err(|e| format!("THREADS: {e}"))?,
    })
}

/// One spin task, exactly as loadlab runs it.
#[inline]
pub fn spin_task(micros: u64, index: u64) {
    std::hint::black_box(run_synthetic(Kernel::Spin, micros, SEED, index).ok());
}

/// Counts tasks down; the last one to end records when it ended.
pub struct Countdown {
    remaining: AtomicU64,
    done: std::sync::Mutex<Option<Instant>>,
    finished: std::sync::Condvar,
}

impl Countdown {
    pub fn new(tasks: u64) -> Arc<Countdown> {
        Arc::new(Countdown {
            remaining: AtomicU64::new(tasks),
            done: std::sync::Mutex::new(None),
            finished: std::sync::Condvar::new(),
        })
    }

    #[inline]
    pub fn task_ended(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            let ended = Instant::now();
            let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
            *done = Some(ended);
            self.finished.notify_all();
        }
    }

    /// Waits for the last task; returns when it ended.
    pub fn wait(&self) -> Instant {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(ended) = *done {
                return ended;
            }
            done = self.finished.wait(done).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Prints the one line the comparison script reads.
pub fn report(what: &str, tasks: u64, took: Duration) {
    let secs = took.as_secs_f64().max(1e-9);
    println!(
        "{what}: {tasks} tasks in {secs:.3} s, tasks_per_s {:.1}",
        tasks as f64 / secs
    );
}
