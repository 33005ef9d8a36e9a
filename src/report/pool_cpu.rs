//! CPU time a backend's pool used over a measured period, from the engine's
//! exact per-thread totals.

use crate::metrics::collector::ThreadSeen;
use crate::metrics::snapshot::{PoolKind, Snapshot};
use crate::spec::BackendKind;

/// The pool whose threads run a backend's jobs.
pub fn backend_pool(backend: BackendKind) -> PoolKind {
    match backend {
        BackendKind::Inline => PoolKind::App,
        BackendKind::SpawnBlocking => PoolKind::Blocking,
        BackendKind::Rayon => PoolKind::Rayon,
        BackendKind::Channel => PoolKind::Pool,
    }
}

/// OS CPU seconds `pool`'s threads used since `start`: the engine's exact
/// per-thread totals (threads that exited during the period included), less
/// what each thread had used when `start` was taken (a thread born later
/// counts from zero).
pub fn pool_cpu_s(start: &Snapshot, seen: &[ThreadSeen], pool: PoolKind) -> f64 {
    seen.iter()
        .filter(|t| t.pool == pool)
        .map(|t| {
            let before = start
                .threads
                .iter()
                .find(|s| s.tid == t.tid && s.name == t.name)
                .map_or(0.0, |s| s.cpu_s);
            (t.cpu_s - before).max(0.0)
        })
        .sum()
}

/// OS CPU seconds of the backend's threads per completed task over a
/// measured period from `start` (0 when none completed).
pub fn cpu_s_per_task(start: &Snapshot, end: &crate::engine::RunOutcome) -> f64 {
    let completed = end.totals.counters.completed;
    if completed == 0 {
        return 0.0;
    }
    pool_cpu_s(start, &end.totals.threads_seen, backend_pool(end.backend)) / completed as f64
}
