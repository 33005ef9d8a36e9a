//! The "ui" thread's loop: terminal events, Snapshots, a render interval and
//! termination signals meet in one `select!` on a current-thread runtime. It
//! never runs workload code, so it keeps drawing while the app runtime starves.

use std::io::{BufWriter, Stdout, stdout};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{Event, KeyEventKind};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::signal::unix::{SignalKind, signal};
use tokio::time::MissedTickBehavior;

use crate::engine::command::Command;
use crate::engine::controller::Controller;

use super::DashboardOptions;
use super::action::Action;
use super::app::App;
use super::coalesce::PendingChanges;
use super::dashboard_error::{DashboardError, Doing};
use super::frame_clock::{FrameClock, Redraw};
use super::{draw, export, keys, screenshot, suspend};
use crate::session::playback::Playback;

/// How often time passing is checked when no scenario plays: status messages
/// last seconds, and while work runs every Snapshot redraws the Log panel
/// anyway, so a slower check only costs a paused dashboard's log lines up to
/// a second; each check wakes the ui thread.
const HOUSEKEEPING: Duration = Duration::from_secs(1);

type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Runs until quit (q, Ctrl-C), SIGTERM/SIGINT/SIGHUP or the end of terminal input.
/// The terminal must already be in dashboard mode.
pub fn run(
    controller: Arc<dyn Controller>,
    logs: crate::logging::LogBuffer,
    mut opts: DashboardOptions,
) -> Result<(), DashboardError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .doing("cannot build the ui thread's tokio runtime")?;
    let mut app = App::new(opts.theme, logs, opts.export_dir.clone());
    app.view.chart_window = opts.chart_window;
    app.export_screen = opts.export_screen;
    if let Some(scenario) = opts.scenario.take() {
        app.data
            .session
            .play(Playback::new(scenario, Instant::now()));
    }
    // A fixed viewport, resized on Resize events: a fullscreen one asks the
    // terminal its size before every frame, opening /dev/tty each time.
    let (width, height) = crossterm::terminal::size().doing("cannot read the terminal's size")?;
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(BufWriter::new(stdout())),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .doing("cannot open the terminal")?;
    terminal.clear().doing("cannot clear the terminal")?;
    runtime.block_on(event_loop(
        &mut terminal,
        &mut app,
        controller.as_ref(),
        opts.fps,
    ))
}

async fn event_loop(
    terminal: &mut Term,
    app: &mut App,
    controller: &dyn Controller,
    fps: u32,
) -> Result<(), DashboardError> {
    let mut events = super::input::spawn_reader().doing("cannot start reading input")?;
    let mut snapshots = controller.snapshots();
    {
        let first = snapshots.borrow_and_update().clone();
        // The watch channel's initial value is a placeholder until the sampler reports.
        if first.seq > 0 {
            app.on_snapshot(first);
        }
    }
    let frame = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 60)));
    // Time passing (status messages expiring, new log lines, a scenario's
    // steps) is checked on this tick; Snapshots and input draw on their own.
    let mut housekeeping = tokio::time::interval(housekeeping_period(app, frame));
    housekeeping.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate()).doing("SIGTERM handler")?;
    let mut sigint = signal(SignalKind::interrupt()).doing("SIGINT handler")?;
    let mut sighup = signal(SignalKind::hangup()).doing("SIGHUP handler")?;
    let mut sigtstp = signal(SignalKind::from_raw(libc::SIGTSTP)).doing("SIGTSTP handler")?;
    let mut sigcont = signal(SignalKind::from_raw(libc::SIGCONT)).doing("SIGCONT handler")?;
    let mut snapshots_open = true;
    let mut frames = FrameClock::new(frame, Instant::now());
    // A frame owed but not due yet (at most `fps` frames a second) is drawn when this fires.
    let owed = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(owed);
    let mut logs_seen = app.logs.pushed();
    let mut pending = PendingChanges::default();

    loop {
        let mut changed = false;
        tokio::select! {
            event = events.recv() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    let now = Instant::now();
                    let actions = pending.defer(keys::update(app, key, now));
                    let suspend = actions.contains(&Action::Suspend);
                    if perform(app, controller, actions, now) {
                        break;
                    }
                    if suspend {
                        suspend::suspend().doing("Ctrl-Z")?;
                        redraw_all(terminal, app)?;
                        continue;
                    }
                    changed = true;
                    frames.input();
                }
                Some(Ok(Event::Paste(text))) => {
                    let now = Instant::now();
                    let actions = pending.defer(keys::paste(app, &text, now));
                    if perform(app, controller, actions, now) {
                        break;
                    }
                    changed = true;
                    frames.input();
                }
                Some(Ok(Event::Mouse(mouse))) => {
                    super::mouse::update(app, mouse);
                    changed = true;
                }
                Some(Ok(Event::Resize(width, height))) => {
                    terminal
                        .resize(Rect::new(0, 0, width, height))
                        .doing("cannot resize to the terminal")?;
                    changed = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).doing("reading terminal input"),
                None => break,
            },
            received = snapshots.changed(), if snapshots_open => match received {
                Ok(()) => {
                    let snapshot = snapshots.borrow_and_update().clone();
                    app.on_snapshot(snapshot);
                    changed = !app.is_frozen();
                }
                Err(_) => {
                    snapshots_open = false;
                    app.set_error("the engine stopped sending snapshots", Instant::now());
                    changed = true;
                }
            },
            _ = &mut owed, if frames.owed() => {}
            _ = housekeeping.tick() => {
                let now = Instant::now();
                let had_status = app.view.status.is_some();
                let had_scenario = app.playback().is_some();
                let actions = app.tick(now);
                if perform(app, controller, actions, now) {
                    break;
                }
                let pushed = app.logs.pushed();
                changed = pushed != logs_seen
                    || app.playback().is_some()
                    || had_status != app.view.status.is_some();
                logs_seen = pushed;
                if had_scenario != app.playback().is_some() {
                    housekeeping = tokio::time::interval(housekeeping_period(app, frame));
                    housekeeping.set_missed_tick_behavior(MissedTickBehavior::Skip);
                }
            }
            _ = sigtstp.recv() => {
                suspend::suspend().doing("SIGTSTP")?;
                redraw_all(terminal, app)?;
            }
            _ = sigcont.recv() => {
                suspend::resume().doing("SIGCONT")?;
                redraw_all(terminal, app)?;
            }
            _ = sigterm.recv() => break,
            _ = sigint.recv() => break,
            _ = sighup.recv() => break,
        }
        let now = Instant::now();
        match frames.after(changed, now) {
            Redraw::Now => {
                // Live changes asked for since the last frame, once each.
                if perform(app, controller, pending.take(), now) {
                    break;
                }
                draw(terminal, app)?;
                frames.drawn(Instant::now());
            }
            Redraw::At(at) => owed.as_mut().reset(at.into()),
            Redraw::Not => {}
        }
    }
    Ok(())
}

/// How often time passing is checked: every frame while a scenario plays
/// (its caption counts the seconds), else a few times a second.
fn housekeeping_period(app: &App, frame: Duration) -> Duration {
    if app.playback().is_some() {
        frame
    } else {
        HOUSEKEEPING.max(frame)
    }
}

/// After the process was stopped: the size read afresh (it may have changed
/// meanwhile) and every cell drawn again over whatever the shell left.
fn redraw_all(terminal: &mut Term, app: &mut App) -> Result<(), DashboardError> {
    let (width, height) = crossterm::terminal::size().doing("cannot read the terminal's size")?;
    // `resize` clears the viewport and forgets the last frame, so every cell
    // is drawn; `clear` would ask the terminal for the cursor, whose answer
    // the input thread would take.
    terminal
        .resize(Rect::new(0, 0, width, height))
        .doing("cannot resize to the terminal")?;
    draw(terminal, app)
}

fn draw(terminal: &mut Term, app: &mut App) -> Result<(), DashboardError> {
    let now = Instant::now();
    let completed = terminal
        .draw(|frame| draw::render(frame, app, now))
        .doing("cannot draw to the terminal")?;
    app.view.screen = (completed.area.width, completed.area.height);
    Ok(())
}

/// Carries out actions; true when the dashboard should quit.
pub fn perform(
    app: &mut App,
    controller: &dyn Controller,
    actions: Vec<Action>,
    now: Instant,
) -> bool {
    for action in actions {
        match action {
            Action::Apply(command) => {
                let what = describe(&command);
                if let Err(e) = controller.apply(command) {
                    app.set_error(format!("{what}: {e}"), now);
                }
            }
            Action::Export => {
                let ts = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                let snapshot = app.shown().snapshot.clone();
                let screen = if app.export_screen {
                    screen_files(app, now)
                } else {
                    Vec::new()
                };
                match export::write_export(&app.export_dir, &snapshot, ts, &screen) {
                    Ok(path) if screen.is_empty() => {
                        app.set_status(format!("exported {}", path.display()), now)
                    }
                    Ok(path) => app.set_status(
                        format!("exported {} (+ .svg, .txt of the screen)", path.display()),
                        now,
                    ),
                    Err(e) => app.set_error(e.to_string(), now),
                }
            }
            Action::Quit => return true,
            // The event loop stops the process: it holds the terminal.
            Action::Suspend => {}
        }
    }
    false
}

/// The screen as drawn now, as `.svg` and `.txt` exports.
fn screen_files(app: &App, now: Instant) -> Vec<(&'static str, String)> {
    let (width, height) = match app.view.screen {
        (0, _) | (_, 0) => (120, 40),
        size => size,
    };
    let buffer = screenshot::render_buffer(app, width, height, now);
    vec![
        ("svg", screenshot::to_svg(&buffer)),
        ("txt", screenshot::to_text(&buffer)),
    ]
}

/// A short name for a command in error messages.
fn describe(command: &Command) -> String {
    match command {
        Command::SetBackend { backend } => format!("backend {backend}"),
        Command::SetThreads { threads } => format!("threads {threads}"),
        Command::SetLoad { load } => format!("load {}", keys::load_text(*load)),
        Command::SetWorkload { workload } => format!("workload {}", workload.label()),
        Command::Pause { paused: true } => "pause".to_string(),
        Command::Pause { paused: false } => "resume".to_string(),
        Command::Stop => "stop".to_string(),
        Command::Start => "start".to_string(),
        Command::ResetStats => "reset".to_string(),
        Command::Caption { .. } => "caption".to_string(),
    }
}
