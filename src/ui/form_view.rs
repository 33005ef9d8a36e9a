//! Draws the workload form over the panels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::form::{Field, WorkloadForm};
use super::help::centered;
use super::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, form: &WorkloadForm, theme: Theme) {
    let popup = centered(area, 76, 14);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Span::styled(" Workload ", theme.title()))
        .border_style(theme.focused_border());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let row = |field: Field, label: &str, value: String, hint: String| {
        let selected = form.field == field;
        let value_style = if selected {
            theme.selected()
        } else {
            theme.text()
        };
        let marker = if selected { "›" } else { " " };
        Line::from(vec![
            Span::styled(format!("{marker} {label:<10}"), theme.label()),
            Span::styled(format!(" {value:<18} "), value_style),
            Span::styled(format!("  {hint}"), theme.dim()),
        ])
    };
    let choice = "←/→ to choose".to_string();
    let mut lines = vec![
        row(
            Field::Kernel,
            "kernel",
            form.kernel.name().to_string(),
            choice.clone(),
        ),
        row(
            Field::Size,
            "size",
            form.size.clone(),
            form.kernel.size_unit().to_string(),
        ),
        row(
            Field::Dist,
            "dist",
            form.dist.name().to_string(),
            choice.clone(),
        ),
        row(
            Field::Mode,
            "loop",
            if form.closed { "closed" } else { "open" }.to_string(),
            choice,
        ),
        row(
            Field::Amount,
            form.amount_label(),
            form.amount.clone(),
            if form.closed {
                "tasks submitted and unfinished"
            } else {
                "arrivals per second"
            }
            .to_string(),
        ),
        row(
            Field::Path,
            "path",
            form.path.clone(),
            "empty: synthetic input".to_string(),
        ),
        Line::raw(""),
    ];
    match &form.error {
        Some(error) => lines.push(Line::from(vec![
            Span::styled(" invalid ", theme.badge(theme.bad())),
            Span::styled(format!(" {error}"), theme.bad()),
        ])),
        None => lines.push(Line::raw("")),
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Tab/↑↓ field · ←/→ choose · type/Backspace edit · Enter apply · Esc cancel",
        theme.label(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
