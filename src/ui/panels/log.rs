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
    let lines: Vec<Line> = recent
        .iter()
        .map(|l| {
            let level_style = match l.level {
                Level::ERROR => theme.bad(),
                Level::WARN => theme.warn(),
                _ => theme.label(),
            };
            Line::from(vec![
                Span::styled(format!("{} ", l.clock()), theme.dim()),
                Span::styled(format!("{:<5} ", l.level.as_str()), level_style),
                Span::raw(l.message.clone()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
