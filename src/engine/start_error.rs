//! Why an engine did not start: its configuration, the operating system
//! refusing a thread or a runtime, or the HTTP service's address.

use std::net::SocketAddr;

use super::BadConfig;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] BadConfig),
    /// A runtime, a pool or the sampler's thread could not be created.
    #[error(transparent)]
    Threads(#[from] std::io::Error),
    #[error("cannot serve HTTP on {address}: {source}")]
    Serve {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}
