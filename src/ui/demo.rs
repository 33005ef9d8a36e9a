//! The guided demo (`d`): offload on rayon, then inline, then offload again, each
//! for `STEP_S` seconds, with a caption saying what happens and what to watch.
//! It is only a timed sequence of Commands; the engine does the rest.

use std::time::{Duration, Instant};

use crate::engine::command::Command;
use crate::metrics::snapshot::ConfigView;
use crate::spec::{BackendKind, LoadMode};

pub const STEP_S: u64 = 10;

pub struct DemoStep {
    pub backend: BackendKind,
    pub what: &'static str,
    pub watch: &'static str,
}

pub const STEPS: [DemoStep; 3] = [
    DemoStep {
        backend: BackendKind::Rayon,
        what: "offload: the CPU work runs on the rayon-N threads",
        watch: "Runtime health stays HEALTHY, heartbeat lag stays low; rayon threads are busy, app threads idle",
    },
    DemoStep {
        backend: BackendKind::Inline,
        what: "inline: the same work now runs on the app runtime's workers (the anti-pattern)",
        watch: "heartbeat lag jumps and health turns STARVED; app-N threads at 100% busy, blocked events count up",
    },
    DemoStep {
        backend: BackendKind::Rayon,
        what: "offload again: back on rayon",
        watch: "health recovers to HEALTHY within a second or two; the throughput marker shows the swap",
    },
];

#[derive(Clone, Debug, PartialEq)]
pub struct Demo {
    started: Instant,
    /// Index of the next step whose command has not been sent yet.
    next_step: usize,
}

/// The caption for the running step.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    pub step: usize,
    pub of: usize,
    pub what: &'static str,
    pub watch: &'static str,
    pub seconds_left: u64,
}

impl Demo {
    /// Starts at `now`; returns the commands that make sure work flows, then the first step's.
    pub fn start(now: Instant, config: &ConfigView) -> (Demo, Vec<Command>) {
        let mut commands = Vec::new();
        if !config.running {
            commands.push(Command::Start);
        }
        if config.paused {
            commands.push(Command::Pause { paused: false });
        }
        // Inline only starves the runtime when every app worker holds a job.
        let needed = (config.runtime_workers * 2).max(2);
        if let LoadMode::Closed { inflight } = config.load
            && inflight < needed
        {
            commands.push(Command::SetLoad {
                load: LoadMode::Closed { inflight: needed },
            });
        }
        let mut demo = Demo {
            started: now,
            next_step: 0,
        };
        commands.extend(demo.poll(now));
        (demo, commands)
    }

    /// Commands due by `now` (a backend swap when a new step begins).
    pub fn poll(&mut self, now: Instant) -> Vec<Command> {
        let current = self.step_index(now);
        let mut commands = Vec::new();
        while self.next_step <= current && self.next_step < STEPS.len() {
            commands.push(Command::SetBackend {
                backend: STEPS[self.next_step].backend,
            });
            self.next_step += 1;
        }
        commands
    }

    pub fn finished(&self, now: Instant) -> bool {
        self.elapsed(now) >= Duration::from_secs(STEP_S * STEPS.len() as u64)
    }

    pub fn caption(&self, now: Instant) -> Caption {
        let step = self.step_index(now).min(STEPS.len() - 1);
        let step_end = Duration::from_secs(STEP_S * (step as u64 + 1));
        Caption {
            step: step + 1,
            of: STEPS.len(),
            what: STEPS[step].what,
            watch: STEPS[step].watch,
            seconds_left: step_end.saturating_sub(self.elapsed(now)).as_secs(),
        }
    }

    fn elapsed(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.started)
    }

    fn step_index(&self, now: Instant) -> usize {
        (self.elapsed(now).as_secs() / STEP_S) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_swap_offload_inline_offload_on_time() {
        let t0 = Instant::now();
        let config = ConfigView {
            backend: BackendKind::Channel,
            runtime_workers: 2,
            load: LoadMode::Closed { inflight: 1 },
            running: true,
            ..ConfigView::default()
        };
        let (mut demo, first) = Demo::start(t0, &config);
        assert_eq!(
            first,
            vec![
                Command::SetLoad {
                    load: LoadMode::Closed { inflight: 4 }
                },
                Command::SetBackend {
                    backend: BackendKind::Rayon
                }
            ]
        );
        assert!(demo.poll(t0 + Duration::from_secs(9)).is_empty());
        assert_eq!(
            demo.poll(t0 + Duration::from_secs(10)),
            vec![Command::SetBackend {
                backend: BackendKind::Inline
            }]
        );
        assert_eq!(demo.caption(t0 + Duration::from_secs(12)).step, 2);
        assert_eq!(
            demo.poll(t0 + Duration::from_secs(25)),
            vec![Command::SetBackend {
                backend: BackendKind::Rayon
            }]
        );
        assert!(!demo.finished(t0 + Duration::from_secs(29)));
        assert!(demo.finished(t0 + Duration::from_secs(30)));
    }
}
