//! An engine with the HTTP service beside it on its app runtime, started
//! together for every face (the dashboard, `run`, `serve`, demos, sweeps):
//! the service binds first (a taken port fails the start, port 0 resolves at
//! once), the engine's Snapshots carry the service's statistics, `/work`
//! runs its tasks through the engine's task runner, and the service stops
//! before the runtime it runs on.

use std::net::SocketAddr;

use crate::bounds;
use crate::engine::controller::Controller;
use crate::engine::{Engine, EngineConfig};
use crate::service::{Bound, ServeOptions, Service};

/// Why an engine (with its service) did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Engine(#[from] crate::engine::StartError),
    #[error("cannot serve HTTP on {address}: {source}")]
    Serve {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// Starts the engine and, when `serve` asks for one, the HTTP service on its
/// app runtime. The engine stops the service (requests in flight answered
/// within `HTTP_SHUTDOWN_GRACE`) before its runtime, whichever way it stops.
pub fn start(mut config: EngineConfig, serve: Option<ServeOptions>) -> Result<Engine, StartError> {
    let Some(options) = serve else {
        return Ok(Engine::start(config)?);
    };
    let refused = |source| StartError::Serve {
        address: options.address,
        source,
    };
    let bound = Bound::bind(options.address).map_err(refused)?;
    config.service_stats = Some(bound.stats().clone());
    let engine = Engine::start(config)?;
    let mut service = Service::start(
        bound,
        options,
        engine.runtime_handle(),
        engine.task_runner(),
        engine.snapshots(),
    )
    .map_err(refused)?;
    engine.before_runtime_stops(move || service.stop(bounds::HTTP_SHUTDOWN_GRACE));
    Ok(engine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> EngineConfig {
        EngineConfig {
            threads: 1,
            start_driver: false,
            echo_pings_per_s: 0,
            ..EngineConfig::default()
        }
    }

    #[test]
    fn a_taken_port_fails_the_start_naming_the_address() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let address = taken.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let error = start(quiet(), Some(ServeOptions::new(address)))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with(&format!("cannot serve HTTP on {address}: ")),
            "{error}"
        );
    }

    #[test]
    fn the_service_listens_until_the_engine_stops() {
        let any_port = "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}"));
        let engine =
            start(quiet(), Some(ServeOptions::new(any_port))).unwrap_or_else(|e| panic!("{e}"));
        let address = engine
            .service_address()
            .unwrap_or_else(|| panic!("no address"));
        assert_ne!(address.port(), 0, "port 0 is resolved at the start");
        assert!(std::net::TcpStream::connect(address).is_ok());
        engine.shutdown(std::time::Duration::ZERO);
        assert!(std::net::TcpStream::connect(address).is_err());
    }

    #[test]
    fn without_serve_there_is_no_service() {
        let engine = start(quiet(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(engine.service_address(), None);
    }
}
