//! The floor under loadlab's app runtime: a bare tokio runtime with two
//! workers (named `app-N`, like loadlab's) and one 10 ms interval doing
//! nothing, for SECONDS. `scripts/own_cost.sh` measures it beside loadlab, so
//! the price of a 10 ms heartbeat on the machine at hand is known.
//! `cargo run --release --example bare_heartbeat -- SECONDS`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::MissedTickBehavior;

fn main() -> Result<(), String> {
    let seconds: u64 = match std::env::args().nth(1) {
        None => 60,
        Some(text) => text.parse().map_err(|e| format!("SECONDS {text:?}: {e}"))?,
    };
    let next_worker = AtomicUsize::new(0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name_fn(move || format!("app-{}", next_worker.fetch_add(1, Ordering::Relaxed)))
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async {
        let heartbeat = tokio::spawn(async {
            let mut ticks = tokio::time::interval(Duration::from_millis(10));
            ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
            loop {
                ticks.tick().await;
            }
        });
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        heartbeat.abort();
    });
    Ok(())
}
