//! Runtime health while attached to another process: its probe's round
//! trips (timed from loadlab's own thread) against the threshold, or how to
//! add a probe when there is none.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::metrics::attached::{AttachedMetrics, AttachedProbe, AttachedView};
use crate::ui::app::App;
use crate::ui::focus::PanelId;
use crate::ui::format::{escape_control, micros};

use super::health::triple;
use super::{panel_block, render_fitted};

pub fn render(frame: &mut Frame, area: Rect, app: &App, attached: &AttachedView, focused: bool) {
    let theme = app.theme;
    let block = panel_block(PanelId::Health, vec![], focused, theme, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let limit = attached.threshold_ms * 1e3;
    let (badge, style) = match attached.verdict.as_str() {
        "healthy" => (" HEALTHY ", theme.good()),
        "starved" => (" STARVED ", theme.bad()),
        _ => (" UNKNOWN ", theme.warn()),
    };
    let mut lines = Vec::new();
    match &attached.probe {
        Some(probe) => probe_lines(&mut lines, app, attached, probe, badge, style),
        None => {
            lines.push(Line::from(vec![
                Span::styled(badge, theme.badge(style)),
                Span::styled(" no probe", theme.label()),
            ]));
            lines.push(Line::raw("to judge the target's runtime, add"));
            lines.push(Line::styled(
                "  --probe http://127.0.0.1:PORT/health",
                theme.key(),
            ));
            lines.push(Line::styled(
                "loadlab then GETs it 10/s from its own",
                theme.label(),
            ));
            lines.push(Line::styled(
                format!("thread: STARVED when p99 over 1 s > {}", micros(limit)),
                theme.label(),
            ));
        }
    }
    if let Some(metrics) = &attached.metrics {
        metrics_lines(&mut lines, app, metrics);
    }
    render_fitted(frame, inner, lines);
}

fn probe_lines(
    lines: &mut Vec<Line<'static>>,
    app: &App,
    attached: &AttachedView,
    probe: &AttachedProbe,
    badge: &'static str,
    style: Style,
) {
    let theme = app.theme;
    let limit = attached.threshold_ms * 1e3;
    let window = &probe.window;
    let (relation, figure) = if window.count == 0 {
        ("", "-".to_string())
    } else if window.p99 > limit {
        (" >", micros(window.p99))
    } else {
        (" ≤", micros(window.p99))
    };
    lines.push(Line::from(vec![
        Span::styled(badge, theme.badge(style)),
        Span::raw(" probe p99 "),
        Span::styled(figure, style),
        Span::styled(format!("{relation} limit {}", micros(limit)), theme.label()),
    ]));
    lines.push(Line::from(vec![
        Span::styled("GET ", theme.label()),
        Span::raw(escape_control(&probe.url).into_owned()),
        Span::styled(" 10/s from loadlab's thread", theme.label()),
    ]));
    lines.push(Line::from(vec![
        Span::styled("last 1 s ", theme.label()),
        Span::styled(triple(window), style),
    ]));
    lines.push(Line::from(vec![
        Span::styled("all      ", theme.label()),
        Span::raw(format!(
            "{} ({} answers)",
            triple(&probe.cumulative),
            probe.cumulative.count
        )),
    ]));
    if probe.failures > 0 {
        lines.push(Line::from(vec![
            Span::styled(format!("failures {} ", probe.failures), theme.bad()),
            Span::raw(
                probe
                    .latest_failure
                    .as_deref()
                    .map(|cause| format!("latest: {}", escape_control(cause)))
                    .unwrap_or_default(),
            ),
        ]));
    }
    if attached.verdict == "unknown" && window.count == 0 {
        lines.push(Line::styled(
            "no answer in the last second: no verdict",
            theme.warn(),
        ));
    }
    if attached.target_exited {
        lines.push(Line::styled(
            "the target has ended: probing stopped",
            theme.warn(),
        ));
    }
}

/// The tokio runtime metrics `--metrics` reads: the busy share of the
/// workers, then one series a row; or why there are none.
fn metrics_lines(lines: &mut Vec<Line<'static>>, app: &App, metrics: &AttachedMetrics) {
    let theme = app.theme;
    lines.push(Line::raw(""));
    let url = escape_control(&metrics.url).into_owned();
    let cause = metrics
        .latest_failure
        .as_deref()
        .map(|cause| escape_control(cause).into_owned())
        .unwrap_or_default();
    if metrics.scrapes == 0 {
        lines.push(Line::styled(
            format!("metrics {url}: reading..."),
            theme.label(),
        ));
        return;
    }
    if metrics.scrapes == metrics.failures {
        lines.push(Line::styled(
            format!("metrics {url}: cannot read it"),
            theme.bad(),
        ));
        lines.push(Line::styled(cause, theme.bad()));
        return;
    }
    if metrics.series.is_empty() {
        lines.push(Line::styled(
            format!(
                "metrics {url}: no tokio runtime metrics in {} samples",
                metrics.samples_on_page
            ),
            theme.warn(),
        ));
        lines.push(Line::styled(
            "(tokio-metrics' names, e.g. tokio_workers_count)",
            theme.label(),
        ));
        return;
    }
    let mut head = vec![Span::styled("tokio ", theme.title())];
    if let Some(busy) = metrics.busy_pct {
        head.push(Span::raw(format!("busy {busy:.0}% of its workers' time ")));
    }
    head.push(Span::styled(format!("from {url}"), theme.label()));
    lines.push(Line::from(head));
    if metrics.failing {
        lines.push(Line::styled(
            format!("last read failed: {cause}"),
            theme.warn(),
        ));
    }
    for series in &metrics.series {
        let labels = if series.labels.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", series.labels)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{}{labels} ", series.field), theme.label()),
            Span::raw(series.value_text()),
        ]));
    }
}
