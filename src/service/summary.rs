//! The service's lines in a text report: its address, then per route the
//! requests answered, by status code, and their latency.

use std::fmt::Write as _;

use crate::metrics::snapshot::ServiceView;

pub fn service_text(service: &ServiceView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nHTTP service on http://{}", service.address);
    let _ = writeln!(
        out,
        "  route      requests  by code                      p50 us     p99 us     max us"
    );
    for route in &service.routes {
        let codes = route
            .codes
            .iter()
            .map(|c| format!("{}: {}", c.code, c.count))
            .collect::<Vec<_>>()
            .join(", ");
        let latency = &route.latency_us.cumulative;
        let _ = writeln!(
            out,
            "  {:<10} {:>8}  {:<26} {:>9.1}  {:>9.1}  {:>9.1}",
            route.route,
            route.requests,
            if codes.is_empty() { "-" } else { &codes },
            latency.p50,
            latency.p99,
            latency.max
        );
    }
    let client = &service.health_client.cumulative;
    if client.count > 0 {
        let _ = writeln!(
            out,
            "  internal /health client round trip (us): p50 {:.1}  p99 {:.1}  max {:.1}  ({} requests)",
            client.p50, client.p99, client.max, client.count
        );
    }
    out
}
