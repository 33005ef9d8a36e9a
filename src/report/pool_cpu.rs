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
