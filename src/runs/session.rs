//! What runs beside the engine in any mode: a scenario being played and a
//! recording being written. `tick` is called a few times a second.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::engine::command::Command;
use crate::engine::controller::Controller;
use crate::engine::{Engine, EngineConfig};
use crate::metrics::snapshot::Snapshot;
use crate::record::Recorder;
use crate::scenario::{Player, Scenario};

/// How often a session looks at the clock and the latest Snapshot.
pub const TICK: Duration = Duration::from_millis(50);

pub struct Session {
    started: Instant,
    player: Option<Player>,
    caption: Option<String>,
    recording: Recording,
}

/// A `--record` file (or none) fed with an engine's latest Snapshots.
pub struct Recording {
    recorder: Option<Recorder<BufWriter<File>>>,
    last_seq: u64,
}

impl Recording {
    /// Creates the file; the error names it.
    pub fn open(path: Option<&Path>) -> Result<Recording, String> {
        let recorder = match path {
            Some(path) => Some(Recorder::create(path).map_err(|e| e.to_string())?),
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
            tracing::error!("recording stopped: {error}");
            self.recorder = None;
        }
    }
}

impl Session {
    /// Loads the scenario and creates the recording; errors name the file.
    pub fn new(scenario: Option<&Path>, record: Option<&Path>) -> Result<Session, String> {
        let player = match scenario {
            Some(path) => Some(Player::new(
                Scenario::load(path).map_err(|e| e.to_string())?,
            )),
            None => None,
        };
        Ok(Session {
            started: Instant::now(),
            player,
            caption: None,
            recording: Recording::open(record)?,
        })
    }

    /// Restarts the scenario clock (call when the engine starts).
    pub fn start_clock(&mut self) {
        self.started = Instant::now();
    }

    /// Applies due scenario steps and records the latest Snapshot. Returns
    /// true once the scenario is over (never without a scenario).
    pub fn tick(&mut self, engine: &dyn Controller) -> bool {
        let elapsed = self.started.elapsed();
        let mut over = false;
        if let Some(player) = self.player.as_mut() {
            for command in player.advance(elapsed) {
                if let Err(error) = engine.apply(command.clone()) {
                    tracing::warn!("scenario step {command:?} not applied: {error}");
                }
            }
            let caption = player.caption().map(str::to_string);
            if caption != self.caption {
                self.caption.clone_from(&caption);
                // Snapshots, and so the recording, carry it from here.
                let _ = engine.apply(Command::Caption { text: caption });
            }
            over = player.is_over(elapsed);
        }
        self.recording.record(engine, false);
        over
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

/// Lets `engine` run for `period`, recording its Snapshots (one line a second).
pub fn run_for(engine: &dyn Controller, period: Duration, recording: &mut Recording) {
    let until = Instant::now() + period;
    while Instant::now() < until {
        recording.record(engine, false);
        std::thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
    }
}

/// One step of a demo or a sweep: a fresh engine runs `config` for a warm-up,
/// then for a measured `period`; returns the Snapshots that open and close the
/// period (the first taken right after a reset, so the last one's cumulative
/// figures cover exactly the period).
pub fn measured_period(
    config: EngineConfig,
    warmup: Duration,
    period: Duration,
    recording: &mut Recording,
) -> anyhow::Result<(Arc<Snapshot>, Arc<Snapshot>)> {
    let engine = Engine::start(config)?;
    recording.next_engine();
    run_for(&engine, warmup, recording);
    let start = engine.reset_and_wait();
    run_for(&engine, period, recording);
    let end = engine.fresh_snapshot();
    engine.shutdown(Duration::from_millis(500));
    Ok((start, end))
}
