//! What each headless command was asked to do, built from its flags by
//! `setup` and carried out by `runs`.

use std::time::Duration;

use crate::report::advice::WorkKind;
use crate::service::ServeOptions;
use crate::session::starvation::Threshold;
use crate::spec::{BackendKind, LoadMode, WorkloadSpec};

/// `demo starvation`: one workload on every backend.
pub struct DemoPlan {
    pub workload: WorkloadSpec,
    /// Backend threads of the offload backends.
    pub threads: usize,
    pub runtime_workers: usize,
    pub load: LoadMode,
    pub duration: Duration,
    pub threshold: Threshold,
    pub block_threshold: Duration,
    pub worker_nice: i32,
    /// Times every backend is measured, interleaved.
    pub rounds: usize,
    /// The HTTP service and its internal `/health` client on every round's
    /// app runtime (`--serve`).
    pub serve: Option<ServeOptions>,
}

/// `demo advice`: each kind of work on every backend.
pub struct AdvicePlan {
    pub kinds: Vec<WorkKind>,
    /// Threads of the CPU pools (rayon, channel).
    pub pool_threads: usize,
    /// Threads of spawn-blocking.
    pub blocking_threads: usize,
    pub runtime_workers: usize,
    pub cpu_share: u8,
    pub seed: u64,
    pub duration: Duration,
    pub threshold: Threshold,
    pub block_threshold: Duration,
    pub worker_nice: i32,
    /// The number of cores, reported beside the rows.
    pub cores: usize,
}

/// `sweep`: the grid of backends and thread counts.
pub struct SweepPlan {
    pub backends: Vec<BackendKind>,
    pub threads: Vec<usize>,
    pub runtime_workers: usize,
    pub workload: WorkloadSpec,
    /// Closed-loop inflight per cell; None: 4 x the cell's threads.
    pub inflight: Option<usize>,
    /// Open loop instead, at this rate.
    pub rate: Option<f64>,
    pub warmup: Duration,
    pub duration: Duration,
    pub block_threshold: Duration,
    pub starved_threshold: Duration,
    pub worker_nice: i32,
    /// Times every cell is measured, interleaved.
    pub rounds: usize,
    /// `--rounds auto`: the most rounds the cells still in contention get
    /// (at most `rounds` means a fixed count).
    pub max_rounds: usize,
    /// The HTTP service on every cell's app runtime (`--serve`).
    pub serve: Option<ServeOptions>,
}
