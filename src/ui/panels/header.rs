//! The header line (what runs, its state, task counts), the status line
//! (results of keys, errors from the engine) and the always-visible controls line.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::metrics::snapshot::ConfigView;
use crate::ui::app::App;
use crate::ui::cell_text::CellLines;
use crate::ui::controls::{ATTACHED_CONTROLS, CONTROLS, controls_line};
use crate::ui::fit::{Segment, fit_line, fit_segments, width_of};
use crate::ui::keys::load_text;
use crate::ui::theme::Theme;

pub fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    if let Some(attached) = &app.shown().snapshot.attached {
        super::attached_header::render(frame, area, app, attached);
        return;
    }
    let theme = app.theme;
    let data = app.shown();
    let mut spans = vec![Span::styled("loadlab ", theme.title())];
    if app.is_frozen() {
        spans.push(Span::styled(" FROZEN ", theme.badge(theme.warn())));
        spans.push(Span::raw(" "));
    }
    if app.playing_demo() {
        spans.push(Span::styled(" DEMO ", theme.badge(theme.series(0))));
        spans.push(Span::raw(" "));
    }
    if data.received == 0 {
        spans.push(Span::styled(
            "waiting for the engine's first snapshot…",
            theme.dim(),
        ));
        frame.render_widget(CellLines::line(Line::from(spans)), area);
        return;
    }
    let s = &data.snapshot;
    let c = &s.config;
    let (state, style) = run_state(c, theme);
    let sep = || Span::styled("│ ", theme.border());
    let mut segments = vec![Segment::new(
        0,
        [spans, vec![Span::styled(state, theme.badge(style))]].concat(),
    )];
    if s.idle {
        // The engine slows its probes and sampling while nothing runs: say so,
        // since the charts then move at a slower pace.
        segments.push(Segment::new(
            1,
            vec![Span::styled("idle: probes slowed", theme.dim())],
        ));
    }
    segments.extend([
        Segment::new(
            0,
            vec![
                Span::styled("backend ", theme.label()),
                Span::styled(c.backend.name(), theme.title()),
            ],
        ),
        Segment::new(
            1,
            vec![
                Span::styled("threads ", theme.label()),
                Span::styled(c.threads.to_string(), theme.title()),
            ],
        ),
        Segment::new(
            4,
            vec![
                Span::styled("app workers ", theme.label()),
                Span::raw(c.runtime_workers.to_string()),
            ],
        ),
        Segment::new(2, vec![sep(), Span::raw(c.workload.label())]),
        Segment::new(3, vec![sep(), Span::raw(load_text(c.load))]),
        Segment::new(
            5,
            vec![
                sep(),
                Span::styled("up ", theme.label()),
                Span::raw(crate::ui::format::duration_s(s.elapsed_s)),
            ],
        ),
    ]);
    let line = fit_segments(segments, Span::raw(" "), usize::from(area.width));
    frame.render_widget(CellLines::line(line), area);
}

/// The badge of the run's state: STOPPED wins over PAUSED, which wins over RUNNING.
pub fn run_state(c: &ConfigView, theme: Theme) -> (&'static str, Style) {
    if !c.running {
        (" STOPPED ", theme.bad())
    } else if c.paused {
        (" PAUSED ", theme.warn())
    } else {
        (" RUNNING ", theme.good())
    }
}

/// The header's whole text, unshortened (the help overlay shows it).
pub fn header_text(app: &App) -> String {
    let s = &app.shown().snapshot;
    if let Some(attached) = &s.attached {
        return super::attached_header::text(app, attached);
    }
    let c = &s.config;
    format!(
        "{} · backend {} · threads {} · app workers {} · {} · {} · up {}",
        run_state(c, Theme::monochrome()).0.trim(),
        c.backend.name(),
        c.threads,
        c.runtime_workers,
        c.workload.label(),
        load_text(c.load),
        crate::ui::format::duration_s(s.elapsed_s)
    )
}

/// The status line: task counts on the right always; the last key's result or
/// error on the left, shortened with an ellipsis when the line is too narrow
/// (the help overlay shows it whole).
pub fn render_status(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let data = app.shown();
    let t = &data.snapshot.tasks;
    let width = usize::from(area.width);
    // Attached to another process, loadlab counts no tasks of its own.
    let counts = if data.received == 0 || data.snapshot.attached.is_some() {
        String::new()
    } else {
        format!(
            " done {} · failed {} · cancelled {} · in flight {}",
            t.completed, t.failed, t.cancelled, t.inflight
        )
    };
    let counts_w = width_of(&counts).min(width) as u16;
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(counts_w)]).areas(area);
    if counts_w > 0 {
        let failed_style = if t.failed > 0 {
            theme.bad()
        } else {
            theme.label()
        };
        frame.render_widget(
            CellLines::line(fit_line(
                Line::styled(counts, failed_style),
                usize::from(counts_w),
            ))
            .alignment(Alignment::Right),
            right,
        );
    }
    // One blank cell before the counts so the message never runs into them.
    let room = usize::from(left.width).saturating_sub(1);
    let line = match &app.view.status {
        Some(status) if status.error => Line::from(vec![
            Span::styled(" error ", theme.badge(theme.bad())),
            Span::styled(format!(" {}", status.text), theme.bad()),
        ]),
        Some(status) => Line::raw(status.text.clone()),
        None => Line::styled("? shows every key", theme.dim()),
    };
    frame.render_widget(CellLines::line(fit_line(line, room)), left);
}

pub fn render_controls(frame: &mut Frame, area: Rect, app: &App) {
    frame.render_widget(
        CellLines::line(controls_line(
            app.theme,
            usize::from(area.width),
            if app.shown().snapshot.attached.is_some() {
                ATTACHED_CONTROLS
            } else {
                CONTROLS
            },
        )),
        area,
    );
}
