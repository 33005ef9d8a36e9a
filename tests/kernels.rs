//! Synthetic kernels and task sizes: deterministic digests, known values, and
//! distributions with the right mean that reproduce from the seed.

use std::time::{Duration, Instant};

use loadlab::bounds::{ARGON2_MAX_KIB, RESIZE_MAX_SIDE, SLEEP_MAX_MICROS};
use loadlab::spec::{Dist, Kernel};
use loadlab::workload::dist::task_size;
use loadlab::workload::kernels::{
    run_synthetic, run_synthetic_with_share, sum_squares, sum_squares_split,
    synthetic_memory_estimate,
};

/// Small sizes that keep each kernel well under a few milliseconds.
const SMALL: [(Kernel, u64); 8] = [
    (Kernel::Spin, 200),
    (Kernel::Sumsq, 10_000),
    (Kernel::SumsqSplit, 10_000),
    (Kernel::Hash, 100_000),
    (Kernel::Argon2, 64),
    (Kernel::Resize, 64),
    (Kernel::Sleep, 200),
    (Kernel::Mixed, 200),
];

fn digest(kernel: Kernel, size: u64, seed: u64, index: u64) -> u64 {
    run_synthetic(kernel, size, seed, index)
        .unwrap_or_else(|e| panic!("{kernel}: {e}"))
        .digest
}

#[test]
fn every_kernel_is_deterministic_for_the_same_inputs() {
    for (kernel, size) in SMALL {
        assert_eq!(
            digest(kernel, size, 7, 3),
            digest(kernel, size, 7, 3),
            "{kernel}"
        );
        // The same answer from another thread.
        let elsewhere = std::thread::spawn(move || digest(kernel, size, 7, 3))
            .join()
            .unwrap();
        assert_eq!(digest(kernel, size, 7, 3), elsewhere, "{kernel}");
    }
}

#[test]
fn generated_input_kernels_differ_by_index_and_seed() {
    for kernel in [
        Kernel::Hash,
        Kernel::Argon2,
        Kernel::Resize,
        Kernel::Sleep,
        Kernel::Mixed,
    ] {
        let size = SMALL.iter().find(|(k, _)| *k == kernel).unwrap().1;
        let by_index: std::collections::HashSet<u64> =
            (0..8).map(|i| digest(kernel, size, 7, i)).collect();
        assert_eq!(by_index.len(), 8, "{kernel}: 8 indices, 8 digests");
        assert_ne!(
            digest(kernel, size, 7, 0),
            digest(kernel, size, 8, 0),
            "{kernel}: seed"
        );
    }
    // Pure functions of the size: the index does not matter, the size does.
    for kernel in [Kernel::Spin, Kernel::Sumsq, Kernel::SumsqSplit] {
        assert_eq!(
            digest(kernel, 100, 7, 0),
            digest(kernel, 100, 9, 5),
            "{kernel}"
        );
        assert_ne!(
            digest(kernel, 100, 7, 0),
            digest(kernel, 101, 7, 0),
            "{kernel}"
        );
    }
}

#[test]
fn sumsq_has_known_values_including_wrapping() {
    assert_eq!(digest(Kernel::Sumsq, 10, 0, 0), 285);
    assert_eq!(sum_squares(0, 1_000), 332_833_500);
    assert_eq!(sum_squares(0, 0), 0);
    // Past 2^64: compare with the exact closed form reduced mod 2^64.
    let n: u128 = 5_000_000;
    let exact = (n - 1) * n * (2 * n - 1) / 6;
    assert!(exact > u128::from(u64::MAX));
    assert_eq!(
        u128::from(digest(Kernel::Sumsq, 5_000_000, 0, 0)),
        exact % (1u128 << 64)
    );
}

#[test]
fn sumsq_split_equals_sumsq_outside_and_inside_a_rayon_pool() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for n in [1, 63, 64, 65, 999, 123_457] {
        let plain = digest(Kernel::Sumsq, n, 0, 0);
        assert_eq!(digest(Kernel::SumsqSplit, n, 0, 0), plain, "outside, n={n}");
        let inside = pool.install(|| {
            assert!(rayon::current_thread_index().is_some());
            digest(Kernel::SumsqSplit, n, 0, 0)
        });
        assert_eq!(inside, plain, "inside, n={n}");
        assert_eq!(sum_squares_split(n), plain);
    }
}

#[test]
fn spin_busy_waits_for_its_size() {
    let start = Instant::now();
    run_synthetic(Kernel::Spin, 5_000, 0, 0).unwrap();
    assert!(start.elapsed() >= Duration::from_micros(5_000));
}

#[test]
fn hash_counts_its_bytes_and_survives_a_seed_change() {
    let out = run_synthetic(Kernel::Hash, 3 * (1 << 20) + 17, 7, 1).unwrap();
    assert_eq!(out.bytes_in, 3 * (1 << 20) + 17);
    // Another seed replaces the cached block; coming back must give the same digest.
    digest(Kernel::Hash, 1_000, 99, 1);
    assert_eq!(
        run_synthetic(Kernel::Hash, 3 * (1 << 20) + 17, 7, 1).unwrap(),
        out
    );
    // Zero bytes: the hash of nothing, whatever the seed.
    let empty = u64::from_le_bytes(blake3::hash(b"").as_bytes()[..8].try_into().unwrap());
    assert_eq!(digest(Kernel::Hash, 0, 5, 5), empty);
}

#[test]
fn argon2_and_resize_refuse_sizes_past_their_limits() {
    let err = run_synthetic(Kernel::Argon2, ARGON2_MAX_KIB + 1, 0, 0)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("argon2: size"), "{err}");
    let err = run_synthetic(Kernel::Resize, RESIZE_MAX_SIDE + 1, 0, 0)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("resize: size"), "{err}");
    // Tiny sizes still do real work: argon2 is raised to its 8 KiB minimum, resize to a 1 px output.
    assert_ne!(
        digest(Kernel::Argon2, 1, 0, 0),
        digest(Kernel::Argon2, 1, 0, 1)
    );
    digest(Kernel::Resize, 1, 0, 0);
}

/// CPU time of the calling thread, from the scheduler's own count (ns).
fn thread_cpu_time() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    let nanos = text.split_whitespace().next().unwrap().parse().unwrap();
    Duration::from_nanos(nanos)
}

#[test]
fn sleep_blocks_for_its_size_without_using_cpu() {
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    run_synthetic(Kernel::Sleep, 50_000, 0, 0).unwrap();
    assert!(wall.elapsed() >= Duration::from_millis(50));
    // Generous: a sleeping thread uses microseconds of CPU, not milliseconds.
    let used = thread_cpu_time() - cpu;
    assert!(
        used < Duration::from_millis(20),
        "sleep used {used:?} of CPU"
    );
}

#[test]
fn mixed_takes_its_size_and_its_share_decides_the_cpu_used() {
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    run_synthetic_with_share(Kernel::Mixed, 40_000, 0, 0, 0, &|| true).unwrap();
    assert!(wall.elapsed() >= Duration::from_millis(40));
    let asleep = thread_cpu_time() - cpu;
    assert!(asleep < Duration::from_millis(20), "0% used {asleep:?}");
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    run_synthetic_with_share(Kernel::Mixed, 40_000, 0, 0, 100, &|| true).unwrap();
    assert!(wall.elapsed() >= Duration::from_millis(40));
    // All of it spinning: more CPU than the sleeping run, whatever the load.
    assert!(thread_cpu_time() - cpu > asleep);
}

#[test]
fn mixed_digest_covers_the_share_and_the_default_share_is_fifty() {
    let with = |share| {
        run_synthetic_with_share(Kernel::Mixed, 100, 7, 1, share, &|| true)
            .unwrap()
            .digest
    };
    assert_ne!(with(10), with(90));
    assert_eq!(with(50), digest(Kernel::Mixed, 100, 7, 1));
    assert!(run_synthetic_with_share(Kernel::Mixed, 100, 7, 1, 101, &|| true).is_err());
    // The size counts too.
    assert_ne!(
        digest(Kernel::Sleep, 100, 7, 1),
        digest(Kernel::Sleep, 101, 7, 1)
    );
}

#[test]
fn sleep_and_mixed_refuse_sizes_past_their_limit() {
    for kernel in [Kernel::Sleep, Kernel::Mixed] {
        let err = run_synthetic(kernel, SLEEP_MAX_MICROS + 1, 0, 0)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "{kernel}: size {} us is above the limit of {SLEEP_MAX_MICROS} us",
                SLEEP_MAX_MICROS + 1
            )
        );
    }
}

#[test]
fn memory_estimates_cover_argon2_and_resize_only() {
    assert_eq!(synthetic_memory_estimate(Kernel::Argon2, 1 << 20), 1 << 30);
    assert_eq!(synthetic_memory_estimate(Kernel::Argon2, 1), 8 * 1024);
    // 4096 px: 48 MiB of RGB source and 64 MiB of filter pass, at least.
    assert!(synthetic_memory_estimate(Kernel::Resize, 4096) > 112 << 20);
    for kernel in [Kernel::Spin, Kernel::Sumsq, Kernel::Hash, Kernel::Sleep] {
        assert_eq!(synthetic_memory_estimate(kernel, 1 << 30), 0, "{kernel}");
    }
}

#[test]
fn file_only_kernels_fail_without_a_path() {
    for kernel in [Kernel::Count, Kernel::Compress] {
        let err = run_synthetic(kernel, 10, 0, 0).unwrap_err().to_string();
        assert_eq!(err, format!("{kernel} is a file kernel: it needs a path"));
    }
}

// ---------------------------------------------------------------------------
// Task sizes

fn mean_size(dist: Dist, mean: u64, seed: u64, tasks: u64) -> f64 {
    (0..tasks)
        .map(|i| task_size(dist, mean, seed, i) as f64)
        .sum::<f64>()
        / tasks as f64
}

#[test]
fn task_size_means_match_the_requested_mean() {
    let mean = 1_000;
    assert_eq!(mean_size(Dist::Fixed, mean, 1, 1_000), 1_000.0);
    // Uniform on [1, 2m] has mean m + 1/2.
    for (dist, tolerance) in [
        (Dist::Uniform, 0.01),
        (Dist::Exp, 0.02),
        (Dist::Pareto, 0.05),
    ] {
        let got = mean_size(dist, mean, 1, 200_000);
        assert!(
            (got / mean as f64 - 1.0).abs() < tolerance,
            "{dist}: mean {got}"
        );
    }
}

#[test]
fn task_sizes_have_the_right_shape() {
    let sizes = |dist| (0..100_000).map(move |i| task_size(dist, 1_000, 3, i));
    assert!(sizes(Dist::Uniform).all(|s| (1..=2_000).contains(&s)));
    assert!(sizes(Dist::Pareto).all(|s| (1..=100_000).contains(&s)));
    // Pareto 1.5: a heavy tail that reaches past 20x the mean, and most tasks below the mean.
    assert!(sizes(Dist::Pareto).any(|s| s > 20_000));
    assert!(sizes(Dist::Pareto).filter(|s| *s < 1_000).count() > 60_000);
    // Exponential: P(X > 3m) = e^-3, about 5%.
    let over = sizes(Dist::Exp).filter(|s| *s > 3_000).count() as f64 / 100_000.0;
    assert!((over - (-3.0f64).exp()).abs() < 0.005, "{over}");
}

#[test]
fn task_sizes_reproduce_from_the_seed_and_never_are_zero() {
    for dist in Dist::ALL {
        let run = |seed| {
            (0..1_000)
                .map(|i| task_size(dist, 50, seed, i))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7), "{dist}");
        if dist != Dist::Fixed {
            assert_ne!(run(7), run(8), "{dist}");
        }
        // Order does not matter: task 500 is task 500 whenever it is asked for.
        assert_eq!(task_size(dist, 50, 7, 500), run(7)[500]);
        for mean in [0, 1, 2] {
            assert!(
                (0..10_000).all(|i| task_size(dist, mean, 7, i) >= 1),
                "{dist} mean {mean}"
            );
        }
    }
}

/// Calibration aid, not a check: `cargo test --test kernels -- --ignored --nocapture`
/// prints each kernel's time per task at its default size.
#[test]
#[ignore = "prints timings only"]
fn print_default_size_timings() {
    for kernel in Kernel::BUILT_IN.into_iter().filter(|k| k.is_synthetic()) {
        let size = kernel.default_size();
        let tasks = 20;
        let start = Instant::now();
        for index in 0..tasks {
            run_synthetic(kernel, size, 7, index).unwrap();
        }
        let per_task = start.elapsed() / tasks as u32;
        println!("{kernel:<12} size {size:>8}: {per_task:?} per task");
    }
}
