//! What the sampler thread costs beside many threads, in process: an engine
//! runs spawn-blocking sleep tasks on up to 512 threads (tokio's cap) and the
//! bench parks more plain threads beside them to reach each count; the
//! sampler's CPU time (its schedstat) over a stretch, in percent of one core.
//! `scripts/own_cost.sh` measures the real binary up to 512 threads; this
//! reaches past the cap. Run: `cargo bench --bench sampler_cost [-- N...]`.

use std::fs;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use loadlab::engine::{Engine, EngineConfig};
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

const RUNS: usize = 3;
const WARMUP: Duration = Duration::from_secs(3);
const STRETCH: Duration = Duration::from_secs(10);
/// tokio's blocking pool stops here; the rest are parked threads.
const ENGINE_THREADS_MAX: usize = 512;

/// The sampler thread's CPU time in ns, by its name in /proc/self/task.
fn sampler_cpu_ns() -> u64 {
    let Ok(tasks) = fs::read_dir("/proc/self/task") else {
        return 0;
    };
    for task in tasks.flatten() {
        let name = fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if name.trim() == "sampler" {
            let schedstat = fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            return schedstat
                .split_whitespace()
                .next()
                .and_then(|ns| ns.parse().ok())
                .unwrap_or(0);
        }
    }
    0
}

/// One run beside `threads` threads: the sampler's share of a core, in %.
fn one_run(threads: usize) -> f64 {
    let engine_threads = threads.min(ENGINE_THREADS_MAX);
    let engine = match Engine::start(EngineConfig {
        backend: BackendKind::SpawnBlocking,
        threads: engine_threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Sleep,
            size: 20_000,
            dist: Dist::Fixed,
            seed: 1,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed {
            inflight: 2 * engine_threads,
        },
        limit: RunLimit::Unbounded,
        ..EngineConfig::default()
    }) {
        Ok(engine) => engine,
        Err(error) => panic!("engine: {error}"),
    };
    let (release, parked) = mpsc::channel::<()>();
    let parked = std::sync::Arc::new(std::sync::Mutex::new(parked));
    let parkers: Vec<_> = (engine_threads..threads)
        .map(|i| {
            let parked = parked.clone();
            std::thread::Builder::new()
                .name(format!("parked-{i}"))
                .stack_size(64 * 1024)
                .spawn(move || {
                    let _ = parked.lock().map(|rx| rx.recv());
                })
                .unwrap_or_else(|e| panic!("spawn: {e}"))
        })
        .collect();
    std::thread::sleep(WARMUP);
    let (cpu0, t0) = (sampler_cpu_ns(), Instant::now());
    std::thread::sleep(STRETCH);
    let (cpu1, t1) = (sampler_cpu_ns(), Instant::now());
    drop(release);
    for parker in parkers {
        let _ = parker.join();
    }
    engine.end_run();
    engine.wait_for_run();
    engine.finish();
    engine.shutdown(Duration::from_secs(2));
    (cpu1.saturating_sub(cpu0)) as f64 / 1e9 / (t1 - t0).as_secs_f64() * 100.0
}

fn main() {
    let mut counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if counts.is_empty() {
        counts = vec![256, 1024];
    }
    println!("| sampler beside N threads, % of one core | median (min-max) of {RUNS} |");
    println!("|---|---:|");
    for threads in counts {
        let mut pcts: Vec<f64> = (0..RUNS).map(|_| one_run(threads)).collect();
        pcts.sort_by(f64::total_cmp);
        println!(
            "| {threads} | {:.2} ({:.2}-{:.2}) |",
            pcts[RUNS / 2],
            pcts[0],
            pcts[RUNS - 1]
        );
    }
}
