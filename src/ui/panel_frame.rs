//! A panel's border with its title on the top edge, drawn as a plain bordered
//! `Block` draws it, cell for cell. The Block first restyles every cell it
//! covers (the whole screen, over six panels) and measures its title by
//! grapheme clusters; this writes only the border's cells and the title.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Widget};

use super::cell_text::write_line;

pub struct PanelFrame<'a> {
    title: Line<'a>,
    border: Style,
}

impl<'a> PanelFrame<'a> {
    pub fn new(title: Line<'a>, border: Style) -> PanelFrame<'a> {
        PanelFrame { title, border }
    }

    /// The area inside the border.
    pub fn inner(&self, area: Rect) -> Rect {
        Block::bordered().inner(area)
    }

    fn block(self) -> Block<'a> {
        Block::bordered()
            .border_style(self.border)
            .title(self.title)
    }
}

impl Widget for PanelFrame<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        let left_aligned = matches!(self.title.alignment, None | Some(Alignment::Left));
        if area.width < 2 || area.height < 2 || !left_aligned {
            self.block().render(area, buf);
            return;
        }
        let (left, top) = (area.left(), area.top());
        let (right, bottom) = (area.right() - 1, area.bottom() - 1);
        let mut put = |x: u16, y: u16, symbol: char| {
            if let Some(cell) = buf.cell_mut(Position::new(x, y)) {
                cell.set_char(symbol).set_style(self.border);
            }
        };
        for x in left + 1..right {
            put(x, top, '─');
            put(x, bottom, '─');
        }
        for y in top + 1..bottom {
            put(left, y, '│');
            put(right, y, '│');
        }
        put(left, top, '┌');
        put(right, top, '┐');
        put(left, bottom, '└');
        put(right, bottom, '┘');
        let title_area = Rect {
            x: left + 1,
            y: top,
            width: area.width - 2,
            height: 1,
        };
        // The Block draws a title that does not fit cut at the right edge,
        // as `write_line` does; one it cannot write goes through the Block.
        let title_width = u16::try_from(self.title.width()).unwrap_or(u16::MAX);
        let title_area = Rect {
            width: title_width.min(title_area.width),
            ..title_area
        };
        if !write_line(&self.title, title_area, Alignment::Left, buf) {
            self.block().render(area, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Color;
    use ratatui::text::Span;

    fn title() -> Line<'static> {
        Line::from(vec![
            Span::styled(" Threads ", Style::new().fg(Color::Yellow).bold()),
            Span::styled("12 live ", Style::new().fg(Color::Gray)),
            Span::raw("· by pool▼ "),
        ])
    }

    #[test]
    fn draws_what_a_bordered_block_draws() {
        let border = Style::new().fg(Color::Cyan);
        for (width, height) in [(40, 10), (12, 3), (2, 2), (5, 1), (30, 6)] {
            for title in [title(), Line::from("日本 wide"), Line::from("")] {
                let area = Rect::new(0, 0, width + 2, height + 1);
                let mut fast = Buffer::filled(area, ratatui::buffer::Cell::new("x"));
                let mut slow = fast.clone();
                let panel = Rect::new(1, 1, width, height);
                PanelFrame::new(title.clone(), border).render(panel, &mut fast);
                Block::bordered()
                    .border_style(border)
                    .title(title)
                    .render(panel, &mut slow);
                assert_eq!(fast, slow, "{width}x{height}");
                assert_eq!(
                    PanelFrame::new(Line::from(""), border).inner(panel),
                    Block::bordered().inner(panel)
                );
            }
        }
    }
}
