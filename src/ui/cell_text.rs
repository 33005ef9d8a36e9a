//! Lines written straight into the buffer's cells, laid out exactly as an
//! unwrapped, unscrolled `Paragraph` lays them out. A Paragraph splits every
//! span into grapheme clusters and measures each one, which was the largest
//! single cost of a frame; the dashboard's text is almost all glyphs that take
//! one cell and never join a neighbour, so those lines skip that work. A line
//! with any other character (or a control) goes through `Paragraph` as before.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

/// Lines drawn top-down from the area's first row, each cut at its width,
/// placed by its own alignment or else the widget's (left by default).
pub struct CellLines<'a> {
    lines: Vec<Line<'a>>,
    alignment: Alignment,
}

impl<'a> CellLines<'a> {
    pub fn new(lines: Vec<Line<'a>>) -> CellLines<'a> {
        CellLines {
            lines,
            alignment: Alignment::Left,
        }
    }

    /// One line.
    pub fn line(line: Line<'a>) -> CellLines<'a> {
        CellLines::new(vec![line])
    }

    /// Where lines without an alignment of their own go.
    pub fn alignment(mut self, alignment: Alignment) -> CellLines<'a> {
        self.alignment = alignment;
        self
    }
}

impl Widget for CellLines<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        for (row, line) in (0..area.height).zip(self.lines) {
            let row_area = Rect {
                y: area.y + row,
                height: 1,
                ..area
            };
            if !write_line(&line, row_area, self.alignment, buf) {
                Paragraph::new(line)
                    .alignment(self.alignment)
                    .render(row_area, buf);
            }
        }
    }
}

/// Writes `line` into the one-row `area` when every character of it takes one
/// cell on its own; returns false, having written nothing, otherwise.
pub fn write_line(line: &Line<'_>, area: Rect, alignment: Alignment, buf: &mut Buffer) -> bool {
    let mut width = 0usize;
    for span in &line.spans {
        for c in span.content.chars() {
            if !one_cell(c) {
                return false;
            }
            width += 1;
        }
    }
    let room = area.width;
    // Cut at the right edge whatever the alignment, as a Paragraph does.
    let shown = u16::try_from(width).unwrap_or(u16::MAX).min(room);
    let offset = match line.alignment.unwrap_or(alignment) {
        Alignment::Left => 0,
        Alignment::Center => (room / 2).saturating_sub(shown / 2),
        Alignment::Right => room.saturating_sub(shown),
    };
    let mut x = area.x.saturating_add(offset);
    let end = area.x.saturating_add(offset).saturating_add(shown);
    let base = Style::default().patch(line.style);
    for span in &line.spans {
        let style = base.patch(span.style);
        for c in span.content.chars() {
            if x >= end {
                return true;
            }
            if let Some(cell) = buf.cell_mut(Position::new(x, area.y)) {
                // A blank cell stays blank (frames start blank): no new symbol for padding.
                if c != ' ' || cell.symbol() != " " {
                    cell.set_char(c);
                }
                cell.set_style(style);
            }
            x += 1;
        }
    }
    true
}

/// A character that is a whole grapheme cluster one cell wide by itself and
/// never joins the next: printable ASCII and Latin-1, general punctuation
/// (`…`, `›`), the arrows and maths signs the dashboard draws, box drawing,
/// block elements, `▲▼`, and braille. Combining marks, joiners, variation
/// selectors, wide and emoji-capable glyphs are all outside these ranges.
fn one_cell(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '\u{a0}'..='\u{ac}'
        | '\u{ae}'..='\u{ff}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{203e}'
        | '\u{2190}'..='\u{2193}'
        | '\u{2200}'..='\u{22ff}'
        | '\u{2500}'..='\u{259f}'
        | '\u{25b2}'
        | '\u{25bc}'
        | '\u{2800}'..='\u{28ff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;

    /// The same lines drawn by `CellLines` and by `Paragraph` into `width x
    /// height` buffers prefilled with a pattern, so cells left alone show too.
    fn both(lines: Vec<Line<'static>>, alignment: Alignment, width: u16, height: u16) {
        let area = Rect::new(0, 0, width, height);
        let mut fast = Buffer::filled(area, ratatui::buffer::Cell::new("x"));
        let mut slow = fast.clone();
        let inner = Rect::new(1, 0, width.saturating_sub(2), height);
        CellLines::new(lines.clone())
            .alignment(alignment)
            .render(inner, &mut fast);
        Paragraph::new(lines)
            .alignment(alignment)
            .render(inner, &mut slow);
        assert_eq!(fast, slow);
    }

    fn styled_lines() -> Vec<Line<'static>> {
        vec![
            Line::from(vec![
                Span::styled("tid ", Style::new().fg(Color::Cyan).bold()),
                Span::raw("ui · 12.5µs ≤ limit …"),
                Span::styled("██░░▁▂▃▄ ▲▼←→", Style::new().fg(Color::Red)),
            ]),
            Line::styled("a whole line styled", Style::new().italic().bg(Color::Blue))
                .patch_style(Modifier::BOLD),
            Line::from("centred").centered(),
            Line::from(Span::styled("right", Style::new().not_bold())).right_aligned(),
            Line::from(""),
        ]
    }

    #[test]
    fn cells_match_a_paragraph_for_every_alignment_and_cut() {
        for alignment in [Alignment::Left, Alignment::Center, Alignment::Right] {
            for width in [3, 8, 15, 40, 60] {
                both(styled_lines(), alignment, width, 4);
                both(styled_lines(), alignment, width, 8);
            }
        }
    }

    #[test]
    fn other_text_goes_through_the_paragraph() {
        // A wide glyph, a combining accent, an emoji with its selector, a tab.
        for text in ["日本語 wide", "e\u{301}te", "ok \u{2764}\u{fe0f}", "a\tb"] {
            let line = Line::from(vec![Span::raw("x "), Span::raw(text)]);
            let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
            assert!(!write_line(&line, buf.area, Alignment::Left, &mut buf));
            assert_eq!(buf, Buffer::empty(Rect::new(0, 0, 20, 1)));
            both(vec![line], Alignment::Left, 12, 1);
        }
    }
}
