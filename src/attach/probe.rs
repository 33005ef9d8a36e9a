//! `--probe URL`: a GET timed 10 times a second from loadlab's own thread and
//! runtime (the service's health client, pointed at the target), so a
//! starving target shows as slow answers however busy its own threads are.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::error::AttachError;
use super::probe_url::LoopbackUrl;
use crate::bounds;
use crate::metrics::atomic_histogram::AtomicHistogram;
use crate::metrics::percentiles::{Buckets, empty_buckets};
use crate::service::health_client::{HealthClient, Request, RoundTrips};

/// Round trips and failures, written by the client's thread.
#[derive(Default)]
pub struct ProbeStats {
    round_trips: AtomicHistogram,
    max_ns: AtomicU64,
    failures: AtomicU64,
    /// When (ns since the probe started) the newest request ended, answered
    /// or not: a request outstanding long is a starving target, not a quiet one.
    last_end_ns: AtomicU64,
    started: std::sync::OnceLock<std::time::Instant>,
    /// The newest failure's cause, for the Log.
    latest_cause: Mutex<Option<String>>,
}

impl RoundTrips for ProbeStats {
    fn record(&self, round_trip_ns: u64) {
        self.round_trips.record_shared(round_trip_ns);
        self.max_ns.fetch_max(round_trip_ns, Ordering::Relaxed);
        self.ended();
    }

    fn record_failure(&self, cause: &io::Error) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        self.ended();
        if let Ok(mut latest) = self.latest_cause.lock() {
            *latest = Some(crate::format::escape_control(&cause.to_string()).into_owned());
        }
    }
}

impl ProbeStats {
    fn ended(&self) {
        let since = self
            .started
            .get()
            .map_or(0, |started| started.elapsed().as_nanos() as u64);
        self.last_end_ns.store(since, Ordering::Relaxed);
    }
}

/// The probe's counters at one instant, since it started.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeReading {
    /// Round trip bucket counts, nanoseconds (see `AtomicHistogram`).
    pub buckets: Buckets,
    /// The longest round trip, exact, microseconds.
    pub max_us: f64,
    pub failures: u64,
    pub latest_cause: Option<String>,
    /// How long the request in flight has waited for its answer (0 when
    /// none is): the time since one last ended, less the pause before the next.
    pub waiting_s: f64,
}

pub struct Probe {
    pub url: LoopbackUrl,
    stats: Arc<ProbeStats>,
    client: HealthClient,
}

impl Probe {
    /// The probe the user asked for, if any, started; a failure to start it
    /// ends the attach.
    pub fn start_if_asked(url: Option<LoopbackUrl>) -> Result<Option<Probe>, AttachError> {
        url.map(Probe::start)
            .transpose()
            .map_err(|error| AttachError::CannotStart {
                cause: error.to_string(),
            })
    }

    pub fn start(url: LoopbackUrl) -> io::Result<Probe> {
        let stats = Arc::new(ProbeStats::default());
        let _ = stats.started.set(std::time::Instant::now());
        let request = Request {
            address: url.address,
            path: url.path.clone(),
        };
        let client = HealthClient::start_timing(
            request,
            bounds::PROBE_PER_S,
            bounds::PROBE_MAX_REQUESTS,
            stats.clone(),
        )?;
        Ok(Probe { url, stats, client })
    }

    pub fn read(&self) -> ProbeReading {
        let mut buckets = empty_buckets();
        self.stats.round_trips.add_counts_to(&mut buckets);
        ProbeReading {
            buckets,
            max_us: self.stats.max_ns.load(Ordering::Relaxed) as f64 / 1e3,
            failures: self.stats.failures.load(Ordering::Relaxed),
            latest_cause: self
                .stats
                .latest_cause
                .lock()
                .ok()
                .and_then(|cause| cause.clone()),
            waiting_s: self.stats.started.get().map_or(0.0, |started| {
                let now_ns = started.elapsed().as_nanos() as u64;
                let since_end =
                    now_ns.saturating_sub(self.stats.last_end_ns.load(Ordering::Relaxed));
                (since_end as f64 / 1e9 - 1.0 / f64::from(bounds::PROBE_PER_S)).max(0.0)
            }),
        }
    }

    /// Stops at once, abandoning a request in progress.
    pub fn stop(&mut self) {
        self.client.stop();
    }
}
