//! The dashboard: a ratatui view of every thread, throughput, latency and the
//! app runtime's health, with live control through `Controller`.
//!
//! Layers: `app` (data from Snapshots + view state) <- `keys::update` (keys to
//! actions, no I/O) -> `event_loop` (does the actions) ; `draw` + `panels/*`
//! render an `App` into any ratatui backend, so tests use `TestBackend`.

pub mod action;
pub mod app;
pub mod cell_text;
pub mod chart_window;
pub mod coalesce;
pub mod comparison_view;
pub mod controls;
pub mod dashboard_error;
pub mod demo;
pub mod draw;
pub mod event_loop;
pub mod export;
pub mod failure_log;
pub mod fit;
pub mod focus;
pub mod form;
pub mod form_view;
pub mod frame_clock;
pub use crate::format;
pub mod help;
pub mod history;
pub mod input;
pub mod keys;
pub mod log_row_view;
pub mod log_view;
pub mod measured_caption;
pub mod mouse;
pub mod panel_frame;
pub mod panels;
pub mod screenshot;
pub mod suspend;
pub mod terminal_guard;
pub mod theme;
pub mod thread_table;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use crate::engine::controller::Controller;
use crate::logging::LogBuffer;
use dashboard_error::{DashboardError, Doing};

pub struct DashboardOptions {
    /// Redraws per second at most (1..=60); nothing is drawn when nothing changed.
    pub fps: u32,
    /// Where `e` writes `loadlab-snapshot-<unix-ts>.json`.
    pub export_dir: PathBuf,
    /// Colours (or none: states still read through bold/reversed).
    pub theme: theme::Theme,
    /// What the time charts show at start (`t` cycles).
    pub chart_window: chart_window::ChartWindow,
    /// `e` also writes the screen as it looks, `.svg` and `.txt` beside the JSON.
    pub export_screen: bool,
    /// A scenario to play from the start (`--scenario`), its caption on screen.
    pub scenario: Option<crate::scenario::Scenario>,
    /// Says a panic is expected and handled quietly by the panic hook installed
    /// before the dashboard (e.g. the engine's `in_job`: a job's panic, counted as a
    /// failed task). Other panics off the ui thread go to the Log panel.
    pub expected_panic: Option<fn() -> bool>,
}

impl Default for DashboardOptions {
    fn default() -> Self {
        DashboardOptions {
            fps: 10,
            export_dir: PathBuf::from("."),
            theme: theme::Theme::from_env(),
            chart_window: chart_window::ChartWindow::default(),
            export_screen: false,
            scenario: None,
            expected_panic: None,
        }
    }
}

/// Opens the dashboard on the current terminal and returns when the user quits.
/// Runs the UI on its own OS thread named "ui" with a current-thread tokio
/// runtime; the caller's thread just joins it. Restores the terminal on q,
/// Ctrl-C, SIGTERM and panic.
pub fn run_dashboard(
    controller: Arc<dyn Controller>,
    logs: LogBuffer,
    opts: DashboardOptions,
) -> Result<(), DashboardError> {
    let expected_panic = opts.expected_panic;
    let ui = std::thread::Builder::new()
        .name("ui".to_string())
        .spawn(move || -> Result<(), DashboardError> {
            let _hook = terminal_guard::PanicHookGuard::install(logs.clone(), expected_panic);
            let _terminal = terminal_guard::TerminalGuard::enter()
                .doing("cannot switch the terminal to raw mode")?;
            event_loop::run(controller, logs, opts)
        })
        .doing("cannot spawn the ui thread")?;
    match ui.join() {
        Ok(result) => result,
        Err(panic) => {
            let reason = crate::engine::task_job::panic_message(&*panic)
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(DashboardError::Panicked(reason))
        }
    }
}

/// False when stdin or stdout is not a terminal (the binary then exits 2 and
/// points at `loadlab run`).
pub fn is_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}
