//! Why attaching cannot start: each one line that names the input and the cause.

/// A target or an option `loadlab attach` cannot use (all usage errors: exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttachError {
    #[error("no process {pid}: nothing at /proc/{pid}")]
    NoSuchProcess { pid: String },
    #[error("no process is named {name:?} (give a PID, or a name `ps -e` shows)")]
    NoProcessNamed { name: String },
    #[error("{name:?} names {count} processes ({pids}): give one PID")]
    SeveralProcessesNamed {
        name: String,
        count: usize,
        /// The first few PIDs, comma-separated.
        pids: String,
    },
    #[error("process {pid} has ended (a zombie its parent has not reaped)")]
    Ended { pid: i32 },
    #[error("process {pid} cannot be read: {path}: {cause}")]
    Unreadable {
        pid: i32,
        path: String,
        cause: String,
    },
    #[error("{target:?} is not a PID or a process name")]
    BadTarget { target: String },
    #[error("URL {url:?}: {cause}")]
    BadUrl { url: String, cause: String },
    #[error("group {rule:?}: {cause}")]
    BadGroup { rule: String, cause: String },
    #[error("cannot start the probe: {cause}")]
    CannotStart { cause: String },
}

impl AttachError {
    /// 2 for what the user gave (a target, a URL, a rule), 1 for what failed here.
    pub fn exit_code(&self) -> i32 {
        match self {
            AttachError::CannotStart { .. } => 1,
            _ => 2,
        }
    }
}
