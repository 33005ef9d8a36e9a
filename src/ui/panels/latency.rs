//! Latency: p50/p90/p99/max of queue wait, service and total over the last
//! window, the all-time total, and total p50/p99 over time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::metrics::snapshot::Percentiles;
use crate::ui::app::App;
use crate::ui::focus::PanelId;
use crate::ui::format::{duration_s, micros};

use super::{ChartSpan, Series, panel_block, render_fitted, render_time_chart};

/// Width of the figures table.
const TABLE_W: u16 = 44;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let data = app.shown();
    let s = &data.snapshot;
    let all = &s.latency.cumulative.total;
    let since = if all.count == 0 {
        "· since reset: no task ended ".to_string()
    } else {
        format!("· since reset p99 {} ", micros(all.p99))
    };
    let block = panel_block(
        PanelId::Latency,
        vec![
            Span::styled(
                format!("window {} ", duration_s(s.window_s.max(1.0))),
                theme.label(),
            ),
            Span::styled(since, theme.dim()),
        ],
        focused,
        theme,
        area.width,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = &s.latency.window;
    // Columns shrink to fit a 40-column panel ("11.8ms" is the widest figure).
    let cw = ((inner.width as usize).saturating_sub(8) / 4).clamp(7, 9);
    let row = |name: &str, p: &Percentiles| {
        let cells = if p.count == 0 {
            format!("{:>cw$}{:>cw$}{:>cw$}{:>cw$}", "-", "-", "-", "-")
        } else {
            format!(
                "{:>cw$}{:>cw$}{:>cw$}{:>cw$}",
                micros(p.p50),
                micros(p.p90),
                micros(p.p99),
                micros(p.max)
            )
        };
        Line::from(vec![
            Span::styled(format!("{name:<8}"), theme.label()),
            Span::raw(cells),
        ])
    };
    let lines = vec![
        Line::styled(
            format!(
                "{:<8}{:>cw$}{:>cw$}{:>cw$}{:>cw$}",
                "", "p50", "p90", "p99", "max"
            ),
            theme.label(),
        ),
        row("queue", &w.queue),
        row("service", &w.service),
        row("total", &w.total),
    ];
    let now = data.history.now();
    let span = ChartSpan {
        end: now,
        seconds: app.view.chart_window.seconds(),
    };
    let chart_series = || {
        [
            Series {
                name: "total p99".into(),
                style: theme.series(1),
                points: data.history.series(span.start(), |x| x.total_p99_us),
            },
            Series {
                name: "total p50".into(),
                style: theme.series(0),
                points: data.history.series(span.start(), |x| x.total_p50_us),
            },
        ]
    };
    let markers = data.history.generation_changes(span.start());
    if inner.width >= TABLE_W + 30 {
        // A gap keeps the chart's axis labels from touching the table's last column.
        let [table, _, chart] = Layout::horizontal([
            Constraint::Length(TABLE_W),
            Constraint::Length(3),
            Constraint::Min(0),
        ])
        .areas(inner);
        render_fitted(frame, table, lines);
        if data.history.len() >= 2 {
            render_time_chart(frame, chart, theme, span, &chart_series(), &markers, micros);
        }
    } else if inner.height >= 8 {
        let [table, chart] =
            Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(inner);
        render_fitted(frame, table, lines);
        if data.history.len() >= 2 {
            render_time_chart(frame, chart, theme, span, &chart_series(), &markers, micros);
        }
    } else {
        render_fitted(frame, inner, lines);
    }
}
