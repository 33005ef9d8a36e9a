//! Commands that change a running engine. The dashboard's keys, scenario files
//! and the demos all speak this one language.

use serde::{Deserialize, Serialize};

use crate::spec::{BackendKind, LoadMode, WorkloadSpec};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "do")]
pub enum Command {
    /// Swap the backend live; in-flight work finishes where it started.
    SetBackend { backend: BackendKind },
    /// Resize the current backend live.
    SetThreads { threads: usize },
    /// Closed loop with this many tasks in flight, or open loop at this rate.
    SetLoad { load: LoadMode },
    /// Replace the workload (kernel, size, distribution, seed, path).
    SetWorkload { workload: WorkloadSpec },
    /// Pause or resume arrivals (in-flight tasks still finish).
    Pause { paused: bool },
    /// Stop: queued tasks are cancelled, running ones finish, arrivals stop.
    Stop,
    /// Start submitting again after a stop.
    Start,
    /// Zero the cumulative statistics.
    ResetStats,
    /// Show a caption (scenarios, guided demos); None clears it.
    Caption { text: Option<String> },
}
