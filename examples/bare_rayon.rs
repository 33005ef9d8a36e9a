//! N spin tasks on a bare rayon pool (`pool.spawn` each), timed from the first
//! submission to the last completion. `cargo run --release --example bare_rayon
//! -- TASKS MICROS THREADS`.

mod bare_common;

use std::time::Instant;

fn main() -> Result<(), String> {
    let args = bare_common::args()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .map_err(|e| format!("rayon pool: {e}"))?;
    let countdown = bare_common::Countdown::new(args.tasks);
    let micros = args.micros;
    let started = Instant::now();
    for index in 0..args.tasks {
        let countdown = countdown.clone();
        pool.spawn(move || {
            bare_common::spin_task(micros, index);
            countdown.task_ended();
        });
    }
    let ended = countdown.wait();
    bare_common::report("bare rayon", args.tasks, ended - started);
    Ok(())
}
