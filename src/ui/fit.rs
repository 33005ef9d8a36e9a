//! Text that must fit a width: shortened on purpose (an ellipsis, or whole
//! segments dropped by priority), never clipped mid-word by the terminal edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The mark a shortened text ends with.
pub const ELLIPSIS: char = '…';

/// Display width of a text; every glyph the dashboard draws is one cell wide.
pub fn width_of(text: &str) -> usize {
    text.chars().count()
}

/// `text` cut to `width` cells, ending with `…` when cut. The cut backs off to
/// the last space when one is near, so the kept part ends on a whole word.
pub fn fit_text(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let kept: Vec<char> = text.chars().take(width - 1).collect();
    let ends_a_word = text.chars().nth(width - 1) == Some(' ');
    // A whole word is worth a few empty cells, not half the room.
    let near = kept.len().saturating_sub(12).max(kept.len() / 2);
    let end = if ends_a_word {
        kept.len()
    } else {
        kept[near..]
            .iter()
            .rposition(|c| *c == ' ')
            .map_or(kept.len(), |i| near + i)
    };
    let mut out: String = kept[..end]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string();
    out.push(ELLIPSIS);
    out
}

/// A styled line cut to `width` cells with `fit_text`'s rule; styles are kept.
pub fn fit_line(line: Line<'_>, width: usize) -> Line<'static> {
    let total: usize = line.spans.iter().map(|s| width_of(&s.content)).sum();
    let alignment = line.alignment;
    let line_style = line.style;
    if total <= width {
        // Text built for this frame is owned already: moved, not copied.
        let spans: Vec<Span<'static>> = line
            .spans
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style))
            .collect();
        let mut out = Line::from(spans);
        out.style = line_style;
        out.alignment = alignment;
        return out;
    }
    // Cut the plain text, then give each kept character its span's style back.
    let styles: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
        .collect();
    let plain: String = styles.iter().map(|(c, _)| *c).collect();
    let cut = fit_text(&plain, width);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut current = String::new();
    let mut current_style: Option<Style> = None;
    for (i, c) in cut.chars().enumerate() {
        let style = if c == ELLIPSIS && i + 1 == width_of(&cut) {
            current_style.unwrap_or_default()
        } else {
            styles.get(i).map(|(_, s)| *s).unwrap_or_default()
        };
        if current_style.is_some_and(|s| s != style) {
            spans.push(Span::styled(
                std::mem::take(&mut current),
                current_style.unwrap_or_default(),
            ));
        }
        current_style = Some(style);
        current.push(c);
    }
    if !current.is_empty() {
        spans.push(Span::styled(current, current_style.unwrap_or_default()));
    }
    let mut out = Line::from(spans);
    out.style = line_style;
    out.alignment = alignment;
    out
}

/// Every line cut to `width`.
pub fn fit_lines<'a>(lines: Vec<Line<'a>>, width: usize) -> Vec<Line<'static>> {
    lines.into_iter().map(|l| fit_line(l, width)).collect()
}

/// A part of a line that is shown whole or not at all.
pub struct Segment<'a> {
    /// Lower is more important; the highest numbers are dropped first.
    pub priority: u8,
    pub spans: Vec<Span<'a>>,
}

impl<'a> Segment<'a> {
    pub fn new(priority: u8, spans: Vec<Span<'a>>) -> Segment<'a> {
        Segment { priority, spans }
    }

    pub fn width(&self) -> usize {
        self.spans.iter().map(|s| width_of(&s.content)).sum()
    }
}

/// The segments that fit in `width`, in their order, dropping the least
/// important first; `separator` goes between kept segments. When even the most
/// important one alone is too wide it is shortened with an ellipsis.
pub fn fit_segments<'a>(
    segments: Vec<Segment<'a>>,
    separator: Span<'a>,
    width: usize,
) -> Line<'static> {
    let sep_w = width_of(&separator.content);
    let mut keep: Vec<bool> = vec![true; segments.len()];
    let total = |keep: &[bool]| -> usize {
        let kept: Vec<usize> = segments
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(s, _)| s.width())
            .collect();
        kept.iter().sum::<usize>() + sep_w * kept.len().saturating_sub(1)
    };
    let mut order: Vec<usize> = (0..segments.len()).collect();
    // Least important first; among equals, the later one goes first.
    order.sort_by_key(|i| {
        (
            std::cmp::Reverse(segments[*i].priority),
            std::cmp::Reverse(*i),
        )
    });
    for i in order {
        if total(&keep) <= width {
            break;
        }
        if keep.iter().filter(|k| **k).count() > 1 {
            keep[i] = false;
        }
    }
    let mut spans = Vec::new();
    for (segment, _) in segments.into_iter().zip(&keep).filter(|(_, k)| **k) {
        if !spans.is_empty() {
            spans.push(separator.clone());
        }
        spans.extend(segment.spans);
    }
    fit_line(Line::from(spans), width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(fit_text("short", 10), "short");
        assert_eq!(
            fit_text("health stays green all along", 16),
            "health stays…"
        );
        assert_eq!(fit_text("abcdefghij", 5), "abcd…");
        assert_eq!(fit_text("abc", 0), "");
    }

    #[test]
    fn least_important_segments_go_first() {
        let segments = vec![
            Segment::new(0, vec![Span::raw("RUNNING")]),
            Segment::new(2, vec![Span::raw("up 1m00s")]),
            Segment::new(1, vec![Span::raw("rayon x2")]),
        ];
        let line = fit_segments(segments, Span::raw(" | "), 20);
        assert_eq!(line.to_string(), "RUNNING | rayon x2");
        let one = fit_segments(
            vec![Segment::new(0, vec![Span::raw("a long one")])],
            Span::raw(""),
            6,
        );
        assert_eq!(one.to_string(), "a lon…");
    }

    #[test]
    fn styled_lines_keep_their_styles_when_cut() {
        let line = Line::from(vec![
            Span::styled("key ", Style::new().bold()),
            Span::raw("a value that is long"),
        ]);
        let cut = fit_line(line, 12);
        assert_eq!(cut.to_string(), "key a value…");
        assert_eq!(cut.spans[0].content, "key ");
        assert_eq!(cut.spans[0].style, Style::new().bold());
    }
}
