//! Criterion: each loadlab backend against the bare library doing the same spin
//! tasks (rayon `pool.spawn`, tokio `spawn_blocking`, a crossbeam worker loop),
//! plus the single-thread instrumentation cost. Throughput is in tasks/s.
//! `benches/ratios.rs` prints the loadlab/bare ratios the README quotes.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::bare::Bare;
use common::loadlab_runner::{Loadlab, spin_spec};
use common::{BACKENDS, Contender, SIZES, SpinSize, instrumentation};
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use loadlab::spec::BackendKind;

/// Stops the bench with a one-line reason (criterion closures cannot return errors).
fn or_exit<T>(result: anyhow::Result<T>) -> T {
    result.unwrap_or_else(|error| {
        eprintln!("bench failed: {error:#}");
        std::process::exit(1)
    })
}

fn bench_one(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: String,
    tasks: u64,
    contender: &dyn Contender,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| or_exit(contender.run_batch(tasks)))
                .sum::<Duration>()
        })
    });
}

fn backends(c: &mut Criterion) {
    for SpinSize { us, label, tasks } in SIZES {
        let mut group = c.benchmark_group(format!("spin {label}"));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .throughput(Throughput::Elements(tasks));
        for backend in BACKENDS {
            // The engine starts after the bare side ran, so its probes and
            // sampler do not tax the bare numbers.
            let bare = or_exit(Bare::new(backend, us));
            bench_one(&mut group, format!("{backend}/bare"), tasks, &bare);
            let loadlab = or_exit(Loadlab::start(backend, us));
            bench_one(&mut group, format!("{backend}/loadlab"), tasks, &loadlab);
        }
        group.finish();
    }
}

fn instrumentation_cost(c: &mut Criterion) {
    const CALLS: u64 = 200_000;
    let engine = or_exit(Loadlab::start(BackendKind::Rayon, 1));
    let spec = Arc::new(spin_spec(1));
    let mut group = c.benchmark_group("instrumentation (1 thread, spin 0 us)");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(CALLS));
    group.bench_function("bare kernel", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| instrumentation::bare_calls(CALLS)).sum())
    });
    group.bench_function("timed and recorded", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| instrumentation::timed_and_recorded_calls(engine.shared(), CALLS))
                .sum()
        })
    });
    group.bench_function("instrumented job", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| instrumentation::instrumented_calls(engine.shared(), &spec, CALLS))
                .sum()
        })
    });
    group.finish();
}

criterion::criterion_group!(benches, backends, instrumentation_cost);
criterion::criterion_main!(benches);
