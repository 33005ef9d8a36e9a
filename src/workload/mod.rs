//! What the tasks compute: kernels, task sizes, file walking, and the checksum
//! that proves every backend computed the same thing.

use std::path::PathBuf;

pub mod checksum;
pub mod dist;
pub mod file_kernels;
pub mod file_open;
pub mod files;
pub mod kernels;
pub mod memory_budget;
pub mod seed_block;
pub mod seed_mix;
pub mod task;
pub mod task_clock;
pub mod task_failure;
pub mod walker;

pub use task::run_task;
pub use task_failure::TaskFailure;

/// The input of one task.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskInput {
    /// A synthetic task: kernel input generated from (seed, index).
    Synthetic { index: u64, size: u64 },
    /// One regular file of a `--path` workload. `name` is the path relative to
    /// the root (lossy UTF-8), used in errors and in the checksum.
    File { path: PathBuf, name: String },
    /// A walk entry that cannot be processed (special file, dangling link,
    /// loop, unreadable directory...): the task fails with `error`.
    Invalid { name: String, error: String },
}

/// What one task produced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskOutput {
    /// A digest of the task's result, folded into the run's checksum.
    pub digest: u64,
    /// Input bytes processed (0 for kernels that read none).
    pub bytes_in: u64,
    /// Bytes produced where the kernel writes output (compressed stream,
    /// encoded thumbnail); 0 otherwise.
    pub bytes_out: u64,
}
