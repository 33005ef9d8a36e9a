//! The HTTP service (`--serve ADDR`, `loadlab serve`): an axum server on the
//! app runtime, beside the driver and the probes, so it starves with them.
//! `/work` hands one task to the current backend exactly as the driver does
//! and awaits it; `/metrics` and `/snapshot` expose the sampler's Snapshot.

pub mod exposition;
pub mod health_client;
pub mod listener;
pub mod params;
pub mod routes;
pub mod server;
pub mod summary;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use crate::bounds;
use crate::engine::single_task::TaskRunner;
use crate::metrics::http_stats::HttpStats;
use crate::metrics::snapshot::Snapshot;
use health_client::HealthClient;
use listener::BoundedListener;

/// What `--serve` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    /// Where to listen; port 0 picks a free port.
    pub address: SocketAddr,
    /// A request not answered within this gets 503, and a task it queued
    /// that has not started is cancelled.
    pub request_timeout: Duration,
}

impl ServeOptions {
    /// Serving `address` with the default bounds.
    pub fn new(address: SocketAddr) -> ServeOptions {
        ServeOptions {
            address,
            request_timeout: bounds::HTTP_REQUEST_TIMEOUT,
        }
    }
}

/// A bound listener and the statistics of the service that will serve it.
pub struct Bound {
    listener: std::net::TcpListener,
    stats: Arc<HttpStats>,
}

impl Bound {
    /// Binds `address` (before the runtime serves it, so a taken port fails
    /// the start and port 0 is resolved at once).
    pub fn bind(address: SocketAddr) -> io::Result<Bound> {
        let listener = std::net::TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let stats = Arc::new(HttpStats::new(listener.local_addr()?));
        Ok(Bound { listener, stats })
    }

    pub fn stats(&self) -> &Arc<HttpStats> {
        &self.stats
    }
}

/// The running service.
pub struct Service {
    stats: Arc<HttpStats>,
    stop: watch::Sender<bool>,
    closing: Arc<Notify>,
    server: tokio::task::JoinHandle<()>,
    health_client: Option<HealthClient>,
}

impl Service {
    /// Serves `bound` on `runtime` (the app runtime).
    pub fn start(
        bound: Bound,
        options: ServeOptions,
        runtime: &tokio::runtime::Handle,
        tasks: TaskRunner,
        snapshots: watch::Receiver<Arc<Snapshot>>,
    ) -> io::Result<Service> {
        let Bound { listener, stats } = bound;
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let state = routes::ServiceState {
            tasks,
            snapshots,
            stats: stats.clone(),
            request_timeout: options.request_timeout,
            closing: Arc::new(Notify::new()),
        };
        let closing = state.closing.clone();
        let (stop, stopped) = watch::channel(false);
        let server = runtime.spawn(server::serve(
            BoundedListener::new(listener, bounds::HTTP_MAX_CONNECTIONS),
            routes::router(state),
            stopped,
        ));
        // Timed from outside the app runtime: what a client sees, starvation included.
        let health_client = Some(HealthClient::start(
            stats.address(),
            bounds::HEALTH_CLIENT_PER_S,
            bounds::HEALTH_CLIENT_MAX_REQUESTS,
            stats.clone(),
        )?);
        tracing::info!("HTTP service on http://{}", stats.address());
        Ok(Service {
            stats,
            stop,
            closing,
            server,
            health_client,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.stats.address()
    }

    /// Stops accepting and lets requests in flight be answered: for the
    /// first half of `grace` tasks may still end; then requests still
    /// waiting for one answer 503; at `grace` what is left is dropped.
    pub fn stop(&mut self, grace: Duration) {
        if let Some(client) = &mut self.health_client {
            client.stop();
        }
        // Kept in the channel: the server sees it even if it is not waiting yet.
        self.stop.send_replace(true);
        let started = Instant::now();
        let wait_until = |until: Instant| {
            while !self.server.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        wait_until(started + grace / 2);
        self.closing.notify_waiters();
        wait_until(started + grace);
        self.server.abort();
    }
}
