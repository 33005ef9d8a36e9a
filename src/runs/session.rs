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
use crate::record::Recorder;
use crate::scenario::{Player, Scenario};

/// How often a session looks at the clock and the latest Snapshot.
pub const TICK: Duration = Duration::from_millis(50);

pub struct Session {
    started: Instant,
    player: Option<Player>,
    caption: Option<String>,
    recorder: Option<Recorder<BufWriter<File>>>,
    last_recorded_seq: u64,
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
        let recorder = match record {
            Some(path) => Some(Recorder::create(path).map_err(|e| e.to_string())?),
            None => None,
        };
        Ok(Session {
            started: Instant::now(),
            player,
            caption: None,
            recorder,
            last_recorded_seq: 0,
        })
    }

    pub fn has_scenario(&self) -> bool {
        self.player.is_some()
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
        self.record(engine, false);
        over
    }

    fn record(&mut self, engine: &dyn Controller, force: bool) {
        let Some(recorder) = self.recorder.as_mut() else {
            return;
        };
        let snapshot = engine.snapshots().borrow().clone();
        if snapshot.seq == self.last_recorded_seq && !force {
            return;
        }
        self.last_recorded_seq = snapshot.seq;
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

    /// Writes a last recording line (the end of a run).
    pub fn finish(&mut self, engine: &dyn Controller) {
        self.record(engine, true);
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

/// A recording shared by the steps of a demo or a sweep, each on its own engine.
pub type StepRecorder = Recorder<BufWriter<File>>;

/// Opens `--record` for a demo or a sweep; the error names the file.
pub fn step_recorder(path: Option<&Path>) -> Result<Option<StepRecorder>, String> {
    path.map(|p| Recorder::create(p).map_err(|e| e.to_string()))
        .transpose()
}

/// Lets `engine` run for `period`, recording its Snapshots (one line a second).
pub fn run_for(engine: &dyn Controller, period: Duration, recorder: &mut Option<StepRecorder>) {
    let until = Instant::now() + period;
    let snapshots = engine.snapshots();
    let mut last_seq = 0;
    while Instant::now() < until {
        if let Some(rec) = recorder.as_mut() {
            let snapshot = snapshots.borrow().clone();
            if snapshot.seq != last_seq {
                last_seq = snapshot.seq;
                if let Err(error) = rec.offer(&snapshot) {
                    tracing::error!("recording stopped: {error}");
                    *recorder = None;
                }
            }
        }
        std::thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
    }
}
