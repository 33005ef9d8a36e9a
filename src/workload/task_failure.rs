//! Why one task failed: one line, kept in the run's errors beside the task's
//! name (the file, or the kernel and index). Kernels and file readers return it.

use crate::spec::Kernel;
use crate::workload::memory_budget::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum TaskFailure {
    /// The file could not be found or opened, as the walk words it
    /// ("file vanished: ...", "dangling symlink: target missing").
    #[error("{0}")]
    Unreachable(String),
    /// Reading or checking the opened file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A FIFO, a device, a socket or a directory: never opened.
    #[error("{0}")]
    NotRegular(String),
    /// An entry the walk could not make a task of, with its reason.
    #[error("{0}")]
    Invalid(String),
    #[error("file changed during read")]
    ChangedDuringRead,
    #[error("file changed during the walk: replaced before it was read")]
    Replaced,
    #[error("deflate: {0}")]
    Deflate(std::io::Error),
    #[error("too large to resize: {bytes} bytes (limit {limit_mib} MiB)")]
    TooLargeToResize { bytes: u64, limit_mib: u64 },
    #[error("not an image: {0}")]
    NotAnImage(image::error::UnsupportedError),
    #[error("image too large: {0}")]
    ImageTooLarge(image::error::LimitError),
    #[error("cannot decode image: {0}")]
    Undecodable(image::ImageError),
    #[error("cannot encode thumbnail: {0}")]
    CannotEncode(image::ImageError),
    /// The memory budget refused the task: what it needed memory for, and why.
    #[error("{needed_for}: {refusal}")]
    NoMemory {
        needed_for: String,
        refusal: Refusal,
    },
    #[error("{kernel}: size {size} {unit} is above the limit of {limit} {unit}")]
    AboveLimit {
        kernel: Kernel,
        size: u64,
        limit: u64,
        unit: &'static str,
    },
    #[error("mixed: cpu share {0}% is above 100%")]
    CpuShare(u8),
    #[error("argon2: bad parameters for size {size}: {cause}")]
    Argon2Params { size: u64, cause: argon2::Error },
    #[error("argon2: {0}")]
    Argon2(argon2::Error),
    #[error("{0} is a file kernel: it needs a path")]
    NeedsPath(Kernel),
    #[error("{0} is not a file kernel: use hash, count, compress or resize")]
    NotAFileKernel(Kernel),
}

impl From<image::ImageError> for TaskFailure {
    fn from(error: image::ImageError) -> TaskFailure {
        match error {
            image::ImageError::Unsupported(e) => TaskFailure::NotAnImage(e),
            image::ImageError::Limits(e) => TaskFailure::ImageTooLarge(e),
            image::ImageError::IoError(e) => TaskFailure::Io(e),
            other => TaskFailure::Undecodable(other),
        }
    }
}
