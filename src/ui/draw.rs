//! The whole frame: header, the panel grid (or one zoomed panel), demo caption,
//! status and controls lines, and the overlays (help, form, comparison).

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::App;
use super::cell_text::CellLines;
use super::fit::{fit_line, fit_lines};
use super::focus::PanelId;
use super::{comparison_view, form_view, help, panels};

/// Below this the dashboard shows a "terminal too small" screen.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(frame: &mut Frame, app: &App, now: Instant) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(frame, area, app);
        return;
    }
    let caption_rows = app
        .playback()
        .map(|run| caption_rows(app, run, now, usize::from(area.width)))
        .unwrap_or_default();
    let caption_h = u16::try_from(caption_rows.len()).unwrap_or(0);
    let failing = app.shown().snapshot.tasks.failed > 0;
    let [header, caption, banner, content, status, controls] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(caption_h),
        Constraint::Length(u16::from(failing)),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    panels::header::render_header(frame, header, app);
    frame.render_widget(CellLines::new(caption_rows), caption);
    if failing {
        render_failure_banner(frame, banner, app);
    }
    app.view.panel_areas.borrow_mut().clear();
    if app.view.zoomed {
        app.view
            .panel_areas
            .borrow_mut()
            .push((app.view.focus, content));
        panels::render(frame, content, app, app.view.focus, true);
    } else {
        render_grid(frame, content, app);
    }
    panels::header::render_status(frame, status, app);
    panels::header::render_controls(frame, controls, app);

    if app.view.comparison {
        comparison_view::render(frame, content, app);
    }
    if let Some(form) = &app.view.form {
        form_view::render(frame, content, form, app.theme);
    }
    if app.view.help {
        help::render_overlay(
            frame,
            area,
            app.theme,
            app.shown().snapshot.attached.is_some(),
            &help::now_lines(app),
            app.view.help_scroll,
            &app.view.help_max_scroll,
        );
    }
    if let Some(row) = &app.view.log_row {
        super::log_row_view::render(frame, area, app.theme, row);
    }
}

/// The 2 x 3 grid of panels (2 x 2 when attached to another process).
pub fn render_grid(frame: &mut Frame, area: Rect, app: &App) {
    if app.shown().snapshot.attached.is_some() {
        render_attached_grid(frame, area, app);
        return;
    }
    let rows = Layout::vertical([
        Constraint::Percentage(30),
        Constraint::Percentage(40),
        Constraint::Percentage(30),
    ])
    .split(area);
    for panel in PanelId::ALL {
        let (row, column) = panel.cell();
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(rows[row]);
        let cell = if column == 0 { left } else { right };
        app.view.panel_areas.borrow_mut().push((panel, cell));
        panels::render(frame, cell, app, panel, panel == app.view.focus);
    }
}

/// Threads | Runtime health over System | Log: the Threads panel gets the
/// room the engine's panels leave.
fn render_attached_grid(frame: &mut Frame, area: Rect, app: &App) {
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    let [threads, health] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(top);
    let [system, log] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    for (panel, cell) in [
        (PanelId::Threads, threads),
        (PanelId::Health, health),
        (PanelId::System, system),
        (PanelId::Log, log),
    ] {
        app.view.panel_areas.borrow_mut().push((panel, cell));
        panels::render(frame, cell, app, panel, panel == app.view.focus);
    }
}

/// A playing scenario's (or the guided demo's) caption row: its progress and
/// caption, on a second row when it does not fit one, shortened past that.
fn caption_rows(
    app: &App,
    run: &crate::session::playback::Playback,
    now: Instant,
    width: usize,
) -> Vec<Line<'static>> {
    let theme = app.theme;
    let (played, steps) = run.progress();
    let badge = format!(
        " {} {played}/{steps} at {} ",
        run.name(),
        super::format::duration_s(run.elapsed(now).as_secs_f64())
    );
    let mut caption = super::format::escape_control(run.caption().unwrap_or("")).into_owned();
    // What the caption said to watch, then what was measured.
    if let Some(measured) = super::measured_caption::measured(&app.shown().snapshot) {
        caption.push_str(" · ");
        caption.push_str(&measured);
    }
    let first_room = width.saturating_sub(badge.chars().count() + 1);
    let rows = help::wrap_words(&caption, first_room.max(1));
    let mut lines = vec![Line::from(vec![
        Span::styled(badge, theme.badge(theme.series(0))),
        Span::styled(
            format!(" {}", rows.first().cloned().unwrap_or_default()),
            theme.title(),
        ),
    ])];
    if rows.len() > 1 {
        let first_len = rows.first().map_or(0, |r| r.chars().count());
        let rest: String = caption.chars().skip(first_len).collect();
        lines.push(Line::styled(
            format!(" {}", rest.trim_start()),
            theme.title(),
        ));
    }
    fit_lines(lines, width)
}

/// One line in plain sight while tasks fail: how many, how fast, and the first error.
fn render_failure_banner(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let s = &app.shown().snapshot;
    let t = &s.tasks;
    let tasks = if t.failed == 1 { "task" } else { "tasks" };
    let mut spans = vec![
        Span::styled(" FAILING ", theme.badge(theme.bad())),
        Span::styled(
            format!(
                " {} {tasks} failed, {}/s now",
                t.failed,
                super::format::rate(s.failures.per_s)
            ),
            theme.bad(),
        ),
    ];
    if let Some(error) = &s.failures.first_error {
        spans.push(Span::styled(" · first error: ", theme.label()));
        spans.push(Span::raw(super::format::escape_control(error).into_owned()));
    }
    frame.render_widget(
        CellLines::line(fit_line(Line::from(spans), usize::from(area.width))),
        area,
    );
}

fn render_too_small(frame: &mut Frame, area: Rect, app: &App) {
    let text = format!(
        "terminal too small: {}x{}, loadlab needs {}x{} (q quits)",
        area.width, area.height, MIN_WIDTH, MIN_HEIGHT
    );
    frame.render_widget(
        Paragraph::new(Span::styled(text, app.theme.warn())).wrap(Wrap { trim: true }),
        area,
    );
}
