//! `/metrics`: the latest Snapshot in Prometheus' text exposition format,
//! version 0.0.4. Every figure is read from the Snapshot (the sampler derived
//! it once); histograms are the sampler's never-reset bucket counts regrouped
//! under fixed `le` bounds.

use std::fmt::Write as _;

use crate::metrics::atomic_histogram::{bucket_midpoint, bucket_upper};
use crate::metrics::snapshot::{HealthState, Snapshot};

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histogram bounds in seconds, 10 us to 10 s (1-2.5-5 steps).
const LE_SECONDS: [f64; 19] = [
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub fn render(snapshot: &Snapshot) -> String {
    let mut out = Exposition::default();
    let totals = &snapshot.running_totals;

    out.family(
        "loadlab_tasks_submitted_total",
        "counter",
        "Tasks submitted since loadlab started (driver and /work).",
    );
    out.sample(
        "loadlab_tasks_submitted_total",
        &[],
        totals.submitted as f64,
    );
    out.family(
        "loadlab_tasks_total",
        "counter",
        "Tasks ended since loadlab started, by outcome.",
    );
    for (outcome, count) in [
        ("completed", totals.completed),
        ("failed", totals.failed),
        ("cancelled", totals.cancelled),
    ] {
        out.sample("loadlab_tasks_total", &[("outcome", outcome)], count as f64);
    }
    out.family(
        "loadlab_tasks_in_flight",
        "gauge",
        "Tasks submitted and not ended (queued or running).",
    );
    out.sample(
        "loadlab_tasks_in_flight",
        &[],
        snapshot.tasks.inflight as f64,
    );
    out.family(
        "loadlab_tasks_per_second",
        "gauge",
        "Tasks completed per second over the sampler's window.",
    );
    out.sample(
        "loadlab_tasks_per_second",
        &[],
        snapshot.throughput.tasks_per_s,
    );

    out.family(
        "loadlab_task_latency_seconds",
        "histogram",
        "Task latency by phase: queue (submit to start), service (start to end), total; _sum from bucket midpoints (within 3%).",
    );
    for (phase, buckets) in [
        ("queue", &totals.queue_latency_buckets),
        ("service", &totals.service_latency_buckets),
        ("total", &totals.total_latency_buckets),
    ] {
        out.histogram_of_buckets("loadlab_task_latency_seconds", &[("phase", phase)], buckets);
    }
    out.family(
        "loadlab_heartbeat_lag_seconds",
        "histogram",
        "How late the app runtime's periodic timer task woke; _sum from bucket midpoints (within 3%).",
    );
    out.histogram_of_buckets(
        "loadlab_heartbeat_lag_seconds",
        &[],
        &totals.heartbeat_buckets,
    );
    out.family(
        "loadlab_echo_rtt_seconds",
        "histogram",
        "Round trip of a TCP echo over 127.0.0.1 served by the app runtime; _sum from bucket midpoints (within 3%).",
    );
    out.histogram_of_buckets("loadlab_echo_rtt_seconds", &[], &totals.echo_buckets);

    type ThreadSeconds = fn(&crate::metrics::snapshot::ThreadView) -> f64;
    let per_thread: [(&str, &str, ThreadSeconds); 3] = [
        (
            "loadlab_thread_cpu_seconds_total",
            "OS CPU time of each thread of the process since it started.",
            |thread| thread.cpu_s,
        ),
        (
            "loadlab_thread_wait_seconds_total",
            "Time each thread was ready to run but waited for a CPU, since it started.",
            |thread| thread.wait_s,
        ),
        (
            "loadlab_thread_busy_seconds_total",
            "Time each thread spent inside jobs, since the statistics were last reset.",
            |thread| thread.busy_s,
        ),
    ];
    for (name, help, seconds) in per_thread {
        out.family(name, "counter", help);
        for thread in &snapshot.threads {
            let tid = thread.tid.to_string();
            out.sample(
                name,
                &[
                    ("thread", thread.name.as_str()),
                    ("pool", thread.pool.name()),
                    ("tid", tid.as_str()),
                ],
                seconds(thread),
            );
        }
    }

    out.family(
        "loadlab_backend_threads",
        "gauge",
        "Worker threads of the current backend (inline: app workers its jobs may occupy).",
    );
    out.sample(
        "loadlab_backend_threads",
        &[("backend", snapshot.config.backend.name())],
        snapshot.config.threads as f64,
    );
    out.family(
        "loadlab_runtime_workers",
        "gauge",
        "Worker threads of the app runtime.",
    );
    out.sample(
        "loadlab_runtime_workers",
        &[],
        snapshot.runtime.workers as f64,
    );
    out.family(
        "loadlab_runtime_worker_busy_ratio",
        "gauge",
        "Share of the sampler's window each app runtime worker was busy (0 to 1).",
    );
    for (worker, ratio) in snapshot.runtime.worker_busy_ratio.iter().enumerate() {
        out.sample(
            "loadlab_runtime_worker_busy_ratio",
            &[("worker", worker.to_string().as_str())],
            *ratio,
        );
    }
    out.family(
        "loadlab_runtime_starved",
        "gauge",
        "1 when the heartbeat lag p99 (or the /health client's round trip p99) over the window exceeds the starved threshold, else 0.",
    );
    out.sample(
        "loadlab_runtime_starved",
        &[],
        f64::from(u8::from(snapshot.health.state == HealthState::Starved)),
    );

    out.family(
        "loadlab_http_requests_total",
        "counter",
        "HTTP requests answered since the service started, by route and status code.",
    );
    let routes = snapshot
        .service
        .as_ref()
        .map_or(&[][..], |service| &service.routes[..]);
    for route in routes {
        for code in &route.codes {
            out.sample(
                "loadlab_http_requests_total",
                &[
                    ("route", route.route.as_str()),
                    ("code", code.code.to_string().as_str()),
                ],
                code.count as f64,
            );
        }
    }
    out.family(
        "loadlab_http_request_duration_seconds",
        "histogram",
        "HTTP handler time, request read to answer ready, by route (the wait before a request is read is in loadlab_http_client_health_seconds).",
    );
    for route in routes {
        out.histogram(
            "loadlab_http_request_duration_seconds",
            &[("route", route.route.as_str())],
            &route.duration_buckets,
            route.duration_sum_s,
        );
    }
    if let Some(service) = &snapshot.service {
        let client = &service.health_client;
        out.family(
            "loadlab_http_client_health_seconds",
            "histogram",
            "GET /health round trip as a client sees it, timed by loadlab's own client on its own thread.",
        );
        out.histogram(
            "loadlab_http_client_health_seconds",
            &[],
            &client.buckets,
            client.sum_s,
        );
        out.family(
            "loadlab_http_client_health_failures_total",
            "counter",
            "GET /health requests of loadlab's own client that got no 200 answer.",
        );
        out.sample(
            "loadlab_http_client_health_failures_total",
            &[],
            client.failures as f64,
        );
    }
    out.text
}

#[derive(Default)]
struct Exposition {
    text: String,
}

impl Exposition {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (key, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{key}=\"{}\"", escape_label(value));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {}", number(value));
    }

    /// A histogram from `AtomicHistogram` bucket counts, its sum estimated
    /// from the bucket midpoints.
    fn histogram_of_buckets(&mut self, name: &str, labels: &[(&str, &str)], buckets: &[u64]) {
        let sum_ns: f64 = buckets
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(bucket, count)| *count as f64 * bucket_midpoint(bucket) as f64)
            .sum();
        self.histogram(name, labels, buckets, sum_ns / 1e9);
    }

    /// `_bucket` lines (cumulative, `le` ascending, `+Inf` last), `_sum`, `_count`.
    /// A fine bucket counts under the first `le` its largest value fits.
    fn histogram(&mut self, name: &str, labels: &[(&str, &str)], buckets: &[u64], sum_s: f64) {
        let mut below = [0u64; LE_SECONDS.len()];
        let mut count = 0u64;
        for (bucket, n) in buckets.iter().enumerate().filter(|(_, n)| **n > 0) {
            count += n;
            let upper_s = bucket_upper(bucket) as f64 / 1e9;
            if let Some(first) = LE_SECONDS.iter().position(|le| upper_s <= *le) {
                below[first] += n;
            }
        }
        let bucket_name = format!("{name}_bucket");
        let mut cumulative = 0u64;
        for (le, n) in LE_SECONDS.iter().zip(below) {
            cumulative += n;
            let le = number(*le);
            let mut pairs = labels.to_vec();
            pairs.push(("le", &le));
            self.sample(&bucket_name, &pairs, cumulative as f64);
        }
        let mut pairs = labels.to_vec();
        pairs.push(("le", "+Inf"));
        self.sample(&bucket_name, &pairs, count as f64);
        self.sample(&format!("{name}_sum"), labels, sum_s);
        self.sample(&format!("{name}_count"), labels, count as f64);
    }
}

/// A sample value: Go's float syntax (`+Inf`, `-Inf`, `NaN`, plain decimals).
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{value}")
    }
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::atomic_histogram::bucket_of;
    use crate::metrics::percentiles::empty_buckets;

    #[test]
    fn a_histogram_is_cumulative_and_ends_with_inf() {
        let mut buckets = empty_buckets();
        buckets[bucket_of(20_000)] += 2; // 20 us
        buckets[bucket_of(3_000_000)] += 1; // 3 ms
        buckets[bucket_of(60_000_000_000)] += 1; // 60 s: past every bound
        let mut out = Exposition::default();
        out.histogram("x_seconds", &[("route", "/a")], &buckets, 1.5);
        let text = out.text;
        assert!(
            text.contains("x_seconds_bucket{route=\"/a\",le=\"0.00001\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("x_seconds_bucket{route=\"/a\",le=\"0.000025\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("x_seconds_bucket{route=\"/a\",le=\"0.0025\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("x_seconds_bucket{route=\"/a\",le=\"0.005\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("x_seconds_bucket{route=\"/a\",le=\"10\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("x_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"),
            "{text}"
        );
        assert!(text.contains("x_seconds_sum{route=\"/a\"} 1.5\n"), "{text}");
        assert!(text.contains("x_seconds_count{route=\"/a\"} 4\n"), "{text}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
