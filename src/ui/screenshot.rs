//! Pictures of the dashboard: the frame an `App` draws, as plain text or as an
//! SVG (colours, bold, dim, reversed kept), for the README and for `e` with
//! `DashboardOptions::export_screen`.

use std::fmt::Write as _;
use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use super::app::App;
use super::draw;

/// Cell size in SVG pixels (a typical 14px monospace font).
const CELL_W: f64 = 8.4;
const CELL_H: f64 = 17.0;
const BACKGROUND: &str = "#1e1e1e";
const FOREGROUND: &str = "#d4d4d4";

/// Draws `app` into an off-screen `width` x `height` buffer (drawing into
/// memory cannot fail: the test backend's error type has no values).
pub fn render_buffer(app: &App, width: u16, height: u16, now: Instant) -> Buffer {
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let Ok(_) = terminal.draw(|frame| draw::render(frame, app, now));
    terminal.backend().buffer().clone()
}

/// The buffer as text, one line per row, trailing spaces trimmed.
pub fn to_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The buffer as a standalone SVG image.
pub fn to_svg(buffer: &Buffer) -> String {
    let area = buffer.area;
    let width = f64::from(area.width) * CELL_W;
    let height = f64::from(area.height) * CELL_H;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.1} {height:.1}" font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="14">"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="{BACKGROUND}"/>"#
    );
    for y in 0..area.height {
        // Runs of cells with one style become one <text>; backgrounds one <rect>.
        let mut x = 0;
        while x < area.width {
            let cell = &buffer[(x, y)];
            let style = cell_style(cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < area.width {
                let c = &buffer[(x, y)];
                if cell_style(c.fg, c.bg, c.modifier) != style {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let cells = x - start;
            let px = f64::from(start) * CELL_W;
            let py = f64::from(y) * CELL_H;
            if let Some(bg) = &style.bg {
                let _ = writeln!(
                    svg,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{:.1}" height="{CELL_H}" fill="{bg}"/>"#,
                    f64::from(cells) * CELL_W
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let _ = writeln!(
                svg,
                r#"<text x="{px:.1}" y="{:.1}" fill="{}"{}{} textLength="{:.1}" lengthAdjust="spacingAndGlyphs" xml:space="preserve">{}</text>"#,
                py + CELL_H * 0.78,
                style.fg,
                if style.bold {
                    r#" font-weight="bold""#
                } else {
                    ""
                },
                if style.dim { r#" opacity="0.6""# } else { "" },
                f64::from(cells) * CELL_W,
                escape(&text)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[derive(PartialEq)]
struct SvgStyle {
    fg: String,
    bg: Option<String>,
    bold: bool,
    dim: bool,
}

fn cell_style(fg: Color, bg: Color, modifier: Modifier) -> SvgStyle {
    let mut fg = hex(fg).unwrap_or_else(|| FOREGROUND.to_string());
    let mut bg = hex(bg);
    if modifier.contains(Modifier::REVERSED) {
        let old_fg = fg;
        fg = bg.unwrap_or_else(|| BACKGROUND.to_string());
        bg = Some(old_fg);
    }
    SvgStyle {
        fg,
        bg,
        bold: modifier.contains(Modifier::BOLD),
        dim: modifier.contains(Modifier::DIM),
    }
}

/// A terminal colour as `#rrggbb` (VS Code's dark palette); None for the default.
fn hex(color: Color) -> Option<String> {
    let rgb = match color {
        Color::Reset => return None,
        Color::Black => (0x00, 0x00, 0x00),
        Color::Red => (0xcd, 0x31, 0x31),
        Color::Green => (0x0d, 0xbc, 0x79),
        Color::Yellow => (0xe5, 0xe5, 0x10),
        Color::Blue => (0x24, 0x72, 0xc8),
        Color::Magenta => (0xbc, 0x3f, 0xbc),
        Color::Cyan => (0x11, 0xa8, 0xcd),
        Color::Gray => (0xcc, 0xcc, 0xcc),
        Color::DarkGray => (0x66, 0x66, 0x66),
        Color::LightRed => (0xf1, 0x4c, 0x4c),
        Color::LightGreen => (0x23, 0xd1, 0x8b),
        Color::LightYellow => (0xf5, 0xf5, 0x43),
        Color::LightBlue => (0x3b, 0x8e, 0xea),
        Color::LightMagenta => (0xd6, 0x70, 0xd6),
        Color::LightCyan => (0x29, 0xb8, 0xdb),
        Color::White => (0xe5, 0xe5, 0xe5),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => (i, i, i),
    };
    Some(format!("#{:02x}{:02x}{:02x}", rgb.0, rgb.1, rgb.2))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn svg_keeps_text_colour_and_escapes() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 6, 1));
        buffer.set_string(0, 0, "a<b", Style::new().fg(Color::Red));
        buffer.set_string(3, 0, "OK", Style::new().add_modifier(Modifier::REVERSED));
        let svg = to_svg(&buffer);
        assert!(svg.contains(r##"fill="#cd3131""##), "{svg}");
        assert!(svg.contains(">a&lt;b</text>"), "{svg}");
        // Reversed: the default foreground becomes the background.
        assert!(svg.contains(r##"fill="#d4d4d4"/>"##), "{svg}");
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(to_text(&buffer), "a<bOK\n");
    }
}
