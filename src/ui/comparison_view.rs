//! Draws the comparison of session periods over the panels (`c`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::app::App;
use super::format::{duration_s, micros, rate, truncate};
use super::help::centered;
use crate::session::periods::best_of_each_workload;
use crate::spec::LoadMode;

/// `8 in flight` or `500/s`: short enough for the table.
fn load_label(load: LoadMode) -> String {
    match load {
        LoadMode::Closed { inflight } => format!("{inflight} in flight"),
        LoadMode::Open { rate: r } => format!("{}/s", rate(r)),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let rows = app.shown().periods.rows();
    let best = best_of_each_workload(&rows);
    let height = (rows.len() as u16 + 5).clamp(7, area.height);
    let popup = centered(area, area.width.saturating_sub(4).min(136), height);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Span::styled(
            " Comparison: one row per (backend, threads, workload, load) period ",
            theme.title(),
        ))
        .border_style(theme.focused_border());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let mut lines = vec![Line::styled(
        format!(
            "  {:<15}{:>4}  {:<20}{:<13}{:>8}{:>10}{:>9}{:>11}{:>11}{:>9}",
            "backend",
            "thr",
            "workload",
            "load",
            "time",
            "tasks/s",
            "failed/s",
            "p99 total",
            "p99 lag",
            "busy/cpu"
        ),
        theme.label(),
    )];
    if rows.is_empty() {
        lines.push(Line::styled(
            "  no period of 1 s or more yet: let a setup run, then change it",
            theme.dim(),
        ));
    }
    let visible = (inner.height as usize).saturating_sub(3);
    let skip = rows.len().saturating_sub(visible);
    for (i, p) in rows.iter().enumerate().skip(skip) {
        let is_best = best.contains(&i);
        let text = format!(
            "{}{:<15}{:>4}  {:<20}{:<13}{:>8}{:>10}{:>9}{:>11}{:>11}{:>9}",
            if is_best { "* " } else { "  " },
            p.backend.name(),
            p.threads,
            truncate(&p.workload, 19),
            truncate(&load_label(p.load), 12),
            duration_s(p.duration_s()),
            rate(p.tasks_per_s),
            rate(p.failed_per_s),
            p.latency_p99_us().map_or("-".to_string(), micros),
            p.heartbeat_p99_us().map_or("-".to_string(), micros),
            p.cpu_efficiency()
                .map_or("-".to_string(), |e| format!("{:.0}%", e * 100.0)),
        );
        lines.push(if is_best {
            Line::styled(text, theme.badge(theme.good()))
        } else {
            Line::raw(text)
        });
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "* best of its workload · tasks/s: completed · p99: all tasks of the period · busy/cpu > 100%: waited for a core",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
