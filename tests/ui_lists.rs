//! The thread table and the Log as lists: sorting, filtering, hiding idle
//! threads, bounded scrolling by key and by mouse, click to focus; the Log's
//! level filter; a failing workload's banner and grouped log lines.

mod ui_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use loadlab::logging::LogBuffer;
use loadlab::metrics::snapshot::{Failures, Snapshot};
use loadlab::spec::Kernel;
use loadlab::ui::app::App;
use loadlab::ui::draw;
use loadlab::ui::focus::PanelId;
use loadlab::ui::keys::update;
use loadlab::ui::log_view::LogFilter;
use loadlab::ui::theme::Theme;
use loadlab::ui::thread_table::SortColumn;
use ui_support::*;

fn frame_text(app: &App, width: u16, height: u16) -> String {
    render_text(width, height, |f| draw::render(f, app, now()))
}

fn press(app: &mut App, keys: &[crossterm::event::KeyEvent]) {
    for k in keys {
        update(app, *k, Instant::now());
    }
}

fn thread_names(app: &App) -> Vec<String> {
    app.view
        .threads
        .rows(&app.shown().threads)
        .iter()
        .map(|t| t.view.name.to_string())
        .collect()
}

fn status(app: &App) -> String {
    app.view
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn sort_keys_pick_a_column_and_o_flips_the_order() {
    let mut app = app_with_history(Theme::colored());
    assert_eq!(app.view.threads.sort, SortColumn::Pool);
    press(&mut app, &[ch('>')]);
    assert_eq!(app.view.threads.sort, SortColumn::Tid);
    press(&mut app, &[ch('>'), ch('>')]);
    assert_eq!(app.view.threads.sort, SortColumn::Cpu);
    // CPU reads largest first.
    assert_eq!(thread_names(&app)[..2], ["rayon-0", "rayon-1"]);
    let text = frame_text(&app, 120, 40);
    assert!(
        text.contains("cpu%▼"),
        "the header marks the sort column:\n{text}"
    );
    press(&mut app, &[ch('o')]);
    assert_eq!(
        thread_names(&app).last().map(String::as_str),
        Some("rayon-0")
    );
    assert!(frame_text(&app, 120, 40).contains("cpu%▲"));
    assert!(status(&app).contains("ascending"), "{}", status(&app));
    press(&mut app, &[ch('<'), ch('<'), ch('<')]);
    assert_eq!(app.view.threads.sort, SortColumn::Pool);
}

#[test]
fn slash_filters_by_name_or_pool_and_esc_clears() {
    let mut app = app_with_history(Theme::colored());
    press(&mut app, &[ch('/'), ch('r'), ch('a'), ch('y')]);
    assert!(app.view.threads.editing_filter);
    assert_eq!(app.view.focus, PanelId::Threads);
    // Keys typed into the filter do not act (r would reset statistics).
    assert_eq!(thread_names(&app), ["rayon-0", "rayon-1"]);
    press(&mut app, &[key(KeyCode::Enter)]);
    assert!(!app.view.threads.editing_filter);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("/ray"), "the title shows the filter:\n{text}");
    assert!(!text.contains("app-0"), "{text}");
    // By pool name too: the "ui/sampler" pool holds ui and sampler.
    press(&mut app, &[ch('/'), key(KeyCode::Esc), ch('/')]);
    press(
        &mut app,
        &[ch('s'), ch('a'), ch('m'), ch('p'), key(KeyCode::Enter)],
    );
    assert_eq!(thread_names(&app), ["sampler", "ui"]);
    press(&mut app, &[ch('/'), key(KeyCode::Esc)]);
    assert_eq!(thread_names(&app).len(), 7);
    assert!(app.view.threads.filter.is_empty());
}

#[test]
fn i_hides_idle_and_exited_threads() {
    let mut app = app_with_history(Theme::colored());
    for t in 61..=62 {
        app.on_snapshot(Arc::new(inline_snapshot(t)));
    }
    // main is idle, the rayon threads exited.
    assert!(thread_names(&app).contains(&"main".to_string()));
    press(&mut app, &[ch('i')]);
    let names = thread_names(&app);
    assert!(!names.contains(&"main".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("rayon")), "{names:?}");
    assert!(names.contains(&"app-0".to_string()), "{names:?}");
    assert!(frame_text(&app, 120, 40).contains("idle hidden"));
    press(&mut app, &[ch('i')]);
    assert!(thread_names(&app).contains(&"main".to_string()));
}

#[test]
fn an_exited_thread_is_one_dimmed_row_with_its_tid() {
    let mut app = app_with_history(Theme::colored());
    for t in 61..=62 {
        app.on_snapshot(Arc::new(inline_snapshot(t)));
    }
    let text = frame_text(&app, 200, 60);
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("rayon-0")).collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(
        rows[0].contains("104 rayon-0") && rows[0].contains("exited"),
        "{}",
        rows[0]
    );
}

/// An app with 40 busy pool threads: more rows than any panel shows.
fn many_threads_app() -> App {
    let mut app = App::new(Theme::colored(), LogBuffer::new(50), PathBuf::from("."));
    let mut s = rayon_snapshot(1, 0.0);
    for i in 0..40 {
        let mut t = s.threads[3].clone();
        t.tid = 1_000 + i;
        t.name = format!("rayon-{}", i + 2).into();
        s.threads.push(t);
    }
    app.on_snapshot(Arc::new(s));
    app
}

#[test]
fn scrolling_stops_at_the_last_page() {
    let mut app = many_threads_app();
    app.view.focus = PanelId::Threads;
    frame_text(&app, 120, 40); // the panel learns its height
    let page = app.view.threads.page.get();
    assert!(page > 3, "page {page}");
    let lines = app.view.threads.line_count(&app.shown().threads);
    for _ in 0..50 {
        press(&mut app, &[key(KeyCode::PageDown)]);
    }
    assert_eq!(app.view.threads.scroll, lines - page);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("rayon-41"), "the last row is shown:\n{text}");
    assert!(!text.contains("more below"), "{text}");
    press(&mut app, &[ch('k')]);
    assert_eq!(app.view.threads.scroll, lines - page - 1);
    press(&mut app, &[ch('g')]);
    assert_eq!(app.view.threads.scroll, 0);
    press(&mut app, &[ch('j'), ch('j')]);
    assert_eq!(app.view.threads.scroll, 2);
    press(&mut app, &[key(KeyCode::Home)]);
    assert_eq!(app.view.threads.scroll, 0);
    press(&mut app, &[key(KeyCode::End)]);
    assert_eq!(app.view.threads.scroll, lines - page);
    press(&mut app, &[ch('G'), ch('j')]);
    assert_eq!(app.view.threads.scroll, lines - page);
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

#[test]
fn click_focuses_the_panel_under_it_and_the_wheel_scrolls_its_list() {
    let mut app = many_threads_app();
    frame_text(&app, 120, 40);
    assert_eq!(app.view.focus, PanelId::Throughput);
    // The Threads panel is the left cell of the middle row.
    loadlab::ui::mouse::update(
        &mut app,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 20),
    );
    assert_eq!(app.view.focus, PanelId::Threads);
    loadlab::ui::mouse::update(
        &mut app,
        mouse(MouseEventKind::Down(MouseButton::Left), 100, 35),
    );
    assert_eq!(app.view.focus, PanelId::Log);
    // The wheel scrolls the list under the pointer, not the focused one.
    loadlab::ui::mouse::update(&mut app, mouse(MouseEventKind::ScrollDown, 10, 20));
    assert_eq!(app.view.threads.scroll, 3);
    loadlab::ui::mouse::update(&mut app, mouse(MouseEventKind::ScrollUp, 10, 20));
    loadlab::ui::mouse::update(&mut app, mouse(MouseEventKind::ScrollUp, 10, 20));
    assert_eq!(app.view.threads.scroll, 0);
    for _ in 0..100 {
        loadlab::ui::mouse::update(&mut app, mouse(MouseEventKind::ScrollDown, 10, 20));
    }
    let lines = app.view.threads.line_count(&app.shown().threads);
    assert_eq!(app.view.threads.scroll, lines - app.view.threads.page.get());
    // Outside every panel (the controls line): nothing happens.
    loadlab::ui::mouse::update(
        &mut app,
        mouse(MouseEventKind::Down(MouseButton::Left), 5, 39),
    );
    assert_eq!(app.view.focus, PanelId::Log);
}

#[test]
fn the_log_scrolls_and_filters_by_level() {
    let mut app = app_with_history(Theme::colored());
    for i in 0..30 {
        app.logs
            .push_message(tracing::Level::INFO, "test", format!("event number {i}"));
    }
    app.logs
        .push_message(tracing::Level::ERROR, "test", "a file could not be read");
    app.view.focus = PanelId::Log;
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("a file could not be read"), "{text}");
    press(&mut app, &[ch('k'), ch('k')]);
    let text = frame_text(&app, 120, 40);
    assert!(!text.contains("a file could not be read"), "{text}");
    assert!(text.contains("event number 28"), "{text}");
    assert!(text.contains("2 newer below"), "{text}");
    press(&mut app, &[ch('g')]);
    assert!(frame_text(&app, 120, 40).contains("engine started"));
    press(&mut app, &[ch('G')]);
    assert_eq!(app.view.log.scroll, 0);
    press(&mut app, &[ch('l')]);
    assert_eq!(app.view.log.filter, LogFilter::Warnings);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("heartbeat blocked"), "{text}");
    assert!(!text.contains("event number"), "{text}");
    press(&mut app, &[ch('l')]);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("errors only"), "{text}");
    assert!(!text.contains("heartbeat blocked"), "{text}");
    assert!(text.contains("a file could not be read"), "{text}");
    press(&mut app, &[ch('l')]);
    assert_eq!(app.view.log.filter, LogFilter::All);
}

#[test]
fn log_lines_are_one_row_each_in_the_grid_and_wrap_at_words_when_zoomed() {
    let mut app = app_with_history(Theme::colored());
    let long = "app runtime blocked for 57.2 ms (backend inline, kernel sumsq): CPU work is running on the async workers";
    app.logs.push_message(tracing::Level::WARN, "test", long);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("app runtime blocked for 57.2 ms"), "{text}");
    assert!(
        text.contains("heartbeat blocked for"),
        "older lines stay:\n{text}"
    );
    app.view.focus = PanelId::Log;
    // Enter on the Log shows its bottom row whole; Enter again zooms the Log.
    press(&mut app, &[key(KeyCode::Enter)]);
    assert!(app.view.log_row.as_ref().is_some_and(|l| l.message == long));
    press(&mut app, &[key(KeyCode::Enter)]);
    assert!(app.view.zoomed && app.view.log_row.is_none());
    let zoomed = frame_text(&app, 80, 24);
    let flat: String = zoomed
        .chars()
        .map(|c| if c == '│' { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains(long), "{zoomed}");
}

fn failing(s: &mut Snapshot, failed: u64, cause: &str) {
    s.tasks.failed = failed;
    s.failures = Failures {
        per_s: 1_456.0,
        first_error: Some(format!("task 0: {cause}")),
        latest_cause: Some(cause.to_string()),
    };
}

#[test]
fn a_failing_workload_shows_a_banner_and_grouped_rate_limited_log_lines() {
    let mut app = app_with_history(Theme::colored());
    let cause = "size 1000000 is over the resize limit of 4096";
    let before = app.logs.len();
    let mut s = rayon_snapshot(61, 0.0);
    failing(&mut s, 1_456, cause);
    app.on_snapshot(Arc::new(s));
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("FAILING"), "{text}");
    assert!(text.contains("1456 tasks failed, 1456/s now"), "{text}");
    assert!(
        text.contains(&format!("first error: task 0: {cause}")),
        "{text}"
    );
    let logged = app.logs.recent(10);
    assert_eq!(logged.len(), before + 1);
    assert_eq!(
        logged.last().map(|l| l.message.as_str()),
        Some(format!("1456 tasks failed: {cause}").as_str())
    );
    assert_eq!(logged.last().map(|l| l.level), Some(tracing::Level::WARN));
    // Within the next seconds: counted, not logged.
    for (t, failed) in [(62, 3_000), (63, 4_000)] {
        let mut s = rayon_snapshot(t, 0.0);
        failing(&mut s, failed, cause);
        app.on_snapshot(Arc::new(s));
    }
    assert_eq!(app.logs.len(), before + 1);
    // Five seconds on: one line with everything since, per cause.
    let mut s = rayon_snapshot(66, 0.0);
    failing(&mut s, 4_500, "another cause");
    app.on_snapshot(Arc::new(s));
    let mut s = rayon_snapshot(67, 0.0);
    failing(&mut s, 4_600, "another cause");
    app.on_snapshot(Arc::new(s));
    let messages: Vec<String> = app.logs.recent(3).into_iter().map(|l| l.message).collect();
    assert!(
        messages.contains(&format!("2544 tasks failed: {cause}")),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"500 tasks failed: another cause".to_string()),
        "{messages:?}"
    );
    // A healthy run has no banner.
    assert!(!frame_text(&app_with_history(Theme::colored()), 120, 40).contains("FAILING"));
}

#[test]
fn space_while_stopped_says_what_it_does_and_r_names_blocked_events() {
    let mut app = app_with_history(Theme::colored());
    let mut s = rayon_snapshot(61, 0.0);
    s.config.running = false;
    app.on_snapshot(Arc::new(s));
    let actions: Vec<_> = update(&mut app, ch(' '), Instant::now());
    assert!(actions.is_empty(), "{actions:?}");
    assert!(status(&app).contains("S starts again"), "{}", status(&app));
    update(&mut app, ch('r'), Instant::now());
    assert!(status(&app).contains("blocked events"), "{}", status(&app));
}

#[test]
fn choosing_a_kernel_in_the_form_sets_its_default_size() {
    let mut app = app_with_history(Theme::colored());
    press(&mut app, &[ch('w')]);
    let form = app.view.form.as_ref().expect("form");
    assert_eq!(form.kernel, Kernel::Sumsq);
    while app
        .view
        .form
        .as_ref()
        .is_some_and(|f| f.kernel != Kernel::Resize)
    {
        press(&mut app, &[key(KeyCode::Right)]);
    }
    let form = app.view.form.as_ref().expect("form");
    assert_eq!(form.size, Kernel::Resize.default_size().to_string());
    assert!(form.validate().is_ok(), "{:?}", form.validate());
}

#[test]
fn zero_reads_as_zero() {
    assert_eq!(loadlab::format::rate(0.0), "0");
    assert_eq!(loadlab::format::rate(0.5), "0.50");
}

#[test]
fn t_cycles_the_chart_window_live() {
    let mut app = app_with_history(Theme::colored());
    assert!(frame_text(&app, 120, 40).contains("-2m"));
    press(&mut app, &[ch('t')]);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("-10m") && text.contains("-5m"), "{text}");
    assert!(status(&app).contains("10 min"), "{}", status(&app));
    press(&mut app, &[ch('t')]);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("-30s") && text.contains("-15s"), "{text}");
    press(&mut app, &[ch('t')]);
    assert!(frame_text(&app, 120, 40).contains("-2m"));
}

#[test]
fn causes_that_differ_only_in_a_task_number_are_one_group() {
    let mut app = app_with_history(Theme::colored());
    let before = app.logs.len();
    for (t, failed) in [(61, 10), (62, 20), (63, 30), (66, 40)] {
        let mut s = rayon_snapshot(t, 0.0);
        failing(
            &mut s,
            failed,
            &format!("job panicked: fault injected (task {})", t * 7),
        );
        app.on_snapshot(Arc::new(s));
    }
    let lines: Vec<String> = app.logs.recent(5).into_iter().map(|l| l.message).collect();
    let failures: Vec<&String> = lines.iter().filter(|m| m.contains("failed")).collect();
    assert_eq!(
        failures,
        [
            "10 tasks failed: job panicked: fault injected (task 427)",
            "30 tasks failed, the last with: job panicked: fault injected (task 462)",
        ],
        "{lines:?}"
    );
    assert_eq!(app.logs.len(), before + 2);
}

#[test]
fn an_exited_row_darkens_as_it_fades() {
    let theme = Theme::colored();
    assert_ne!(theme.fading(0.0), theme.fading(1.0));
    assert!(
        theme
            .fading(0.5)
            .add_modifier
            .contains(ratatui::style::Modifier::DIM)
    );
    assert_eq!(theme.fading(f64::NAN), theme.fading(1.0));
    assert_eq!(Theme::monochrome().fading(0.0).fg, None);
}

#[test]
fn a_scrolled_back_log_stays_on_its_entries_while_new_ones_arrive() {
    let mut app = app_with_history(Theme::colored());
    for i in 0..30 {
        app.logs
            .push_message(tracing::Level::INFO, "test", format!("event number {i}"));
    }
    app.tick(Instant::now());
    app.view.focus = PanelId::Log;
    press(&mut app, &[ch('k'), ch('k'), ch('k')]);
    let before = frame_text(&app, 120, 40);
    assert!(before.contains("event number 26"), "{before}");
    for i in 30..35 {
        app.logs
            .push_message(tracing::Level::INFO, "test", format!("event number {i}"));
    }
    app.tick(Instant::now());
    assert_eq!(app.view.log.scroll, 8);
    let after = frame_text(&app, 120, 40);
    assert!(after.contains("event number 26"), "{after}");
    assert!(!after.contains("event number 34"), "{after}");
    press(&mut app, &[ch('G')]);
    assert!(frame_text(&app, 120, 40).contains("event number 34"));
}
