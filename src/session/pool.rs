//! Which threads a backend's jobs run on: the pool whose busy and CPU time
//! are the backend's cost.

use crate::metrics::snapshot::PoolKind;
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
