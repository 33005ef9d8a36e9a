//! Turns command-line arguments into an engine configuration, with the
//! one-line errors and exit codes the contract promises.

use std::time::Duration;

use crate::cli::{BackendArgs, DemoArgs, LimitArgs, ProbeArgs, SweepArgs, WorkloadArgs};
use crate::engine::{EngineConfig, cores};
use crate::report::demo::Threshold;
use crate::report::sweep::{parse_backend_list, parse_thread_list};
use crate::runs::demo::DemoPlan;
use crate::runs::sweep::SweepPlan;
use crate::spec::Kernel;
use crate::spec::{BackendKind, LoadMode, RunLimit, WorkloadSpec};

/// Synthetic runs without --tasks or --duration do this many tasks.
pub const DEFAULT_TASKS: u64 = 400;

/// An error that ends the program, with its exit status.
#[derive(Debug)]
pub enum Failure {
    /// Bad flag or value: exit 2.
    Usage(String),
    /// Cannot run (e.g. --path missing): exit 1.
    Fatal(String),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Fatal(_) => 1,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Usage(m) | Failure::Fatal(m) => m,
        }
    }
}

pub fn workload_spec(args: &WorkloadArgs) -> Result<WorkloadSpec, Failure> {
    let spec = WorkloadSpec {
        kernel: args.workload,
        size: args.size.unwrap_or_else(|| args.workload.default_size()),
        dist: args.dist,
        seed: args.seed,
        path: args.path.clone(),
    };
    spec.validate().map_err(Failure::Usage)?;
    if let Some(path) = &spec.path {
        crate::workload::files::check_root(path).map_err(Failure::Fatal)?;
    }
    Ok(spec)
}

/// Backend threads, app workers and load mode from the flags.
pub fn engine_config(
    backend: &BackendArgs,
    workload: &WorkloadArgs,
    probes: &ProbeArgs,
    limit: RunLimit,
) -> Result<EngineConfig, Failure> {
    let spec = workload_spec(workload)?;
    let threads = backend.threads.map_or(cores(), |t| t as usize);
    // For inline, --threads is the app runtime's worker count.
    let runtime_workers = match (backend.backend, backend.threads) {
        (BackendKind::Inline, Some(t)) => t as usize,
        _ => backend.runtime_workers as usize,
    };
    let load = match (workload.rate, workload.inflight) {
        (Some(_), Some(_)) => {
            return Err(Failure::Usage(
                "--rate and --inflight: choose an open loop (--rate) or a closed loop (--inflight)"
                    .into(),
            ));
        }
        (Some(rate), None) => LoadMode::Open { rate },
        (None, Some(inflight)) => LoadMode::Closed {
            inflight: inflight as usize,
        },
        (None, None) => LoadMode::Closed {
            inflight: 4 * threads,
        },
    };
    Ok(EngineConfig {
        backend: backend.backend,
        threads,
        runtime_workers,
        workload: spec,
        load,
        limit,
        block_threshold: millis(probes.block_threshold_ms),
        starved_threshold: millis(probes.starved_threshold_ms),
        panic_every: workload.panic_every,
        ..EngineConfig::default()
    })
}

pub fn millis(ms: f64) -> Duration {
    Duration::from_secs_f64(ms / 1e3)
}

/// `run`'s limit: --tasks, --duration, a scenario's end, or the default
/// (400 tasks; every file once with --path).
pub fn run_limit(limit: &LimitArgs, workload: &WorkloadArgs, scenario: bool) -> RunLimit {
    match (limit.tasks, limit.duration) {
        (Some(n), _) => RunLimit::Tasks(n),
        (None, Some(secs)) => RunLimit::Duration(Duration::from_secs_f64(secs)),
        (None, None) if scenario => RunLimit::Unbounded,
        (None, None) if workload.path.is_some() => RunLimit::Tasks(u64::MAX),
        (None, None) => RunLimit::Tasks(DEFAULT_TASKS),
    }
}

/// The demo's default: 20 ms busy-wait tasks, long enough that two of them on
/// the app workers visibly stall the heartbeat, on any machine speed.
pub const DEMO_KERNEL: Kernel = Kernel::Spin;
pub const DEMO_SIZE: u64 = 20_000;

pub fn demo_plan(args: &DemoArgs) -> Result<DemoPlan, Failure> {
    let kernel = args.workload.unwrap_or(DEMO_KERNEL);
    let size = args.size.unwrap_or(if args.workload.is_none() {
        DEMO_SIZE
    } else {
        kernel.default_size()
    });
    let workload = WorkloadSpec {
        kernel,
        size,
        dist: args.dist,
        seed: args.seed,
        path: None,
    };
    workload.validate().map_err(Failure::Usage)?;
    let threads = args.threads.map_or(cores(), |t| t as usize);
    let runtime_workers = args.runtime_workers as usize;
    Ok(DemoPlan {
        workload,
        threads,
        runtime_workers,
        inflight: args
            .inflight
            .map_or(2 * threads.max(runtime_workers), |n| n as usize),
        duration: Duration::from_secs_f64(args.duration),
        threshold: Threshold {
            heartbeat_p99_us: args.probes.starved_threshold_ms * 1e3,
            ..Threshold::default()
        },
        block_threshold: millis(args.probes.block_threshold_ms),
    })
}

pub fn sweep_plan(args: &SweepArgs) -> Result<SweepPlan, Failure> {
    let backends = parse_backend_list(&args.backends).map_err(Failure::Usage)?;
    let threads = match &args.threads {
        Some(list) => parse_thread_list(list).map_err(Failure::Usage)?,
        None => (1..=2 * cores()).collect(),
    };
    if args.workload.rate.is_some() && args.workload.inflight.is_some() {
        return Err(Failure::Usage(
            "--rate and --inflight: choose an open loop (--rate) or a closed loop (--inflight)"
                .into(),
        ));
    }
    Ok(SweepPlan {
        backends,
        threads,
        runtime_workers: args.runtime_workers as usize,
        workload: workload_spec(&args.workload)?,
        inflight: args.workload.inflight.map(|n| n as usize),
        rate: args.workload.rate,
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
        block_threshold: millis(args.probes.block_threshold_ms),
        starved_threshold: millis(args.probes.starved_threshold_ms),
    })
}
