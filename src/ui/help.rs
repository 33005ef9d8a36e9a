//! Every key, once: the help overlay and the controls line both read this table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;

/// `(keys, what they do)`.
pub const KEYS: &[(&str, &str)] = &[
    (
        "b / B",
        "next / previous backend (in-flight work finishes in place)",
    ),
    ("+ / -", "one more / one fewer backend thread (at least 1)"),
    (
        "[ / ]",
        "fewer / more in flight (closed loop), rate x0.8 / x1.25 (open)",
    ),
    (
        "w",
        "workload form: kernel, size, dist, in flight or rate, path",
    ),
    (
        "space",
        "pause / resume arrivals (in-flight tasks still finish)",
    ),
    ("s", "stop: queued tasks cancelled, running ones finish"),
    ("S", "start again after a stop"),
    ("r", "reset statistics"),
    (
        "f",
        "freeze the display (data keeps coming; f again to follow)",
    ),
    (
        "e",
        "export the displayed Snapshot as JSON (name shown below)",
    ),
    (
        "d",
        "guided demo: offload, inline, offload again (d stops it)",
    ),
    (
        "c",
        "comparison of every (backend, threads, workload) period",
    ),
    ("Tab / arrows", "move focus between panels"),
    ("Enter", "zoom the focused panel (Enter or Esc to leave)"),
    ("PgUp / PgDn", "scroll the thread list"),
    ("?", "this help (any key closes it)"),
    ("q / Ctrl-C", "quit"),
];

/// The short form for the always-visible controls line.
pub const CONTROLS: &[(&str, &str)] = &[
    ("q", "quit"),
    ("?", "help"),
    ("b/B", "backend"),
    ("+/-", "threads"),
    ("[/]", "load"),
    ("w", "workload"),
    ("space", "pause"),
    ("s/S", "stop/start"),
    ("r", "reset"),
    ("f", "freeze"),
    ("e", "export"),
    ("d", "demo"),
    ("c", "compare"),
    ("Tab", "focus"),
];

pub fn controls_line(theme: Theme) -> Line<'static> {
    let mut spans = Vec::with_capacity(CONTROLS.len() * 3);
    for (i, (key, what)) in CONTROLS.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::styled(format!(" {what}"), theme.label()));
    }
    Line::from(spans)
}

/// The `?` overlay, centred over `area`.
pub fn render_overlay(frame: &mut Frame, area: Rect, theme: Theme) {
    let key_width = KEYS.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$}  "), theme.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Threads: cpu% is what a thread cost, busy% its time inside jobs.",
        theme.label(),
    ));
    let width = (lines.iter().map(Line::width).max().unwrap_or(0) + 3) as u16;
    let height = lines.len() as u16 + 2;
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(Span::styled(" Keys ", theme.title()))
                .border_style(theme.focused_border()),
        ),
        popup,
    );
}

/// A `width` x `height` rectangle centred in `area`, clipped to it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
