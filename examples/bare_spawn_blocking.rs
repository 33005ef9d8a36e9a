//! N spin tasks on tokio's blocking pool (`spawn_blocking` each, the pool capped
//! at THREADS threads), timed from the first submission to the last completion.
//! `cargo run --release --example bare_spawn_blocking -- TASKS MICROS THREADS`.

mod bare_common;

use std::time::Instant;

fn main() -> Result<(), String> {
    let args = bare_common::args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .max_blocking_threads(args.threads)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let countdown = bare_common::Countdown::new(args.tasks);
    let micros = args.micros;
    let started = Instant::now();
    runtime.block_on(async {
        for index in 0..args.tasks {
            let countdown = countdown.clone();
            // Detached: the countdown marks the last task's end.
            drop(tokio::task::spawn_blocking(move || {
                bare_common::spin_task(micros, index);
                countdown.task_ended();
            }));
        }
    });
    let ended = countdown.wait();
    bare_common::report("bare spawn_blocking", args.tasks, ended - started);
    Ok(())
}
