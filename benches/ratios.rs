//! loadlab/bare throughput ratios measured in one run, the numbers the README
//! quotes. Each cell alternates bare and loadlab batches (order flipped every
//! round) and reports medians; the engine lives only around its own batch, so
//! its probes and sampler never run during a bare batch. A pair during which
//! another process used the CPU is measured again, after waiting for a quiet
//! machine (both up to a limit).
//! Run: `cargo bench --bench ratios`.

mod common;
#[path = "common/quiet.rs"]
mod quiet;

use std::sync::Arc;
use std::time::Duration;

use common::bare::Bare;
use common::loadlab_runner::{Loadlab, spin_spec};
use common::{BACKENDS, Contender, SIZES, SpinSize, instrumentation};
use loadlab::spec::BackendKind;
use quiet::{timed_quietly, wait_for_quiet};

/// Timed batch pairs per cell.
const ROUNDS: usize = 16;
/// Tries per pair before a disturbed pair is kept anyway (and counted).
const ATTEMPTS: usize = 8;
/// Longest wait for a quiet machine after a disturbed pair.
const QUIET_WAIT: Duration = Duration::from_secs(10);
/// Calls per instrumentation batch, and batch pairs.
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

fn best(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

/// How often other processes got in the way of a cell's measurement.
#[derive(Default)]
struct Disturbance {
    /// Pairs measured again because another process used the CPU meanwhile.
    reruns: usize,
    /// Pairs still disturbed after every attempt, kept in the results.
    kept: usize,
}

/// Runs one pair of batches (each returns its duration), again while disturbed.
fn quiet_pair(
    disturbance: &mut Disturbance,
    mut first: impl FnMut() -> anyhow::Result<(Duration, bool)>,
    mut second: impl FnMut() -> anyhow::Result<(Duration, bool)>,
) -> anyhow::Result<(Duration, Duration)> {
    for attempt in 1..=ATTEMPTS {
        let (a, a_disturbed) = first()?;
        let (b, b_disturbed) = second()?;
        let disturbed = a_disturbed || b_disturbed;
        if !disturbed || attempt == ATTEMPTS {
            disturbance.kept += usize::from(disturbed);
            return Ok((a, b));
        }
        disturbance.reruns += 1;
        wait_for_quiet(QUIET_WAIT);
    }
    unreachable!("the last attempt returns")
}

/// One loadlab batch on a fresh engine: a warm-up batch, then the timed one.
fn loadlab_batch(backend: BackendKind, size: SpinSize) -> anyhow::Result<(Duration, bool)> {
    let loadlab = Loadlab::start(backend, size.us)?;
    loadlab.run_batch((size.tasks / 10).max(1))?;
    timed_quietly(|| loadlab.run_batch(size.tasks))
}

struct Cell {
    /// Median tasks/s of each side.
    bare: f64,
    loadlab: f64,
    /// Median, lowest and highest of the per-pair loadlab/bare ratios.
    ratio: f64,
    ratio_low: f64,
    ratio_high: f64,
    /// Fastest batch of each side: what each reaches with the least interference.
    bare_best: f64,
    loadlab_best: f64,
    disturbance: Disturbance,
}

fn measure_cell(backend: BackendKind, size: SpinSize) -> anyhow::Result<Cell> {
    let bare = Bare::new(backend, size.us)?;
    bare.run_batch(size.tasks)?; // warm-up: threads spawned, caches hot
    let bare_batch = || timed_quietly(|| bare.run_batch(size.tasks));
    let mut disturbance = Disturbance::default();
    let mut bare_rates = Vec::with_capacity(ROUNDS);
    let mut loadlab_rates = Vec::with_capacity(ROUNDS);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (bare_time, loadlab_time) = if round % 2 == 0 {
            quiet_pair(&mut disturbance, bare_batch, || {
                loadlab_batch(backend, size)
            })?
        } else {
            let (l, b) = quiet_pair(
                &mut disturbance,
                || loadlab_batch(backend, size),
                bare_batch,
            )?;
            (b, l)
        };
        let bare_rate = tasks_per_s(size.tasks, bare_time);
        let loadlab_rate = tasks_per_s(size.tasks, loadlab_time);
        bare_rates.push(bare_rate);
        loadlab_rates.push(loadlab_rate);
        ratios.push(loadlab_rate / bare_rate);
    }
    let ratio = median(&mut ratios);
    Ok(Cell {
        bare_best: best(&bare_rates),
        loadlab_best: best(&loadlab_rates),
        bare: median(&mut bare_rates),
        loadlab: median(&mut loadlab_rates),
        ratio,
        ratio_low: ratios[0],
        ratio_high: ratios[ratios.len() - 1],
        disturbance,
    })
}

/// Median ns per call of the bare kernel and of the instrumented job.
fn measure_instrumentation() -> anyhow::Result<(f64, f64, f64, Disturbance)> {
    let loadlab = Loadlab::start(BackendKind::Rayon, 1)?;
    let spec = Arc::new(spin_spec(1));
    let per_call = |d: Duration| d.as_nanos() as f64 / PROBE_CALLS as f64;
    // Warm-up: registers this thread, faults the histograms in.
    instrumentation::bare_calls(PROBE_CALLS);
    instrumentation::instrumented_calls(loadlab.shared(), &spec, PROBE_CALLS);
    let mut disturbance = Disturbance::default();
    let mut bare = Vec::with_capacity(PROBE_ROUNDS);
    let mut instrumented = Vec::with_capacity(PROBE_ROUNDS);
    let mut measured = Vec::with_capacity(PROBE_ROUNDS);
    for _ in 0..PROBE_ROUNDS {
        let (b, i) = quiet_pair(
            &mut disturbance,
            || timed_quietly(|| Ok(instrumentation::bare_calls(PROBE_CALLS))),
            || {
                timed_quietly(|| {
                    Ok(instrumentation::instrumented_calls(
                        loadlab.shared(),
                        &spec,
                        PROBE_CALLS,
                    ))
                })
            },
        )?;
        bare.push(per_call(b));
        instrumented.push(per_call(i));
        measured.push(per_call(instrumentation::timed_and_recorded_calls(
            loadlab.shared(),
            PROBE_CALLS,
        )));
    }
    Ok((
        median(&mut bare),
        median(&mut measured),
        median(&mut instrumented),
        disturbance,
    ))
}

fn run() -> anyhow::Result<()> {
    println!("loadlab / bare library, 2 worker threads each, closed loop inflight 64 for loadlab");
    println!(
        "({ROUNDS} alternating batch pairs per row; tasks/s are medians; ratio = median of the \
         pairs' ratios, range = lowest..highest pair; best = fastest batch of each side; \
         reruns = pairs measured again because another process used the CPU, kept = disturbed \
         pairs kept after {ATTEMPTS} tries)"
    );
    println!();
    println!(
        "| spin task | backend | bare tasks/s | loadlab tasks/s | ratio | ratio range \
         | best bare | best loadlab | best ratio | reruns | kept |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    // `cargo bench --bench ratios -- instrumentation` measures only the last table.
    let only_instrumentation = std::env::args().any(|a| a == "instrumentation");
    for size in SIZES.iter().filter(|_| !only_instrumentation) {
        for backend in BACKENDS {
            wait_for_quiet(QUIET_WAIT);
            let cell = measure_cell(backend, *size)?;
            println!(
                "| {} | {backend} | {:.0} | {:.0} | {:.3} | {:.3}..{:.3} | {:.0} | {:.0} | {:.3} \
                 | {} | {} |",
                size.label,
                cell.bare,
                cell.loadlab,
                cell.ratio,
                cell.ratio_low,
                cell.ratio_high,
                cell.bare_best,
                cell.loadlab_best,
                cell.loadlab_best / cell.bare_best,
                cell.disturbance.reruns,
                cell.disturbance.kept,
            );
        }
    }
    wait_for_quiet(QUIET_WAIT);
    let (bare_ns, measured_ns, instrumented_ns, disturbance) = measure_instrumentation()?;
    println!();
    println!(
        "| instrumentation (1 thread, spin {} us, {PROBE_ROUNDS} x {PROBE_CALLS} calls, \
         medians; reruns {}, kept {}) | ns/task |",
        instrumentation::PROBE_US,
        disturbance.reruns,
        disturbance.kept
    );
    println!("|---|---:|");
    println!("| bare kernel call | {bare_ns:.1} |");
    println!("| kernel call timed and recorded (3 clock reads + record_ran) | {measured_ns:.1} |");
    println!("| instrumented job (submit accounting + TaskJob) | {instrumented_ns:.1} |");
    println!(
        "| **measuring cost** (timed and recorded - bare) | **{:.1}** |",
        measured_ns - bare_ns
    );
    println!(
        "| **whole task wrapper cost** (instrumented job - bare) | **{:.1}** |",
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
