//! (placeholder until the files branch lands: fixed sizes only)
use crate::spec::Dist;
pub fn task_size(_dist: Dist, mean: u64, _seed: u64, _index: u64) -> u64 {
    mean.max(1)
}
