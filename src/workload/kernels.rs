//! Synthetic kernels: real CPU work generated from (seed, index), with a
//! deterministic digest so every backend can be checked against the others.

use std::hint::black_box;
use std::time::Duration;

use image::imageops::{self, FilterType};
use image::{ImageBuffer, Rgb, RgbImage};
use rayon::prelude::*;

use crate::bounds::{ARGON2_MAX_KIB, RESIZE_MAX_SIDE, SLEEP_MAX_MICROS};
use crate::spec::{DEFAULT_CPU_SHARE, Kernel};
use crate::workload::memory_budget::reserve_for_task;
use crate::workload::seed_block::{SEED_BLOCK_LEN, seed_block};
use crate::workload::seed_mix::{digest_u64, mix};
use crate::workload::task_clock;
use crate::workload::{TaskFailure, TaskOutput};

/// sumsq-split cuts its range into this many chunks.
pub const SUMSQ_SPLIT_CHUNKS: u64 = 64;

const SPIN_STREAM: u64 = 3;
const ROTATION_STREAM: u64 = 4;
const PASSWORD_STREAM: u64 = 5;
const SALT_STREAM: u64 = 6;
const IMAGE_STREAM: u64 = 7;
const SLEEP_STREAM: u64 = 8;
const MIXED_STREAM: u64 = 9;
const CUSTOM_STREAM: u64 = 10;

/// Runs one synthetic task (`mixed` at the default CPU share). Deterministic
/// digest for (kernel, size, seed, index), whatever thread.
pub fn run_synthetic(
    kernel: Kernel,
    size: u64,
    seed: u64,
    index: u64,
) -> Result<TaskOutput, TaskFailure> {
    run_synthetic_with_share(kernel, size, seed, index, DEFAULT_CPU_SHARE, &|| true)
}

/// Runs one synthetic task; `cpu_share` (percent) shapes `mixed` only. A task
/// waiting for memory budget gives up once `still_wanted()` turns false.
/// Deterministic digest for (kernel, size, seed, index, cpu_share).
pub fn run_synthetic_with_share(
    kernel: Kernel,
    size: u64,
    seed: u64,
    index: u64,
    cpu_share: u8,
    still_wanted: &dyn Fn() -> bool,
) -> Result<TaskOutput, TaskFailure> {
    match kernel {
        Kernel::Spin => Ok(spin(size)),
        Kernel::Sleep => sleep(size, seed, index),
        Kernel::Mixed => mixed(size, cpu_share, seed, index),
        Kernel::Sumsq => Ok(output(sum_squares(0, size), 0)),
        Kernel::SumsqSplit => Ok(output(sum_squares_split(size), 0)),
        Kernel::Hash => Ok(hash_generated(size, seed, index)),
        Kernel::Argon2 => argon2(size, seed, index, still_wanted),
        Kernel::Resize => resize_generated(size, seed, index, still_wanted),
        // Each task its own seed, the same whatever thread runs it.
        Kernel::Custom(custom) => Ok(output(
            custom.digest(size, mix(seed, index, CUSTOM_STREAM)),
            custom.input_bytes(size),
        )),
        Kernel::Count | Kernel::Compress => Err(TaskFailure::NeedsPath(kernel)),
    }
}

fn output(digest: u64, bytes_in: u64) -> TaskOutput {
    TaskOutput {
        digest,
        bytes_in,
        bytes_out: 0,
    }
}

/// Memory a synthetic task allocates at its peak, in bytes; what it reserves
/// from the process memory budget. Small for kernels that allocate little.
pub fn synthetic_memory_estimate(kernel: Kernel, size: u64) -> u64 {
    match kernel {
        // Argon2's memory is `m_cost` blocks of 1 KiB.
        Kernel::Argon2 => size
            .max(u64::from(argon2::Params::MIN_M_COST))
            .saturating_mul(1024),
        Kernel::Resize => {
            let side = size.min(RESIZE_MAX_SIDE);
            let target = (side / 4).max(1);
            // The RGB source, the filter's vertical pass (RGBA f32, full width,
            // target height) and the RGB result.
            side * side * 3 + side * target * 16 + target * target * 3
        }
        _ => 0,
    }
}

/// Busy-waits `micros` microseconds. The digest depends on the size only: how
/// many loop rounds fit in the time depends on the machine.
fn spin(micros: u64) -> TaskOutput {
    spin_for(micros);
    output(mix(micros, 0, SPIN_STREAM), 0)
}

/// Blocks the thread in a sleep system call for `micros` microseconds.
fn sleep(micros: u64, seed: u64, index: u64) -> Result<TaskOutput, TaskFailure> {
    check_sleep(Kernel::Sleep, micros)?;
    std::thread::sleep(Duration::from_micros(micros));
    Ok(output(mix(mix(seed, index, SLEEP_STREAM), micros, 0), 0))
}

/// `cpu_share` percent of `micros` busy-waiting, then the rest asleep.
fn mixed(micros: u64, cpu_share: u8, seed: u64, index: u64) -> Result<TaskOutput, TaskFailure> {
    check_sleep(Kernel::Mixed, micros)?;
    if cpu_share > 100 {
        return Err(TaskFailure::CpuShare(cpu_share));
    }
    let busy = micros * u64::from(cpu_share) / 100;
    spin_for(busy);
    std::thread::sleep(Duration::from_micros(micros - busy));
    let shape = micros.wrapping_mul(101).wrapping_add(u64::from(cpu_share));
    Ok(output(mix(mix(seed, index, MIXED_STREAM), shape, 0), 0))
}

fn check_sleep(kernel: Kernel, micros: u64) -> Result<(), TaskFailure> {
    if micros > SLEEP_MAX_MICROS {
        return Err(TaskFailure::AboveLimit {
            kernel,
            size: micros,
            limit: SLEEP_MAX_MICROS,
            unit: "us",
        });
    }
    Ok(())
}

/// The busy-wait of `spin` and of `mixed`'s computing part. It reads the
/// process's fast clock (a few ns where it is the TSC, where the OS clock
/// costs tens), so a 1 us task ends within a few percent of 1 us.
fn spin_for(micros: u64) {
    let clock = task_clock::clock();
    let budget_ns = micros.saturating_mul(1_000);
    let start = clock.raw();
    let mut state = micros;
    while clock.delta_as_nanos(start, clock.raw()) < budget_ns {
        // A little real work between clock reads (about 25 ns), kept alive by black_box.
        for _ in 0..8 {
            state = black_box(
                state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1),
            );
        }
    }
    black_box(state);
}

/// Wrapping sum of i*i for i in [start, end). black_box on each i stops LLVM
/// from replacing the loop by its closed form.
pub fn sum_squares(start: u64, end: u64) -> u64 {
    let mut acc = 0u64;
    for i in start..end {
        let i = black_box(i);
        acc = acc.wrapping_add(i.wrapping_mul(i));
    }
    acc
}

/// The same sum as `sum_squares(0, size)`, split into chunks. The chunks run on
/// rayon only when already inside a rayon pool, so other backends never leak
/// work onto rayon's global pool. Wrapping addition is associative, so the
/// result is identical either way.
pub fn sum_squares_split(size: u64) -> u64 {
    let chunk = size.div_ceil(SUMSQ_SPLIT_CHUNKS).max(1);
    let range = |c: u64| c.saturating_mul(chunk).min(size)..(c + 1).saturating_mul(chunk).min(size);
    if rayon::current_thread_index().is_some() {
        (0..SUMSQ_SPLIT_CHUNKS)
            .into_par_iter()
            .map(|c| {
                let r = range(c);
                sum_squares(r.start, r.end)
            })
            .reduce(|| 0, u64::wrapping_add)
    } else {
        (0..SUMSQ_SPLIT_CHUNKS)
            .map(|c| {
                let r = range(c);
                sum_squares(r.start, r.end)
            })
            .fold(0, u64::wrapping_add)
    }
}

/// BLAKE3 of `size` bytes: the seed's block, rotated by a per-index offset and
/// repeated as often as needed.
fn hash_generated(size: u64, seed: u64, index: u64) -> TaskOutput {
    let block = seed_block(seed);
    let bytes = &block.bytes;
    let mut at = (mix(seed, index, ROTATION_STREAM) % SEED_BLOCK_LEN as u64) as usize;
    let mut remaining = size;
    let mut hasher = blake3::Hasher::new();
    while remaining > 0 {
        let take = remaining.min((SEED_BLOCK_LEN - at) as u64) as usize;
        hasher.update(&bytes[at..at + take]);
        remaining -= take as u64;
        at = (at + take) % SEED_BLOCK_LEN;
    }
    output(digest_u64(&hasher.finalize()), size)
}

/// Argon2id with `size` KiB of memory (at least 8), one pass, one lane.
fn argon2(
    size: u64,
    seed: u64,
    index: u64,
    still_wanted: &dyn Fn() -> bool,
) -> Result<TaskOutput, TaskFailure> {
    if size > ARGON2_MAX_KIB {
        return Err(TaskFailure::AboveLimit {
            kernel: Kernel::Argon2,
            size,
            limit: ARGON2_MAX_KIB,
            unit: "KiB",
        });
    }
    let _memory = reserve_for_task(
        synthetic_memory_estimate(Kernel::Argon2, size),
        still_wanted,
    )
    .map_err(|refusal| TaskFailure::NoMemory {
        needed_for: format!("argon2 of {size} KiB"),
        refusal,
    })?;
    let m_cost = size.max(u64::from(argon2::Params::MIN_M_COST)) as u32;
    let params = argon2::Params::new(m_cost, 1, 1, Some(32))
        .map_err(|cause| TaskFailure::Argon2Params { size, cause })?;
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut password = [0u8; 16];
    let mut salt = [0u8; 16];
    for half in 0..2 {
        let at = half * 8..half * 8 + 8;
        password[at.clone()]
            .copy_from_slice(&mix(seed, index, PASSWORD_STREAM + 16 * half as u64).to_le_bytes());
        salt[at].copy_from_slice(&mix(seed, index, SALT_STREAM + 16 * half as u64).to_le_bytes());
    }
    let mut out = [0u8; 32];
    hasher
        .hash_password_into(&password, &salt, &mut out)
        .map_err(TaskFailure::Argon2)?;
    let mut first = [0u8; 8];
    first.copy_from_slice(&out[..8]);
    Ok(output(u64::from_le_bytes(first), 0))
}

/// Lanczos3 downscale of a generated `size` x `size` RGB image to a quarter of its side.
fn resize_generated(
    size: u64,
    seed: u64,
    index: u64,
    still_wanted: &dyn Fn() -> bool,
) -> Result<TaskOutput, TaskFailure> {
    if size > RESIZE_MAX_SIDE {
        return Err(TaskFailure::AboveLimit {
            kernel: Kernel::Resize,
            size,
            limit: RESIZE_MAX_SIDE,
            unit: "px",
        });
    }
    let _memory = reserve_for_task(
        synthetic_memory_estimate(Kernel::Resize, size),
        still_wanted,
    )
    .map_err(|refusal| TaskFailure::NoMemory {
        needed_for: format!("resize of {size} px"),
        refusal,
    })?;
    let side = size as u32;
    let source = generated_image(side, mix(seed, index, IMAGE_STREAM));
    let target = (side / 4).max(1);
    let small = imageops::resize(&source, target, target, FilterType::Lanczos3);
    Ok(output(digest_u64(&blake3::hash(small.as_raw())), 0))
}

/// A cheap deterministic pattern: gradients and a moiré, varied by `bits`, so
/// the filter has real detail to work on.
fn generated_image(side: u32, bits: u64) -> RgbImage {
    let [a, b, c, d, ..] = bits.to_le_bytes();
    let (a, b) = (u32::from(a) | 1, u32::from(b) | 1);
    ImageBuffer::from_fn(side, side, |x, y| {
        Rgb([
            (x.wrapping_mul(a).wrapping_add(y)) as u8 ^ c,
            (x ^ y.wrapping_mul(b)) as u8 ^ d,
            (x.wrapping_mul(y) >> 3) as u8,
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_ranges_cover_small_sizes() {
        for n in [0, 1, 2, 63, 64, 65, 1000] {
            assert_eq!(sum_squares_split(n), sum_squares(0, n), "n={n}");
        }
    }
}
