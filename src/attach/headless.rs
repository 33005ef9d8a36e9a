//! `loadlab attach PID --duration S --format json|text`: watch the target
//! until the duration ends, the target ends or a signal arrives, then report.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::AttachOptions;
use super::error::AttachError;
use super::external::ExternalShare;
use super::metrics_scraper::{MetricsScraper, Span};
use super::pools::PoolRules;
use super::probe::Probe;
use super::report::{AttachReport, PoolSeen, ProbeSummary, ThreadSeen};
use super::target;
use super::verdict::Verdict;
use super::watcher::TargetWatcher;
use crate::bounds;
use crate::metrics::attached::AttachedMetrics;
use crate::metrics::percentiles::percentiles_us;

/// How often a long wait between samples looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(50);

/// Attaches and reports. `stopped` is asked between samples: true ends
/// attach with `interrupted` set.
pub fn run(
    options: &AttachOptions,
    stopped: &dyn Fn() -> bool,
) -> Result<AttachReport, AttachError> {
    let target = target::resolve(&options.target)?;
    let rules = PoolRules::new(&options.groups)?;
    let mut watcher = TargetWatcher::new(target, rules)?;
    let mut probe = Probe::start_if_asked(options.probe.clone())?;
    let mut scraper = MetricsScraper::start_if_asked(options.metrics.clone())?;
    let mut events = Vec::new();
    // The first sample is the baseline; the watch starts once it is read,
    // so `elapsed_s` never covers time no thread's figure covers.
    let mut watching = watcher.sample(Instant::now(), &mut events);
    let started = Instant::now();
    let external = ExternalShare::start(watcher.cpu_ticks());
    let deadline = options.duration.map(|duration| started + duration);
    let mut cpu_ticks = watcher.cpu_ticks();
    let mut next = started;
    let mut interrupted = false;
    // Each sample's start: every thread is read at or after it, so the watch
    // ends there.
    let mut last_sample_at = started;
    while watching {
        next += options.sample_every;
        if let Some(deadline) = deadline {
            next = next.min(deadline);
        }
        interrupted = wait_until(next, stopped);
        events.clear();
        let now = Instant::now();
        // The last sample reads every thread, so the report's totals are exact.
        let last = interrupted || deadline.is_some_and(|deadline| now >= deadline);
        let alive = if last {
            watcher.sample_all(now, &mut events)
        } else {
            watcher.sample(now, &mut events)
        };
        if alive {
            last_sample_at = now;
            cpu_ticks = watcher.cpu_ticks().or(cpu_ticks);
        }
        watching = alive && !last;
    }
    let elapsed_s = last_sample_at.duration_since(started).as_secs_f64();
    let external_cpu_pct = external.pct(cpu_ticks);
    let probe_summary = probe.as_mut().map(|probe| {
        probe.stop();
        let reading = probe.read();
        let round_trips = percentiles_us(&reading.buckets);
        (
            ProbeSummary {
                url: probe.url.text.clone(),
                // Bucket midpoints (within 3%) never above the exact maximum.
                p50_us: round_trips.p50.min(reading.max_us),
                p99_us: round_trips.p99.min(reading.max_us),
                max_us: reading.max_us,
                samples: round_trips.count,
                failures: reading.failures,
            },
            round_trips,
            reading.latest_cause,
        )
    });
    let verdict = Verdict::of(
        probe_summary
            .as_ref()
            .map(|(_, round_trips, _)| round_trips),
        options.starved_threshold_ms,
    );
    let metrics = scraper.as_mut().map(|scraper| {
        scraper.stop();
        scraper.view(Span::Whole)
    });
    let mut warnings = Vec::new();
    if let Some(metrics) = &metrics {
        warnings.extend(metrics_warning(metrics));
    }
    if let Some((summary, _, cause)) = &probe_summary {
        if summary.failures > 0 {
            warnings.push(format!(
                "the probe got no 2xx answer {} times (the latest: {})",
                summary.failures,
                cause.as_deref().unwrap_or("unknown")
            ));
        }
        if summary.samples == 0 {
            warnings.push("the probe got no answer at all: the verdict is unknown".to_string());
        }
    }
    if let Some(external) = external_cpu_pct.filter(|pct| *pct > bounds::BUSY_EXTERNAL_CPU_PCT) {
        warnings.push(format!(
            "other programs used {external:.0}% of the CPUs: the target's threads may have waited for a CPU because of them"
        ));
    }
    let (threads, unlisted) = watcher.threads_seen();
    if unlisted > 0 {
        warnings.push(format!(
            "{unlisted} more exited threads are not listed (their CPU counts in their pools)"
        ));
    }
    Ok(AttachReport {
        pid: watcher.target.pid,
        command: watcher.target.command.clone(),
        elapsed_s,
        threads_seen: threads
            .into_iter()
            .map(|t| ThreadSeen {
                name: t.name.to_string(),
                tid: t.tid,
                pool: t.pool.to_string(),
                cpu_s: t.cpu_s,
                wait_s: t.wait_s,
            })
            .collect(),
        pools: watcher
            .pools()
            .into_iter()
            .map(|(pool, totals): (Arc<str>, _)| PoolSeen {
                pool: pool.to_string(),
                threads: totals.threads,
                cpu_s: totals.cpu_s,
                wait_s: totals.wait_s,
            })
            .collect(),
        probe: probe_summary.map(|(summary, _, _)| summary),
        metrics,
        verdict,
        starved_threshold_ms: options.starved_threshold_ms,
        external_cpu_pct,
        target_exited: watcher.ended(),
        interrupted,
        warnings,
    })
}

/// What makes the `--metrics` figures missing or doubtful, in a sentence.
fn metrics_warning(metrics: &AttachedMetrics) -> Option<String> {
    let cause = metrics.latest_failure.as_deref().unwrap_or("unknown");
    if metrics.scrapes == metrics.failures && metrics.failures > 0 {
        Some(format!(
            "{} could not be read ({} tries; the latest: {cause})",
            metrics.url, metrics.failures
        ))
    } else if metrics.failures > 0 {
        Some(format!(
            "{} could not be read {} of {} times (the latest: {cause})",
            metrics.url, metrics.failures, metrics.scrapes
        ))
    } else if metrics.scrapes > 0 && metrics.series.is_empty() {
        Some(format!(
            "{} has no tokio runtime metrics among its {} samples (tokio-metrics' names, e.g. tokio_workers_count)",
            metrics.url, metrics.samples_on_page
        ))
    } else {
        None
    }
}

/// Sleeps until `at`; true when `stopped` said so first.
fn wait_until(at: Instant, stopped: &dyn Fn() -> bool) -> bool {
    loop {
        if stopped() {
            return true;
        }
        let now = Instant::now();
        if now >= at {
            return false;
        }
        std::thread::sleep((at - now).min(STOP_POLL));
    }
}
