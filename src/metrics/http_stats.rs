//! Per-route request counts by status code and latency histograms of the HTTP
//! service. Handlers on any app worker record with atomic adds (no lock); the
//! sampler reads them into the Snapshot's `service` section.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use super::atomic_histogram::AtomicHistogram;
use super::percentiles::{Buckets, empty_buckets};

/// Status codes 100 to 599, one counter each.
const FIRST_CODE: u16 = 100;
const CODES: usize = 500;

/// The routes the service answers; everything else is `Other` (404).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Health,
    Work,
    Metrics,
    Snapshot,
    Other,
}

impl Route {
    pub const ALL: [Route; 5] = [
        Route::Health,
        Route::Work,
        Route::Metrics,
        Route::Snapshot,
        Route::Other,
    ];

    /// The route's label in the Snapshot, the dashboard and `/metrics`.
    pub fn label(self) -> &'static str {
        match self {
            Route::Health => "/health",
            Route::Work => "/work",
            Route::Metrics => "/metrics",
            Route::Snapshot => "/snapshot",
            Route::Other => "other",
        }
    }

    /// The route a request path belongs to.
    pub fn of_path(path: &str) -> Route {
        match path {
            "/health" => Route::Health,
            "/work" => Route::Work,
            "/metrics" => Route::Metrics,
            "/snapshot" => Route::Snapshot,
            _ => Route::Other,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

struct RouteStats {
    codes: Box<[AtomicU64]>,
    duration: AtomicHistogram,
    duration_sum_ns: AtomicU64,
}

impl Default for RouteStats {
    fn default() -> Self {
        RouteStats {
            codes: (0..CODES).map(|_| AtomicU64::new(0)).collect(),
            duration: AtomicHistogram::default(),
            duration_sum_ns: AtomicU64::new(0),
        }
    }
}

/// The service's statistics since it started (never reset: the sampler
/// measures windows and resets from differences).
pub struct HttpStats {
    address: SocketAddr,
    routes: [RouteStats; Route::ALL.len()],
    /// Round trips of the internal `/health` client.
    health_client: AtomicHistogram,
    health_client_sum_ns: AtomicU64,
    /// Its requests that got no 200 answer (refused, closed, timed out).
    health_client_failures: AtomicU64,
}

/// One route's counters at one instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouteReading {
    /// (status code, requests), codes that were answered at least once.
    pub codes: Vec<(u16, u64)>,
    pub requests: u64,
    /// Request durations, nanoseconds (see `AtomicHistogram`).
    pub duration_buckets: Buckets,
    pub duration_sum_ns: u64,
}

/// Every route's counters at one instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpReading {
    /// In `Route::ALL` order.
    pub routes: Vec<RouteReading>,
    pub health_client_buckets: Buckets,
    pub health_client_sum_ns: u64,
    pub health_client_failures: u64,
}

// By its address: the counters are read through `read`.
impl std::fmt::Debug for HttpStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpStats")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl HttpStats {
    pub fn new(address: SocketAddr) -> HttpStats {
        HttpStats {
            address,
            routes: Default::default(),
            health_client: AtomicHistogram::default(),
            health_client_sum_ns: AtomicU64::new(0),
            health_client_failures: AtomicU64::new(0),
        }
    }

    /// The address the service listens on (the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Counts one answered request.
    #[inline]
    pub fn record(&self, route: Route, code: u16, duration_ns: u64) {
        let stats = &self.routes[route.index()];
        let slot = usize::from(code.clamp(FIRST_CODE, FIRST_CODE + CODES as u16 - 1) - FIRST_CODE);
        stats.codes[slot].fetch_add(1, Ordering::Relaxed);
        stats.duration.record_shared(duration_ns);
        stats
            .duration_sum_ns
            .fetch_add(duration_ns, Ordering::Relaxed);
    }

    /// Counts one round trip of the internal `/health` client.
    pub fn record_health_client(&self, round_trip_ns: u64) {
        self.health_client.record_shared(round_trip_ns);
        self.health_client_sum_ns
            .fetch_add(round_trip_ns, Ordering::Relaxed);
    }

    /// Counts one request of the internal `/health` client that got no 200.
    pub fn record_health_client_failure(&self) {
        self.health_client_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub fn read(&self) -> HttpReading {
        let routes = self
            .routes
            .iter()
            .map(|stats| {
                let codes: Vec<(u16, u64)> = stats
                    .codes
                    .iter()
                    .enumerate()
                    .filter_map(|(slot, count)| {
                        let count = count.load(Ordering::Relaxed);
                        (count > 0).then_some((FIRST_CODE + slot as u16, count))
                    })
                    .collect();
                let mut duration_buckets = empty_buckets();
                stats.duration.add_counts_to(&mut duration_buckets);
                RouteReading {
                    requests: codes.iter().map(|(_, count)| count).sum(),
                    codes,
                    duration_buckets,
                    duration_sum_ns: stats.duration_sum_ns.load(Ordering::Relaxed),
                }
            })
            .collect();
        let mut health_client_buckets = empty_buckets();
        self.health_client.add_counts_to(&mut health_client_buckets);
        HttpReading {
            routes,
            health_client_buckets,
            health_client_sum_ns: self.health_client_sum_ns.load(Ordering::Relaxed),
            health_client_failures: self.health_client_failures.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_code() {
        let stats = HttpStats::new(([127, 0, 0, 1], 0).into());
        stats.record(Route::Work, 200, 1_000);
        stats.record(Route::Work, 503, 2_000);
        stats.record(Route::Work, 200, 3_000);
        stats.record(Route::Other, 404, 10);
        let reading = stats.read();
        let work = &reading.routes[1];
        assert_eq!(work.codes, vec![(200, 2), (503, 1)]);
        assert_eq!(work.requests, 3);
        assert_eq!(work.duration_sum_ns, 6_000);
        assert_eq!(work.duration_buckets.iter().sum::<u64>(), 3);
        assert_eq!(reading.routes[4].codes, vec![(404, 1)]);
        assert_eq!(reading.routes[0].requests, 0);
    }

    #[test]
    fn paths_map_to_routes() {
        assert_eq!(Route::of_path("/health"), Route::Health);
        assert_eq!(Route::of_path("/work"), Route::Work);
        assert_eq!(Route::of_path("/health/"), Route::Other);
        assert_eq!(Route::of_path("/"), Route::Other);
    }
}
