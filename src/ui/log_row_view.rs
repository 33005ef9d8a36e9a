//! One Log row whole, in a popup (Enter or `?` on the focused Log): the
//! grid's Log cuts a long row before its end, often before its reason.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::help::{centered, wrap_words};
use super::theme::Theme;
use crate::logging::LogLine;

/// The popup's width at most, cells: wide enough for a stall warning in a few rows.
const MOST_WIDTH: u16 = 100;

/// Draws `row` whole, wrapped at words, centred over `area`.
pub fn render(frame: &mut Frame, area: Rect, theme: Theme, row: &LogLine) {
    let width = MOST_WIDTH.min(area.width);
    let room = usize::from(width.saturating_sub(4)).max(10);
    let message = crate::format::escape_control(&row.message);
    let level_style = match row.level {
        tracing::Level::ERROR => theme.bad(),
        tracing::Level::WARN => theme.warn(),
        _ => theme.label(),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} ", row.clock()), theme.dim()),
        Span::styled(row.level.as_str(), level_style),
        Span::styled(format!("  {}", row.target), theme.dim()),
    ])];
    lines.extend(
        wrap_words(&message, room)
            .into_iter()
            .map(|text| Line::raw(format!(" {text}"))),
    );
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = centered(area, width, height);
    let block = Block::bordered()
        .title(Span::styled(" Log row ", theme.title()))
        .title_bottom(Span::styled(
            " Enter zooms the Log · ? every key · any other key closes ",
            theme.key(),
        ))
        .border_style(theme.focused_border());
    let inner_w = usize::from(popup.width.saturating_sub(2));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(crate::ui::fit::fit_lines(lines, inner_w)).block(block),
        popup,
    );
}
