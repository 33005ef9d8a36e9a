//! The service's lines in a text report: its address, then per route the
//! requests answered, by status code, and their latency.

use std::fmt::Write as _;

use crate::metrics::snapshot::ServiceView;

pub fn service_text(service: &ServiceView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nHTTP service on http://{}", service.address);
    let client = &service.health_client;
    let _ = writeln!(
        out,
        "  as a client sees it (loadlab's own client, its own thread, one kept-alive connection):\n    \
         GET /health round trip p50 {:.1} us  p99 {:.1} us  max {:.1} us  ({} answers, {} failures)",
        client.p50_us, client.p99_us, client.max_us, client.samples, client.failures
    );
    let _ = writeln!(
        out,
        "  handler time (request read to answer; the wait before it is read is the client's):"
    );
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
    out
}
