//! Why a change was refused (a command from the dashboard, a scenario step
//! or a library caller): one line naming the field and the cause. The engine
//! keeps running as it was.

use crate::bounds::OutOfBounds;
use crate::spec::{BackendKind, BadWorkload};
use crate::workload::files::BadRoot;

#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// A thread count or a load past its bounds.
    #[error(transparent)]
    OutOfBounds(#[from] OutOfBounds),
    /// A kernel's size past its bounds.
    #[error("size {0}")]
    Size(OutOfBounds),
    /// The new backend could not be built (a thread refused).
    #[error("backend {backend}: {source}")]
    Backend {
        backend: BackendKind,
        #[source]
        source: std::io::Error,
    },
    #[error("threads: must be at least 1")]
    NoThreads,
    /// Inline runs on the app runtime's workers: no more threads than they are.
    #[error("threads: {backend} runs on at most {applied} app workers")]
    AtMostAppWorkers {
        backend: BackendKind,
        applied: usize,
    },
    #[error("inflight: must be at least 1")]
    NoInflight,
    #[error("rate: {0} is not a positive number")]
    NotARate(f64),
    #[error(transparent)]
    Workload(#[from] BadWorkload),
    #[error(transparent)]
    Path(#[from] BadRoot),
    /// A source that only watches (an attached process) takes no commands.
    #[error("attached to process {pid}: loadlab runs no work here, there is nothing to change")]
    Watching { pid: i32 },
}
