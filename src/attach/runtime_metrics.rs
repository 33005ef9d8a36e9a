//! The tokio runtime metrics on a Prometheus page, found by tokio-metrics'
//! names (its `RuntimeMetrics` fields behind a `tokio_` prefix, as its
//! metrics-rs reporter exports them: `tokio_workers_count`,
//! `tokio_total_busy_duration`, ...), and what two readings of them say:
//! counters per second and the share of the workers' time spent busy.

use super::prometheus_text::Sample;
use crate::bounds;
use crate::metrics::attached::{MetricSeries, MetricType};

/// tokio-metrics' `RuntimeMetrics` fields (durations flagged), plus tokio's
/// own names for two of them.
const FIELDS: &[(&str, bool)] = &[
    ("workers_count", false),
    ("num_workers", false),
    ("live_tasks_count", false),
    ("num_alive_tasks", false),
    ("global_queue_depth", false),
    ("total_park_count", false),
    ("max_park_count", false),
    ("min_park_count", false),
    ("total_busy_duration", true),
    ("max_busy_duration", true),
    ("min_busy_duration", true),
    ("busy_ratio", false),
    ("elapsed", true),
    ("mean_poll_duration", true),
    ("mean_poll_duration_worker_min", true),
    ("mean_poll_duration_worker_max", true),
    ("mean_polls_per_park", false),
    ("total_noop_count", false),
    ("max_noop_count", false),
    ("min_noop_count", false),
    ("total_steal_count", false),
    ("max_steal_count", false),
    ("min_steal_count", false),
    ("total_steal_operations", false),
    ("max_steal_operations", false),
    ("min_steal_operations", false),
    ("num_remote_schedules", false),
    ("total_local_schedule_count", false),
    ("max_local_schedule_count", false),
    ("min_local_schedule_count", false),
    ("total_overflow_count", false),
    ("max_overflow_count", false),
    ("min_overflow_count", false),
    ("total_polls_count", false),
    ("max_polls_count", false),
    ("min_polls_count", false),
    ("total_local_queue_depth", false),
    ("max_local_queue_depth", false),
    ("min_local_queue_depth", false),
    ("blocking_queue_depth", false),
    ("blocking_threads_count", false),
    ("idle_blocking_threads_count", false),
    ("budget_forced_yield_count", false),
    ("io_driver_ready_count", false),
];

/// The tokio-metrics field `name` is, and its unit: `tokio_FIELD` after
/// any namespace, then an optional unit (`_seconds`, `_microseconds`,
/// `_us`, on durations only) and an optional `_total`.
pub fn field_of(name: &str) -> Option<(&'static str, &'static str)> {
    let name = name.strip_suffix("_total").unwrap_or(name);
    name.match_indices("tokio_")
        .filter(|(at, _)| *at == 0 || name[..*at].ends_with('_'))
        .find_map(|(at, prefix)| {
            let rest = &name[at + prefix.len()..];
            let (rest, unit) = [("_seconds", "s"), ("_microseconds", "us"), ("_us", "us")]
                .iter()
                .find_map(|(suffix, unit)| rest.strip_suffix(suffix).map(|r| (r, Some(*unit))))
                .unwrap_or((rest, None));
            let (field, duration) = FIELDS.iter().find(|(field, _)| *field == rest)?;
            match (duration, unit) {
                (true, Some(unit)) => Some((*field, unit)),
                (true, None) => Some((*field, "us")),
                (false, None) => Some((*field, "count")),
                (false, Some(_)) => None,
            }
        })
}

/// Could `name` be a tokio runtime series? (A cheap test before `field_of`.)
pub fn maybe_tokio(name: &str) -> bool {
    name.contains("tokio_")
}

/// The tokio series among a page's samples, at most `METRICS_SERIES_MAX`.
pub fn tokio_series(samples: &[Sample<'_>]) -> Vec<MetricSeries> {
    samples
        .iter()
        .filter(|sample| sample.value.is_finite())
        .filter_map(|sample| {
            let (field, unit) = field_of(sample.name)?;
            Some(MetricSeries {
                name: sample.name.to_string(),
                labels: crate::format::escape_control(sample.labels).into_owned(),
                field: field.to_string(),
                kind: sample.kind,
                value: sample.value,
                per_s: None,
                unit: unit.to_string(),
            })
        })
        .take(bounds::METRICS_SERIES_MAX)
        .collect()
}

/// `later`'s series with each counter's growth per second since `earlier`
/// (`span_s` apart); a counter that went down (the target restarted it)
/// gets none.
pub fn with_rates(
    earlier: &[MetricSeries],
    later: &[MetricSeries],
    span_s: f64,
) -> Vec<MetricSeries> {
    later
        .iter()
        .map(|series| MetricSeries {
            per_s: growth(earlier, series)
                .map(|grown| grown / span_s)
                .filter(|_| span_s > 0.0),
            ..series.clone()
        })
        .collect()
}

/// The share of the workers' time spent busy between two readings: the
/// growth of every `total_busy_duration` over the span times every
/// runtime's `workers_count`, percent.
pub fn busy_pct(earlier: &[MetricSeries], later: &[MetricSeries], span_s: f64) -> Option<f64> {
    let busy_s: f64 = later
        .iter()
        .filter(|series| series.field == "total_busy_duration")
        .map(|series| {
            growth(earlier, series).map(|grown| match series.unit.as_str() {
                "s" => grown,
                _ => grown / 1e6,
            })
        })
        .sum::<Option<f64>>()?;
    let workers: f64 = later
        .iter()
        .filter(|series| matches!(series.field.as_str(), "workers_count" | "num_workers"))
        .map(|series| series.value)
        .sum();
    let counted = later
        .iter()
        .any(|series| series.field == "total_busy_duration");
    (counted && workers > 0.0 && span_s > 0.0).then(|| busy_s / (span_s * workers) * 100.0)
}

/// How much a counter grew since `earlier` (None for gauges, a series
/// `earlier` lacks, or one that went down).
fn growth(earlier: &[MetricSeries], series: &MetricSeries) -> Option<f64> {
    let counter = series.kind == MetricType::Counter
        || (series.kind == MetricType::Untyped && series.name.ends_with("_total"));
    if !counter {
        return None;
    }
    let before = earlier
        .iter()
        .find(|old| old.name == series.name && old.labels == series.labels)?;
    (series.value >= before.value).then_some(series.value - before.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokio_metrics_names_with_namespaces_units_and_total() {
        assert_eq!(
            field_of("tokio_workers_count"),
            Some(("workers_count", "count"))
        );
        assert_eq!(
            field_of("myapp_tokio_total_busy_duration"),
            Some(("total_busy_duration", "us"))
        );
        assert_eq!(
            field_of("tokio_total_busy_duration_seconds_total"),
            Some(("total_busy_duration", "s"))
        );
        assert_eq!(
            field_of("tokio_total_park_count_total"),
            Some(("total_park_count", "count"))
        );
        assert_eq!(
            field_of("tokio_num_alive_tasks"),
            Some(("num_alive_tasks", "count"))
        );
        // A count with a time unit, a name that merely contains the prefix,
        // and fields tokio-metrics does not have.
        assert_eq!(field_of("tokio_workers_count_seconds"), None);
        assert_eq!(field_of("notokio_workers_count"), None);
        assert_eq!(field_of("tokio_http_requests_total"), None);
    }

    fn series(name: &str, kind: MetricType, value: f64) -> MetricSeries {
        let (field, unit) = field_of(name).unwrap();
        MetricSeries {
            name: name.into(),
            labels: String::new(),
            field: field.into(),
            kind,
            value,
            per_s: None,
            unit: unit.into(),
        }
    }

    #[test]
    fn counters_grow_per_second_and_busy_is_a_share_of_the_workers() {
        let earlier = vec![
            series("tokio_workers_count", MetricType::Gauge, 2.0),
            series(
                "tokio_total_busy_duration",
                MetricType::Counter,
                1_000_000.0,
            ),
            series("tokio_total_park_count", MetricType::Counter, 10.0),
        ];
        let later = vec![
            series("tokio_workers_count", MetricType::Gauge, 2.0),
            // 3 s of busy workers in 2 s: 75% of 2 workers.
            series(
                "tokio_total_busy_duration",
                MetricType::Counter,
                4_000_000.0,
            ),
            series("tokio_total_park_count", MetricType::Counter, 30.0),
        ];
        let rated = with_rates(&earlier, &later, 2.0);
        assert_eq!(rated[0].per_s, None);
        assert_eq!(rated[2].per_s, Some(10.0));
        assert_eq!(busy_pct(&earlier, &later, 2.0), Some(75.0));
        // Restarted (went down): no rate and no busy share.
        let restarted = vec![
            series("tokio_workers_count", MetricType::Gauge, 2.0),
            series("tokio_total_busy_duration", MetricType::Counter, 10.0),
        ];
        assert_eq!(busy_pct(&earlier, &restarted, 2.0), None);
        assert_eq!(busy_pct(&earlier, &later[..1], 2.0), None);
    }
}
