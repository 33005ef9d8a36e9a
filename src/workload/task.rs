//! One entry point for any task input, whatever its kind.

use crate::spec::Kernel;
use crate::workload::files::run_file_while;
use crate::workload::kernels::run_synthetic_with_share;
use crate::workload::{TaskFailure, TaskInput, TaskOutput};

/// Runs TaskInput of any kind: Synthetic -> run_synthetic_with_share,
/// File -> run_file_while, Invalid -> Err(error). `cpu_share` shapes `mixed`
/// only; a task waiting for memory budget gives up once `still_wanted()` is
/// false (then `memory_budget::take_gave_up` says so).
pub fn run_task(
    kernel: Kernel,
    seed: u64,
    cpu_share: u8,
    input: &TaskInput,
    still_wanted: &dyn Fn() -> bool,
) -> Result<TaskOutput, TaskFailure> {
    match input {
        TaskInput::Synthetic { index, size } => {
            run_synthetic_with_share(kernel, *size, seed, *index, cpu_share, still_wanted)
        }
        TaskInput::File { path, name } => run_file_while(kernel, path, name, still_wanted),
        TaskInput::Invalid { error, .. } => Err(TaskFailure::Invalid(error.clone())),
    }
}
