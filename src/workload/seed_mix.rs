//! Stateless per-task randomness: every value is a pure function of
//! (seed, index, stream), so tasks look the same whatever the submission order.

/// A well-spread 64-bit value for task `index` under `seed`; `stream` keeps
/// independent uses (sizes, image pattern, rotation...) from correlating.
pub fn mix(seed: u64, index: u64, stream: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(index.wrapping_mul(0xD1B5_4A32_D192_ED03))
        .wrapping_add(stream.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform on the open interval (0, 1): never 0, so `ln` and powers stay finite.
pub fn unit_open(bits: u64) -> f64 {
    // 53 random mantissa bits, shifted by half a step away from 0.
    ((bits >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// The first 8 bytes of a BLAKE3 hash as a little-endian u64.
pub fn digest_u64(hash: &blake3::Hash) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(first)
}
