//! Prometheus' text format read line by line: each sample's name, labels
//! and value, and the type its `# TYPE` line declares. Lines that are not
//! samples are counted, not fatal: a page is garbled only when nothing in it
//! is a sample.

use std::collections::HashMap;

pub use crate::metrics::attached::MetricType;

/// One sample line.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample<'a> {
    pub name: &'a str,
    /// The labels as written between the braces (empty without any).
    pub labels: &'a str,
    pub value: f64,
    pub kind: MetricType,
}

/// A page's samples, and how many of its lines were neither samples nor comments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page<'a> {
    pub samples: Vec<Sample<'a>>,
    /// Sample lines on the page, kept or not.
    pub sample_lines: usize,
    pub bad_lines: usize,
    /// The first bad line, shortened, for the Log.
    pub first_bad: Option<String>,
}

/// Reads `text`; `wanted` picks the samples kept by name (the others are
/// only checked for form).
pub fn parse<'a>(text: &'a str, wanted: impl Fn(&str) -> bool) -> Page<'a> {
    let mut types: HashMap<&str, MetricType> = HashMap::new();
    let mut page = Page::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.split_whitespace();
            if words.next() == Some("TYPE")
                && let (Some(name), Some(kind)) = (words.next(), words.next())
            {
                let kind = match kind {
                    "counter" => MetricType::Counter,
                    "gauge" => MetricType::Gauge,
                    _ => MetricType::Untyped,
                };
                types.insert(name, kind);
            }
            continue;
        }
        match sample(line) {
            Some((name, labels, value)) => {
                page.sample_lines += 1;
                if wanted(name) {
                    // OpenMetrics names a counter's samples `NAME_total`.
                    let kind = types
                        .get(name)
                        .or_else(|| name.strip_suffix("_total").and_then(|n| types.get(n)))
                        .copied()
                        .unwrap_or_default();
                    page.samples.push(Sample {
                        name,
                        labels,
                        value,
                        kind,
                    });
                }
            }
            None => {
                page.bad_lines += 1;
                if page.first_bad.is_none() {
                    page.first_bad = Some(crate::format::truncate(
                        &crate::format::escape_control(line),
                        60,
                    ));
                }
            }
        }
    }
    page
}

/// `name{labels} value [timestamp]`: its name, labels and value.
fn sample(line: &str) -> Option<(&str, &str, f64)> {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut rest = &line[name_end..];
    let mut labels = "";
    if let Some(inside) = rest.strip_prefix('{') {
        let close = label_end(inside)?;
        labels = &inside[..close];
        rest = &inside[close + 1..];
    }
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut fields = rest.split_whitespace();
    let value = number(fields.next()?)?;
    // An optional timestamp, then nothing.
    if let Some(timestamp) = fields.next() {
        timestamp.parse::<i64>().ok()?;
    }
    fields.next().is_none().then_some((name, labels, value))
}

/// Where the labels' closing brace is, skipping braces inside quoted values.
fn label_end(inside: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in inside.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '}' if !quoted => return Some(at),
            _ => {}
        }
    }
    None
}

/// A sample value: a float, `NaN`, `+Inf` or `-Inf`.
fn number(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "\
# HELP tokio_workers_count The number of worker threads.
# TYPE tokio_workers_count gauge
tokio_workers_count 2
# TYPE tokio_total_busy_duration counter
tokio_total_busy_duration{runtime=\"main\",note=\"a } brace\"} 1.5e6 1700000000000
# TYPE tokio_total_park_count counter
tokio_total_park_count_total 42
http_requests_total{route=\"/\"} 7
";

    #[test]
    fn samples_with_labels_types_and_timestamps() {
        let page = parse(PAGE, |name| name.starts_with("tokio_"));
        assert_eq!(page.bad_lines, 0);
        assert_eq!(page.sample_lines, 4);
        assert_eq!(page.samples.len(), 3);
        assert_eq!(page.samples[0].name, "tokio_workers_count");
        assert_eq!(page.samples[0].value, 2.0);
        assert_eq!(page.samples[0].kind, MetricType::Gauge);
        assert_eq!(
            page.samples[1].labels,
            "runtime=\"main\",note=\"a } brace\""
        );
        assert_eq!(page.samples[1].value, 1.5e6);
        assert_eq!(page.samples[1].kind, MetricType::Counter);
        assert_eq!(page.samples[2].kind, MetricType::Counter);
    }

    #[test]
    fn garbled_lines_are_counted_not_fatal() {
        let page = parse(
            "tokio_workers_count 2\n<html>not found</html>\ntokio_x{a=\"1\" 3\ntokio_y 1 2 3\n",
            |_| true,
        );
        assert_eq!(page.samples.len(), 1);
        assert_eq!(page.bad_lines, 3);
        assert_eq!(page.first_bad.as_deref(), Some("<html>not found</html>"));
    }
}
