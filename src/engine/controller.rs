//! The face a running engine shows to the dashboard and to scenario players.

use std::sync::Arc;

use tokio::sync::watch;

use super::command::Command;
use crate::metrics::snapshot::Snapshot;

pub trait Controller: Send + Sync + 'static {
    /// Applies a command; the error is a one-line reason (shown in the UI).
    fn apply(&self, command: Command) -> Result<(), String>;
    /// The latest Snapshot, replaced by the sampler every tick.
    fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>>;
}
