//! loadlab/bare throughput ratios measured in one run, the numbers the README
//! quotes. Each cell alternates bare and loadlab batches (order flipped every
//! round) and reports medians; the engine lives only around its own batch, so
//! its probes and sampler never run during a bare batch.
//! Run: `cargo bench --bench ratios`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::bare::Bare;
use common::loadlab_runner::{Loadlab, spin_spec};
use common::{BACKENDS, Contender, SIZES, SpinSize, instrumentation};
use loadlab::spec::BackendKind;

/// Timed batch pairs per cell.
const ROUNDS: usize = 16;
/// Calls per instrumentation batch, and batches per side.
const PROBE_CALLS: u64 = 200_000;
const PROBE_ROUNDS: usize = 15;

fn tasks_per_s(n: u64, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

struct Cell {
    bare: f64,
    loadlab: f64,
    /// Fastest batch of each side: what each reaches with the least interference.
    bare_best: f64,
    loadlab_best: f64,
    /// Median, lowest and highest of the per-round loadlab/bare ratios.
    ratio: f64,
    ratio_low: f64,
    ratio_high: f64,
}

/// One loadlab batch on a fresh engine: a warm-up batch, then the timed one.
fn loadlab_batch(backend: BackendKind, size: SpinSize) -> anyhow::Result<f64> {
    let loadlab = Loadlab::start(backend, size.us)?;
    loadlab.run_batch((size.tasks / 10).max(1))?;
    let elapsed = loadlab.run_batch(size.tasks)?;
    Ok(tasks_per_s(size.tasks, elapsed))
}

fn measure_cell(backend: BackendKind, size: SpinSize) -> anyhow::Result<Cell> {
    let bare = Bare::new(backend, size.us)?;
    bare.run_batch(size.tasks)?; // warm-up: threads spawned, caches hot
    let mut bare_rates = Vec::with_capacity(ROUNDS);
    let mut loadlab_rates = Vec::with_capacity(ROUNDS);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (bare_rate, loadlab_rate) = if round % 2 == 0 {
            let b = tasks_per_s(size.tasks, bare.run_batch(size.tasks)?);
            (b, loadlab_batch(backend, size)?)
        } else {
            let l = loadlab_batch(backend, size)?;
            (tasks_per_s(size.tasks, bare.run_batch(size.tasks)?), l)
        };
        bare_rates.push(bare_rate);
        loadlab_rates.push(loadlab_rate);
        ratios.push(loadlab_rate / bare_rate);
    }
    let ratio = median(&mut ratios);
    let best = |rates: &[f64]| rates.iter().copied().fold(0.0, f64::max);
    Ok(Cell {
        bare_best: best(&bare_rates),
        loadlab_best: best(&loadlab_rates),
        bare: median(&mut bare_rates),
        loadlab: median(&mut loadlab_rates),
        ratio,
        ratio_low: ratios[0],
        ratio_high: ratios[ratios.len() - 1],
    })
}

/// Median ns per call of the bare kernel and of the instrumented job.
fn measure_instrumentation() -> anyhow::Result<(f64, f64)> {
    let loadlab = Loadlab::start(BackendKind::Rayon, 1)?;
    let spec = Arc::new(spin_spec(1));
    let per_call = |d: Duration| d.as_nanos() as f64 / PROBE_CALLS as f64;
    // Warm-up: registers this thread, faults the histograms in.
    instrumentation::bare_calls(PROBE_CALLS);
    instrumentation::instrumented_calls(loadlab.shared(), &spec, PROBE_CALLS);
    let mut bare = Vec::with_capacity(PROBE_ROUNDS);
    let mut instrumented = Vec::with_capacity(PROBE_ROUNDS);
    for _ in 0..PROBE_ROUNDS {
        bare.push(per_call(instrumentation::bare_calls(PROBE_CALLS)));
        instrumented.push(per_call(instrumentation::instrumented_calls(
            loadlab.shared(),
            &spec,
            PROBE_CALLS,
        )));
    }
    Ok((median(&mut bare), median(&mut instrumented)))
}

fn run() -> anyhow::Result<()> {
    println!("loadlab / bare library, 2 worker threads each, closed loop inflight 64 for loadlab");
    println!(
        "({ROUNDS} alternating batch pairs per row; tasks/s are medians; ratio = median of the \
         pairs' ratios, range = lowest..highest pair; best = fastest batch of each side)"
    );
    println!();
    println!(
        "| spin task | backend | bare tasks/s | loadlab tasks/s | ratio | ratio range \
         | best bare | best loadlab | best ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for size in SIZES {
        for backend in BACKENDS {
            let cell = measure_cell(backend, size)?;
            println!(
                "| {} | {backend} | {:.0} | {:.0} | {:.3} | {:.3}..{:.3} | {:.0} | {:.0} | {:.3} |",
                size.label,
                cell.bare,
                cell.loadlab,
                cell.ratio,
                cell.ratio_low,
                cell.ratio_high,
                cell.bare_best,
                cell.loadlab_best,
                cell.loadlab_best / cell.bare_best
            );
        }
    }
    let (bare_ns, instrumented_ns) = measure_instrumentation()?;
    println!();
    println!(
        "| instrumentation (1 thread, spin {} us, {PROBE_ROUNDS} x {PROBE_CALLS} calls) | ns/task |",
        instrumentation::PROBE_US
    );
    println!("|---|---:|");
    println!("| bare kernel call | {bare_ns:.1} |");
    println!("| instrumented job (submit accounting + TaskJob) | {instrumented_ns:.1} |");
    println!(
        "| **instrumentation cost** | **{:.1}** |",
        instrumented_ns - bare_ns
    );
    Ok(())
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no options.
    if let Err(error) = run() {
        eprintln!("ratios bench failed: {error:#}");
        std::process::exit(1);
    }
}
