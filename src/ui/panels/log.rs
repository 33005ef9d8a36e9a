//! Log: the newest tracing events (backend swaps, resizes, file errors,
//! blocking detections), read from the LogBuffer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tracing::Level;

use crate::ui::app::App;
use crate::ui::focus::PanelId;

use super::panel_block;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let block = panel_block(PanelId::Log, vec![], focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let recent = app.logs.recent(inner.height as usize);
    if recent.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no events yet", theme.dim())),
            inner,
        );
        return;
    }
    // Newest at the bottom. Long messages wrap by character (so the row count is
    // exact) with continuation rows indented; fill from the newest back.
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let mut rows: Vec<Line> = Vec::new();
    for l in recent.iter().rev() {
        let level_style = match l.level {
            Level::ERROR => theme.bad(),
            Level::WARN => theme.warn(),
            _ => theme.label(),
        };
        let clock = format!("{} ", l.clock());
        let level = format!("{:<5} ", l.level.as_str());
        let prefix_w = clock.len() + level.len();
        let message: Vec<char> = l.message.chars().collect();
        let mut entry: Vec<Line> = Vec::new();
        let first_w = width.saturating_sub(prefix_w).max(1);
        let (first, mut rest) = message.split_at(wrap_point(&message, first_w));
        entry.push(Line::from(vec![
            Span::styled(clock, theme.dim()),
            Span::styled(level, level_style),
            Span::raw(first.iter().collect::<String>()),
        ]));
        let cont_w = width.saturating_sub(2).max(1);
        while !rest.is_empty() {
            let cut = wrap_point(rest, cont_w);
            let (chunk, tail) = rest.split_at(cut);
            entry.push(Line::raw(format!("  {}", chunk.iter().collect::<String>())));
            rest = tail;
        }
        if rows.len() + entry.len() > height {
            if rows.is_empty() {
                entry.truncate(height);
                rows.extend(entry.into_iter().rev());
            }
            break;
        }
        rows.extend(entry.into_iter().rev());
    }
    rows.reverse();
    frame.render_widget(Paragraph::new(rows), inner);
}

/// Where to cut `text` to fit `width`: after the last space in the second half
/// of the row when there is one, else at the width.
fn wrap_point(text: &[char], width: usize) -> usize {
    if text.len() <= width {
        return text.len();
    }
    text[width / 2..width]
        .iter()
        .rposition(|c| *c == ' ')
        .map_or(width, |i| width / 2 + i + 1)
}

#[cfg(test)]
mod tests {
    use super::wrap_point;

    #[test]
    fn wraps_at_a_space_when_it_can() {
        let text: Vec<char> = "blocked for 57.2 ms (backend inline)".chars().collect();
        assert_eq!(wrap_point(&text, 24), 20); // "blocked for 57.2 ms "
        assert_eq!(wrap_point(&text, 100), text.len());
        let word: Vec<char> = "x".repeat(30).chars().collect();
        assert_eq!(wrap_point(&word, 10), 10);
    }
}
