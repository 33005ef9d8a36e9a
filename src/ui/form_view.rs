//! Draws the workload form over the panels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::form::{Field, WorkloadForm};
use super::help::centered;
use super::theme::Theme;

/// Characters of a field's value shown; a longer value shows its end.
const VALUE_WIDTH: usize = 40;
/// Characters of a validation message shown (it may quote a long path).
const ERROR_WIDTH: usize = 140;

/// The last `width` characters of `text`, starting with `…` when cut, so the
/// place being typed at stays in view.
fn tail(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width || width == 0 {
        return text.to_string();
    }
    let mut out = String::from("…");
    out.extend(text.chars().skip(count - (width - 1)));
    out
}

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
            Span::styled(format!(" {:<18} ", tail(&value, VALUE_WIDTH)), value_style),
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
            Span::styled(
                format!(" {}", crate::format::truncate(error, ERROR_WIDTH)),
                theme.bad(),
            ),
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
