//! The dashboard's state: data taken from Snapshots (latest, history, threads,
//! comparison) apart from view state (focus, overlays, form, status).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::command::Command;
use crate::logging::LogBuffer;
use crate::metrics::snapshot::{ConfigView, Snapshot};
use crate::session::Session;
use crate::session::playback::Playback;

use std::cell::RefCell;

use ratatui::layout::Rect;

use super::action::Action;
use super::chart_window::ChartWindow;
use super::failure_log::FailureLog;
use super::focus::PanelId;
use super::form::WorkloadForm;
use super::history::{History, Sample, ThreadTracks};
use super::log_view::LogView;
use super::theme::Theme;
use super::thread_table::ThreadTable;

/// Informational status messages disappear after this long; errors stay until replaced.
const STATUS_TTL: Duration = Duration::from_secs(8);
/// A configuration changed by a key is trusted over Snapshots for this long,
/// so two quick presses build on each other before the engine reports back.
const PENDING_TTL: Duration = Duration::from_secs(2);

/// Everything derived from Snapshots.
#[derive(Clone, Debug, Default)]
pub struct DataState {
    pub snapshot: Arc<Snapshot>,
    pub history: History,
    pub threads: ThreadTracks,
    /// The scenario being played and the periods, for the comparison view (`c`).
    pub session: Session,
    /// Snapshots received so far (0: the engine has not reported yet).
    pub received: u64,
}

impl DataState {
    pub fn on_snapshot(&mut self, snapshot: Arc<Snapshot>) {
        self.history.push(Sample::from_snapshot(&snapshot));
        self.threads.update(snapshot.elapsed_s, &snapshot.threads);
        self.session.observe(&snapshot);
        self.snapshot = snapshot;
        self.received += 1;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub text: String,
    pub error: bool,
    pub at: Instant,
}

#[derive(Default)]
pub struct ViewState {
    pub focus: PanelId,
    /// The focused panel fills the screen.
    pub zoomed: bool,
    pub help: bool,
    /// First line of the help overlay shown.
    pub help_scroll: usize,
    /// How far the help overlay could scroll when last drawn.
    pub help_max_scroll: std::cell::Cell<usize>,
    pub comparison: bool,
    pub form: Option<WorkloadForm>,
    pub status: Option<Status>,
    /// The Threads panel's sort, filter and scroll.
    pub threads: ThreadTable,
    /// How much time the charts show.
    pub chart_window: ChartWindow,
    /// The Log panel's level filter and scroll.
    pub log: LogView,
    /// A Log row shown whole in a popup (Enter or `?` on the Log).
    pub log_row: Option<crate::logging::LogLine>,
    /// Where each panel was last drawn, for mouse clicks and the wheel.
    pub panel_areas: RefCell<Vec<(PanelId, Rect)>>,
    /// Size of the last frame drawn, for screen exports.
    pub screen: (u16, u16),
}

pub struct App {
    pub data: DataState,
    /// The display copy while frozen (`f`); Snapshots keep updating `data`.
    pub frozen: Option<Box<DataState>>,
    pub view: ViewState,
    pub theme: Theme,
    pub logs: LogBuffer,
    pub export_dir: PathBuf,
    /// `e` also writes the screen as SVG and text.
    pub export_screen: bool,
    pending: Option<(ConfigView, Instant)>,
    failures: FailureLog,
}

impl App {
    pub fn new(theme: Theme, logs: LogBuffer, export_dir: PathBuf) -> App {
        App {
            data: DataState::default(),
            frozen: None,
            view: ViewState::default(),
            theme,
            logs,
            export_dir,
            export_screen: false,
            pending: None,
            failures: FailureLog::default(),
        }
    }

    /// The panels drawn: all six, or attached to another process the four
    /// that need no engine.
    pub fn panels_shown(&self) -> &'static [PanelId] {
        if self.shown().snapshot.attached.is_some() {
            &PanelId::ATTACHED
        } else {
            &PanelId::ALL
        }
    }

    /// Moves focus by `step` among the panels drawn (see `PanelId::moved_within`).
    pub fn move_focus(&mut self, step: impl Fn(PanelId) -> PanelId, stay: bool) {
        self.view.focus = self
            .view
            .focus
            .moved_within(self.panels_shown(), step, stay);
    }

    pub fn on_snapshot(&mut self, snapshot: Arc<Snapshot>) {
        if snapshot.attached.is_some() && !PanelId::ATTACHED.contains(&self.view.focus) {
            self.view.focus = PanelId::Threads;
        }
        if self
            .pending
            .as_ref()
            .is_some_and(|(config, _)| *config == snapshot.config)
        {
            self.pending = None;
        }
        self.failures.on_snapshot(&snapshot, &self.logs);
        self.data.on_snapshot(snapshot);
    }

    /// What the panels draw: the frozen copy, or the live data.
    pub fn shown(&self) -> &DataState {
        self.frozen.as_deref().unwrap_or(&self.data)
    }

    /// The scenario being played (live, also while frozen).
    pub fn playback(&self) -> Option<&Playback> {
        self.data.session.playback()
    }

    /// The guided demo (`d`) is playing, rather than a `--scenario` file.
    pub fn playing_demo(&self) -> bool {
        self.playback()
            .is_some_and(|p| p.name() == super::demo::DEMO_NAME)
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.is_some()
    }

    pub fn toggle_freeze(&mut self) {
        self.frozen = match self.frozen.take() {
            Some(_) => None,
            None => Some(Box::new(self.data.clone())),
        };
    }

    /// The configuration keys build on: the latest one a key asked for, else the engine's.
    pub fn config(&self) -> &ConfigView {
        match &self.pending {
            Some((config, _)) => config,
            None => &self.data.snapshot.config,
        }
    }

    /// Records what a key just asked the engine for.
    pub fn expect_config(&mut self, config: ConfigView, now: Instant) {
        self.pending = Some((config, now));
    }

    pub fn set_status(&mut self, text: impl Into<String>, now: Instant) {
        self.view.status = Some(Status {
            text: text.into(),
            error: false,
            at: now,
        });
    }

    pub fn set_error(&mut self, text: impl Into<String>, now: Instant) {
        self.view.status = Some(Status {
            text: text.into(),
            error: true,
            at: now,
        });
    }

    /// Time passing: scenario and demo steps fall due, old status messages and pending configs expire.
    pub fn tick(&mut self, now: Instant) -> Vec<Action> {
        if self
            .view
            .status
            .as_ref()
            .is_some_and(|s| !s.error && now.saturating_duration_since(s.at) > STATUS_TTL)
        {
            self.view.status = None;
        }
        if self
            .pending
            .as_ref()
            .is_some_and(|(_, at)| now.saturating_duration_since(*at) > PENDING_TTL)
        {
            self.pending = None;
        }
        self.view.log.hold_position(&self.logs);
        let latest_seq = self.data.snapshot.seq;
        let mut actions: Vec<Action> = self
            .data
            .session
            .due(now, latest_seq)
            .into_iter()
            .map(Action::Apply)
            .collect();
        if self.data.session.playback_over(now) {
            let text = if self.playing_demo() {
                // The demo ends on the comparison of its own periods.
                self.view.comparison = true;
                super::measured_caption::summary(&self.data.session.played_rows())
            } else {
                "scenario finished".to_string()
            };
            self.data.session.stop_playing();
            self.set_status(text, now);
            // The engine carries no caption past the end.
            actions.push(Action::Apply(Command::Caption { text: None }));
        }
        actions
    }
}
