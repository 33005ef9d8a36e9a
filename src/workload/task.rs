//! One entry point for any task input, whatever its kind.

use crate::spec::WorkloadSpec;
use crate::workload::files::run_file;
use crate::workload::kernels::run_synthetic;
use crate::workload::{TaskInput, TaskOutput};

/// Runs TaskInput of any kind: Synthetic -> run_synthetic, File -> run_file, Invalid -> Err(error).
pub fn run_task(spec: &WorkloadSpec, input: &TaskInput) -> Result<TaskOutput, String> {
    match input {
        TaskInput::Synthetic { index, size } => {
            run_synthetic(spec.kernel, *size, spec.seed, *index)
        }
        TaskInput::File { path, name } => run_file(spec.kernel, path, name),
        TaskInput::Invalid { error, .. } => Err(error.clone()),
    }
}
