//! `--metrics URL`: reads the target's Prometheus page once a second on a
//! thread of its own (a slow page never delays the thread sampling), keeps
//! the tokio runtime series of the first and the last two pages read, and
//! counts the reads that gave no page.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::AttachError;
use super::probe_url::LoopbackUrl;
use super::{http_get, prometheus_text, runtime_metrics};
use crate::bounds;
use crate::metrics::attached::{AttachedMetrics, MetricSeries};

/// One page read: its tokio series and how many samples it held.
#[derive(Clone, Debug)]
struct Page {
    at: Instant,
    series: Vec<MetricSeries>,
    samples: usize,
}

#[derive(Default)]
struct Readings {
    scrapes: u64,
    failures: u64,
    latest_failure: Option<String>,
    failing: bool,
    first: Option<Page>,
    previous: Option<Page>,
    latest: Option<Page>,
}

/// Which span a view's rates cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// The last two pages: the dashboard's now.
    Latest,
    /// The first page to the last: a report's whole attach.
    Whole,
}

pub struct MetricsScraper {
    pub url: LoopbackUrl,
    readings: Arc<Mutex<Readings>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsScraper {
    /// The scraper the user asked for, if any, started.
    pub fn start_if_asked(url: Option<LoopbackUrl>) -> Result<Option<MetricsScraper>, AttachError> {
        url.map(MetricsScraper::start).transpose()
    }

    pub fn start(url: LoopbackUrl) -> Result<MetricsScraper, AttachError> {
        let readings = Arc::new(Mutex::new(Readings::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (url, readings, stop) = (url.clone(), readings.clone(), stop.clone());
            std::thread::Builder::new()
                .name("metrics-scraper".into())
                .spawn(move || scrape_until_stopped(&url, &readings, &stop))
                .map_err(|error| AttachError::CannotStart {
                    cause: format!("the metrics reader: {error}"),
                })?
        };
        Ok(MetricsScraper {
            url,
            readings,
            stop,
            thread: Some(thread),
        })
    }

    /// What the pages read so far say, rates over `span`.
    pub fn view(&self, span: Span) -> AttachedMetrics {
        let Ok(readings) = self.readings.lock() else {
            return AttachedMetrics {
                url: self.url.text.clone(),
                ..AttachedMetrics::default()
            };
        };
        let baseline = match span {
            Span::Latest => readings.previous.as_ref(),
            Span::Whole => readings.first.as_ref(),
        };
        let (series, busy_pct, span_s, samples_on_page) = match (&readings.latest, baseline) {
            (Some(latest), Some(baseline)) if latest.at > baseline.at => {
                let span_s = latest.at.duration_since(baseline.at).as_secs_f64();
                (
                    runtime_metrics::with_rates(&baseline.series, &latest.series, span_s),
                    runtime_metrics::busy_pct(&baseline.series, &latest.series, span_s),
                    span_s,
                    latest.samples,
                )
            }
            (Some(latest), _) => (latest.series.clone(), None, 0.0, latest.samples),
            (None, _) => (Vec::new(), None, 0.0, 0),
        };
        AttachedMetrics {
            url: self.url.text.clone(),
            scrapes: readings.scrapes,
            failures: readings.failures,
            latest_failure: readings.latest_failure.clone(),
            failing: readings.failing,
            samples_on_page,
            series,
            busy_pct,
            span_s,
        }
    }

    /// Stops at once (a read in progress is abandoned within a tenth of a second).
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for MetricsScraper {
    fn drop(&mut self) {
        self.stop();
    }
}

fn scrape_until_stopped(url: &LoopbackUrl, readings: &Mutex<Readings>, stop: &AtomicBool) {
    let mut next = Instant::now();
    while !stop.load(Ordering::Acquire) {
        let outcome = http_get::get(
            url,
            bounds::METRICS_SCRAPE_TIMEOUT,
            bounds::METRICS_PAGE_MAX_BYTES,
            stop,
        )
        .map_err(|error| error.to_string())
        .and_then(|body| {
            read_page(&String::from_utf8_lossy(&body)).map_err(|error| error.to_string())
        });
        if stop.load(Ordering::Acquire) {
            return;
        }
        let Ok(mut state) = readings.lock() else {
            return;
        };
        state.scrapes += 1;
        match outcome {
            Ok((series, samples)) => {
                let page = Page {
                    at: Instant::now(),
                    series,
                    samples,
                };
                state.failing = false;
                if state.first.is_none() {
                    state.first = Some(page.clone());
                }
                state.previous = state.latest.replace(page);
            }
            Err(cause) => {
                state.failures += 1;
                state.failing = true;
                state.latest_failure = Some(crate::format::escape_control(&cause).into_owned());
            }
        }
        drop(state);
        // A slow page delays the next read; reads are not fired in a burst to catch up.
        next = (next + bounds::METRICS_SCRAPE_EVERY).max(Instant::now());
        while !stop.load(Ordering::Acquire) {
            let now = Instant::now();
            if now >= next {
                break;
            }
            std::thread::park_timeout((next - now).min(Duration::from_millis(250)));
        }
    }
}

/// A page none of whose lines is a sample.
#[derive(Debug, thiserror::Error)]
#[error("not Prometheus text ({bad_lines} lines without a sample, the first: {first:?})")]
struct NotPrometheusText {
    bad_lines: usize,
    first: String,
}

/// A page's tokio series and sample count, or why it is not Prometheus text.
fn read_page(text: &str) -> Result<(Vec<MetricSeries>, usize), NotPrometheusText> {
    let page = prometheus_text::parse(text, runtime_metrics::maybe_tokio);
    if page.sample_lines == 0 && page.bad_lines > 0 {
        return Err(NotPrometheusText {
            bad_lines: page.bad_lines,
            first: page.first_bad.unwrap_or_default(),
        });
    }
    Ok((
        runtime_metrics::tokio_series(&page.samples),
        page.sample_lines,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_that_is_not_prometheus_text_is_refused_with_its_first_line() {
        let error = read_page("<html>\n<body>Not here</body>\n</html>\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("not Prometheus text") && error.contains("<html>"),
            "{error}"
        );
        let (series, samples) =
            read_page("# TYPE tokio_workers_count gauge\ntokio_workers_count 4\nother 1\n")
                .unwrap();
        assert_eq!(samples, 2);
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].field, "workers_count");
        assert_eq!(read_page("").unwrap().1, 0);
    }
}
