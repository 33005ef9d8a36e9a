//! One file per panel. Each draws from the App's displayed data into a Rect.

pub mod attached_header;
pub mod attached_health;
pub mod header;
pub mod health;
pub mod latency;
pub mod log;
pub mod system;
pub mod threads;
pub mod throughput;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::app::App;
use super::cell_text::CellLines;
use super::fit::{Segment, fit_lines, fit_segments};
use super::focus::PanelId;
use super::panel_frame::PanelFrame;
use super::theme::Theme;

/// Draws one panel, with a highlighted border when focused.
pub fn render(frame: &mut Frame, area: Rect, app: &App, panel: PanelId, focused: bool) {
    match panel {
        PanelId::Throughput => throughput::render(frame, area, app, focused),
        PanelId::Latency => latency::render(frame, area, app, focused),
        PanelId::Threads => threads::render(frame, area, app, focused),
        PanelId::Health => match &app.shown().snapshot.attached {
            Some(attached) => attached_health::render(frame, area, app, attached, focused),
            None => health::render(frame, area, app, focused),
        },
        PanelId::System => system::render(frame, area, app, focused),
        PanelId::Log => log::render(frame, area, app, focused),
    }
}

/// The bordered frame every panel draws in; `extra` spans follow the panel
/// name, each shown whole or dropped (the last first) when `width` is too narrow.
pub fn panel_block<'a>(
    panel: PanelId,
    extra: Vec<Span<'a>>,
    focused: bool,
    theme: Theme,
    width: u16,
) -> PanelFrame<'static> {
    let (border, title_style) = if focused {
        (theme.focused_border(), theme.focused_title())
    } else {
        (theme.border(), theme.title())
    };
    let mut segments = vec![Segment::new(
        0,
        vec![Span::styled(format!(" {} ", panel.title()), title_style)],
    )];
    segments.extend(
        extra
            .into_iter()
            .enumerate()
            .map(|(i, span)| Segment::new(u8::try_from(i + 1).unwrap_or(u8::MAX), vec![span])),
    );
    // The corners take one cell each.
    let title = fit_segments(
        segments,
        Span::raw(""),
        usize::from(width.saturating_sub(2)),
    );
    PanelFrame::new(title, border)
}

/// Lines drawn into `area`, each shortened with an ellipsis when too wide.
pub fn render_fitted(frame: &mut Frame, area: Rect, lines: Vec<Line<'_>>) {
    frame.render_widget(
        CellLines::new(fit_lines(lines, usize::from(area.width))),
        area,
    );
}

/// A heat strip: one character per value (0..100 %), taller blocks for more.
pub fn heat_strip(values: impl Iterator<Item = f64>) -> String {
    const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .map(|v| {
            let v = if v.is_finite() {
                v.clamp(0.0, 100.0)
            } else {
                0.0
            };
            let level = if v < 0.5 {
                0
            } else {
                ((v / 100.0 * 8.0).ceil() as usize).clamp(1, 8)
            };
            LEVELS[level]
        })
        .collect()
}

/// A horizontal bar of `width` cells filled to `pct` (0..100).
pub fn bar(pct: f64, width: usize) -> String {
    let pct = if pct.is_finite() {
        pct.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let filled = ((pct / 100.0) * width as f64).round() as usize;
    let mut out = "█".repeat(filled.min(width));
    out.push_str(&"░".repeat(width - filled.min(width)));
    out
}

type Point = (f64, f64);

/// At most two points (the lowest and the highest, in time order) per bucket of
/// `[start, end]`, so spikes and dips survive while the chart stays cheap to draw.
pub fn downsample(points: &[(f64, f64)], start: f64, end: f64, buckets: usize) -> Vec<(f64, f64)> {
    if points.len() <= buckets * 2 || buckets == 0 || end <= start {
        return points.to_vec();
    }
    let width = (end - start) / buckets as f64;
    let mut out = Vec::with_capacity(buckets * 2);
    // (bucket, lowest point, highest point) of the bucket being filled.
    let mut current: Option<(usize, Point, Point)> = None;
    let flush = |out: &mut Vec<(f64, f64)>, lo: (f64, f64), hi: (f64, f64)| {
        if lo == hi {
            out.push(lo);
        } else if lo.0 <= hi.0 {
            out.extend([lo, hi]);
        } else {
            out.extend([hi, lo]);
        }
    };
    for &p in points {
        let bucket = (((p.0 - start) / width).max(0.0) as usize).min(buckets - 1);
        current = match current {
            Some((b, lo, hi)) if b == bucket => Some((
                b,
                if p.1 < lo.1 { p } else { lo },
                if p.1 > hi.1 { p } else { hi },
            )),
            Some((_, lo, hi)) => {
                flush(&mut out, lo, hi);
                Some((bucket, p, p))
            }
            None => Some((bucket, p, p)),
        };
    }
    if let Some((_, lo, hi)) = current {
        flush(&mut out, lo, hi);
    }
    out
}

/// Axis labels for `[now - span, now]`, e.g. `-2m`, `-1m`, `now`.
pub fn time_labels(span_s: f64) -> Vec<Line<'static>> {
    let half = span_s / 2.0;
    let fmt = |s: f64| {
        if s >= 60.0 && (s % 60.0).abs() < 1e-9 {
            format!("-{}m", (s / 60.0) as u64)
        } else {
            format!("-{}s", s.round() as u64)
        }
    };
    vec![
        Line::raw(fmt(span_s)),
        Line::raw(fmt(half)),
        Line::raw("now"),
    ]
}

/// One line of a time chart.
pub struct Series {
    pub name: String,
    pub style: ratatui::style::Style,
    pub points: Vec<(f64, f64)>,
}

/// The time a chart covers: `seconds` up to `end`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartSpan {
    pub end: f64,
    pub seconds: f64,
}

impl ChartSpan {
    /// The time of the chart's left edge.
    pub fn start(self) -> f64 {
        self.end - self.seconds
    }
}

/// A braille line chart over `span`, with a
/// dotted vertical line at each of `markers` (configuration changes).
pub fn render_time_chart(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    span: ChartSpan,
    series: &[Series],
    markers: &[f64],
    y_label: fn(f64) -> String,
) {
    use ratatui::symbols::Marker;
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition};

    if area.width < 12 || area.height < 3 {
        return;
    }
    let (now, span_s) = (span.end, span.seconds);
    let start = now - span_s;
    // Two braille dots per cell: more points than that only cost time.
    let buckets = usize::from(area.width) * 2;
    // Only the window's points: older peaks must not set the scale.
    let in_window = |points: &[(f64, f64)]| -> usize { points.partition_point(|p| p.0 < start) };
    let thinned: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| downsample(&s.points[in_window(&s.points)..], start, now, buckets))
        .collect();
    let y_max = thinned
        .iter()
        .flat_map(|points| points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let y_top = if y_max > 0.0 { y_max * 1.1 } else { 1.0 };
    let marker_points: Vec<[(f64, f64); 2]> = markers
        .iter()
        .filter(|t| **t >= start)
        .map(|t| [(*t, 0.0), (*t, y_top)])
        .collect();
    let mut datasets: Vec<Dataset> = marker_points
        .iter()
        .map(|pts| {
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(theme.marker())
                .data(pts)
        })
        .collect();
    let named = series.len() > 1;
    for (s, points) in series.iter().zip(&thinned) {
        let dataset = Dataset::default();
        // One series is named by the panel title; a legend would only hide data.
        let dataset = if named {
            dataset.name(s.name.clone())
        } else {
            dataset
        };
        datasets.push(
            dataset
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(s.style)
                .data(points),
        );
    }
    // Short charts keep their rows for data: the help and `t` say the span.
    let x_labels = if area.height >= 7 {
        time_labels(span_s)
    } else {
        Vec::new()
    };
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([start, now])
                .labels(x_labels)
                .style(theme.label()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, y_top])
                .labels(vec![
                    Line::raw("0"),
                    Line::raw(y_label(y_top / 2.0)),
                    Line::raw(y_label(y_top)),
                ])
                .style(theme.label()),
        )
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((
            ratatui::layout::Constraint::Percentage(60),
            ratatui::layout::Constraint::Percentage(60),
        ));
    frame.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsample_keeps_extremes_in_time_order() {
        let points: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, (i % 10) as f64)).collect();
        let thin = downsample(&points, 0.0, 100.0, 10);
        assert_eq!(thin.len(), 20);
        assert_eq!(&thin[..2], &[(0.0, 0.0), (9.0, 9.0)]);
        assert!(thin.windows(2).all(|w| w[0].0 <= w[1].0));
        let short = downsample(&points[..5], 0.0, 100.0, 10);
        assert_eq!(short.len(), 5);
    }

    #[test]
    fn heat_strip_maps_percent_to_block_height() {
        assert_eq!(
            heat_strip([0.0, 10.0, 50.0, 100.0, 250.0].into_iter()),
            " ▁▄██"
        );
        assert_eq!(bar(50.0, 4), "██░░");
        assert_eq!(bar(f64::NAN, 2), "░░");
    }
}
