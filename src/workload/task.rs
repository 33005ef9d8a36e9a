//! One entry point for any task input, whatever its kind.

use crate::spec::Kernel;
use crate::workload::files::run_file;
use crate::workload::kernels::run_synthetic;
use crate::workload::{TaskInput, TaskOutput};

/// Runs TaskInput of any kind: Synthetic -> run_synthetic, File -> run_file, Invalid -> Err(error).
pub fn run_task(kernel: Kernel, seed: u64, input: &TaskInput) -> Result<TaskOutput, String> {
    match input {
        TaskInput::Synthetic { index, size } => run_synthetic(kernel, *size, seed, *index),
        TaskInput::File { path, name } => run_file(kernel, path, name),
        TaskInput::Invalid { error, .. } => Err(error.clone()),
    }
}
