//! The mouse: a click focuses the panel under it, the wheel scrolls the list
//! under it (thread list or Log), like htop and bottom.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::app::App;
use super::focus::PanelId;
use super::keys::{Scroll, scroll_panel};

/// Rows one wheel notch moves.
const WHEEL_ROWS: isize = 3;

pub fn update(app: &mut App, event: MouseEvent) {
    if app.view.help || app.view.form.is_some() || app.view.comparison {
        return;
    }
    let Some(panel) = panel_at(app, event.column, event.row) else {
        return;
    };
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => app.view.focus = panel,
        MouseEventKind::ScrollDown => scroll_panel(app, panel, Scroll::Rows(WHEEL_ROWS)),
        MouseEventKind::ScrollUp => scroll_panel(app, panel, Scroll::Rows(-WHEEL_ROWS)),
        _ => {}
    }
}

/// The panel drawn at a screen cell in the last frame.
pub fn panel_at(app: &App, column: u16, row: u16) -> Option<PanelId> {
    app.view
        .panel_areas
        .borrow()
        .iter()
        .find(|(_, area)| area.contains(Position::new(column, row)))
        .map(|(panel, _)| *panel)
}
