//! Which threads a backend's jobs run on: the pool whose busy and CPU time
//! are the backend's cost, and the CPU time it used over a measured period.

use crate::metrics::collector::ThreadSeen;
use crate::metrics::snapshot::{PoolKind, Snapshot};
use crate::spec::BackendKind;

/// The pool whose threads run `backend`'s jobs (inline runs them on the app
/// runtime's workers).
pub fn pool_of(backend: BackendKind) -> PoolKind {
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
    pool_cpu_s(start, &end.totals.threads_seen, pool_of(end.backend)) / completed as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_backend_has_its_own_pool() {
        let pools: Vec<PoolKind> = BackendKind::ALL.iter().map(|b| pool_of(*b)).collect();
        for (i, pool) in pools.iter().enumerate() {
            assert!(!pools[i + 1..].contains(pool), "{pools:?}");
        }
        assert_eq!(pool_of(BackendKind::Inline), PoolKind::App);
    }
}
