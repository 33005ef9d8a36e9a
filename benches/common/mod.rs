//! What both bench targets share: the task sizes, the bare-library runners, the
//! loadlab runner and the single-thread instrumentation probe. Every runner
//! runs the same kernel function, `run_synthetic(Kernel::Spin, us, SEED, index)`.

pub mod bare;
pub mod instrumentation;
pub mod loadlab_runner;

use std::time::Duration;

use loadlab::spec::{BackendKind, Kernel};
use loadlab::workload::kernels::run_synthetic;

/// The seed every task of every side uses.
pub const SEED: u64 = 7;
/// Worker threads on every side (the machine has 2 cores).
pub const THREADS: usize = 2;

/// One spin task size and how many tasks make one timed batch (about 50 ms for
/// the bare libraries on 2 threads).
#[derive(Clone, Copy, Debug)]
pub struct SpinSize {
    pub us: u64,
    pub label: &'static str,
    pub tasks: u64,
}

/// WorkloadSpec::validate rejects size 0, so the "empty" task is a 1 us spin
/// on both sides.
pub const SIZES: [SpinSize; 3] = [
    SpinSize {
        us: 1,
        label: "~empty (1 us)",
        tasks: 60_000,
    },
    SpinSize {
        us: 10,
        label: "10 us",
        tasks: 10_000,
    },
    SpinSize {
        us: 100,
        label: "100 us",
        tasks: 1_000,
    },
];

/// The backends that have a bare-library counterpart (inline has none).
pub const BACKENDS: [BackendKind; 3] = [
    BackendKind::Rayon,
    BackendKind::SpawnBlocking,
    BackendKind::Channel,
];

/// The task body of every bare runner: the loadlab kernel, result kept alive.
#[inline]
pub fn spin_task(us: u64, index: u64) {
    std::hint::black_box(run_synthetic(Kernel::Spin, us, SEED, index).ok());
}

/// Something that runs `n` spin tasks on 2 threads and says how long it took.
pub trait Contender {
    fn run_batch(&self, n: u64) -> anyhow::Result<Duration>;
}
