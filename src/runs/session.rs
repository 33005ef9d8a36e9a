//! What runs beside the engine in the headless commands: a scenario being
//! played (through the session layer) and a recording being written. `tick` is called a few times a second.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::RunFailed;
use super::interrupt::Interruption;
use crate::engine::controller::Controller;
use crate::engine::{EngineConfig, RunOutcome};
use crate::metrics::proc_stat::{CpuTicks, external_cpu_pct};
use crate::metrics::snapshot::Snapshot;
use crate::record::Recorder;
use crate::scenario::Scenario;
use crate::service::ServeOptions;
use crate::session::periods::Period;
use crate::session::playback::Playback;
use crate::setup::Failure;

/// How often a session looks at the clock and the latest Snapshot.
pub const TICK: Duration = Duration::from_millis(50);

/// A headless session: the scenario played and its periods, and the
/// recording written.
pub struct Session {
    /// The scenario being played and its periods.
    played: crate::session::Session,
    has_scenario: bool,
    recording: Recording,
}

/// A `--record` file (or none) fed with an engine's latest Snapshots.
pub struct Recording {
    recorder: Option<Recorder<BufWriter<File>>>,
    last_seq: u64,
}

impl Recording {
    /// Creates the file; the error names it. A name already taken is a
    /// usage error (exit 2); any other failure to create it is fatal.
    pub fn open(path: Option<&Path>) -> Result<Recording, Failure> {
        let recorder = match path {
            Some(path) => Some(Recorder::create(path).map_err(|e| {
                let message = crate::setup::recording_failure(&e);
                if crate::new_file::is_refusal(&e) {
                    Failure::Usage(message)
                } else {
                    Failure::Fatal(message)
                }
            })?),
            None => None,
        };
        Ok(Recording {
            recorder,
            last_seq: 0,
        })
    }

    /// The next Snapshots come from a new engine (demo and sweep run one per
    /// step), whose clock and sequence numbers start again.
    pub fn next_engine(&mut self) {
        self.last_seq = 0;
        if let Some(recorder) = self.recorder.as_mut() {
            recorder.restart_clock();
        }
    }

    /// Offers the engine's latest Snapshot (one line a second at most);
    /// `force` writes it whatever the time (the end of a run). A write error
    /// stops the recording and is logged; the run goes on.
    pub fn record(&mut self, engine: &dyn Controller, force: bool) {
        let Some(recorder) = self.recorder.as_mut() else {
            return;
        };
        let snapshot = engine.snapshots().borrow().clone();
        if snapshot.seq == self.last_seq && !force {
            return;
        }
        self.last_seq = snapshot.seq;
        let written = if force {
            recorder.write(&snapshot)
        } else {
            recorder.offer(&snapshot)
        };
        if let Err(error) = written {
            tracing::error!(
                "recording stopped: {}",
                crate::setup::recording_failure(&error)
            );
            self.recorder = None;
        }
    }
}

impl Session {
    /// Loads the scenario and creates the recording; errors name the file.
    /// A bad scenario is a usage error (exit 2).
    pub fn new(scenario: Option<&Path>, record: Option<&Path>) -> Result<Session, Failure> {
        let playback = match scenario {
            Some(path) => Some(Playback::new(
                Scenario::load(path).map_err(|e| Failure::Usage(e.to_string()))?,
                Instant::now(),
            )),
            None => None,
        };
        Ok(Session {
            has_scenario: playback.is_some(),
            played: crate::session::Session::new(playback),
            recording: Recording::open(record)?,
        })
    }

    /// False with neither a scenario nor a recording: `tick` would do nothing.
    pub fn has_work(&self) -> bool {
        self.has_scenario || self.recording.recorder.is_some()
    }

    /// Restarts the scenario clock (call when the engine starts).
    pub fn start_clock(&mut self) {
        self.played.restart_clock(Instant::now());
    }

    /// Applies due scenario steps and records the latest Snapshot. Returns
    /// true once the scenario is over (never without a scenario).
    pub fn tick(&mut self, engine: &dyn Controller) -> bool {
        let now = Instant::now();
        let latest_seq = engine.snapshots().borrow().seq;
        for command in self.played.due(now, latest_seq) {
            if let Err(error) = engine.apply(command.clone()) {
                tracing::warn!("scenario step {command:?} not applied: {error}");
            }
        }
        let latest = engine.snapshots().borrow().clone();
        // A Snapshot that may predate the last step is neither recorded nor
        // counted: every line and period shows the configuration running.
        if self.played.is_current(latest.seq) {
            if self.has_scenario {
                self.played.observe(&latest);
            }
            self.recording.record(engine, false);
        }
        self.played.playback_over(now)
    }

    /// The periods of the scenario played (empty without one), the last one
    /// closed at the run's final Snapshot.
    pub fn periods(&mut self, outcome: &RunOutcome) -> Vec<Period> {
        if !self.has_scenario {
            return Vec::new();
        }
        std::mem::take(&mut self.played).finish(&outcome.last_snapshot)
    }

    /// Writes a last recording line (the end of a run).
    pub fn finish(&mut self, engine: &dyn Controller) {
        self.recording.record(engine, true);
    }

    /// Plays the session on its own thread until `stop` is set (the dashboard).
    pub fn spawn(
        mut self,
        engine: Arc<dyn Controller>,
        stop: Arc<AtomicBool>,
    ) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("session".into())
            .spawn(move || {
                self.start_clock();
                while !stop.load(Ordering::Acquire) {
                    self.tick(engine.as_ref());
                    std::thread::sleep(TICK);
                }
                self.finish(engine.as_ref());
            })
    }
}

/// Lets `engine` run for `period`, recording its Snapshots (one line a
/// second). False when a signal cut it short.
pub fn run_for(
    engine: &dyn Controller,
    period: Duration,
    recording: &mut Recording,
    interruption: &Interruption,
) -> bool {
    let until = Instant::now() + period;
    while Instant::now() < until {
        if interruption.signal().is_some() {
            return false;
        }
        recording.record(engine, false);
        std::thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
    }
    interruption.signal().is_none()
}

/// A measured period of a demo or sweep step.
pub struct Measured {
    /// The first Snapshot after the reset that opened the period.
    pub start: Arc<Snapshot>,
    /// The engine's exact totals since that reset, taken at the period's end.
    pub outcome: RunOutcome,
    /// CPU other processes used during the period, percent of the machine.
    pub external_cpu_pct: Option<f64>,
}

/// One step of a demo or a sweep: a fresh engine runs `config` (with the
/// HTTP service when `serve` asks for it) for a warm-up, then for a measured
/// `period`. None when a signal arrived first (the step
/// is dropped: a partial period would not compare with the others).
pub fn measured_period(
    config: EngineConfig,
    serve: Option<ServeOptions>,
    warmup: Duration,
    period: Duration,
    recording: &mut Recording,
    interruption: &Interruption,
) -> Result<Option<Measured>, RunFailed> {
    let engine = crate::session::serve::start(config, serve)?;
    recording.next_engine();
    let mut measured = None;
    if run_for(&engine, warmup, recording, interruption) {
        let start = engine.reset_and_wait()?;
        let before = CpuTicks::read();
        if run_for(&engine, period, recording, interruption) {
            let after = CpuTicks::read();
            let outcome = engine.finish();
            let external_cpu_pct = match (before, after) {
                (Some(before), Some(after)) => external_cpu_pct(&before, &after),
                _ => None,
            };
            measured = Some(Measured {
                start,
                outcome,
                external_cpu_pct,
            });
        }
    }
    engine.shutdown(Duration::from_millis(500));
    Ok(measured)
}
