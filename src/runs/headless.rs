//! `loadlab run`: one headless run to its limit (or a scenario's end), with an
//! optional recording, ending in a report. Ctrl-C and SIGTERM end it early and
//! still produce the report.

use std::sync::Arc;
use std::time::Duration;

use super::session::{Session, TICK};
use crate::engine::{Engine, EngineConfig};
use crate::report::run::RunReport;

pub fn run(config: EngineConfig, mut session: Session) -> anyhow::Result<RunReport> {
    let engine = Arc::new(Engine::start(config)?);
    end_on_interrupt(&engine);
    session.start_clock();
    loop {
        if session.tick(engine.as_ref()) {
            engine.end_run();
        }
        if engine.run_finished() {
            break;
        }
        std::thread::sleep(TICK);
    }
    engine.wait_for_run();
    session.finish(engine.as_ref());
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(1));
    Ok(RunReport::from_outcome(&outcome))
}

/// Ctrl-C or SIGTERM: stop arrivals, cancel what is queued, report. The
/// listener has its own thread: inline jobs may hold every app worker.
fn end_on_interrupt(engine: &Arc<Engine>) {
    let target = Arc::downgrade(engine);
    let listener = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let spawned = listener.and_then(|listener| {
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                listener.block_on(interrupted());
                if let Some(engine) = target.upgrade() {
                    eprintln!("loadlab: interrupted; cancelling queued tasks and reporting");
                    engine.end_run();
                }
            })
    });
    if let Err(error) = spawned {
        tracing::warn!("no signal listener: {error}");
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
