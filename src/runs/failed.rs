//! Why a headless command stopped before its report: the engine (with its
//! service) did not start, or its sampler stopped publishing Snapshots.

#[derive(Debug, thiserror::Error)]
pub enum RunFailed {
    #[error(transparent)]
    Start(#[from] crate::session::serve::StartError),
    #[error(transparent)]
    Stale(#[from] crate::engine::StaleSnapshot),
}
