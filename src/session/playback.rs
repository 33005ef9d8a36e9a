//! A scenario being played, in any face: which engine commands fall due and
//! which caption shows. The caption travels as a command too, so the engine
//! carries it into Snapshots, recordings and reports.

use std::time::{Duration, Instant};

use crate::engine::command::Command;
use crate::scenario::{Player, Scenario};

/// What the caption row calls a `--scenario` file being played.
pub const SCENARIO_NAME: &str = "scenario";

/// A scenario played from an instant.
#[derive(Clone, Debug)]
pub struct Playback {
    player: Player,
    started: Instant,
    /// `scenario`, or the name of a built-in preset (the guided demo).
    name: &'static str,
    /// The caption the engine was last given.
    caption_sent: Option<String>,
}

impl Playback {
    pub fn new(scenario: Scenario, started: Instant) -> Playback {
        Playback {
            player: Player::new(scenario),
            started,
            name: SCENARIO_NAME,
            caption_sent: None,
        }
    }

    pub fn named(mut self, name: &'static str) -> Playback {
        self.name = name;
        self
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Plays from `now` (the engine has just started).
    pub fn restart_clock(&mut self, now: Instant) {
        self.started = now;
    }

    pub fn elapsed(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.started)
    }

    /// The commands of every step due by `now` not returned before, in
    /// order, then the caption when it changed.
    pub fn advance(&mut self, now: Instant) -> Vec<Command> {
        let mut commands = self.player.advance(self.elapsed(now));
        let caption = self.player.caption();
        if caption != self.caption_sent.as_deref() {
            self.caption_sent = caption.map(str::to_string);
            commands.push(Command::Caption {
                text: self.caption_sent.clone(),
            });
        }
        commands
    }

    /// The caption on screen now.
    pub fn caption(&self) -> Option<&str> {
        self.player.caption()
    }

    /// Steps played, out of all steps.
    pub fn progress(&self) -> (usize, usize) {
        self.player.progress()
    }

    /// Every step played and the scenario's end reached.
    pub fn is_over(&self, now: Instant) -> bool {
        self.player.is_over(self.elapsed(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::BackendKind;

    fn two_steps() -> Scenario {
        Scenario::parse(
            r#"
[[step]]
at = 0.0
backend = "rayon"
caption = "first"
[[step]]
at = 2.0
backend = "inline"
[[step]]
at = 3.0
end = true
"#,
            "two steps",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn steps_fall_due_once_and_the_caption_is_sent_when_it_changes() {
        let start = Instant::now();
        let mut playback = Playback::new(two_steps(), start);
        assert_eq!(
            playback.advance(start),
            [
                Command::SetBackend {
                    backend: BackendKind::Rayon
                },
                Command::Caption {
                    text: Some("first".into())
                }
            ]
        );
        assert!(playback.advance(start + Duration::from_secs(1)).is_empty());
        let second = playback.advance(start + Duration::from_secs(2));
        assert_eq!(
            second[0],
            Command::SetBackend {
                backend: BackendKind::Inline
            }
        );
        assert_eq!(playback.progress(), (2, 3));
        assert!(!playback.is_over(start + Duration::from_secs(2)));
        assert!(playback.is_over(start + Duration::from_secs(3)));
    }

    #[test]
    fn the_clock_restarts_when_the_engine_starts() {
        let start = Instant::now();
        let mut playback = Playback::new(two_steps(), start);
        playback.restart_clock(start + Duration::from_secs(10));
        assert_eq!(playback.elapsed(start + Duration::from_secs(11)), Duration::from_secs(1));
        assert!(!playback.is_over(start + Duration::from_secs(12)));
    }
}
