//! A scripted timeline played by the dashboard (`--scenario`): each render tick
//! asks it which commands are due and which caption shows. The scenario player
//! implements this; the UI does not depend on how scenarios are parsed.

use std::time::{Duration, Instant};

use crate::engine::command::Command;

pub trait Timeline: Send {
    /// Commands of every step due by `elapsed` not returned before, in order.
    fn advance(&mut self, elapsed: Duration) -> Vec<Command>;
    /// The caption on screen now.
    fn caption(&self) -> Option<&str>;
    /// Steps played, out of all steps.
    fn progress(&self) -> (usize, usize);
    /// Every step played and the timeline's end reached.
    fn is_over(&self, elapsed: Duration) -> bool;
}

/// A timeline being played, with the instant it started.
pub struct ScenarioRun {
    pub timeline: Box<dyn Timeline>,
    pub started: Instant,
    /// What the caption row calls it: `scenario`, or `demo` for the guided demo.
    pub name: &'static str,
}

impl ScenarioRun {
    pub fn new(timeline: Box<dyn Timeline>, started: Instant) -> ScenarioRun {
        ScenarioRun {
            timeline,
            started,
            name: "scenario",
        }
    }

    pub fn named(mut self, name: &'static str) -> ScenarioRun {
        self.name = name;
        self
    }

    pub fn elapsed(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.started)
    }
}

/// Scenario files (`--scenario`) are played through this trait.
impl Timeline for crate::scenario::Player {
    fn advance(&mut self, elapsed: Duration) -> Vec<Command> {
        crate::scenario::Player::advance(self, elapsed)
    }

    fn caption(&self) -> Option<&str> {
        crate::scenario::Player::caption(self)
    }

    fn progress(&self) -> (usize, usize) {
        crate::scenario::Player::progress(self)
    }

    fn is_over(&self, elapsed: Duration) -> bool {
        crate::scenario::Player::is_over(self, elapsed)
    }
}
