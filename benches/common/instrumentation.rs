//! The per-task cost of loadlab's instrumentation, on one thread and no backend:
//! N bare kernel calls against N jobs built as the driver builds them (submit
//! accounting, then `TaskJob::into_job`) and called directly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use loadlab::engine::shared::Shared;
use loadlab::engine::driver::instrumented_job;
use loadlab::spec::WorkloadSpec;
use loadlab::workload::TaskInput;

use super::spin_task;

/// Spin size of the instrumentation probe: 0 us, the kernel's own floor (one
/// clock read), so the difference is the wrapper alone. `TaskInput` carries the
/// size, so this does not go through `WorkloadSpec::validate`.
pub const PROBE_US: u64 = 0;

/// N bare kernel calls.
pub fn bare_calls(n: u64) -> Duration {
    let started = Instant::now();
    for index in 0..n {
        spin_task(PROBE_US, index);
    }
    started.elapsed()
}

/// N instrumented jobs: what `driver::submit_one` does before handing the job to
/// a backend (outstanding + submitted counters, `TaskJob`), then the job itself.
pub fn instrumented_calls(shared: &Arc<Shared>, spec: &Arc<WorkloadSpec>, n: u64) -> Duration {
    let started = Instant::now();
    for index in 0..n {
        let input = TaskInput::Synthetic {
            index,
            size: PROBE_US,
        };
        let job = instrumented_job(shared, spec, index, input);
        job();
    }
    started.elapsed()
}
