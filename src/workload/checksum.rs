//! An order-independent checksum over task results: every backend and thread
//! count must produce the same value for the same workload.

/// Folds one task's digest into a 64-bit value that is summed (wrapping) over
/// all tasks; the sum does not depend on completion order.
pub fn task_term(key: u64, digest: u64) -> u64 {
    // SplitMix64 finaliser: spreads (key, digest) so that sums do not cancel.
    let mut z = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ digest;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The checksum as printed in reports: 16 lowercase hex digits.
pub fn format_checksum(sum: u64) -> String {
    format!("{sum:016x}")
}
