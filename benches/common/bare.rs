//! The bare libraries doing the same tasks as loadlab, without loadlab: a rayon
//! pool, tokio's blocking pool, and a crossbeam channel feeding OS threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender};
use loadlab::backend::channel_pool::QUEUE_CAPACITY;
use loadlab::spec::BackendKind;

use super::{Contender, THREADS, spin_task};

/// Counts a batch's tasks down; the last one to end signals the waiter.
struct Countdown {
    remaining: AtomicU64,
    done: Sender<()>,
}

impl Countdown {
    fn new(n: u64) -> (Arc<Countdown>, Receiver<()>) {
        let (done, finished) = crossbeam_channel::bounded(1);
        let countdown = Countdown {
            remaining: AtomicU64::new(n),
            done,
        };
        (Arc::new(countdown), finished)
    }

    fn task_ended(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            let _ = self.done.send(());
        }
    }
}

/// Waits for the batch's last task.
fn wait_all(finished: &Receiver<()>, what: &str) -> anyhow::Result<()> {
    finished
        .recv()
        .map_err(|_| anyhow::anyhow!("{what}: a worker died before the batch ended"))
}

pub enum Bare {
    /// `pool.spawn` on a 2-thread rayon pool.
    Rayon { pool: rayon::ThreadPool, us: u64 },
    /// `spawn_blocking` on a runtime with 2 workers and `max_blocking_threads(2)`.
    SpawnBlocking {
        runtime: tokio::runtime::Runtime,
        us: u64,
    },
    /// A bounded crossbeam channel and 2 OS threads looping `recv()`.
    Channel(ChannelWorkers),
}

impl Bare {
    pub fn new(kind: BackendKind, us: u64) -> anyhow::Result<Bare> {
        Ok(match kind {
            BackendKind::Rayon => Bare::Rayon {
                pool: rayon::ThreadPoolBuilder::new()
                    .num_threads(THREADS)
                    .build()
                    .context("bare rayon pool")?,
                us,
            },
            BackendKind::SpawnBlocking => Bare::SpawnBlocking {
                runtime: tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(THREADS)
                    .max_blocking_threads(THREADS)
                    .enable_all()
                    .build()
                    .context("bare tokio runtime")?,
                us,
            },
            BackendKind::Channel => Bare::Channel(ChannelWorkers::start(us)?),
            BackendKind::Inline => anyhow::bail!("inline: no bare-library counterpart"),
        })
    }
}

impl Contender for Bare {
    fn run_batch(&self, n: u64) -> anyhow::Result<Duration> {
        match self {
            Bare::Rayon { pool, us } => {
                let us = *us;
                let started = Instant::now();
                let (countdown, finished) = Countdown::new(n);
                for index in 0..n {
                    let countdown = countdown.clone();
                    pool.spawn(move || {
                        spin_task(us, index);
                        countdown.task_ended();
                    });
                }
                wait_all(&finished, "bare rayon")?;
                Ok(started.elapsed())
            }
            Bare::SpawnBlocking { runtime, us } => {
                let us = *us;
                let started = Instant::now();
                runtime.block_on(async {
                    let handles: Vec<_> = (0..n)
                        .map(|index| tokio::task::spawn_blocking(move || spin_task(us, index)))
                        .collect();
                    for handle in handles {
                        handle.await.context("bare spawn_blocking task")?;
                    }
                    anyhow::Ok(())
                })?;
                Ok(started.elapsed())
            }
            Bare::Channel(workers) => workers.run_batch(n),
        }
    }
}

type BareJob = Box<dyn FnOnce() + Send + 'static>;

/// 2 OS threads taking boxed jobs from one bounded channel.
pub struct ChannelWorkers {
    jobs: Option<Sender<BareJob>>,
    threads: Vec<JoinHandle<()>>,
    us: u64,
}

impl ChannelWorkers {
    fn start(us: u64) -> anyhow::Result<ChannelWorkers> {
        // Same queue capacity as loadlab's channel backend.
        let (jobs, receiver) = crossbeam_channel::bounded::<BareJob>(QUEUE_CAPACITY);
        let mut threads = Vec::with_capacity(THREADS);
        for index in 0..THREADS {
            let receiver = receiver.clone();
            let thread = std::thread::Builder::new()
                .name(format!("bare-{index}"))
                .spawn(move || {
                    while let Ok(job) = receiver.recv() {
                        job();
                    }
                })
                .context("bare channel worker thread")?;
            threads.push(thread);
        }
        Ok(ChannelWorkers {
            jobs: Some(jobs),
            threads,
            us,
        })
    }

    fn run_batch(&self, n: u64) -> anyhow::Result<Duration> {
        let us = self.us;
        let jobs = self
            .jobs
            .as_ref()
            .context("bare channel: already shut down")?;
        let started = Instant::now();
        let (countdown, finished) = Countdown::new(n);
        for index in 0..n {
            let countdown = countdown.clone();
            jobs.send(Box::new(move || {
                spin_task(us, index);
                countdown.task_ended();
            }))
            .map_err(|_| anyhow::anyhow!("bare channel: every worker is gone"))?;
        }
        wait_all(&finished, "bare channel")?;
        Ok(started.elapsed())
    }
}

impl Drop for ChannelWorkers {
    fn drop(&mut self) {
        // Closing the channel ends the worker loops.
        self.jobs = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
