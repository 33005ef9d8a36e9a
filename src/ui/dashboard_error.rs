//! Why the dashboard ended early: what it was doing with the terminal and the
//! operating system's error, or the ui thread's panic.

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// `doing` reads after "dashboard: ", e.g. "cannot open the terminal".
    #[error("dashboard: {doing}: {source}")]
    Terminal {
        doing: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("dashboard: the ui thread panicked: {0}")]
    Panicked(String),
}

/// Names what the dashboard was doing when an I/O call failed.
pub(crate) trait Doing<T> {
    fn doing(self, doing: &'static str) -> Result<T, DashboardError>;
}

impl<T> Doing<T> for std::io::Result<T> {
    fn doing(self, doing: &'static str) -> Result<T, DashboardError> {
        self.map_err(|source| DashboardError::Terminal { doing, source })
    }
}
