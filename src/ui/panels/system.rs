//! System: per-core CPU (all processes, from sysinfo), process RSS and thread
//! count, other programs' share of the CPUs with the busiest of them, and
//! warnings when other programs are busy or backend threads plus app workers
//! exceed the cores while the CPUs are busy.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::ui::app::App;
use crate::ui::focus::PanelId;
use crate::ui::format::bytes;

use super::{bar, panel_block, render_fitted};

/// Machine CPU (mean over cores) from which more threads than cores is a
/// contention worth a warning rather than idle threads waiting for work.
const CONTENDED_PCT: f64 = 90.0;
/// Width of one `cpu0 ██████░░░░ 100%` cell.
const CORE_CELL_W: usize = 22;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let s = &app.shown().snapshot;
    let sys = &s.system;
    let block = panel_block(PanelId::System, vec![], focused, theme, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut lines = Vec::new();
    let per_line = (inner.width as usize / CORE_CELL_W).max(1);
    for chunk in sys.core_cpu_pct.chunks(per_line).enumerate() {
        let (row, cores) = chunk;
        let mut spans = Vec::new();
        for (j, pct) in cores.iter().enumerate() {
            let core = row * per_line + j;
            spans.push(Span::styled(format!("cpu{core:<2}"), theme.label()));
            spans.push(Span::styled(bar(*pct, 10), theme.load(*pct)));
            spans.push(Span::raw(format!("{pct:>4.0}%  ")));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(vec![
        Span::styled("RSS ", theme.label()),
        Span::raw(bytes(sys.rss_bytes as f64)),
        Span::styled(" · threads ", theme.label()),
        Span::raw(sys.process_threads.to_string()),
        Span::styled(" · cores ", theme.label()),
        Span::raw(sys.cores.to_string()),
    ]));
    // Past the per-sample read budget, threads are read in turn: said on a
    // line of its own, so a half-width panel keeps the core count.
    if let Some(every_s) = sys.thread_read_every_s {
        lines.push(Line::styled(
            format!("threads read in turn, each every {every_s:.1} s"),
            theme.label(),
        ));
    }
    if let Some(external) = sys.external_cpu_pct {
        let busy = external > crate::bounds::BUSY_EXTERNAL_CPU_PCT;
        let mut spans = vec![
            Span::styled(if busy { "! others " } else { "others " }, theme.label()),
            Span::styled(
                format!("{external:.0}% of CPUs"),
                if busy { theme.warn() } else { theme.text() },
            ),
        ];
        if let Some(top) = &sys.busiest_other {
            spans.push(Span::styled(" · busiest ", theme.label()));
            spans.push(Span::raw(format!(
                "{} (pid {}) {:.0}%",
                top.name, top.pid, top.cpu_pct
            )));
        }
        lines.push(Line::from(spans));
    }
    // More threads than cores only hurts when the CPUs are actually busy.
    let machine_pct = if sys.core_cpu_pct.is_empty() {
        0.0
    } else {
        sys.core_cpu_pct.iter().sum::<f64>() / sys.core_cpu_pct.len() as f64
    };
    if sys.oversubscribed && machine_pct >= CONTENDED_PCT {
        // The verdict first, so a narrow panel still shows it.
        let text = format!(
            "! CPUs contended: {} busy threads > {} cores at {machine_pct:.0}%",
            sys.busy_threads, sys.cores
        );
        lines.push(Line::styled(text, theme.warn()));
    }
    render_fitted(frame, inner, lines);
}
