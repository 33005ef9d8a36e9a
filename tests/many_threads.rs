//! Hundreds of threads: spawn-blocking with 300 threads on blocking work. The
//! sampler lists every one of them with its CPU time, and every task is
//! accounted for.

use std::time::Duration;

use loadlab::engine::{Engine, EngineConfig};
use loadlab::metrics::snapshot::PoolKind;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

#[test]
fn the_sampler_sees_hundreds_of_blocking_threads_and_counts_stay_exact() {
    let threads = 300;
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::SpawnBlocking,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Sleep,
            size: 20_000,
            dist: Dist::Fixed,
            seed: 3,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed {
            inflight: 2 * threads,
        },
        limit: RunLimit::Unbounded,
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .expect("engine");
    std::thread::sleep(Duration::from_millis(1_500));
    let s = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    let blocking = s
        .threads
        .iter()
        .filter(|t| t.alive && t.pool == PoolKind::Blocking)
        .count();
    assert!(blocking >= threads, "{blocking} blocking threads listed");
    let c = &s.tasks;
    assert_eq!(
        c.submitted,
        c.completed + c.failed + c.cancelled + c.inflight,
        "{c:?}"
    );
    // Blocking work: 300 threads asleep hold no CPU, so many tasks end at once.
    assert!(
        s.throughput.tasks_per_s > 1_000.0,
        "{}",
        s.throughput.tasks_per_s
    );
    engine.end_run();
    engine.wait_for_run();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(2));
    let c = outcome.totals.counters;
    assert_eq!(c.submitted, c.completed + c.failed + c.cancelled, "{c:?}");
}

#[test]
fn a_thread_read_in_turn_keeps_its_cpu_share_between_its_readings() {
    // 300 threads: past the per-sample read budget, so each is read every
    // few samples; a spinning thread must still show CPU in every Snapshot,
    // its share taken over its own interval between readings.
    let threads = 300;
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::SpawnBlocking,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Sleep,
            size: 20_000,
            dist: Dist::Fixed,
            seed: 5,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
        },
        load: LoadMode::Closed {
            inflight: 2 * threads,
        },
        limit: RunLimit::Unbounded,
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .expect("engine");
    let spinning = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let spinner = {
        let spinning = spinning.clone();
        std::thread::Builder::new()
            .name("spinner-t".into())
            .spawn(move || {
                let mut x = 0u64;
                while spinning.load(std::sync::atomic::Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            })
            .expect("spawn")
    };
    // Every thread read at least once since the window's start.
    std::thread::sleep(Duration::from_millis(2_500));
    let budget = loadlab::bounds::THREAD_READS_PER_SAMPLE;
    for _ in 0..15 {
        let s = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
        let listed = s.system.process_threads;
        assert!(listed > budget, "{listed} threads");
        let every_s = s.system.thread_read_every_s.expect("read in turn");
        assert!(every_s > 0.0, "{every_s}");
        let spinner_cpu = s
            .threads
            .iter()
            .find(|t| t.alive && t.name.as_str() == "spinner-t")
            .map(|t| t.cpu_pct)
            .expect("the spinner is listed");
        assert!(
            spinner_cpu > 0.0,
            "spinner cpu {spinner_cpu}% at seq {}",
            s.seq
        );
    }
    spinning.store(false, std::sync::atomic::Ordering::Relaxed);
    spinner.join().expect("spinner");
    engine.end_run();
    engine.wait_for_run();
    engine.finish();
    engine.shutdown(Duration::from_secs(2));
}
