//! Why an engine did not start: its configuration, or the operating system
//! refusing a thread or a runtime.

use super::BadConfig;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] BadConfig),
    /// A runtime, a pool or the sampler's thread could not be created.
    #[error(transparent)]
    Threads(#[from] std::io::Error),
}
