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
