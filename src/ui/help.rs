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
    (
        "r",
        "reset every statistic (counts, latencies, blocked events)",
    ),
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
    ("t", "chart window: 30 s, 2 min, 10 min"),
    ("Tab / arrows", "move focus between panels"),
    ("Enter", "zoom the focused panel (Enter or Esc to leave)"),
    (
        "Enter on Log",
        "the Log's bottom row whole (also ?; j/k pick the row)",
    ),
    (
        "j / k",
        "scroll the focused list (threads, or the Log) one row",
    ),
    ("PgUp / PgDn", "scroll the focused list a page"),
    (
        "g / G",
        "top / bottom of the focused list (also Home / End)",
    ),
    (
        "< / >",
        "sort threads by the previous / next column (also , / .)",
    ),
    ("o", "flip the thread sort order"),
    (
        "/",
        "filter threads by name or pool (Enter keeps, Esc clears)",
    ),
    ("i", "hide / show idle and exited threads"),
    (
        "l",
        "log level: every level, warnings and errors, errors only",
    ),
    (
        "mouse",
        "click focuses a panel, the wheel scrolls it; Shift+drag selects",
    ),
    (
        "?",
        "this help (j/k or PgUp/PgDn scroll it, any other key closes it)",
    ),
    ("q / Ctrl-C", "quit"),
    ("F10", "quit too (as in htop)"),
    (
        "Ctrl-Z",
        "suspend to the shell; fg brings the dashboard back",
    ),
];

/// Keys that act on loadlab's own engine, its charts or its periods: they do
/// nothing while attached to another process, so its help leaves them out.
pub const ENGINE_KEYS: &[&str] = &[
    "b / B", "+ / -", "[ / ]", "w", "space", "s", "S", "r", "d", "c", "t",
];

/// The keys that work on the dashboard shown: every one, or attached to
/// another process those that need no engine.
pub fn keys(attached: bool) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    KEYS.iter()
        .filter(move |(key, _)| !(attached && ENGINE_KEYS.contains(key)))
}

/// What the screen shows shortened, in full: the run, the caption, the last
/// message and the first task error.
pub fn now_lines(app: &super::app::App) -> Vec<String> {
    let mut out = Vec::new();
    if app.shown().received > 0 {
        out.push(format!("Now: {}", super::panels::header::header_text(app)));
    }
    if let Some(caption) = app.playback().and_then(|p| p.caption()) {
        out.push(format!("Scenario: {caption}"));
    }
    if let Some(status) = &app.view.status {
        out.push(format!("Last message: {}", status.text));
    }
    if let Some(error) = &app.shown().snapshot.failures.first_error {
        out.push(format!("First task error: {error}"));
    }
    out
}

/// The `?` overlay, centred over `area`.
/// Scrolls with j/k, arrows, PgUp/PgDn when it is taller than the screen;
/// `max_scroll` receives how far it can go.
pub fn render_overlay(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    attached: bool,
    now_lines: &[String],
    scroll: usize,
    max_scroll: &std::cell::Cell<usize>,
) {
    let key_width = keys(attached).map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut lines: Vec<Line> = keys(attached)
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$}  "), theme.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        if attached {
            " Threads: cpu% is what a thread cost, wait% its time ready for a CPU it did not get."
        } else {
            " Threads: cpu% is what a thread cost, busy% its time inside jobs."
        },
        theme.label(),
    ));
    let width = (lines.iter().map(Line::width).max().unwrap_or(0) + 3) as u16;
    // What the screen may have shortened, in full, wrapped to the overlay.
    let room = usize::from(width.min(area.width)).saturating_sub(4).max(10);
    for text in now_lines {
        for (i, row) in wrap_words(text, room).into_iter().enumerate() {
            let style = if i == 0 { theme.title() } else { theme.text() };
            lines.push(Line::styled(format!(" {row}"), style));
        }
    }
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = centered(area, width, height);
    let body_h = usize::from(popup.height.saturating_sub(2));
    max_scroll.set(lines.len().saturating_sub(body_h));
    let scroll = scroll.min(max_scroll.get());
    let below = lines.len().saturating_sub(scroll + body_h);
    let mut block = Block::bordered()
        .title(Span::styled(" Keys ", theme.title()))
        .border_style(theme.focused_border());
    if below > 0 {
        block = block.title_bottom(Span::styled(
            format!(" {below} more lines: j or PgDn "),
            theme.key(),
        ));
    } else if scroll > 0 {
        block = block.title_bottom(Span::styled(" k or PgUp: back to the top ", theme.key()));
    }
    let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
    let inner_w = usize::from(popup.width.saturating_sub(2));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(crate::ui::fit::fit_lines(shown, inner_w)).block(block),
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

/// `text` in rows of at most `width` cells, broken at spaces (a longer word is cut).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let row_w = row.chars().count();
        if row_w > 0 && row_w + 1 + word.len() > width {
            rows.push(std::mem::take(&mut row));
        }
        while word.len() > width {
            let rest = word.split_off(width);
            rows.push(word.into_iter().collect());
            word = rest;
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.extend(word);
    }
    if !row.is_empty() {
        rows.push(row);
    }
    rows
}
