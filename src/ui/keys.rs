//! Keys to actions: `update` changes view state and returns what the event loop
//! must do (engine commands, export, quit). No I/O, so tests can feed key sequences.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::bounds;
use crate::bounds::THREAD_FILTER_MAX_CHARS;
use crate::engine::command::Command;
use crate::spec::{BackendKind, LoadMode};

use super::action::Action;
use super::app::App;
use super::focus::PanelId;
use super::form::{FormOutcome, WorkloadForm};
use super::thread_table::SortColumn;

/// `[` and `]` scale the rate by these factors (and in-flight counts, by at least one).
pub const LOAD_DOWN: f64 = 0.8;
pub const LOAD_UP: f64 = 1.25;
/// Lines PgUp/PgDn move the help overlay.
const HELP_PAGE: usize = 10;

pub fn update(app: &mut App, key: KeyEvent, now: Instant) -> Vec<Action> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // F10 quits as in htop; both work in the form and the help too.
    if key.code == KeyCode::F(10)
        || (ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')))
    {
        return vec![Action::Quit];
    }
    // Raw mode turns Ctrl-Z into a key instead of SIGTSTP.
    if ctrl && matches!(key.code, KeyCode::Char('z') | KeyCode::Char('Z')) {
        return vec![Action::Suspend];
    }
    if let Some(form) = app.view.form.as_mut() {
        return match form.handle(key) {
            FormOutcome::Editing => Vec::new(),
            FormOutcome::Cancelled => {
                app.view.form = None;
                app.set_status("workload form cancelled, nothing applied", now);
                Vec::new()
            }
            FormOutcome::Submitted(commands) => {
                app.view.form = None;
                if commands.is_empty() {
                    app.set_status("workload unchanged", now);
                    return Vec::new();
                }
                let mut config = app.config().clone();
                for command in &commands {
                    match command {
                        Command::SetWorkload { workload } => config.workload = workload.clone(),
                        Command::SetLoad { load } => config.load = *load,
                        _ => {}
                    }
                }
                app.set_status(
                    format!(
                        "workload -> {} ({})",
                        config.workload.label(),
                        load_text(config.load)
                    ),
                    now,
                );
                app.expect_config(config, now);
                commands.into_iter().map(Action::Apply).collect()
            }
        };
    }
    if app.view.threads.editing_filter {
        edit_filter(app, key);
        return Vec::new();
    }
    if app.view.help {
        // Scroll keys move through a help taller than the screen; any other
        // key closes it; q still quits from it.
        let max = app.view.help_max_scroll.get();
        let at = app.view.help_scroll;
        let page = HELP_PAGE;
        app.view.help_scroll = match key.code {
            KeyCode::Char('j') | KeyCode::Down => at.saturating_add(1).min(max),
            KeyCode::Char('k') | KeyCode::Up => at.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => at.saturating_add(page).min(max),
            KeyCode::PageUp => at.saturating_sub(page),
            KeyCode::Char('g') | KeyCode::Home => 0,
            KeyCode::Char('G') | KeyCode::End => max,
            KeyCode::Char('q') => return vec![Action::Quit],
            _ => {
                app.view.help = false;
                0
            }
        };
        return Vec::new();
    }
    if app.view.log_row.take().is_some() {
        // The row popup: Enter zooms the Log, ? opens the help, q quits,
        // any other key just closes it.
        match key.code {
            KeyCode::Enter => app.view.zoomed = true,
            KeyCode::Char('?') | KeyCode::F(1) => {
                app.view.help = true;
                app.view.help_scroll = 0;
            }
            KeyCode::Char('q') => return vec![Action::Quit],
            _ => {}
        }
        return Vec::new();
    }
    if ctrl || key.modifiers.contains(KeyModifiers::ALT) {
        return Vec::new();
    }
    // On the Log, Enter (unless zoomed: it leaves the zoom) and ? show the
    // bottom row whole, which the grid cuts.
    let on_log_row = match key.code {
        KeyCode::Char('?') => true,
        KeyCode::Enter => !app.view.zoomed,
        _ => false,
    };
    if on_log_row
        && app.view.focus == PanelId::Log
        && let Some(row) = app.view.log.selected(&app.logs)
    {
        app.view.log_row = Some(row);
        return Vec::new();
    }
    if app.shown().snapshot.attached.is_some() && acts_on_the_engine(key.code) {
        app.set_status(
            "attached: loadlab runs no work here, this key has nothing to change (? lists the keys that work)",
            now,
        );
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('q') => vec![Action::Quit],
        KeyCode::Char('?') | KeyCode::F(1) => {
            app.view.help = true;
            app.view.help_scroll = 0;
            Vec::new()
        }
        KeyCode::Char('b') => swap_backend(app, 1, now),
        KeyCode::Char('B') => swap_backend(app, -1, now),
        KeyCode::Char('+') | KeyCode::Char('=') => resize(app, 1, now),
        KeyCode::Char('-') | KeyCode::Char('_') => resize(app, -1, now),
        KeyCode::Char('[') => scale_load(app, LOAD_DOWN, now),
        KeyCode::Char(']') => scale_load(app, LOAD_UP, now),
        KeyCode::Char('w') => {
            let config = app.config();
            app.view.form = Some(WorkloadForm::new(&config.workload, config.load));
            Vec::new()
        }
        KeyCode::Char(' ') if !app.config().running => {
            app.set_status(
                "stopped: nothing arrives, so there is nothing to pause; S starts again",
                now,
            );
            Vec::new()
        }
        KeyCode::Char(' ') => {
            let mut config = app.config().clone();
            config.paused = !config.paused;
            let paused = config.paused;
            app.set_status(
                if paused {
                    "arrivals paused"
                } else {
                    "arrivals resumed"
                },
                now,
            );
            app.expect_config(config, now);
            vec![Action::Apply(Command::Pause { paused })]
        }
        KeyCode::Char('s') => {
            let mut config = app.config().clone();
            if !config.running {
                app.set_status("already stopped: S starts again", now);
                return Vec::new();
            }
            config.running = false;
            app.set_status(
                "stopped: queued tasks cancelled, running ones finish; S starts",
                now,
            );
            app.expect_config(config, now);
            vec![Action::Apply(Command::Stop)]
        }
        KeyCode::Char('S') => {
            let mut config = app.config().clone();
            config.running = true;
            app.set_status("started", now);
            app.expect_config(config, now);
            vec![Action::Apply(Command::Start)]
        }
        KeyCode::Char('r') => {
            app.set_status(
                "statistics reset: counts, rates, latencies and blocked events start from zero",
                now,
            );
            vec![Action::Apply(Command::ResetStats)]
        }
        KeyCode::Char('f') => {
            app.toggle_freeze();
            let text = if app.is_frozen() {
                "display frozen (f again to follow live data)"
            } else {
                "display live"
            };
            app.set_status(text, now);
            Vec::new()
        }
        KeyCode::Char('e') => vec![Action::Export],
        KeyCode::Char('d') => toggle_demo(app, now),
        KeyCode::Char('c') => {
            app.view.comparison = !app.view.comparison;
            Vec::new()
        }
        KeyCode::Tab => {
            app.move_focus(|p| p.cycle(1), false);
            Vec::new()
        }
        KeyCode::BackTab => {
            app.move_focus(|p| p.cycle(-1), false);
            Vec::new()
        }
        KeyCode::Up => {
            app.move_focus(|p| p.up(), true);
            Vec::new()
        }
        KeyCode::Down => {
            app.move_focus(|p| p.down(), true);
            Vec::new()
        }
        KeyCode::Left => {
            app.move_focus(|p| p.left(), true);
            Vec::new()
        }
        KeyCode::Right => {
            app.move_focus(|p| p.right(), true);
            Vec::new()
        }
        KeyCode::PageDown => scroll(app, Scroll::Page(1)),
        KeyCode::PageUp => scroll(app, Scroll::Page(-1)),
        KeyCode::Char('j') => scroll(app, Scroll::Rows(1)),
        KeyCode::Char('k') => scroll(app, Scroll::Rows(-1)),
        KeyCode::Char('g') | KeyCode::Home => scroll(app, Scroll::Top),
        KeyCode::Char('G') | KeyCode::End => scroll(app, Scroll::Bottom),
        KeyCode::Char('/') => {
            app.view.focus = PanelId::Threads;
            app.view.threads.editing_filter = true;
            app.set_status(
                "filter threads by name or pool: type, Enter keeps it, Esc clears it",
                now,
            );
            Vec::new()
        }
        KeyCode::Char('<') | KeyCode::Char(',') => sort_by(app, -1, now),
        KeyCode::Char('>') | KeyCode::Char('.') => sort_by(app, 1, now),
        KeyCode::Char('o') => {
            let table = &mut app.view.threads;
            table.reversed = !table.reversed;
            let order = if table.is_descending() {
                "descending"
            } else {
                "ascending"
            };
            let text = format!("threads sorted by {} ({order})", table.sort.label());
            app.set_status(text, now);
            Vec::new()
        }
        KeyCode::Char('i') => {
            let table = &mut app.view.threads;
            table.hide_idle = !table.hide_idle;
            table.scroll = 0;
            let text = if table.hide_idle {
                "threads: idle and exited ones hidden (i shows them)"
            } else {
                "threads: every thread shown"
            };
            app.set_status(text, now);
            Vec::new()
        }
        KeyCode::Char('t') => {
            app.view.chart_window = app.view.chart_window.next();
            let text = format!(
                "charts show the last {} (t changes it)",
                app.view.chart_window.label()
            );
            app.set_status(text, now);
            Vec::new()
        }
        KeyCode::Char('l') => {
            let log = &mut app.view.log;
            log.filter = log.filter.next();
            log.scroll = 0;
            let text = format!("log shows {}", log.filter.label());
            app.set_status(text, now);
            Vec::new()
        }
        KeyCode::Enter => {
            app.view.zoomed = !app.view.zoomed;
            Vec::new()
        }
        KeyCode::Esc => {
            if app.view.comparison {
                app.view.comparison = false;
            } else {
                app.view.zoomed = false;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The keys of the help's `ENGINE_KEYS`: loadlab's own run, charts and periods.
fn acts_on_the_engine(code: KeyCode) -> bool {
    matches!(
        code,
        KeyCode::Char(
            'b' | 'B'
                | '+'
                | '='
                | '-'
                | '_'
                | '['
                | ']'
                | 'w'
                | ' '
                | 's'
                | 'S'
                | 'r'
                | 'd'
                | 'c'
                | 't'
        )
    )
}

/// How far a scroll key moves the focused list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scroll {
    /// Rows down (positive) or up (negative).
    Rows(isize),
    /// Pages down or up.
    Page(isize),
    Top,
    Bottom,
}

/// Scrolls the Log when it has focus, else the thread list; always within bounds.
pub fn scroll(app: &mut App, how: Scroll) -> Vec<Action> {
    scroll_panel(app, app.view.focus, how);
    Vec::new()
}

/// Scrolls `panel`'s list (the Log, or else the thread list).
pub fn scroll_panel(app: &mut App, panel: PanelId, how: Scroll) {
    if panel == PanelId::Log {
        // The log counts from the newest entry: down is towards newer ones.
        let log = &mut app.view.log;
        match how {
            Scroll::Rows(n) => log.scroll_by(-n, &app.logs),
            Scroll::Page(n) => log.scroll_by(-n * 5, &app.logs),
            Scroll::Top => log.to_oldest(&app.logs),
            Scroll::Bottom => log.scroll = 0,
        }
        return;
    }
    let lines = app.view.threads.line_count(&app.shown().threads);
    let table = &mut app.view.threads;
    match how {
        Scroll::Rows(n) => table.scroll_by(n, lines),
        Scroll::Page(n) => table.scroll_by(n * table.page_rows(), lines),
        Scroll::Top => table.scroll = 0,
        Scroll::Bottom => table.scroll = table.max_scroll(lines),
    }
}

fn sort_by(app: &mut App, step: isize, now: Instant) -> Vec<Action> {
    let table = &mut app.view.threads;
    table.sort = table.sort.step(step);
    table.reversed = false;
    table.scroll = 0;
    let text = match table.sort {
        SortColumn::Pool => "threads grouped by pool (< > pick a column, o flips)".to_string(),
        column => format!(
            "threads sorted by {} ({}; o flips)",
            column.label(),
            if table.is_descending() {
                "descending"
            } else {
                "ascending"
            }
        ),
    };
    app.set_status(text, now);
    Vec::new()
}

/// Typing into the thread filter (`/`).
fn edit_filter(app: &mut App, key: KeyEvent) {
    let table = &mut app.view.threads;
    match key.code {
        KeyCode::Enter => table.editing_filter = false,
        KeyCode::Esc => {
            table.editing_filter = false;
            table.filter.clear();
        }
        KeyCode::Backspace => {
            table.filter.pop();
        }
        KeyCode::Char(c)
            if !c.is_control() && table.filter.chars().count() < THREAD_FILTER_MAX_CHARS =>
        {
            table.filter.push(c);
        }
        _ => {}
    }
    table.scroll = 0;
}

/// Pasted text (bracketed paste: one event however long). Only the workload
/// form takes text; elsewhere a paste must not act as a burst of key presses.
pub fn paste(app: &mut App, text: &str, now: Instant) -> Vec<Action> {
    if app.view.threads.editing_filter {
        let table = &mut app.view.threads;
        let room = THREAD_FILTER_MAX_CHARS.saturating_sub(table.filter.chars().count());
        table
            .filter
            .extend(text.chars().filter(|c| !c.is_control()).take(room));
        return Vec::new();
    }
    match app.view.form.as_mut() {
        Some(form) => form.paste(text),
        None => app.set_status(
            "paste ignored: press w to open the workload form first",
            now,
        ),
    }
    Vec::new()
}

fn swap_backend(app: &mut App, step: isize, now: Instant) -> Vec<Action> {
    let mut config = app.config().clone();
    config.backend = config.backend.cycle(step);
    let backend = config.backend;
    app.set_status(format!("backend -> {backend}"), now);
    app.expect_config(config, now);
    vec![Action::Apply(Command::SetBackend { backend })]
}

fn resize(app: &mut App, step: isize, now: Instant) -> Vec<Action> {
    let mut config = app.config().clone();
    let max = crate::spec::limits::threads_max(config.backend, config.runtime_workers);
    let threads = config.threads.saturating_add_signed(step).clamp(1, max);
    if threads == config.threads {
        let text = if step < 0 {
            "threads: already at the minimum of 1".to_string()
        } else if config.backend == BackendKind::Inline {
            format!("threads: inline runs on at most the {max} app workers")
        } else {
            format!(
                "threads: already at the limit of {max} for {}",
                config.backend
            )
        };
        app.set_status(text, now);
        return Vec::new();
    }
    config.threads = threads;
    app.set_status(format!("threads -> {threads}"), now);
    app.expect_config(config, now);
    vec![Action::Apply(Command::SetThreads { threads })]
}

fn scale_load(app: &mut App, factor: f64, now: Instant) -> Vec<Action> {
    let mut config = app.config().clone();
    let scaled = scaled_load(config.load, factor);
    if scaled == config.load {
        let text = match scaled {
            LoadMode::Closed { .. } if factor > 1.0 => {
                format!(
                    "in flight: already at the limit of {}",
                    bounds::INFLIGHT_MAX
                )
            }
            LoadMode::Closed { .. } => "in flight: already at the minimum of 1".to_string(),
            LoadMode::Open { .. } if factor > 1.0 => format!(
                "rate: already at the limit of {} tasks/s",
                super::format::rate(bounds::RATE_MAX)
            ),
            LoadMode::Open { .. } => {
                format!(
                    "rate: already at the minimum of {} tasks/s",
                    bounds::RATE_MIN
                )
            }
        };
        app.set_status(text, now);
        return Vec::new();
    }
    config.load = scaled;
    let load = config.load;
    app.set_status(format!("load -> {}", load_text(load)), now);
    app.expect_config(config, now);
    vec![Action::Apply(Command::SetLoad { load })]
}

/// The load scaled by `factor` (in-flight counts move by at least one),
/// clamped to the bounds every input shares.
pub fn scaled_load(load: LoadMode, factor: f64) -> LoadMode {
    match load {
        LoadMode::Closed { inflight } => {
            let scaled = (inflight as f64 * factor).round();
            let scaled = if scaled.is_finite() && scaled < bounds::INFLIGHT_MAX as f64 {
                scaled as usize
            } else {
                bounds::INFLIGHT_MAX
            };
            let inflight = if factor > 1.0 {
                scaled.max(inflight.saturating_add(1))
            } else {
                scaled.min(inflight.saturating_sub(1))
            };
            LoadMode::Closed {
                inflight: inflight.clamp(1, bounds::INFLIGHT_MAX),
            }
        }
        LoadMode::Open { rate } => {
            let scaled = rate * factor;
            let rate = if scaled.is_finite() {
                scaled.clamp(bounds::RATE_MIN, bounds::RATE_MAX)
            } else {
                bounds::RATE_MAX
            };
            LoadMode::Open { rate }
        }
    }
}

/// `d`: plays the guided demo preset, or stops whatever timeline is playing.
fn toggle_demo(app: &mut App, now: Instant) -> Vec<Action> {
    let demo = app.playing_demo();
    if app.data.session.stop_playing().is_some() {
        let text = if demo {
            "guided demo stopped"
        } else {
            "scenario stopped (d starts the guided demo)"
        };
        app.set_status(text, now);
        return vec![Action::Apply(Command::Caption { text: None })];
    }
    match super::demo::start(now, app.config()) {
        Ok((run, commands)) => {
            app.data.session.play(run);
            app.set_status("guided demo: offload, inline, offload (d stops it)", now);
            commands.into_iter().map(Action::Apply).collect()
        }
        Err(e) => {
            app.set_error(format!("guided demo: {e}"), now);
            Vec::new()
        }
    }
}

/// `closed, 4 in flight` or `open, 120 tasks/s`.
pub fn load_text(load: LoadMode) -> String {
    match load {
        LoadMode::Closed { inflight } => format!("closed, {inflight} in flight"),
        LoadMode::Open { rate } => format!("open, {} tasks/s", super::format::rate(rate)),
    }
}
