//! The generated input of the synthetic `hash` kernel: one 1 MiB block per
//! seed, built once and shared, so generating bytes never dominates hashing.

use std::sync::Arc;

use arc_swap::ArcSwapOption;

use crate::workload::seed_mix::mix;

/// Length of the seed-derived block.
pub const SEED_BLOCK_LEN: usize = 1 << 20;

const BLOCK_STREAM: u64 = 2;

/// A block of bytes derived from one seed.
pub struct SeedBlock {
    pub seed: u64,
    pub bytes: Box<[u8]>,
}

impl SeedBlock {
    fn generate(seed: u64) -> SeedBlock {
        let mut bytes = vec![0u8; SEED_BLOCK_LEN].into_boxed_slice();
        for (word, chunk) in bytes.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&mix(seed, word as u64, BLOCK_STREAM).to_le_bytes());
        }
        SeedBlock { seed, bytes }
    }
}

/// One cached block: runs use one seed, so a single slot is enough; reading it
/// is a lock-free load on the hot path.
static CACHE: ArcSwapOption<SeedBlock> = ArcSwapOption::const_empty();

/// The block for `seed`, generated on first use (or when the seed changes).
pub fn seed_block(seed: u64) -> Arc<SeedBlock> {
    if let Some(block) = CACHE.load_full()
        && block.seed == seed
    {
        return block;
    }
    let block = Arc::new(SeedBlock::generate(seed));
    CACHE.store(Some(Arc::clone(&block)));
    block
}
