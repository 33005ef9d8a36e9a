//! Starts an engine, and beside it the HTTP service when asked: the service
//! runs on the engine's app runtime, hands tasks to the current backend
//! through the engine's `TaskRunner` and reads its Snapshots. The engine
//! knows only the service's statistics (for its Snapshots) and a hook that
//! stops the service before the runtime goes.

use crate::bounds;
use crate::engine::controller::Controller as _;
use crate::engine::{Engine, EngineConfig};
use crate::service::{Bound, ServeOptions, Service};

/// Starts `config`'s engine, serving HTTP as `serve` says (none: no service).
pub fn start_engine(
    mut config: EngineConfig,
    serve: Option<ServeOptions>,
) -> anyhow::Result<Engine> {
    let Some(options) = serve else {
        return Engine::start(config);
    };
    // Bound before the engine starts: a taken port fails the start, and port
    // 0 is resolved at once.
    let bound = Bound::bind(options.address)
        .map_err(|e| anyhow::anyhow!("--serve {}: {e}", options.address))?;
    config.http_stats = Some(bound.stats().clone());
    let engine = Engine::start(config)?;
    let mut service = Service::start(
        bound,
        options,
        engine.runtime_handle(),
        engine.task_runner(),
        engine.snapshots(),
    )
    .map_err(|e| anyhow::anyhow!("--serve {}: {e}", options.address))?;
    // Requests in flight are answered before the runtime they run on stops.
    engine.before_runtime_stops(Box::new(move || {
        service.stop(bounds::HTTP_SHUTDOWN_GRACE);
    }));
    Ok(engine)
}
