//! The limits that depend on a kernel, a backend or a load mode: the plain
//! numbers live in `bounds`, these say which of them applies.

use crate::bounds::{
    ARGON2_MAX_KIB, OutOfBounds, POOL_THREADS_MAX, RESIZE_MAX_SIDE, RUNTIME_WORKERS_MAX,
    SLEEP_MAX_MICROS, check_inflight, check_rate,
};
use crate::spec::{BackendKind, Kernel, LoadMode, WorkloadSpec};

/// The largest mean `--size` of a synthetic kernel, in the kernel's unit.
/// Argon2 memory and generated image sides are the kernels' own per-task
/// limits; the others keep one task within about an hour.
pub fn size_max(kernel: Kernel) -> u64 {
    match kernel {
        // An hour of busy-wait.
        Kernel::Spin => 3_600_000_000,
        // A few minutes to an hour of loop on a small core.
        Kernel::Sumsq | Kernel::SumsqSplit => 1_000_000_000_000,
        // A TiB streamed through BLAKE3 from a small generated block.
        Kernel::Hash => 1 << 40,
        Kernel::Argon2 => ARGON2_MAX_KIB,
        Kernel::Resize => RESIZE_MAX_SIDE,
        // A minute of blocking wait (the kernels' own per-task limit).
        Kernel::Sleep | Kernel::Mixed => SLEEP_MAX_MICROS,
        // File kernels take no size.
        Kernel::Count | Kernel::Compress => u64::MAX,
        // Its own maximum, or a default bound.
        Kernel::Custom(custom) => custom.max_size(),
    }
}

/// The most backend threads `backend` accepts; inline runs on the app
/// runtime's workers, so its count is theirs.
pub fn threads_max(backend: BackendKind, runtime_workers: usize) -> usize {
    match backend {
        BackendKind::Inline => runtime_workers.clamp(1, RUNTIME_WORKERS_MAX),
        BackendKind::SpawnBlocking | BackendKind::Rayon | BackendKind::Channel => POOL_THREADS_MAX,
    }
}

/// Backend threads for `backend`: 1 to `threads_max`.
pub fn check_threads(
    backend: BackendKind,
    runtime_workers: usize,
    threads: u64,
) -> Result<usize, OutOfBounds> {
    let max = threads_max(backend, runtime_workers);
    match usize::try_from(threads) {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ if backend == BackendKind::Inline => Err(OutOfBounds::range(
            threads,
            1,
            max,
            format!(": inline runs on the app runtime's {max} workers"),
        )),
        _ => Err(OutOfBounds::range(
            threads,
            1,
            max,
            format!(" threads for {backend}"),
        )),
    }
}

/// A load mode within bounds.
pub fn check_load(load: LoadMode) -> Result<LoadMode, OutOfBounds> {
    match load {
        LoadMode::Closed { inflight } => Ok(LoadMode::Closed {
            inflight: check_inflight(inflight as u64)?,
        }),
        LoadMode::Open { rate } => Ok(LoadMode::Open {
            rate: check_rate(rate)?,
        }),
    }
}

/// A synthetic kernel's mean size: 1 to `size_max(kernel)`.
pub fn check_size(kernel: Kernel, size: u64) -> Result<u64, OutOfBounds> {
    let max = size_max(kernel);
    if (1..=max).contains(&size) {
        Ok(size)
    } else {
        Err(OutOfBounds::range(
            size,
            1,
            max,
            format!(" for {kernel} ({})", kernel.size_unit()),
        ))
    }
}

/// A workload's size within its kernel's bound (file workloads take no size).
pub fn check_workload(workload: &WorkloadSpec) -> Result<(), OutOfBounds> {
    if workload.path.is_none() {
        check_size(workload.kernel, workload.size)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_follow_the_backend() {
        assert!(check_threads(BackendKind::Channel, 2, 3000).is_err());
        assert_eq!(check_threads(BackendKind::SpawnBlocking, 2, 512), Ok(512));
        assert!(check_threads(BackendKind::Inline, 2, 3).is_err());
    }

    #[test]
    fn kernel_sizes_name_their_limit() {
        let err = check_size(Kernel::Argon2, 4_194_304)
            .expect_err("above the argon2 limit")
            .to_string();
        assert!(err.contains("1048576"), "{err}");
        assert!(check_size(Kernel::Resize, 4096).is_ok());
        assert!(check_size(Kernel::Resize, 4097).is_err());
        assert!(check_size(Kernel::Sumsq, 0).is_err());
    }
}
