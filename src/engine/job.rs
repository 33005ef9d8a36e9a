//! A unit of work as backends carry it. Engine tasks travel by value inside it,
//! so the only allocation on the way is the backend's own (rayon's spawned job,
//! tokio's task) or none at all (the channel's slots, the blocking queue's blocks).

use super::task_job::TaskJob;
use crate::backend::Runnable;

pub struct Job(Work);

enum Work {
    /// One engine task; it records its own outcome.
    Task(TaskJob),
    /// `--batch`: consecutive engine tasks, run in order.
    Tasks(Vec<TaskJob>),
    /// Anything else (tests, benchmarks).
    Closure(Box<dyn FnOnce() + Send + 'static>),
}

impl Job {
    /// A job from any closure (boxed).
    pub fn new(work: impl FnOnce() + Send + 'static) -> Job {
        Job(Work::Closure(Box::new(work)))
    }

    pub fn task(task: TaskJob) -> Job {
        Job(Work::Task(task))
    }

    /// Several tasks as one job; each still times, counts and checksums itself,
    /// and one dropped unrun counts itself cancelled.
    pub fn tasks(tasks: Vec<TaskJob>) -> Job {
        Job(Work::Tasks(tasks))
    }

    pub fn run(self) {
        Runnable::run(self)
    }
}

impl Runnable for Job {
    fn run(self) {
        match self.0 {
            Work::Task(task) => task.run(),
            Work::Tasks(tasks) => TaskJob::run_batch(tasks),
            Work::Closure(work) => work(),
        }
    }
}
