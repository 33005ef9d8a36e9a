//! What a key asks for beyond changing the view: the event loop carries these out.

use crate::engine::command::Command;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Send to the engine through `Controller::apply`.
    Apply(Command),
    /// Write the displayed Snapshot as JSON into the export directory.
    Export,
    /// Leave the dashboard.
    Quit,
    /// Give the terminal back to the shell and stop (Ctrl-Z); `fg` resumes.
    Suspend,
}
