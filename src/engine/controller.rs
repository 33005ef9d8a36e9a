//! The face a running engine shows to the dashboard and to scenario players.

use std::sync::Arc;

use tokio::sync::watch;

use super::command::Command;
use super::refused::Refused;
use crate::metrics::snapshot::Snapshot;

pub trait Controller: Send + Sync + 'static {
    /// Applies a command; the error says in one line why not (shown in the UI).
    fn apply(&self, command: Command) -> Result<(), Refused>;
    /// The latest Snapshot, replaced by the sampler every tick.
    fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>>;
}

/// The last line of defence before a command reaches the engine: keys, the
/// workload form and scenarios check their values against `crate::bounds`
/// first, with messages of their own; whatever slips past is refused here.
pub fn check_bounds(command: &Command) -> Result<(), Refused> {
    use crate::bounds;
    match command {
        Command::SetThreads { threads } => {
            bounds::check_any_threads(*threads as u64)?;
        }
        Command::SetLoad { load } => {
            crate::spec::limits::check_load(*load)?;
        }
        Command::SetWorkload { workload } => {
            crate::spec::limits::check_workload(workload).map_err(Refused::Size)?;
        }
        _ => {}
    }
    Ok(())
}
