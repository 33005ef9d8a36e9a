//! The header line (what runs, its state, task counts), the status line
//! (results of keys, errors from the engine) and the always-visible controls line.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::App;
use crate::ui::help::controls_line;
use crate::ui::keys::load_text;

pub fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let data = app.shown();
    let mut spans = vec![Span::styled("loadlab ", theme.title())];
    if app.is_frozen() {
        spans.push(Span::styled(" FROZEN ", theme.badge(theme.warn())));
        spans.push(Span::raw(" "));
    }
    if app.view.demo.is_some() {
        spans.push(Span::styled(" DEMO ", theme.badge(theme.series(0))));
        spans.push(Span::raw(" "));
    }
    if data.received == 0 {
        spans.push(Span::styled(
            "waiting for the engine's first snapshot…",
            theme.dim(),
        ));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let s = &data.snapshot;
    let c = &s.config;
    let (state, style) = if !c.running {
        (" STOPPED ", theme.bad())
    } else if c.paused {
        (" PAUSED ", theme.warn())
    } else {
        (" RUNNING ", theme.good())
    };
    spans.push(Span::styled(state, theme.badge(style)));
    let sep = || Span::styled(" │ ", theme.border());
    spans.extend([
        Span::styled(" backend ", theme.label()),
        Span::styled(c.backend.name(), theme.title()),
        Span::styled(" threads ", theme.label()),
        Span::styled(c.threads.to_string(), theme.title()),
        Span::styled(" app workers ", theme.label()),
        Span::raw(c.runtime_workers.to_string()),
        sep(),
        Span::raw(c.workload.label()),
        sep(),
        Span::raw(load_text(c.load)),
        sep(),
        Span::styled("up ", theme.label()),
        Span::raw(crate::ui::format::duration_s(s.elapsed_s)),
    ]);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status line: the last key's result or error on the left, task counts on the right.
pub fn render_status(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let data = app.shown();
    let status_w = app
        .view
        .status
        .as_ref()
        .map_or(0, |s| s.text.chars().count() + 8);
    let t = &data.snapshot.tasks;
    let counts = format!(
        " done {} · failed {} · cancelled {} · in flight {}",
        t.completed, t.failed, t.cancelled, t.inflight
    );
    // The status message wins the line when both do not fit.
    let show_counts =
        data.received > 0 && status_w + counts.chars().count() <= usize::from(area.width);
    let area = if show_counts {
        let [left, right] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(counts.chars().count() as u16),
        ])
        .areas(area);
        let failed_style = if t.failed > 0 {
            theme.bad()
        } else {
            theme.label()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(counts, failed_style)).alignment(Alignment::Right),
            right,
        );
        left
    } else {
        area
    };
    let line = match &app.view.status {
        Some(status) if status.error => Line::from(vec![
            Span::styled(" error ", theme.badge(theme.bad())),
            Span::styled(format!(" {}", status.text), theme.bad()),
        ]),
        Some(status) => Line::raw(status.text.clone()),
        None => Line::styled("? shows every key", theme.dim()),
    };
    frame.render_widget(Paragraph::new(line), area);
}

pub fn render_controls(frame: &mut Frame, area: Rect, app: &App) {
    frame.render_widget(Paragraph::new(controls_line(app.theme)), area);
}
