//! Plays a scenario against a clock the caller owns: the dashboard and
//! `loadlab run` ask it each tick which commands are due and what caption shows.

use std::time::Duration;

use super::timeline::Scenario;
use crate::engine::command::Command;

#[derive(Clone, Debug)]
pub struct Player {
    scenario: Scenario,
    next: usize,
    caption: Option<String>,
}

impl Player {
    pub fn new(scenario: Scenario) -> Player {
        Player {
            scenario,
            next: 0,
            caption: None,
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The commands of every step due by `elapsed` and not yet returned, in
    /// file order; the caption follows the latest due step that has one.
    pub fn advance(&mut self, elapsed: Duration) -> Vec<Command> {
        let mut next = self.next;
        let due = self.scenario.due_steps(elapsed, &mut next);
        let mut commands = Vec::new();
        let mut caption = None;
        for step in due {
            commands.extend(step.commands.iter().cloned());
            if step.caption.is_some() {
                caption.clone_from(&step.caption);
            }
        }
        self.next = next;
        if caption.is_some() {
            self.caption = caption;
        }
        commands
    }

    /// The caption on screen now.
    pub fn caption(&self) -> Option<&str> {
        self.caption.as_deref()
    }

    /// Steps already played, out of all steps.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.scenario.steps.len())
    }

    /// Over once `elapsed` reached the end and every step has been played.
    pub fn is_over(&self, elapsed: Duration) -> bool {
        self.scenario.is_over(elapsed) && self.next >= self.scenario.steps.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::BackendKind;

    fn player() -> Player {
        let scenario = Scenario::parse(
            "[[step]]\nat = 0\nbackend = \"rayon\"\ncaption = \"one\"\n\
             [[step]]\nat = 2\nthreads = 3\n\
             [[step]]\nat = 2\nbackend = \"inline\"\ncaption = \"two\"\n\
             [[step]]\nat = 4\nend = true\ncaption = \"done\"\n",
            "p.toml",
        );
        Player::new(scenario.unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn advance_returns_due_commands_once_and_tracks_the_caption() {
        let mut p = player();
        assert_eq!(p.caption(), None);
        assert_eq!(
            p.advance(Duration::ZERO),
            [Command::SetBackend {
                backend: BackendKind::Rayon
            }]
        );
        assert_eq!(p.caption(), Some("one"));
        assert!(p.advance(Duration::from_secs(1)).is_empty());
        assert_eq!(p.caption(), Some("one"));
        assert_eq!(
            p.advance(Duration::from_millis(2500)),
            [
                Command::SetThreads { threads: 3 },
                Command::SetBackend {
                    backend: BackendKind::Inline
                }
            ]
        );
        assert_eq!(p.caption(), Some("two"));
        assert_eq!(p.progress(), (3, 4));
        assert!(!p.is_over(Duration::from_secs(3)));
    }

    #[test]
    fn the_end_step_caption_shows_before_the_player_reports_over() {
        let mut p = player();
        // Not yet played: not over even past the end.
        assert!(!p.is_over(Duration::from_secs(5)));
        p.advance(Duration::from_secs(5));
        assert_eq!(p.caption(), Some("done"));
        assert!(p.is_over(Duration::from_secs(5)));
    }
}
