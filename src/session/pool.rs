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
/// counts from zero). No thread of the pool seen is 0.
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
        // Not `sum()`: a float sum of nothing is -0.0, which prints as "-0.000".
        .fold(0.0, |total, cpu_s| total + cpu_s)
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
    use crate::metrics::snapshot::ThreadView;

    #[test]
    fn every_backend_has_its_own_pool() {
        let pools: Vec<PoolKind> = BackendKind::ALL.iter().map(|b| pool_of(*b)).collect();
        for (i, pool) in pools.iter().enumerate() {
            assert!(!pools[i + 1..].contains(pool), "{pools:?}");
        }
        assert_eq!(pool_of(BackendKind::Inline), PoolKind::App);
    }

    fn seen(name: &str, tid: i32, pool: PoolKind, cpu_s: f64) -> ThreadSeen {
        ThreadSeen {
            name: name.to_string(),
            tid,
            pool,
            tasks: 1,
            busy_s: cpu_s,
            cpu_s,
            wait_s: 0.0,
        }
    }

    #[test]
    fn a_pool_with_no_thread_seen_used_plain_zero_cpu() {
        let others = [seen("rayon-0", 7, PoolKind::Rayon, 2.0)];
        let cpu_s = pool_cpu_s(&Snapshot::default(), &others, PoolKind::Blocking);
        assert!(cpu_s == 0.0 && cpu_s.is_sign_positive(), "{cpu_s}");
        assert_eq!(format!("{:.3}", cpu_s * 1000.0 / 3.0), "0.000");
        let none = pool_cpu_s(&Snapshot::default(), &[], PoolKind::Blocking);
        assert!(none.is_sign_positive(), "{none}");
    }

    #[test]
    fn a_pools_cpu_counts_from_the_start_and_never_goes_below_it() {
        let start = Snapshot {
            threads: vec![ThreadView {
                tid: 3,
                name: "blocking-0".into(),
                cpu_s: 1.5,
                ..ThreadView::default()
            }],
            ..Snapshot::default()
        };
        let threads = [
            seen("blocking-0", 3, PoolKind::Blocking, 2.0),
            // Born after the start: counts from zero.
            seen("blocking-1", 4, PoolKind::Blocking, 0.25),
            seen("rayon-0", 7, PoolKind::Rayon, 9.0),
        ];
        assert_eq!(pool_cpu_s(&start, &threads, PoolKind::Blocking), 0.75);
        // A reading below the start's counts 0, never less.
        let behind = [seen("blocking-0", 3, PoolKind::Blocking, 1.0)];
        let cpu_s = pool_cpu_s(&start, &behind, PoolKind::Blocking);
        assert!(cpu_s == 0.0 && cpu_s.is_sign_positive(), "{cpu_s}");
    }
}
