//! Throughput: tasks/s (and MiB/s when the kernel reads input) over the last two
//! minutes, with a dotted marker where backend, threads or workload changed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use crate::ui::app::App;
use crate::ui::focus::PanelId;
use crate::ui::format::rate;
use crate::ui::history::MIB;

use super::{ChartSpan, Series, panel_block, render_time_chart};

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let data = app.shown();
    let s = &data.snapshot;
    let mut title = vec![Span::styled(
        format!("{} tasks/s ", rate(s.throughput.tasks_per_s)),
        theme.series(0),
    )];
    // Throughput counts completed tasks; failures show beside it, never in it.
    if s.throughput.failed_per_s > 0.0 {
        title.push(Span::styled(
            format!("{} failed/s ", rate(s.throughput.failed_per_s)),
            theme.bad(),
        ));
    }
    let has_bytes = data.history.has_bytes();
    if has_bytes {
        title.push(Span::styled(
            format!("{} MiB/s ", rate(s.throughput.bytes_per_s / MIB)),
            theme.series(1),
        ));
    }
    let block = panel_block(PanelId::Throughput, title, focused, theme, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if data.history.len() < 2 {
        frame.render_widget(
            Paragraph::new(Span::styled("waiting for samples…", theme.dim())),
            inner,
        );
        return;
    }
    let now = data.history.now();
    let span = ChartSpan {
        end: now,
        seconds: app.view.chart_window.seconds(),
    };
    let markers = data.history.generation_changes(span.start());
    let tasks = [Series {
        name: "tasks/s".into(),
        style: theme.series(0),
        points: data.history.series(span.start(), |x| x.tasks_per_s),
    }];
    if has_bytes && inner.height >= 8 {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
        render_time_chart(frame, top, theme, span, &tasks, &markers, rate);
        let mb = [Series {
            name: "MiB/s".into(),
            style: theme.series(1),
            points: data.history.series(span.start(), |x| x.mib_per_s),
        }];
        render_time_chart(frame, bottom, theme, span, &mb, &markers, rate);
    } else {
        render_time_chart(frame, inner, theme, span, &tasks, &markers, rate);
    }
}
