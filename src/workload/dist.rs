//! Task sizes drawn from a distribution around a mean, reproducibly per index.

use crate::spec::{Dist, WorkloadSpec};
use crate::workload::seed_mix::{mix, unit_open};

/// Stream id so sizes do not correlate with other per-task randomness.
const SIZE_STREAM: u64 = 1;

/// Pareto shape: finite mean, infinite variance before the cap, so a few tasks are huge.
const PARETO_SHAPE: f64 = 1.5;

/// Pareto samples are capped at this multiple of the mean.
const PARETO_CAP: f64 = 100.0;

/// Pareto scale as a fraction of the mean, chosen so the mean *after* the cap
/// is the requested mean: solves 3k - 2k^1.5/sqrt(100) = 1 (uncapped it would be 1/3).
const PARETO_SCALE: f64 = 0.346_94;

/// Size of task `index`: depends only on (dist, mean, seed, index), so any backend and any
/// submission order sees the same tasks. Never returns 0. fixed = mean; uniform on [1, 2*mean];
/// exp with mean `mean`; pareto shape 1.5 with mean `mean`, capped at 100*mean.
pub fn task_size(dist: Dist, mean: u64, seed: u64, index: u64) -> u64 {
    let mean = mean.max(1);
    let bits = mix(seed, index, SIZE_STREAM);
    let size = match dist {
        Dist::Fixed => mean,
        // Exact integer draw: no float rounding bias at small means.
        Dist::Uniform => 1 + bits % mean.saturating_mul(2),
        Dist::Exp => to_size(-(mean as f64) * unit_open(bits).ln()),
        Dist::Pareto => {
            let scale = PARETO_SCALE * mean as f64;
            let draw = scale / unit_open(bits).powf(1.0 / PARETO_SHAPE);
            to_size(draw.min(PARETO_CAP * mean as f64))
        }
    };
    size.max(1)
}

/// Size of task `index` of `spec`: the draw of [`task_size`] truncated to the
/// kernel's maximum (`spec::limits::size_max`, a registered kernel's own), so no
/// task is larger than a `--size` the kernel would accept. With a mean near
/// the maximum this lowers the mean: see the README on `--dist`.
pub fn spec_task_size(spec: &WorkloadSpec, index: u64) -> u64 {
    task_size(spec.dist, spec.size, spec.seed, index)
        .min(crate::spec::limits::size_max(spec.kernel))
}

/// Rounds to the nearest integer (keeps the mean unbiased); `as` saturates on overflow.
fn to_size(x: f64) -> u64 {
    x.round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_scale_makes_the_capped_mean_exact() {
        // E[min(X, c)] = 3k*m - 2 (k*m)^1.5 / sqrt(c) with c = 100*m.
        let k = PARETO_SCALE;
        let capped_mean = 3.0 * k - 2.0 * k.powf(1.5) / PARETO_CAP.sqrt();
        assert!((capped_mean - 1.0).abs() < 1e-4, "{capped_mean}");
    }

    #[test]
    fn no_task_is_drawn_above_the_kernels_maximum() {
        use crate::spec::Kernel;
        let kernel = Kernel::Resize;
        let max = crate::spec::limits::size_max(kernel);
        for dist in Dist::ALL {
            let spec = WorkloadSpec {
                kernel,
                size: max,
                dist,
                ..WorkloadSpec::default()
            };
            let sizes: Vec<u64> = (0..20_000).map(|i| spec_task_size(&spec, i)).collect();
            assert!(sizes.iter().all(|&s| (1..=max).contains(&s)), "{dist}");
            // Pareto and exp at the maximum draw past it often: those are cut.
            if matches!(dist, Dist::Pareto | Dist::Exp) {
                assert!(
                    sizes.iter().filter(|&&s| s == max).count() > 1_000,
                    "{dist}"
                );
            }
        }
    }

    #[test]
    fn uniform_stays_in_range_and_never_zero() {
        for i in 0..10_000 {
            let s = task_size(Dist::Uniform, 3, 1, i);
            assert!((1..=6).contains(&s), "{s}");
        }
        assert_eq!(task_size(Dist::Fixed, 0, 1, 0), 1);
    }
}
