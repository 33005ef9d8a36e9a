//! Log: tracing events (backend swaps, resizes, file errors, task failures,
//! blocking detections) from the LogBuffer, newest at the bottom. One row per
//! event in the grid (shortened with an ellipsis), wrapped at words when
//! zoomed. Scrolls back through older events and filters by level.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use tracing::Level;

use crate::logging::LogLine;
use crate::ui::app::App;
use crate::ui::cell_text::CellLines;
use crate::ui::fit::fit_line;
use crate::ui::focus::PanelId;
use crate::ui::log_view::LogFilter;

use super::panel_block;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let filter = app.view.log.filter;
    // Each entry takes at least a row: no more than the panel's rows are needed.
    let (admitted, newest) = app
        .view
        .log
        .shown(&app.logs, usize::from(area.height.saturating_sub(2)));
    let scroll = app.view.log.scroll.min(admitted.saturating_sub(1));
    let mut extra = Vec::new();
    if filter != LogFilter::All {
        extra.push(Span::styled(format!("{} ", filter.label()), theme.warn()));
    }
    if scroll > 0 {
        extra.push(Span::styled(
            format!("{scroll} newer below "),
            theme.label(),
        ));
    }
    let block = panel_block(PanelId::Log, extra, focused, theme, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if admitted == 0 {
        let text = if filter == LogFilter::All {
            "no events yet".to_string()
        } else {
            format!("no events at {} (l changes the level)", filter.label())
        };
        frame.render_widget(
            CellLines::line(fit_line(
                Line::styled(text, theme.dim()),
                usize::from(inner.width),
            )),
            inner,
        );
        return;
    }
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let wrap = app.view.zoomed;
    // Fill from the newest shown entry back.
    let mut rows: Vec<Line> = Vec::new();
    for line in &newest {
        let mut entry = entry_rows(line, width, wrap, app);
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
    frame.render_widget(CellLines::new(rows), inner);
}

/// One event as rows: one shortened row, or wrapped at words with continuation
/// rows indented.
fn entry_rows(l: &LogLine, width: usize, wrap: bool, app: &App) -> Vec<Line<'static>> {
    let theme = app.theme;
    let level_style = match l.level {
        Level::ERROR => theme.bad(),
        Level::WARN => theme.warn(),
        _ => theme.label(),
    };
    let clock = format!("{} ", l.clock());
    let level = format!("{:<5} ", l.level.as_str());
    let message = crate::format::escape_control(&l.message).into_owned();
    if !wrap {
        return vec![fit_line(
            Line::from(vec![
                Span::styled(clock, theme.dim()),
                Span::styled(level, level_style),
                Span::raw(message),
            ]),
            width,
        )];
    }
    let prefix_w = clock.len() + level.len();
    let chars: Vec<char> = message.chars().collect();
    let first_w = width.saturating_sub(prefix_w).max(1);
    let (first, mut rest) = chars.split_at(wrap_point(&chars, first_w));
    let mut rows = vec![Line::from(vec![
        Span::styled(clock, theme.dim()),
        Span::styled(level, level_style),
        Span::raw(first.iter().collect::<String>()),
    ])];
    let cont_w = width.saturating_sub(2).max(1);
    while !rest.is_empty() {
        let cut = wrap_point(rest, cont_w);
        let (chunk, tail) = rest.split_at(cut);
        rows.push(Line::raw(format!("  {}", chunk.iter().collect::<String>())));
        rest = tail;
    }
    rows
}

/// Where to cut `text` to fit `width`: after the last space in the row when
/// there is one, else at the width (a word longer than the row).
fn wrap_point(text: &[char], width: usize) -> usize {
    if text.len() <= width {
        return text.len();
    }
    text[..width]
        .iter()
        .rposition(|c| *c == ' ')
        .filter(|i| *i > 0)
        .map_or(width, |i| i + 1)
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
