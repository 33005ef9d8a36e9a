//! Every panel, the whole frame and the overlays rendered from fixed Snapshots
//! into ratatui's TestBackend and compared with reviewed insta snapshots.

mod ui_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use loadlab::ui::app::App;
use loadlab::ui::demo;
use loadlab::ui::draw;
use loadlab::ui::focus::PanelId;
use loadlab::ui::form::WorkloadForm;
use loadlab::ui::keys::update;
use loadlab::ui::panels;
use loadlab::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ui_support::*;

fn panel_text(app: &App, panel: PanelId, width: u16, height: u16) -> String {
    render_text(width, height, |f| {
        panels::render(f, f.area(), app, panel, false)
    })
}

fn frame_text(app: &App, width: u16, height: u16) -> String {
    render_text(width, height, |f| draw::render(f, app, now()))
}

/// Each panel at its size in the 120x40 grid (60 wide) and zoomed to 120x40,
/// and at its size in the 80x24 grid (40 wide).
#[test]
fn panels_at_two_sizes() {
    let app = app_with_history(Theme::colored());
    for panel in PanelId::ALL {
        let name = panel.title().to_lowercase().replace(' ', "_");
        let (grid_h_big, grid_h_small) = match panel.cell().0 {
            1 => (15, 9),
            _ => (11, 6),
        };
        insta::assert_snapshot!(
            format!("panel_{name}_60x{grid_h_big}"),
            panel_text(&app, panel, 60, grid_h_big)
        );
        insta::assert_snapshot!(
            format!("panel_{name}_40x{grid_h_small}"),
            panel_text(&app, panel, 40, grid_h_small)
        );
        insta::assert_snapshot!(
            format!("panel_{name}_zoomed_120x37"),
            panel_text(&app, panel, 120, 37)
        );
    }
}

#[test]
fn whole_frame_120x40_and_80x24() {
    let app = app_with_history(Theme::colored());
    insta::assert_snapshot!("frame_120x40", frame_text(&app, 120, 40));
    insta::assert_snapshot!("frame_80x24", frame_text(&app, 80, 24));
}

#[test]
fn starved_frame_shows_state_block_and_fading_threads() {
    let mut app = app_with_history(Theme::colored());
    for t in 61..=63 {
        app.on_snapshot(Arc::new(inline_snapshot(t)));
    }
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("STARVED"), "{text}");
    assert!(text.contains("blocked 17x"), "{text}");
    assert!(text.contains("exited"), "rayon threads fade: {text}");
    insta::assert_snapshot!("frame_starved_120x40", text);
    // Five seconds after they exited, the rayon threads are gone.
    for t in 64..=70 {
        app.on_snapshot(Arc::new(inline_snapshot(t)));
    }
    let later = frame_text(&app, 120, 40);
    assert!(!later.contains("rayon-0"), "{later}");
}

#[test]
fn help_overlay_lists_every_key() {
    let mut app = app_with_history(Theme::colored());
    update(&mut app, ch('?'), Instant::now());
    let text = frame_text(&app, 120, 40);
    for (keys, _) in loadlab::ui::help::KEYS {
        assert!(text.contains(keys), "help lacks {keys}:\n{text}");
    }
    insta::assert_snapshot!("help_120x40", text);
    let small = frame_text(&app, 80, 24);
    assert!(small.contains("more lines: j or PgDn"), "{small}");
    insta::assert_snapshot!("help_80x24", small);
    // Taller than 24 rows: PgDn brings the rest, every key whole.
    let mut pages = small;
    for _ in 0..4 {
        update(
            &mut app,
            key(crossterm::event::KeyCode::PageDown),
            Instant::now(),
        );
        assert!(app.view.help, "PgDn closed the help");
        pages.push_str(&frame_text(&app, 80, 24));
    }
    for (_, what) in loadlab::ui::help::KEYS {
        assert!(
            pages.contains(what),
            "not in any page at 80x24: {what}\n{pages}"
        );
    }
    update(&mut app, ch('x'), Instant::now());
    assert!(!app.view.help, "another key closes the help");
}

#[test]
fn workload_form_shows_its_error() {
    let mut app = app_with_history(Theme::colored());
    let config = app.data.snapshot.config.clone();
    let mut form = WorkloadForm::new(&config.workload, config.load);
    form.field = loadlab::ui::form::Field::Size;
    form.size = "12x".into();
    form.error = form.validate().err().map(|e| e.to_string());
    app.view.form = Some(form);
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("size: '12x' is not a whole number"), "{text}");
    insta::assert_snapshot!("form_error_120x40", text);
}

#[test]
fn comparison_view_highlights_the_best_row() {
    let mut app = app_with_history(Theme::colored());
    for t in 61..=70 {
        app.on_snapshot(Arc::new(inline_snapshot(t)));
    }
    app.view.comparison = true;
    let text = frame_text(&app, 120, 40);
    assert!(text.contains("* rayon"), "{text}");
    insta::assert_snapshot!("comparison_120x40", text);
}

#[test]
fn demo_caption_says_what_to_watch() {
    let mut app = app_with_history(Theme::colored());
    let start = Instant::now() - Duration::from_secs(12);
    let (mut run, _) = demo::start(start, &app.data.snapshot.config).expect("preset");
    run.advance(start + Duration::from_secs(12));
    app.data.session.play(run);
    let text = render_text(120, 40, |f| {
        draw::render(f, &app, start + Duration::from_secs(12))
    });
    assert!(text.contains("demo 2/3 at 12s"), "{text}");
    assert!(text.contains(" DEMO "), "{text}");
    assert!(
        text.contains("STARVED"),
        "the caption says what to watch:\n{text}"
    );
    assert!(text.contains("watch:"), "{text}");
    // Then what was measured, from the Snapshot the panels draw.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("measured: heartbeat p99 330µs: HEALTHY"),
        "{text}"
    );
}

#[test]
fn too_small_screen_never_panics() {
    let app = app_with_history(Theme::colored());
    insta::assert_snapshot!("too_small_1x1", frame_text(&app, 1, 1));
    insta::assert_snapshot!("too_small_10x5", frame_text(&app, 10, 5));
    insta::assert_snapshot!("too_small_79x24", frame_text(&app, 79, 24));
    for (w, h) in [(0, 0), (1, 40), (200, 1), (80, 23)] {
        let text = frame_text(&app, w, h);
        if w > 40 && h > 0 {
            assert!(text.contains("too small"), "{w}x{h}: {text}");
        }
    }
}

#[test]
fn waiting_screen_before_the_first_snapshot() {
    let app = App::new(
        Theme::colored(),
        loadlab::logging::LogBuffer::new(5),
        ".".into(),
    );
    let text = frame_text(&app, 80, 24);
    assert!(
        text.contains("waiting for the engine's first snapshot"),
        "{text}"
    );
}

#[test]
fn no_color_uses_no_colours_but_still_marks_focus() {
    let app = app_with_history(Theme::monochrome());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| draw::render(f, &app, now()))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!(cell.fg, Color::Reset, "coloured cell {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "coloured cell {cell:?}");
    }
    let focused_title = buffer
        .content()
        .iter()
        .any(|c| c.modifier.contains(Modifier::REVERSED | Modifier::BOLD));
    assert!(focused_title, "focused panel not marked without colour");

    let coloured = app_with_history(Theme::colored());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| draw::render(f, &coloured, now()))
        .expect("draw");
    assert!(
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset)
    );
}

#[test]
fn frozen_display_ignores_new_snapshots_until_unfrozen() {
    let mut app = app_with_history(Theme::colored());
    update(&mut app, ch('f'), Instant::now());
    app.on_snapshot(Arc::new(inline_snapshot(61)));
    let frozen = frame_text(&app, 120, 40);
    assert!(frozen.contains("FROZEN"), "{frozen}");
    assert!(frozen.contains("HEALTHY"), "{frozen}");
    update(&mut app, ch('f'), Instant::now());
    let live = frame_text(&app, 120, 40);
    assert!(live.contains("STARVED"), "{live}");
    assert!(!live.contains("FROZEN"), "{live}");
}

/// An App that has seen no Snapshot yet.
fn fresh_app() -> App {
    let logs = loadlab::logging::LogBuffer::new(10);
    App::new(Theme::colored(), logs, std::path::PathBuf::from("."))
}

#[test]
fn a_pool_waiting_for_cpus_says_so_and_an_unhindered_one_does_not() {
    let mut app = fresh_app();
    app.on_snapshot(Arc::new(rayon_snapshot(1, 0.0)));
    let unhindered = panel_text(&app, PanelId::Threads, 100, 20);
    assert!(!unhindered.contains("wait"), "{unhindered}");

    let mut contended = rayon_snapshot(2, 0.0);
    for thread in contended
        .threads
        .iter_mut()
        .filter(|t| t.name.starts_with("rayon-"))
    {
        thread.wait_pct = 40.0;
    }
    app.on_snapshot(Arc::new(contended));
    let text = panel_text(&app, PanelId::Threads, 100, 20);
    assert!(text.contains("% · wait 80% · busy "), "{text}");
}

#[test]
fn the_system_panel_names_other_programs_and_the_busiest_of_them() {
    let mut app = fresh_app();
    let mut quiet = rayon_snapshot(2, 0.0);
    quiet.system.external_cpu_pct = Some(3.0);
    app.on_snapshot(Arc::new(quiet));
    let text = panel_text(&app, PanelId::System, 80, 10);
    assert!(text.contains("others 3% of CPUs"), "{text}");
    assert!(!text.contains("! others"), "{text}");

    let mut busy = rayon_snapshot(2, 0.0);
    busy.system.external_cpu_pct = Some(48.0);
    busy.system.busiest_other = Some(loadlab::metrics::other_processes::BusiestProcess {
        pid: 4242,
        name: "python3".into(),
        cpu_pct: 47.0,
    });
    app.on_snapshot(Arc::new(busy));
    let text = panel_text(&app, PanelId::System, 80, 10);
    assert!(
        text.contains("! others 48% of CPUs · busiest python3 (pid 4242) 47%"),
        "{text}"
    );
}

/// Past the sampler's per-sample read budget, threads are read in turn: the
/// System panel says how often each one is read, and says nothing below it.
/// At its width in a 120-column terminal (60) the core count stays whole.
#[test]
fn the_system_panel_says_how_often_each_thread_is_read_when_read_in_turn() {
    let mut app = fresh_app();
    app.on_snapshot(Arc::new(rayon_snapshot(2, 0.0)));
    let text = panel_text(&app, PanelId::System, 60, 10);
    assert!(!text.contains("read in turn"), "{text}");

    let mut many = rayon_snapshot(2, 0.0);
    many.system.process_threads = 260;
    many.system.thread_read_every_s = Some(0.5);
    // As seen beside 256 threads: on one line with the note, the count was cut.
    many.system.rss_bytes = 24_000_000;
    let cores = many.system.cores;
    app.on_snapshot(Arc::new(many));
    let text = panel_text(&app, PanelId::System, 60, 10);
    assert!(
        text.contains(&format!("RSS 22.9 MiB · threads 260 · cores {cores}")),
        "{text}"
    );
    assert!(
        text.contains("threads read in turn, each every 0.5 s"),
        "{text}"
    );
}

/// While the engine is idle its probes and sampling are slower: the header says so.
#[test]
fn the_header_says_when_the_probes_run_at_their_idle_pace() {
    let mut app = app_with_history(Theme::colored());
    let header = |app: &App| {
        frame_text(app, 120, 40)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    assert!(!header(&app).contains("idle"), "{}", header(&app));
    let mut paused = rayon_snapshot(61, 0.0);
    paused.config.paused = true;
    paused.tasks.inflight = 0;
    paused.idle = true;
    app.on_snapshot(Arc::new(paused));
    let line = header(&app);
    assert!(
        line.contains("PAUSED") && line.contains("idle: probes slowed"),
        "{line}"
    );
}

/// The grid's Log cuts a long row before its reason; Enter (or `?`) on the
/// focused Log shows the bottom row whole in a popup.
#[test]
fn enter_on_the_log_shows_its_bottom_row_whole() {
    let mut app = app_with_history(Theme::colored());
    let long = "app runtime blocked 31x in 3.0 s (10.0/s), worst 612.0 ms (inline: argon2 from /work 86%, spin from the driver 14%): CPU work is running on the async workers";
    app.logs.push(loadlab::logging::LogLine {
        time: std::time::UNIX_EPOCH + Duration::from_secs(50_400),
        level: tracing::Level::WARN,
        target: "loadlab::probe::heartbeat".to_string(),
        message: long.to_string(),
    });
    app.view.focus = PanelId::Log;
    let grid = frame_text(&app, 120, 40);
    assert!(!grid.contains("async workers"), "the grid cuts it:\n{grid}");
    update(
        &mut app,
        key(crossterm::event::KeyCode::Enter),
        Instant::now(),
    );
    let text = frame_text(&app, 120, 40);
    // The popup's rows, borders and what shows beside it cut off.
    let rows: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split('│').nth(2))
        .map(str::trim)
        .collect();
    let whole = rows.join(" ");
    assert!(whole.contains(long), "{text}");
    insta::assert_snapshot!("log_row_120x40", text);
    // Any other key closes it; ? on the Log opens it too, and ? again the help.
    update(&mut app, ch('x'), Instant::now());
    assert!(app.view.log_row.is_none());
    update(&mut app, ch('?'), Instant::now());
    assert!(app.view.log_row.is_some() && !app.view.help);
    update(&mut app, ch('?'), Instant::now());
    assert!(app.view.log_row.is_none() && app.view.help);
}

/// A health verdict formed while other programs took more than the stated
/// share of the CPUs is marked, with their share.
#[test]
fn a_verdict_formed_on_a_busy_machine_is_marked() {
    let mut app = app_with_history(Theme::colored());
    let mut s = inline_snapshot(61);
    s.system.external_cpu_pct = Some(48.0);
    app.on_snapshot(Arc::new(s));
    let text = panel_text(&app, PanelId::Health, 120, 20);
    assert!(text.contains("STARVED*"), "{text}");
    assert!(text.contains("*machine busy 48%"), "{text}");
    let mut quiet = inline_snapshot(62);
    quiet.system.external_cpu_pct = Some(3.0);
    app.on_snapshot(Arc::new(quiet));
    let text = panel_text(&app, PanelId::Health, 120, 20);
    assert!(text.contains("STARVED ") && !text.contains('*'), "{text}");
}
