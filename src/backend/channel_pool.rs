//! channel: a bounded crossbeam queue feeding OS threads `pool-N`. Growing
//! spawns threads; shrinking tells chosen workers to stop between two jobs, so
//! no job is dropped: the queue keeps whatever they did not take.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::worker_priority::lower_current_thread;
use super::{Backend, Job, run_contained};
use crate::spec::BackendKind;

/// Jobs queued ahead of the workers; the driver bounds what it keeps in flight,
/// so this only fills under an open loop far beyond capacity.
pub const QUEUE_CAPACITY: usize = 4096;

struct Worker {
    index: usize,
    stop: Arc<AtomicBool>,
    wake: Sender<()>,
}

pub struct ChannelBackend {
    jobs: Sender<Job>,
    receiver: Receiver<Job>,
    workers: Mutex<Vec<Worker>>,
    threads: AtomicUsize,
    nice: i32,
}

impl ChannelBackend {
    pub fn new(threads: usize, nice: i32) -> std::io::Result<ChannelBackend> {
        let (jobs, receiver) = bounded(QUEUE_CAPACITY);
        let backend = ChannelBackend {
            jobs,
            receiver,
            workers: Mutex::new(Vec::new()),
            threads: AtomicUsize::new(0),
            nice,
        };
        backend.resize_to(threads.max(1))?;
        Ok(backend)
    }

    fn resize_to(&self, threads: usize) -> std::io::Result<usize> {
        let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        while workers.len() > threads {
            // Stop the highest-numbered worker; it finishes its current job first.
            if let Some(worker) = workers.pop() {
                worker.stop.store(true, Ordering::Release);
                let _ = worker.wake.try_send(());
            }
        }
        while workers.len() < threads {
            let index = lowest_free_index(&workers);
            workers.push(spawn_worker(index, self.receiver.clone(), self.nice)?);
        }
        workers.sort_by_key(|w| w.index);
        self.threads.store(workers.len(), Ordering::Release);
        Ok(workers.len())
    }
}

fn lowest_free_index(workers: &[Worker]) -> usize {
    (0..)
        .find(|i| workers.iter().all(|w| w.index != *i))
        .unwrap_or(0)
}

fn spawn_worker(index: usize, jobs: Receiver<Job>, nice: i32) -> std::io::Result<Worker> {
    let stop = Arc::new(AtomicBool::new(false));
    let (wake, woken) = bounded(1);
    let stop_flag = stop.clone();
    std::thread::Builder::new()
        .name(format!("pool-{index}"))
        .spawn(move || {
            lower_current_thread(nice);
            worker_loop(&jobs, &woken, &stop_flag)
        })?;
    Ok(Worker { index, stop, wake })
}

fn worker_loop(jobs: &Receiver<Job>, woken: &Receiver<()>, stop: &AtomicBool) {
    loop {
        if stop.load(Ordering::Acquire) {
            return;
        }
        // Fast path while busy: no select machinery.
        let job = match jobs.try_recv() {
            Ok(job) => job,
            Err(crossbeam_channel::TryRecvError::Disconnected) => return,
            Err(crossbeam_channel::TryRecvError::Empty) => {
                crossbeam_channel::select_biased! {
                    recv(woken) -> _ => continue,
                    recv(jobs) -> job => match job {
                        Ok(job) => job,
                        Err(_) => return,
                    },
                }
            }
        };
        run_contained(job);
    }
}

impl Drop for ChannelBackend {
    fn drop(&mut self) {
        // Workers leave once the queue is drained and every sender is gone.
        self.workers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl Backend for ChannelBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Channel
    }

    fn threads(&self) -> usize {
        self.threads.load(Ordering::Acquire)
    }

    fn set_threads(&self, threads: usize) -> usize {
        match self.resize_to(threads.max(1)) {
            Ok(applied) => applied,
            Err(error) => {
                tracing::error!("channel pool not resized to {threads}: {error}");
                self.threads()
            }
        }
    }

    fn submit(&self, job: Job) -> BoxFuture<'static, ()> {
        match self.jobs.try_send(job) {
            Ok(()) => futures::future::ready(()).boxed(),
            Err(TrySendError::Full(job)) | Err(TrySendError::Disconnected(job)) => {
                let jobs = self.jobs.clone();
                async move {
                    let mut job = job;
                    loop {
                        tokio::time::sleep(Duration::from_micros(200)).await;
                        match jobs.try_send(job) {
                            Ok(()) => return,
                            Err(TrySendError::Full(back)) => job = back,
                            // Cannot happen while we hold a sender; the job's
                            // guard counts it as cancelled when dropped here.
                            Err(TrySendError::Disconnected(_)) => return,
                        }
                    }
                }
                .boxed()
            }
        }
    }
}
