//! channel: a bounded crossbeam queue feeding OS threads `pool-N`. Growing
//! spawns threads; shrinking tells chosen workers to stop between two jobs, so
//! no job is dropped: the queue keeps whatever they did not take.
//!
//! A full queue hands the job back to the submitter, which then waits for room:
//! a worker that takes a job while a submitter waits wakes it (nothing polls).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use std::sync::{Arc, Mutex, PoisonError};

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use futures::future::BoxFuture;
use tokio::sync::Notify;

use super::worker_priority::lower_current_thread;
use super::{Backend, Runnable, run_contained};
use crate::spec::BackendKind;

/// Jobs queued ahead of the workers; the driver bounds what it keeps in flight,
/// so this only fills under an open loop far beyond capacity.
pub const QUEUE_CAPACITY: usize = 4096;

struct Worker {
    index: usize,
    stop: Arc<AtomicBool>,
    wake: Sender<()>,
}

/// A submitter waiting for queue room, and how to wake it.
#[derive(Default)]
struct RoomSignal {
    waiting: AtomicBool,
    notify: Notify,
}

impl RoomSignal {
    /// Called by a worker after it took a job off the queue.
    #[inline]
    fn job_taken(&self) {
        // Pairs with the fence in `ChannelBackend::room`: either the worker sees
        // the waiter's flag, or the waiter sees the room this worker made.
        fence(Ordering::SeqCst);
        if self.waiting.load(Ordering::Relaxed) && self.waiting.swap(false, Ordering::AcqRel) {
            // A stored permit covers a waiter that has not started awaiting yet.
            self.notify.notify_one();
        }
    }
}

pub struct ChannelBackend<J> {
    jobs: Sender<J>,
    receiver: Receiver<J>,
    room: Arc<RoomSignal>,
    workers: Mutex<Vec<Worker>>,
    threads: AtomicUsize,
    nice: i32,
}

impl<J: Runnable> ChannelBackend<J> {
    pub fn new(threads: usize, nice: i32) -> std::io::Result<ChannelBackend<J>> {
        let (jobs, receiver) = bounded(QUEUE_CAPACITY);
        let backend = ChannelBackend {
            jobs,
            receiver,
            room: Arc::new(RoomSignal::default()),
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
            workers.push(spawn_worker(
                index,
                self.receiver.clone(),
                self.room.clone(),
                self.nice,
            )?);
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

fn spawn_worker<J: Runnable>(
    index: usize,
    jobs: Receiver<J>,
    room: Arc<RoomSignal>,
    nice: i32,
) -> std::io::Result<Worker> {
    let stop = Arc::new(AtomicBool::new(false));
    let (wake, woken) = bounded(1);
    let stop_flag = stop.clone();
    std::thread::Builder::new()
        .name(format!("pool-{index}"))
        .spawn(move || {
            lower_current_thread(nice);
            worker_loop(&jobs, &woken, &stop_flag, &room)
        })?;
    Ok(Worker { index, stop, wake })
}

fn worker_loop<J: Runnable>(
    jobs: &Receiver<J>,
    woken: &Receiver<()>,
    stop: &AtomicBool,
    room: &RoomSignal,
) {
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
        room.job_taken();
        run_contained(job);
    }
}

impl<J> Drop for ChannelBackend<J> {
    fn drop(&mut self) {
        // Workers leave once the queue is drained and every sender is gone.
        self.workers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl<J: Runnable> Backend<J> for ChannelBackend<J> {
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
                self.threads.load(Ordering::Acquire)
            }
        }
    }

    fn try_submit(&self, job: J) -> Result<(), J> {
        match self.jobs.try_send(job) {
            Ok(()) => Ok(()),
            // Disconnected cannot happen while the backend holds a receiver.
            Err(TrySendError::Full(job)) | Err(TrySendError::Disconnected(job)) => Err(job),
        }
    }

    fn room(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.room.waiting.store(true, Ordering::Relaxed);
            fence(Ordering::SeqCst);
            if !self.jobs.is_full() {
                self.room.waiting.store(false, Ordering::Relaxed);
                return;
            }
            self.room.notify.notified().await;
        })
    }
}
