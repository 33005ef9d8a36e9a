//! The always-visible controls line: the most important keys that fit the
//! width, always ending with `? help`.

use ratatui::text::{Line, Span};

use super::theme::Theme;

/// The short form for the always-visible controls line, in display order,
/// with a priority (lower is kept longer when the line is narrow). `? help`
/// is not here: the line always ends with it.
pub const CONTROLS: &[(&str, &str, u8)] = &[
    ("q", "quit", 0),
    ("b/B", "backend", 0),
    ("+/-", "threads", 0),
    ("[/]", "load", 1),
    ("w", "workload", 1),
    ("space", "pause", 2),
    ("j/k", "scroll", 3),
    ("s/S", "stop/start", 2),
    ("Tab", "focus", 3),
    ("Enter", "zoom", 4),
    ("d", "demo", 4),
    ("c", "compare", 5),
    ("t", "window", 6),
    ("r", "reset", 5),
    ("f", "freeze", 6),
    ("e", "export", 6),
];

/// The controls while attached to another process: nothing to change there.
pub const ATTACHED_CONTROLS: &[(&str, &str, u8)] = &[
    ("q", "quit", 0),
    ("Tab", "focus", 1),
    ("j/k", "scroll", 1),
    ("Enter", "zoom", 2),
    ("/", "filter", 3),
    ("f", "freeze", 4),
    ("e", "export", 4),
];

/// Gap between two controls.
const CONTROL_GAP: &str = "  ";

/// The controls that fit in `width`, most important first, always ending with `? help`.
pub fn controls_line(
    theme: Theme,
    width: usize,
    controls: &[(&'static str, &'static str, u8)],
) -> Line<'static> {
    let item_w = |key: &str, what: &str| key.chars().count() + 1 + what.chars().count();
    let help_w = item_w("?", "help");
    let mut budget = width.saturating_sub(help_w);
    let mut by_priority: Vec<usize> = (0..controls.len()).collect();
    by_priority.sort_by_key(|i| controls[*i].2);
    let mut shown = vec![false; controls.len()];
    for i in by_priority {
        let (key, what, _) = controls[i];
        let w = item_w(key, what) + CONTROL_GAP.len();
        if w <= budget {
            budget -= w;
            shown[i] = true;
        }
    }
    let mut spans = Vec::with_capacity(controls.len() * 3 + 3);
    let items = controls
        .iter()
        .zip(&shown)
        .filter(|(_, s)| **s)
        .map(|((key, what, _), _)| (*key, *what))
        .chain(std::iter::once(("?", "help")));
    for (i, (key, what)) in items.enumerate() {
        if i > 0 {
            spans.push(Span::raw(CONTROL_GAP));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(format!(" {what}"), theme.label()));
    }
    Line::from(spans)
}
