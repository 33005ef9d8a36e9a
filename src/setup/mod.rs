//! Turns command-line arguments into an engine configuration, with the
//! one-line errors and exit codes the contract promises.

use std::time::Duration;

use crate::bounds;
use crate::cli::{
    AdviceArgs, BackendArgs, DemoArgs, LimitArgs, ProbeArgs, ServeArgs, SweepArgs, SweepRounds,
    WorkArg, WorkloadArgs,
};
use crate::engine::{EngineConfig, cores};
use crate::report::advice::WorkKind;
use crate::service::ServeOptions;
use crate::session::starvation::Threshold;
use crate::spec::{BackendKind, BadWorkload, LoadMode, RunLimit, WorkloadSpec};
use crate::spec::{Dist, Kernel};
pub use grid_lists::{parse_backend_list, parse_thread_list};

mod grid_lists;
pub mod plans;

use plans::{AdvicePlan, DemoPlan, SweepPlan};

/// Synthetic runs without --tasks or --duration do this many tasks.
pub const DEFAULT_TASKS: u64 = 400;

/// An error that ends the program, with its exit status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Bad flag or value: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Cannot run (e.g. --path missing): exit 1.
    #[error("{0}")]
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

/// The kernel of runs, sweeps and the dashboard when --workload is not given.
pub const DEFAULT_KERNEL: Kernel = Kernel::Sumsq;

/// The workload from the flags; without --workload, `default` (kernel, size).
pub fn workload_spec(
    args: &WorkloadArgs,
    default: (Kernel, Option<u64>),
) -> Result<WorkloadSpec, Failure> {
    let (kernel, size) = match args.workload {
        Some(kernel) => (kernel, args.size.unwrap_or_else(|| kernel.default_size())),
        // A folder's files are hashed unless said otherwise.
        None if args.path.is_some() => (Kernel::Hash, Kernel::Hash.default_size()),
        None => (
            default.0,
            args.size
                .or(default.1)
                .unwrap_or_else(|| default.0.default_size()),
        ),
    };
    let spec = WorkloadSpec {
        kernel,
        size,
        dist: args.dist,
        seed: args.seed,
        path: args.path.clone(),
        cpu_share: args.cpu_share,
    };
    spec.validate()
        .map_err(|e| Failure::Usage(bad_workload(e)))?;
    crate::spec::limits::check_workload(&spec)
        .map_err(|e| Failure::Usage(format!("--size: {e}")))?;
    if let Some(path) = &spec.path {
        // The flag's name before the path and the cause.
        crate::workload::files::check_root(path).map_err(|e| Failure::Fatal(format!("--{e}")))?;
    }
    Ok(spec)
}

/// A workload refusal worded with the flags that set each field.
fn bad_workload(error: BadWorkload) -> String {
    match error {
        BadWorkload::NotAFileKernel { kernel } => format!(
            "--workload {kernel}: not a file kernel; with --path use hash, count, compress or resize"
        ),
        BadWorkload::NeedsPath { kernel } => {
            format!("--workload {kernel}: needs --path (it reads files)")
        }
        BadWorkload::ZeroSize => "--size: must be at least 1".to_string(),
        BadWorkload::CpuShare { share } => {
            format!("--cpu-share {share}: must be a percentage from 0 to 100")
        }
    }
}

/// A recording's error (`PATH: cause`) as the user reads it: with the flag
/// that chose the file.
pub fn recording_failure(error: impl std::fmt::Display) -> String {
    format!("--record {error}")
}

/// Sets the process-wide memory budget from `--memory-budget` (when given;
/// otherwise the default stays) and names that flag in the budget's refusals,
/// so a task too large for it says how to make room. A synthetic workload whose every task is
/// larger than the whole budget is a usage error: no task of it could run.
pub fn apply_memory_budget(args: &WorkloadArgs) -> Result<(), Failure> {
    use crate::workload::memory_budget::{human, process_budget};
    process_budget().name_setting("--memory-budget");
    if let Some(bytes) = args.memory_budget {
        process_budget().set_limit(bytes);
    }
    let (Some(kernel), None, Dist::Fixed) = (args.workload, &args.path, args.dist) else {
        return Ok(());
    };
    let size = args.size.unwrap_or_else(|| kernel.default_size());
    if size > crate::spec::limits::size_max(kernel) {
        // Out of the kernel's bounds: the workload check names that limit.
        return Ok(());
    }
    let needed = crate::workload::kernels::synthetic_memory_estimate(kernel, size);
    let budget = process_budget().limit();
    if needed > budget {
        return Err(Failure::Usage(format!(
            "--size {size}: each {kernel} task needs {} of memory, more than the whole \
             --memory-budget of {}; raise the budget or lower the size",
            human(needed),
            human(budget)
        )));
    }
    Ok(())
}

/// Backend threads, app workers and load mode from the flags.
pub fn engine_config(
    backend: &BackendArgs,
    workload: &WorkloadArgs,
    probes: &ProbeArgs,
    limit: RunLimit,
) -> Result<EngineConfig, Failure> {
    let spec = workload_spec(workload, (DEFAULT_KERNEL, None))?;
    // For inline, --threads is the app runtime's worker count.
    let runtime_workers = match (backend.backend, backend.threads) {
        (BackendKind::Inline, Some(t)) => bounds::check_runtime_workers(t)
            .map_err(|e| Failure::Usage(format!("--threads: {e} (inline runs on app workers)")))?,
        _ => backend.runtime_workers as usize,
    };
    let threads = match backend.threads {
        Some(t) => crate::spec::limits::check_threads(backend.backend, runtime_workers, t)
            .map_err(|e| Failure::Usage(format!("--threads: {e}")))?,
        // Inline clamps to its app workers itself; the default in flight follows cores.
        None => cores().min(bounds::POOL_THREADS_MAX),
    };
    let batch = workload.batch.max(1) as usize;
    // Enough in flight for every thread to hold a few whole batches.
    let load = load_mode(
        workload,
        (4 * threads)
            .saturating_mul(batch)
            .min(bounds::INFLIGHT_MAX),
    )?;
    Ok(EngineConfig {
        backend: backend.backend,
        threads,
        runtime_workers,
        workload: spec,
        load,
        limit,
        block_threshold: millis(probes.block_threshold_ms),
        starved_threshold: millis(probes.starved_threshold_ms),
        sample_interval: Duration::from_millis(probes.sample_ms),
        worker_nice: backend.priority.worker_nice,
        panic_every: workload.panic_every,
        batch,
        ..EngineConfig::default()
    })
}

/// --rate (open loop) or --inflight (closed loop, default `inflight`).
pub fn load_mode(workload: &WorkloadArgs, inflight: usize) -> Result<LoadMode, Failure> {
    match (workload.rate, workload.inflight) {
        (Some(_), Some(_)) => Err(Failure::Usage(
            "--rate and --inflight: choose an open loop (--rate) or a closed loop (--inflight)"
                .into(),
        )),
        (Some(rate), None) => Ok(LoadMode::Open { rate }),
        (None, Some(inflight)) => Ok(LoadMode::Closed {
            inflight: inflight as usize,
        }),
        (None, None) => Ok(LoadMode::Closed { inflight }),
    }
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
    let workload = workload_spec(&args.workload, (DEMO_KERNEL, Some(DEMO_SIZE)))?;
    let threads = args
        .threads
        .map_or(cores().min(bounds::POOL_THREADS_MAX), |t| t as usize);
    let runtime_workers = args.runtime_workers as usize;
    Ok(DemoPlan {
        workload,
        threads,
        runtime_workers,
        load: load_mode(&args.workload, 2 * threads.max(runtime_workers))?,
        duration: Duration::from_secs_f64(args.duration),
        threshold: starved_threshold(&args.probes),
        block_threshold: millis(args.probes.block_threshold_ms),
        worker_nice: args.priority.worker_nice,
        rounds: args.rounds as usize,
        serve: serve_options(&args.service),
    })
}

/// A demo row's verdict: starved past `--starved-threshold-ms` at p99.
fn starved_threshold(probes: &ProbeArgs) -> Threshold {
    Threshold::with_heartbeat_ms(probes.starved_threshold_ms)
}

pub fn advice_plan(args: &AdviceArgs) -> Result<AdvicePlan, Failure> {
    let mut kinds = Vec::new();
    for kind in args.work.iter().map(|&w| work_kind(w)) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(AdvicePlan {
        kinds,
        pool_threads: args.threads.map_or(cores(), |t| t as usize),
        blocking_threads: args.blocking_threads as usize,
        runtime_workers: args.runtime_workers as usize,
        cpu_share: args.cpu_share,
        seed: args.seed,
        duration: Duration::from_secs_f64(args.duration),
        threshold: starved_threshold(&args.probes),
        block_threshold: millis(args.probes.block_threshold_ms),
        worker_nice: args.priority.worker_nice,
        cores: cores(),
    })
}

fn work_kind(work: WorkArg) -> WorkKind {
    match work {
        WorkArg::Cpu => WorkKind::Cpu,
        WorkArg::Blocking => WorkKind::Blocking,
        WorkArg::Mixed => WorkKind::Mixed,
    }
}

/// `--serve ADDR`: the HTTP service's options, when asked for.
pub fn serve_options(args: &ServeArgs) -> Option<ServeOptions> {
    args.serve.map(ServeOptions::new)
}

pub fn sweep_plan(args: &SweepArgs) -> Result<SweepPlan, Failure> {
    let backends = parse_backend_list(&args.backends)?;
    let threads = match &args.threads {
        Some(list) => {
            let threads = parse_thread_list(list)?;
            // An inline cell runs on that many app workers.
            let inline = backends.contains(&BackendKind::Inline);
            for &n in &threads {
                let checked = if inline {
                    bounds::check_runtime_workers(n as u64)
                        .map_err(|e| format!("{e} (inline cells run on that many app workers)"))
                } else {
                    bounds::check_any_threads(n as u64).map_err(|e| e.to_string())
                };
                checked.map_err(|e| Failure::Usage(format!("--threads {list:?}: {e}")))?;
            }
            threads
        }
        None => (1..=(2 * cores()).min(bounds::POOL_THREADS_MAX)).collect(),
    };
    // Checked here; each cell's default inflight follows its thread count.
    load_mode(&args.workload, 1)?;
    let (rounds, max_rounds) = match (args.rounds, args.max_rounds) {
        (SweepRounds::Auto, max) => {
            let max = max.map_or(bounds::SWEEP_MAX_ROUNDS_DEFAULT, |m| m as usize);
            (bounds::SWEEP_MIN_ROUNDS.min(max), max)
        }
        (SweepRounds::Fixed(n), Some(max)) => {
            return Err(Failure::Usage(format!(
                "--max-rounds {max}: applies to --rounds auto, not to --rounds {n}"
            )));
        }
        (SweepRounds::Fixed(n), None) => (n as usize, n as usize),
    };
    Ok(SweepPlan {
        backends,
        threads,
        runtime_workers: args.runtime_workers as usize,
        workload: workload_spec(&args.workload, (DEFAULT_KERNEL, None))?,
        inflight: args.workload.inflight.map(|n| n as usize),
        rate: args.workload.rate,
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
        block_threshold: millis(args.probes.block_threshold_ms),
        starved_threshold: millis(args.probes.starved_threshold_ms),
        worker_nice: args.priority.worker_nice,
        rounds,
        max_rounds,
        serve: serve_options(&args.service),
    })
}
