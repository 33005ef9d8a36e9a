//! N spin tasks through a bare bounded crossbeam channel (4096 slots, blocking
//! send) to OS threads looping on `recv()`, timed from the first submission to
//! the last completion. `cargo run --release --example bare_channel -- TASKS
//! MICROS THREADS`.

mod bare_common;

use std::time::Instant;

type Job = Box<dyn FnOnce() + Send + 'static>;

fn main() -> Result<(), String> {
    let args = bare_common::args()?;
    let (jobs, receiver) = crossbeam_channel::bounded::<Job>(4096);
    let workers: Vec<_> = (0..args.threads)
        .map(|index| {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("bare-{index}"))
                .spawn(move || {
                    while let Ok(job) = receiver.recv() {
                        job();
                    }
                })
                .map_err(|e| format!("worker thread: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let countdown = bare_common::Countdown::new(args.tasks);
    let micros = args.micros;
    let started = Instant::now();
    for index in 0..args.tasks {
        let countdown = countdown.clone();
        jobs.send(Box::new(move || {
            bare_common::spin_task(micros, index);
            countdown.task_ended();
        }))
        .map_err(|_| "every worker is gone".to_string())?;
    }
    let ended = countdown.wait();
    bare_common::report("bare channel", args.tasks, ended - started);
    drop(jobs);
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}
