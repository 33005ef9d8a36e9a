//! One entry point for any task input, whatever its kind.

use crate::spec::Kernel;
use crate::workload::files::run_file;
use crate::workload::kernels::run_synthetic_with_share;
use crate::workload::{TaskInput, TaskOutput};

/// Runs TaskInput of any kind: Synthetic -> run_synthetic_with_share,
/// File -> run_file, Invalid -> Err(error). `cpu_share` shapes `mixed` only.
pub fn run_task(
    kernel: Kernel,
    seed: u64,
    cpu_share: u8,
    input: &TaskInput,
) -> Result<TaskOutput, String> {
    match input {
        TaskInput::Synthetic { index, size } => {
            run_synthetic_with_share(kernel, *size, seed, *index, cpu_share)
        }
        TaskInput::File { path, name } => run_file(kernel, path, name),
        TaskInput::Invalid { error, .. } => Err(error.clone()),
    }
}
