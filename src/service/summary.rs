//! The service's lines in a text report: its address, then per route the
//! requests answered, by status code, and their latency.

use std::fmt::Write as _;

use crate::format::ms_from_us as ms;
use crate::metrics::snapshot::ServiceView;

pub fn service_text(service: &ServiceView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nHTTP service on http://{}", service.address);
    let client = &service.health_client;
    let _ = writeln!(
        out,
        "  as a client sees it (loadlab's own client, its own thread, one kept-alive connection):\n    \
         GET /health round trip p50 {} ms  p99 {} ms  max {} ms  ({} answers, {} failures)",
        ms(client.p50_us),
        ms(client.p99_us),
        ms(client.max_us),
        client.samples,
        client.failures
    );
    let _ = writeln!(
        out,
        "  handler time (request read to answer; the wait before it is read is the client's):"
    );
    let _ = writeln!(
        out,
        "  route      requests  by code                      p50 ms     p99 ms     max ms"
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
            "  {:<10} {:>8}  {:<26} {:>9}  {:>9}  {:>9}",
            route.route,
            route.requests,
            if codes.is_empty() { "-" } else { &codes },
            ms(latency.p50),
            ms(latency.p99),
            ms(latency.max)
        );
    }
    out
}
