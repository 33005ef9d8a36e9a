//! Hundreds of threads: spawn-blocking with 300 threads on blocking work. The
//! sampler lists every one of them with its CPU time, and every task is
//! accounted for.

mod support_spinner;

use std::time::Duration;

use loadlab::engine::{Engine, EngineConfig};
use loadlab::metrics::snapshot::PoolKind;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};

/// An engine of `threads` spawn-blocking threads that sleep 20 ms a task,
/// two tasks in flight per thread.
fn sleeping_engine(threads: usize, seed: u64) -> Engine {
    Engine::start(EngineConfig {
        backend: BackendKind::SpawnBlocking,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Sleep,
            size: 20_000,
            dist: Dist::Fixed,
            seed,
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
    .expect("engine")
}

#[test]
fn the_sampler_sees_hundreds_of_blocking_threads_and_counts_stay_exact() {
    let threads = 300;
    let engine = sleeping_engine(threads, 3);
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
    let engine = sleeping_engine(threads, 5);
    let spinner = support_spinner::Spinner::start("spinner-t");
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
    spinner.stop();
    engine.end_run();
    engine.wait_for_run();
    engine.finish();
    engine.shutdown(Duration::from_secs(2));
}

#[test]
fn past_the_read_budget_every_task_reaches_the_latency_totals_within_a_turn() {
    // 300 threads: each sample folds in the latencies of only a slice of
    // them, so a Snapshot may lag; once the work has stopped, a full turn of
    // samples must bring in every task the threads recorded.
    let threads = 300;
    let engine = sleeping_engine(threads, 7);
    std::thread::sleep(Duration::from_millis(1_000));
    engine.end_run();
    engine.wait_for_run();
    let budget = loadlab::bounds::THREAD_READS_PER_SAMPLE;
    let first = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    // Every registered thread is one of the process's threads.
    let turn = first.system.process_threads.div_ceil(budget);
    assert!(turn > 1, "{} threads", first.system.process_threads);
    let mut last = first;
    for _ in 0..turn {
        last = engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    }
    let summed: u64 = last.running_totals.total_latency_buckets.iter().sum();
    let window: u64 = last.latency.cumulative.total.count;
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(2));
    // The run's totals read every thread in full.
    let recorded = outcome.totals.latency.total.count;
    assert!(recorded > 1_000, "{recorded} tasks");
    assert_eq!(summed, recorded, "after {turn} samples");
    assert_eq!(window, recorded, "after {turn} samples");
}
