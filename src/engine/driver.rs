//! The driver: an async task on the app runtime that turns the workload into
//! tasks and feeds them to the current backend, closed loop (keep N in flight)
//! or open loop (R arrivals per second), until its limit or a stop. In a closed
//! loop of synthetic tasks it publishes a `Refill`, and ending tasks submit
//! their successors themselves; the driver keeps the first fill and the rest.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::job::Job;
use super::refill::Refill;
use super::shared::{RunSpan, Shared};
use super::task_job::TaskJob;
use crate::backend::Backend;
use crate::backend::channel_pool::QUEUE_CAPACITY;
use crate::bounds::{OPEN_LOOP_MAX_OUTSTANDING, WALK_AHEAD_MAX_FILES};
use crate::spec::{BackendKind, LoadMode, RunLimit, WorkloadSpec};
use crate::workload::{TaskInput, dist, files};

/// Safety net: re-check state at least this often while waiting.
const IDLE_RECHECK: Duration = Duration::from_millis(50);
/// The same while ending tasks top the closed loop up themselves, and while
/// arrivals are paused or stopped: every change that could end the wait
/// (a command, shutdown, the loop running dry) also wakes the driver, and a
/// driver woken twenty times a second cost the app runtime about as much as
/// its heartbeat ticking a hundred times.
const TOPPED_UP_RECHECK: Duration = Duration::from_millis(250);
const PAUSED_RECHECK: Duration = Duration::from_secs(1);
/// A refill reads the clock for the deadline once per this many tasks.
const DEADLINE_CHECK_EVERY: u64 = 64;

/// Where task inputs come from.
enum Source {
    Synthetic {
        spec: Arc<WorkloadSpec>,
        /// Shared with a published `Refill`: ending tasks claim indices too.
        next: Arc<AtomicU64>,
        /// One past the last index (`--tasks`), else `u64::MAX`.
        end: u64,
    },
    Files {
        entries: mpsc::Receiver<TaskInput>,
        next: u64,
    },
}

impl Source {
    fn new(spec: Arc<WorkloadSpec>, limit: RunLimit) -> Source {
        let repeat = !matches!(limit, RunLimit::Tasks(_));
        match &spec.path {
            None => Source::Synthetic {
                spec,
                next: Arc::new(AtomicU64::new(0)),
                end: match limit {
                    RunLimit::Tasks(n) => n,
                    _ => u64::MAX,
                },
            },
            Some(root) => {
                let (tx, entries) = mpsc::channel(WALK_AHEAD_MAX_FILES);
                if let Err(error) = files::spawn_walker(root.clone(), repeat, tx) {
                    tracing::error!("walker for {} not started: {error}", root.display());
                }
                Source::Files { entries, next: 0 }
            }
        }
    }

    /// The next task, or None when a finite source is exhausted.
    async fn next(&mut self) -> Option<(u64, TaskInput)> {
        match self {
            Source::Synthetic { spec, next, end } => {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= *end {
                    return None;
                }
                let size = dist::spec_task_size(spec, index);
                Some((index, TaskInput::Synthetic { index, size }))
            }
            Source::Files { entries, next } => {
                let input = entries.recv().await?;
                let index = *next;
                *next += 1;
                Some((index, input))
            }
        }
    }
}

pub async fn drive(shared: Arc<Shared>, limit: RunLimit) {
    let deadline = match limit {
        RunLimit::Duration(d) => Instant::now().checked_add(d),
        _ => None,
    };
    shared.set_deadline(match limit {
        RunLimit::Duration(d) => Some(d),
        _ => None,
    });
    let mut spec = shared.workload.load_full();
    let mut source = Source::new(spec.clone(), limit);
    let mut submitted: u64 = 0;
    let mut open_loop: Option<(Instant, u64)> = None;
    // Tasks waiting to travel as one job (`--batch`).
    let mut batch: Vec<TaskJob> = Vec::with_capacity(shared.batch);
    shared.update_run_span(|span| *span = RunSpan::default());
    shared.running.store(true, Ordering::Release);

    loop {
        if shared.shutting_down.load(Ordering::Acquire) {
            break;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            // The deadline is kept: queued tasks are cancelled, running ones finish.
            shared.stop_arrivals();
            break;
        }
        if let RunLimit::Tasks(n) = limit
            && submitted >= n
        {
            break;
        }
        let latest = shared.workload.load_full();
        if !Arc::ptr_eq(&latest, &spec) {
            spec = latest;
            source = Source::new(spec.clone(), limit);
            shared.running.store(true, Ordering::Release);
        }
        let stopped = shared.stopped.load(Ordering::Acquire);
        if stopped && !matches!(limit, RunLimit::Unbounded) {
            // A bounded run that is stopped (Ctrl-C) ends; the dashboard waits for Start.
            break;
        }
        if stopped || shared.paused.load(Ordering::Acquire) {
            open_loop = None;
            wait(&shared, deadline, None).await;
            continue;
        }
        let want = match **shared.load.load() {
            LoadMode::Closed { inflight } => {
                open_loop = None;
                let inflight = inflight.max(1) as u64;
                let topped_up_by_tasks = publish_refill(&shared, &source, inflight);
                // Refill in halves: one driver wake-up per inflight/2 tasks ended
                // (none while ending tasks top up themselves).
                let batch = (inflight / 2).max(1);
                // Store the wake-up mark before reading outstanding (both SeqCst),
                // so a task ending in between either sees the mark or is seen.
                let refill_at = if topped_up_by_tasks {
                    0
                } else {
                    inflight - batch
                };
                shared.refill_at.store(refill_at, Ordering::SeqCst);
                let outstanding = shared.outstanding.load(Ordering::SeqCst);
                if outstanding >= inflight {
                    wait(&shared, deadline, None).await;
                    continue;
                }
                inflight - outstanding
            }
            LoadMode::Open { rate } => {
                shared.refill.store(None);
                shared.refill_at.store(0, Ordering::SeqCst);
                let (start, arrived) = *open_loop.get_or_insert((Instant::now(), 0));
                let rate = rate.max(0.001);
                let due_total = (start.elapsed().as_secs_f64() * rate) as u64;
                let due = due_total.saturating_sub(arrived);
                if due == 0 {
                    let next_at = start + Duration::from_secs_f64((arrived + 1) as f64 / rate);
                    wait(&shared, deadline, Some(next_at)).await;
                    continue;
                }
                open_loop = Some((start, arrived + due));
                let room = OPEN_LOOP_MAX_OUTSTANDING
                    .saturating_sub(shared.outstanding.load(Ordering::Acquire));
                if due > room {
                    shared
                        .arrivals_dropped
                        .fetch_add(due - room, Ordering::Relaxed);
                }
                due.min(room)
            }
        };
        let want = match limit {
            RunLimit::Tasks(n) => want.min(n - submitted),
            _ => want,
        };
        let backend = shared.current.load_full().backend.clone();
        let mut exhausted = false;
        let mut handed_over = true;
        for sent in 0..want {
            // A stop or the deadline in the middle of a refill ends it there.
            if arrivals_ended(&shared)
                || (sent % DEADLINE_CHECK_EVERY == 0
                    && deadline.is_some_and(|d| Instant::now() >= d))
            {
                break;
            }
            let Some((index, input)) = source.next().await else {
                exhausted = true;
                break;
            };
            if submitted == 0 {
                shared.update_run_span(|span| {
                    span.first_submission = Some(std::time::Instant::now())
                });
            }
            let task = instrumented_task(&shared, &spec, index, input);
            submitted += 1;
            let job = if shared.batch == 1 {
                task.into_job()
            } else {
                batch.push(task);
                if batch.len() < shared.batch {
                    continue;
                }
                Job::tasks(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(shared.batch),
                ))
            };
            handed_over = hand_over(&shared, &backend, job, deadline).await;
            if !handed_over {
                break;
            }
        }
        // A partial batch goes at the end of a refill, unless arrivals ended
        // (then it is dropped and its tasks count themselves cancelled).
        if !batch.is_empty() {
            let tasks = std::mem::replace(&mut batch, Vec::with_capacity(shared.batch));
            if handed_over && !arrivals_ended(&shared) {
                hand_over(&shared, &backend, Job::tasks(tasks), deadline).await;
            }
        }
        if exhausted {
            if matches!(limit, RunLimit::Unbounded) {
                // A dashboard keeps running: wait for a new workload or shutdown.
                shared.running.store(false, Ordering::Release);
                while Arc::ptr_eq(&shared.workload.load_full(), &spec)
                    && !shared.shutting_down.load(Ordering::Acquire)
                {
                    wait(&shared, None, None).await;
                }
                continue;
            }
            break;
        }
    }

    shared.running.store(false, Ordering::Release);
    // Ending tasks top up no more; one still holding the old refill finds
    // arrivals ended or the limit reached, and gives its place back.
    shared.refill.store(None);
    // Drain: every submitted task ends (completes, fails or is cancelled).
    // After a stop or the deadline, tasks still running (a long one, or one a
    // /work request started) get `STOP_GRACE`; the run's totals count those
    // left then as abandoned, so a deadline holds whatever the tasks' length.
    shared.refill_at.store(0, Ordering::SeqCst);
    let mut grace_ends: Option<Instant> = None;
    while shared.outstanding.load(Ordering::SeqCst) > 0 {
        let now = Instant::now();
        if grace_ends.is_none() && (arrivals_ended(&shared) || deadline.is_some_and(|d| now >= d)) {
            grace_ends = Some(now + crate::bounds::STOP_GRACE);
        }
        if grace_ends.is_some_and(|ends| now >= ends) {
            break;
        }
        wait(&shared, grace_ends, None).await;
    }
    shared.update_run_span(|span| span.last_end = Some(std::time::Instant::now()));
}

/// Lets ending tasks submit their successors where that is safe: a closed
/// loop of synthetic tasks on a FIFO backend that never refuses a job at this
/// in-flight count.
/// Returns whether a refill is published.
fn publish_refill(shared: &Shared, source: &Source, inflight: u64) -> bool {
    let backend = shared.current.load_full().backend.clone();
    let fits = match backend.kind() {
        // rayon serves its jobs from one FIFO whoever submits them.
        BackendKind::SpawnBlocking | BackendKind::Rayon => true,
        BackendKind::Channel => inflight <= QUEUE_CAPACITY as u64,
        // Inline keeps its tasks on the app runtime.
        BackendKind::Inline => false,
    };
    let Source::Synthetic { spec, next, end } = source else {
        shared.refill.store(None);
        return false;
    };
    if !fits {
        shared.refill.store(None);
        return false;
    }
    let current = shared.refill.load();
    let unchanged = current.as_ref().is_some_and(|refill| {
        Arc::ptr_eq(&refill.spec, spec)
            && Arc::ptr_eq(&refill.backend, &backend)
            && Arc::ptr_eq(&refill.next, next)
            && refill.inflight == inflight
    });
    if !unchanged {
        shared.refill.store(Some(Arc::new(Refill {
            spec: spec.clone(),
            backend,
            inflight,
            next: next.clone(),
            end: *end,
        })));
    }
    true
}

/// Stop or shutdown: no task may be submitted now.
#[inline]
fn arrivals_ended(shared: &Shared) -> bool {
    shared.stopped.load(Ordering::Relaxed) || shared.shutting_down.load(Ordering::Relaxed)
}

/// Gives the job to the backend, waiting for room while its queue is full.
/// False when a stop or the deadline came first: the job is dropped and so
/// counts itself cancelled.
async fn hand_over(
    shared: &Shared,
    backend: &Arc<dyn Backend<Job>>,
    job: Job,
    deadline: Option<Instant>,
) -> bool {
    let mut job = job;
    loop {
        match backend.try_submit(job) {
            Ok(()) => return true,
            Err(back) => job = back,
        }
        if arrivals_ended(shared) || deadline.is_some_and(|d| Instant::now() >= d) {
            return false;
        }
        let far = Instant::now() + Duration::from_secs(3600);
        tokio::select! {
            _ = backend.room() => {}
            // Commands (Stop included) and shutdown wake the driver.
            _ = shared.wake_driver.notified() => {}
            _ = tokio::time::sleep_until(deadline.unwrap_or(far)) => {}
        }
    }
}

/// Counts a task as submitted and wraps it into an instrumented job: the one
/// way a task enters a backend (the benchmarks time exactly this).
pub fn instrumented_job(
    shared: &Arc<Shared>,
    spec: &Arc<WorkloadSpec>,
    index: u64,
    input: TaskInput,
) -> Job {
    instrumented_task(shared, spec, index, input).into_job()
}

/// `instrumented_job` before it becomes a job (batches gather several).
pub fn instrumented_task(
    shared: &Arc<Shared>,
    spec: &Arc<WorkloadSpec>,
    index: u64,
    input: TaskInput,
) -> TaskJob {
    shared.outstanding.fetch_add(1, Ordering::AcqRel);
    shared
        .registry
        .with_current(|stats| stats.record_submitted());
    TaskJob::new(shared.clone(), spec, input, index)
}

/// Sleeps until woken, the deadline, `until`, or the recheck interval.
async fn wait(shared: &Shared, deadline: Option<Instant>, until: Option<Instant>) {
    let recheck = if shared.paused.load(Ordering::Acquire) || shared.stopped.load(Ordering::Acquire)
    {
        PAUSED_RECHECK
    } else if shared.refill.load().is_some() {
        TOPPED_UP_RECHECK
    } else {
        IDLE_RECHECK
    };
    let mut wake_at = Instant::now() + recheck;
    for limit in [deadline, until].into_iter().flatten() {
        wake_at = wake_at.min(limit);
    }
    tokio::select! {
        _ = shared.wake_driver.notified() => {}
        _ = tokio::time::sleep_until(wake_at) => {}
    }
}
