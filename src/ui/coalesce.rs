//! Live changes from held keys: `+`/`-` (threads), `[`/`]` (load) and `b`/`B`
//! (backend) arrive faster than a frame is drawn. Each is kept until the next
//! frame and only its last value is applied: a held `+` on rayon builds one
//! pool per frame, not one per key press. Changes of different kinds keep
//! their order.

use crate::bounds::PENDING_CHANGES_MAX;
use crate::engine::command::Command;

use super::action::Action;

/// Changes waiting for the next frame, in the order they were asked for.
#[derive(Debug, Default)]
pub struct PendingChanges {
    commands: Vec<Command>,
}

impl PendingChanges {
    /// Keeps the live changes among `actions` for the next frame and returns
    /// what must happen now. Any other engine command first brings out the
    /// changes kept so far, so commands still reach the engine in order; a
    /// quit drops them.
    pub fn defer(&mut self, actions: Vec<Action>) -> Vec<Action> {
        let mut now = Vec::new();
        for action in actions {
            match action {
                Action::Apply(command) if coalesces(&command) => {
                    match self.commands.last_mut() {
                        Some(last) if same_kind(last, &command) => *last = command,
                        _ => self.commands.push(command),
                    }
                    if self.commands.len() >= PENDING_CHANGES_MAX {
                        now.extend(self.take());
                    }
                }
                Action::Apply(command) => {
                    now.extend(self.take());
                    now.push(Action::Apply(command));
                }
                Action::Quit => {
                    self.commands.clear();
                    now.push(Action::Quit);
                }
                Action::Export | Action::Suspend => now.push(action),
            }
        }
        now
    }

    /// The changes to apply now (once per frame).
    pub fn take(&mut self) -> Vec<Action> {
        self.commands.drain(..).map(Action::Apply).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }
}

fn coalesces(command: &Command) -> bool {
    matches!(
        command,
        Command::SetBackend { .. } | Command::SetThreads { .. } | Command::SetLoad { .. }
    )
}

fn same_kind(a: &Command, b: &Command) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{BackendKind, LoadMode};

    fn threads(threads: usize) -> Action {
        Action::Apply(Command::SetThreads { threads })
    }

    #[test]
    fn a_burst_applies_its_last_value_once() {
        let mut pending = PendingChanges::default();
        for n in 2..600 {
            assert!(pending.defer(vec![threads(n)]).is_empty());
        }
        assert_eq!(pending.take(), vec![threads(599)]);
        assert!(pending.take().is_empty());
    }

    #[test]
    fn kinds_keep_their_order_and_other_commands_come_after_them() {
        let mut pending = PendingChanges::default();
        let backend = Action::Apply(Command::SetBackend {
            backend: BackendKind::Inline,
        });
        let load = Action::Apply(Command::SetLoad {
            load: LoadMode::Closed { inflight: 9 },
        });
        pending.defer(vec![threads(3), threads(4), backend.clone(), load.clone()]);
        let stop = Action::Apply(Command::Stop);
        assert_eq!(
            pending.defer(vec![stop.clone()]),
            vec![threads(4), backend, load, stop]
        );
        assert!(pending.is_empty());
    }

    #[test]
    fn alternating_keys_stay_bounded_and_quit_drops_them() {
        let mut pending = PendingChanges::default();
        let mut applied = 0;
        for n in 0..1_000 {
            let backend = Action::Apply(Command::SetBackend {
                backend: BackendKind::ALL[n % 4],
            });
            applied += pending.defer(vec![threads(n + 1), backend]).len();
            assert!(pending.commands.len() < PENDING_CHANGES_MAX);
        }
        assert!(applied > 0);
        pending.defer(vec![threads(7)]);
        assert_eq!(pending.defer(vec![Action::Quit]), vec![Action::Quit]);
        assert!(pending.is_empty());
    }
}
