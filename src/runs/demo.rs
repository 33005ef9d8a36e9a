//! `loadlab demo starvation`: the same CPU workload on every backend in turn,
//! with the app runtime's heartbeat and TCP echo probes measured beside it.

use std::time::Duration;

use crate::engine::{Engine, EngineConfig};
use crate::report::demo::{DemoReport, DemoRow, Threshold};
use crate::spec::{BackendKind, LoadMode, RunLimit, WorkloadSpec};

/// Warm-up before each backend's measured period (pools spin up, queues fill).
const WARMUP: Duration = Duration::from_millis(500);

pub struct DemoPlan {
    pub workload: WorkloadSpec,
    /// Backend threads of the offload backends.
    pub threads: usize,
    pub runtime_workers: usize,
    pub inflight: usize,
    pub duration: Duration,
    pub threshold: Threshold,
    pub block_threshold: Duration,
}

/// Runs the plan on each backend in turn; `progress` gets one line per step.
pub fn starvation(plan: &DemoPlan, mut progress: impl FnMut(&str)) -> anyhow::Result<DemoReport> {
    let mut rows = Vec::new();
    for (i, backend) in BackendKind::ALL.into_iter().enumerate() {
        // Inline can only occupy the app workers it has.
        let threads = match backend {
            BackendKind::Inline => plan.runtime_workers,
            _ => plan.threads,
        };
        progress(&format!(
            "demo starvation: {backend} with {threads} threads for {:.1} s ({}/4)",
            plan.duration.as_secs_f64(),
            i + 1
        ));
        let engine = Engine::start(EngineConfig {
            backend,
            threads,
            runtime_workers: plan.runtime_workers,
            workload: plan.workload.clone(),
            load: LoadMode::Closed {
                inflight: plan.inflight,
            },
            limit: RunLimit::Unbounded,
            block_threshold: plan.block_threshold,
            starved_threshold: Duration::from_secs_f64(plan.threshold.heartbeat_p99_us / 1e6),
            ..EngineConfig::default()
        })?;
        std::thread::sleep(WARMUP);
        let start = engine.reset_and_wait();
        std::thread::sleep(plan.duration);
        let end = engine.fresh_snapshot();
        rows.push(DemoRow::measure(&start, &end, &plan.threshold));
        engine.shutdown(Duration::from_millis(500));
    }
    Ok(DemoReport {
        rows,
        threshold: plan.threshold.clone(),
        workload: format!(
            "{}, closed loop, {} in flight",
            plan.workload.label(),
            plan.inflight
        ),
        duration_s: plan.duration.as_secs_f64(),
        runtime_workers: plan.runtime_workers,
    })
}
