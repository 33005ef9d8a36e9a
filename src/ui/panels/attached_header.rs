//! The header while attached to another process: which process, the
//! verdict, its threads, and how long it has been watched.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::metrics::attached::AttachedView;
use crate::ui::app::App;
use crate::ui::cell_text::CellLines;
use crate::ui::fit::{Segment, fit_segments};
use crate::ui::format::{duration_s, escape_control};

pub fn render(frame: &mut Frame, area: Rect, app: &App, attached: &AttachedView) {
    let theme = app.theme;
    let s = &app.shown().snapshot;
    let sep = || Span::styled("│ ", theme.border());
    let (state, style) = if attached.target_exited {
        (" ENDED ", theme.bad())
    } else {
        (" ATTACHED ", theme.good())
    };
    let mut first = vec![Span::styled("loadlab ", theme.title())];
    if app.is_frozen() {
        first.push(Span::styled(" FROZEN ", theme.badge(theme.warn())));
        first.push(Span::raw(" "));
    }
    first.push(Span::styled(state, theme.badge(style)));
    let segments = vec![
        Segment::new(0, first),
        Segment::new(
            0,
            vec![
                Span::styled("pid ", theme.label()),
                Span::styled(attached.pid.to_string(), theme.title()),
            ],
        ),
        Segment::new(
            1,
            vec![
                Span::styled("threads ", theme.label()),
                Span::raw(s.system.process_threads.to_string()),
            ],
        ),
        Segment::new(
            3,
            vec![
                sep(),
                Span::styled("watched ", theme.label()),
                Span::raw(duration_s(s.elapsed_s)),
            ],
        ),
        Segment::new(
            2,
            vec![
                sep(),
                Span::raw(escape_control(&attached.command).into_owned()),
            ],
        ),
    ];
    let line = fit_segments(segments, Span::raw(" "), usize::from(area.width));
    frame.render_widget(CellLines::line(line), area);
}

/// The header's whole text, unshortened (the help overlay shows it).
pub fn text(app: &App, attached: &AttachedView) -> String {
    let s = &app.shown().snapshot;
    format!(
        "attached to pid {} ({}) · {} threads · verdict {} · watched {}",
        attached.pid,
        escape_control(&attached.command),
        s.system.process_threads,
        attached.verdict,
        duration_s(s.elapsed_s)
    )
}
