//! Threads: one row per OS thread (by tid) with OS CPU % (what the thread
//! cost), busy % in jobs (what the pool did), tasks/s and a CPU heat strip;
//! grouped by pool, or sorted by a column; filtered by name or pool; exited
//! threads stay one dimmed row for a few seconds, then go.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::metrics::snapshot::PoolKind;
use crate::ui::app::App;
use crate::ui::focus::PanelId;
use crate::ui::format::{rate, truncate};
use crate::ui::history::{FADE_S, ThreadTrack};
use crate::ui::thread_table::SortColumn;

use super::{heat_strip, panel_block, render_fitted};

const TID_W: usize = 7;
const NAME_W: usize = 12;
/// From this width on (a zoomed panel) the totals since reset are shown too.
const WIDE: usize = 100;
/// Below this width the per-thread tasks/s column is left out.
const NARROW: usize = 44;
/// A pool's time waiting for a CPU is shown from this many percent on.
const WAIT_SHOWN_PCT: f64 = 1.0;

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let data = app.shown();
    let table = &app.view.threads;
    let rows = table.rows(&data.threads);
    let alive = data.threads.live_count();
    let mut extra = vec![Span::styled(format!("{alive} live "), theme.label())];
    if table.editing_filter || !table.filter.is_empty() {
        let cursor = if table.editing_filter { "_" } else { "" };
        extra.push(Span::styled(
            format!("/{}{cursor} ", table.filter),
            theme.key(),
        ));
    }
    if table.hide_idle {
        extra.push(Span::styled("idle hidden ", theme.warn()));
    }
    if table.sort == SortColumn::Pool {
        extra.push(Span::styled(
            format!("· by pool{} ", table.arrow()),
            theme.label(),
        ));
    }
    let block = panel_block(PanelId::Threads, extra, focused, theme, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = inner.width as usize;
    let totals = width >= WIDE;
    // Attached to another process there are no jobs: its threads' second
    // column is the time they waited for a CPU.
    let attached = data.snapshot.attached.is_some();
    // A narrow panel (the 80x24 grid) leaves tasks/s to the group rows and zoom.
    let per_thread_rate = width >= NARROW && !attached;
    // tid, name, cpu%, busy%, [tasks/s], [tasks, busy s, cpu s], then the strip takes what is left.
    let fixed = TID_W
        + 1
        + NAME_W
        + 7
        + 7
        + if per_thread_rate { 9 } else { 0 }
        + 2
        + if totals { 3 * 9 } else { 0 };
    let strip_w = width.saturating_sub(fixed);
    let head = |column: SortColumn, text: &str| {
        if table.sort == column {
            format!("{text}{}", table.arrow())
        } else {
            text.to_string()
        }
    };
    let mut header = format!(
        "{:>TID_W$} {:<NAME_W$} {:>6} {:>6}",
        head(SortColumn::Tid, "tid"),
        head(SortColumn::Name, "thread"),
        head(SortColumn::Cpu, "cpu%"),
        head(SortColumn::Busy, if attached { "wait%" } else { "busy%" }),
    );
    if per_thread_rate {
        header.push_str(&format!(" {:>8}", head(SortColumn::TasksPerS, "tasks/s")));
    }
    if totals && attached {
        header.push_str(&format!(" {:>8} {:>8}", "cpu s", "wait s"));
    } else if totals {
        header.push_str(&format!(" {:>8} {:>8} {:>8}", "tasks", "busy s", "cpu s"));
    }
    if strip_w >= 8 {
        let label = if strip_w >= 13 {
            "cpu % history"
        } else {
            "cpu %"
        };
        header.push_str("  ");
        header.push_str(label);
    }
    // Every row's place first (cheap), then text for the rows in view only:
    // a process with hundreds of threads shows a page of them.
    let mut entries: Vec<Entry> = Vec::with_capacity(rows.len() + 8);
    let mut pool: Option<PoolKind> = None;
    for track in &rows {
        if table.sort == SortColumn::Pool && pool != Some(track.view.pool) {
            pool = Some(track.view.pool);
            entries.push(Entry::Group(track.view.pool));
        }
        entries.push(Entry::Thread(track));
    }
    let body_h = inner.height as usize - 1;
    table.page.set(body_h);
    let max_scroll = entries.len().saturating_sub(body_h);
    let scroll = table.scroll.min(max_scroll);
    let mut shown: Vec<Line> = vec![Line::styled(header, theme.label())];
    if rows.is_empty() {
        let text = if data.threads.is_empty() {
            "no thread data yet"
        } else {
            "no thread matches (/ filter, i shows idle)"
        };
        shown.push(Line::styled(text, theme.dim()));
    }
    let now = data.history.now();
    shown.extend(
        entries
            .iter()
            .skip(scroll)
            .take(body_h)
            .map(|entry| match entry {
                Entry::Group(pool) => group_line(&rows, *pool, app),
                Entry::Thread(track) => {
                    thread_line(track, strip_w, (per_thread_rate, totals), now, app)
                }
            }),
    );
    let below = entries.len().saturating_sub(scroll + body_h);
    if below > 0 && shown.len() > 1 {
        shown.pop();
        shown.push(Line::styled(
            format!("… {} more below (PgDn, j; Enter zooms)", below + 1),
            theme.dim(),
        ));
    }
    render_fitted(frame, inner, shown);
}

/// A row of the table: a pool's summary or one thread.
enum Entry<'a> {
    Group(PoolKind),
    Thread(&'a ThreadTrack),
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
    // Time ready to run but without a core: the pool wanted more CPU than it
    // got. Beside cpu, before what a narrow panel cuts.
    let waited = total(|t| t.view.wait_pct);
    if waited >= WAIT_SHOWN_PCT {
        text.push_str(&format!(" · wait {waited:.0}%"));
    }
    if busy > 0.0 || tps > 0.0 {
        text.push_str(&format!(" · busy {busy:.0}% · {} tasks/s", rate(tps)));
    }
    Line::from(Span::styled(text, theme.title()))
}

fn thread_line<'a>(
    track: &ThreadTrack,
    strip_w: usize,
    (per_thread_rate, totals): (bool, bool),
    now: f64,
    app: &App,
) -> Line<'a> {
    let theme = app.theme;
    let v = &track.view;
    let attached = app.shown().snapshot.attached.is_some();
    let second = if attached { v.wait_pct } else { v.busy_pct };
    let ident = format!(
        "{:>TID_W$} {:<w$}",
        v.tid,
        truncate(&v.name, NAME_W),
        w = NAME_W
    );
    if let Some(since) = track.dead_since {
        let ago = (now - since).max(0.0);
        return Line::styled(
            format!("{ident} exited {}s ago", ago.round() as u64),
            theme.fading(ago / FADE_S),
        );
    }
    let mut spans = vec![
        Span::raw(ident),
        Span::styled(format!(" {:>6}", percent(v.cpu_pct)), theme.load(v.cpu_pct)),
        Span::styled(format!(" {:>6}", percent(second)), theme.load(second)),
    ];
    if per_thread_rate {
        spans.push(Span::raw(format!(" {:>8}", rate(v.tasks_per_s))));
    }
    if totals && attached {
        spans.push(Span::raw(format!(" {:>8.1} {:>8.1}", v.cpu_s, v.wait_s)));
    } else if totals {
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

/// `97.5`, and a plain `0` for nothing at all.
fn percent(pct: f64) -> String {
    if pct.abs() < 0.05 {
        "0".to_string()
    } else {
        format!("{pct:.1}")
    }
}
