//! A parsed scenario: steps sorted by time, each a list of engine commands plus
//! an optional caption, and the pure player helper that says which steps are due.
//! Reading one from text or a file is the parser's business (`parse.rs`).

use std::time::Duration;

use crate::engine::command::Command;

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Sorted by `at` (the parser rejects unsorted files).
    pub steps: Vec<Step>,
    /// When the scenario is over (a top-level `duration` or an `end = true` step).
    pub end: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Time from the start of the scenario.
    pub at: Duration,
    /// Applied in order: workload, backend, threads, load, reset, pause.
    pub commands: Vec<Command>,
    /// Shown on screen from this step until the next caption.
    pub caption: Option<String>,
    /// `Some(p)` when the step pauses or resumes arrivals; the matching
    /// `Command::Pause` is also in `commands`, this copy is for display.
    pub pause: Option<bool>,
    /// 1-based line of the step's `[[step]]` header, for messages about it.
    pub line: usize,
}

impl Scenario {
    /// The steps that became due since the last call: every step from `*next`
    /// whose `at <= elapsed`. Advances `*next` past them, so each step is
    /// returned exactly once however irregularly the caller polls.
    pub fn due_steps(&self, elapsed: Duration, next: &mut usize) -> &[Step] {
        let start = (*next).min(self.steps.len());
        let count = self.steps[start..]
            .iter()
            .take_while(|step| step.at <= elapsed)
            .count();
        *next = start + count;
        &self.steps[start..start + count]
    }

    /// Has the scenario run its course at `elapsed`?
    pub fn is_over(&self, elapsed: Duration) -> bool {
        elapsed >= self.end
    }

    /// The caption in force at `elapsed`: the latest caption of a step already due.
    pub fn caption_at(&self, elapsed: Duration) -> Option<&str> {
        self.steps
            .iter()
            .take_while(|step| step.at <= elapsed)
            .filter_map(|step| step.caption.as_deref())
            .last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::BackendKind;

    fn step(at_s: u64, caption: Option<&str>) -> Step {
        Step {
            at: Duration::from_secs(at_s),
            commands: vec![Command::SetBackend {
                backend: BackendKind::Rayon,
            }],
            caption: caption.map(str::to_string),
            pause: None,
            line: 1,
        }
    }

    fn scenario() -> Scenario {
        Scenario {
            name: "t".into(),
            description: String::new(),
            steps: vec![
                step(0, Some("a")),
                step(5, None),
                step(5, Some("b")),
                step(9, None),
            ],
            end: Duration::from_secs(12),
        }
    }

    #[test]
    fn due_steps_returns_each_step_once() {
        let s = scenario();
        let mut next = 0;
        assert_eq!(s.due_steps(Duration::ZERO, &mut next).len(), 1);
        assert_eq!(s.due_steps(Duration::from_secs(1), &mut next).len(), 0);
        // Two steps share t=5: both come at once.
        assert_eq!(s.due_steps(Duration::from_secs(7), &mut next).len(), 2);
        assert_eq!(next, 3);
        assert_eq!(s.due_steps(Duration::from_secs(100), &mut next).len(), 1);
        assert_eq!(s.due_steps(Duration::from_secs(200), &mut next).len(), 0);
        assert_eq!(next, 4);
    }

    #[test]
    fn late_first_poll_catches_up_on_everything_due() {
        let s = scenario();
        let mut next = 0;
        assert_eq!(s.due_steps(Duration::from_secs(9), &mut next).len(), 4);
    }

    #[test]
    fn an_out_of_range_cursor_yields_nothing() {
        let s = scenario();
        let mut next = 99;
        assert!(s.due_steps(Duration::from_secs(100), &mut next).is_empty());
    }

    #[test]
    fn caption_is_the_latest_one_due() {
        let s = scenario();
        assert_eq!(s.caption_at(Duration::from_secs(4)), Some("a"));
        assert_eq!(s.caption_at(Duration::from_secs(6)), Some("b"));
        assert_eq!(s.caption_at(Duration::from_secs(10)), Some("b"));
        assert!(!s.is_over(Duration::from_secs(11)));
        assert!(s.is_over(Duration::from_secs(12)));
    }
}
