//! The per-task cost of loadlab's instrumentation, on one thread and no backend:
//! N bare kernel calls against N jobs built as the driver builds them (submit
//! accounting, then `TaskJob::into_job`) and called directly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use loadlab::engine::driver::instrumented_job;
use loadlab::engine::shared::Shared;
use loadlab::metrics::thread_stats::TaskEnd;
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

/// N instrumented jobs: what the driver does (`driver::instrumented_job`) before handing the job to
/// a backend (outstanding + submitted counters, `TaskJob`), then the job itself.
pub fn instrumented_calls(shared: &Arc<Shared>, spec: &Arc<WorkloadSpec>, n: u64) -> Duration {
    let started = Instant::now();
    for index in 0..n {
        let input = TaskInput::Synthetic {
            index,
            size: PROBE_US,
        };
        let job = instrumented_job(shared, spec, index, input);
        job.run();
    }
    started.elapsed()
}

/// N kernel calls measured and recorded the way a task job does it: three raw
/// clock reads (submitted, started, finished) and one `record_ran` into the
/// calling thread's counters and histograms. This is the measuring alone,
/// without the task plumbing (boxing, cancellation, panic catching, flow control).
pub fn timed_and_recorded_calls(shared: &Arc<Shared>, n: u64) -> Duration {
    let started = Instant::now();
    for index in 0..n {
        let clock = &shared.clock;
        let submitted_at = clock.raw();
        let begin = clock.raw();
        let output = loadlab::workload::kernels::run_synthetic(
            loadlab::spec::Kernel::Spin,
            PROBE_US,
            super::SEED,
            index,
        );
        let end = clock.raw();
        let queue_ns = clock.delta_as_nanos(submitted_at, begin);
        let service_ns = clock.delta_as_nanos(begin, end);
        let output = std::hint::black_box(output).unwrap_or_default();
        let term = loadlab::workload::checksum::task_term(index, output.digest);
        shared.registry.with_current(|stats| {
            stats.record_ran(TaskEnd::Completed, queue_ns, service_ns, &output, term)
        });
    }
    started.elapsed()
}
