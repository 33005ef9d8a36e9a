//! Threads: every thread of the process grouped by pool, with OS CPU % (what the
//! thread cost), busy % in jobs (what the pool did), tasks/s and a CPU heat strip.
//! Exited threads stay dimmed for a few seconds, then go.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::metrics::snapshot::PoolKind;
use crate::ui::app::App;
use crate::ui::focus::PanelId;
use crate::ui::format::{rate, truncate};
use crate::ui::history::ThreadTrack;

use super::{heat_strip, panel_block};

const NAME_W: usize = 12;
/// From this width on (a zoomed panel) the totals since reset are shown too.
const WIDE: usize = 100;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let data = app.shown();
    let tracks = data.threads.sorted();
    let alive = tracks.iter().filter(|t| t.is_alive()).count();
    let block = panel_block(
        PanelId::Threads,
        vec![Span::styled(format!("{alive} live "), theme.label())],
        focused,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = inner.width as usize;
    // Wide (zoomed): totals since reset too.
    let totals = width >= WIDE;
    // name, cpu%, busy%, tasks/s, [tasks, busy s, cpu s], then the strip takes what is left.
    let fixed = NAME_W + 7 + 7 + 9 + 2 + if totals { 3 * 9 } else { 0 };
    let strip_w = width.saturating_sub(fixed);
    let mut header = format!(
        "{:<NAME_W$} {:>6} {:>6} {:>8}",
        "thread", "cpu%", "busy%", "tasks/s"
    );
    if totals {
        header.push_str(&format!(" {:>8} {:>8} {:>8}", "tasks", "busy s", "cpu s"));
    }
    if strip_w >= 8 {
        header.push_str("  cpu % history");
    }
    let mut lines = vec![Line::styled(header, theme.label())];
    if tracks.is_empty() {
        lines.push(Line::styled("no thread data yet", theme.dim()));
    }
    let mut pool: Option<PoolKind> = None;
    for track in &tracks {
        if pool != Some(track.view.pool) {
            pool = Some(track.view.pool);
            lines.push(group_line(&tracks, track.view.pool, app));
        }
        lines.push(thread_line(track, strip_w, totals, app));
    }
    let body_h = inner.height as usize - 1;
    let rows = &lines[1..];
    let max_scroll = rows.len().saturating_sub(body_h);
    let scroll = app.view.threads_scroll.min(max_scroll);
    let mut shown: Vec<Line> = vec![lines[0].clone()];
    shown.extend(rows.iter().skip(scroll).take(body_h).cloned());
    let below = rows.len().saturating_sub(scroll + body_h);
    if below > 0 && shown.len() > 1 {
        shown.pop();
        shown.push(Line::styled(
            format!("… {} more below (PgDn; Enter zooms)", below + 1),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

fn group_line<'a>(tracks: &[&ThreadTrack], pool: PoolKind, app: &App) -> Line<'a> {
    let theme = app.theme;
    let members: Vec<&&ThreadTrack> = tracks
        .iter()
        .filter(|t| t.view.pool == pool && t.is_alive())
        .collect();
    if members.is_empty() {
        return Line::from(Span::styled(
            format!("{} · exited", pool.name()),
            theme.dim(),
        ));
    }
    // Folds from +0.0: an empty f64 sum is -0.0, which prints as "-0".
    let total = |f: fn(&ThreadTrack) -> f64| members.iter().map(|t| f(t)).fold(0.0, |a, b| a + b);
    let cpu = total(|t| t.view.cpu_pct);
    let busy = total(|t| t.view.busy_pct);
    let tps = total(|t| t.view.tasks_per_s);
    let mut text = format!(
        "{} · {} thread{} · cpu {:.0}%",
        pool.name(),
        members.len(),
        if members.len() == 1 { "" } else { "s" },
        cpu
    );
    if busy > 0.0 || tps > 0.0 {
        text.push_str(&format!(" · busy {busy:.0}% · {} tasks/s", rate(tps)));
    }
    Line::from(Span::styled(text, theme.title()))
}

fn thread_line<'a>(track: &ThreadTrack, strip_w: usize, totals: bool, app: &App) -> Line<'a> {
    let theme = app.theme;
    let v = &track.view;
    let name = format!(" {:<w$}", truncate(&v.name, NAME_W - 1), w = NAME_W - 1);
    if !track.is_alive() {
        return Line::styled(format!("{name} {:>6} exited", "-"), theme.dim());
    }
    let mut spans = vec![
        Span::raw(name),
        Span::styled(format!(" {:>6.1}", v.cpu_pct), theme.load(v.cpu_pct)),
        Span::styled(format!(" {:>6.1}", v.busy_pct), theme.load(v.busy_pct)),
        Span::raw(format!(" {:>8}", rate(v.tasks_per_s))),
    ];
    if totals {
        spans.push(Span::raw(format!(
            " {:>8} {:>8.1} {:>8.1}",
            v.tasks, v.busy_s, v.cpu_s
        )));
    }
    if strip_w >= 8 {
        let skip = track.history.len().saturating_sub(strip_w);
        let strip = heat_strip(track.history.iter().skip(skip).map(|h| h.1));
        spans.push(Span::raw("  "));
        spans.push(Span::styled(strip, theme.series(0)));
    }
    Line::from(spans)
}
