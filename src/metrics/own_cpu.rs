//! What loadlab's own threads cost while the work runs: the OS CPU time of
//! every thread that is not a backend worker (the app runtime with the driver
//! and the probes, the sampler and dashboard, the rest), over a stretch of
//! wall time. A monitor must say what it takes from the machine it measures.

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;

use super::os_threads::OsThread;
use super::snapshot::PoolKind;

/// Own threads' CPU over a stretch, in percent of one core.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct OwnCpu {
    /// Sum of the parts below (the app runtime only when it ran no work).
    pub total_pct: f64,
    /// App runtime workers: driver, probes, tokio's own work. `None` when the
    /// backend was inline: those threads ran the work itself.
    pub app_runtime_pct: Option<f64>,
    /// The sampler (and the dashboard's thread when there is one).
    pub sampler_pct: f64,
    /// Every other thread of the process (main, signals, runtime helpers).
    pub other_pct: f64,
    /// The wall time the percentages are of, in seconds.
    pub over_s: f64,
}

/// CPU readings of every thread at the stretch's start.
pub struct OwnCpuBaseline {
    at: Instant,
    cpu_ns: HashMap<i32, u64>,
}

impl OwnCpuBaseline {
    /// A baseline at `at`; threads not in `threads` count from zero.
    pub fn new(at: Instant, threads: &[OsThread]) -> OwnCpuBaseline {
        OwnCpuBaseline {
            at,
            cpu_ns: threads.iter().map(|t| (t.tid, t.cpu_ns)).collect(),
        }
    }

    /// Own threads' CPU from the baseline to `now`, with `threads` read at `now`.
    /// `app_ran_work`: the backend ran tasks on the app runtime (inline).
    pub fn since(&self, now: Instant, threads: &[OsThread], app_ran_work: bool) -> OwnCpu {
        let over_s = now.duration_since(self.at).as_secs_f64();
        let (mut app_ns, mut sampler_ns, mut other_ns) = (0u64, 0u64, 0u64);
        for thread in threads {
            let used = thread
                .cpu_ns
                .saturating_sub(self.cpu_ns.get(&thread.tid).copied().unwrap_or(0));
            match PoolKind::from_thread_name(&thread.name) {
                PoolKind::App => app_ns += used,
                PoolKind::Tool => sampler_ns += used,
                PoolKind::Other | PoolKind::Named(_) => other_ns += used,
                PoolKind::Rayon | PoolKind::Pool | PoolKind::Blocking => {}
            }
        }
        let pct = |ns: u64| {
            if over_s > 0.0 {
                ns as f64 / 1e9 / over_s * 100.0
            } else {
                0.0
            }
        };
        let app_runtime_pct = (!app_ran_work).then(|| pct(app_ns));
        let sampler_pct = pct(sampler_ns);
        let other_pct = pct(other_ns);
        OwnCpu {
            total_pct: app_runtime_pct.unwrap_or(0.0) + sampler_pct + other_pct,
            app_runtime_pct,
            sampler_pct,
            other_pct,
            over_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn thread(tid: i32, name: &str, cpu_ns: u64) -> OsThread {
        OsThread {
            tid,
            name: name.into(),
            cpu_ns,
            wait_ns: 0,
            read_at: Instant::now(),
        }
    }

    #[test]
    fn backend_workers_are_not_counted_and_the_app_runtime_only_when_it_ran_no_work() {
        let start = Instant::now();
        let baseline = OwnCpuBaseline::new(
            start,
            &[thread(1, "app-0", 1_000_000), thread(2, "rayon-0", 0)],
        );
        let later = [
            thread(1, "app-0", 11_000_000),
            thread(2, "rayon-0", 2_000_000_000),
            thread(3, "sampler", 5_000_000),
            thread(4, "loadlab", 2_000_000),
        ];
        let now = start + Duration::from_secs(2);
        let offload = baseline.since(now, &later, false);
        assert_eq!(offload.app_runtime_pct, Some(0.5));
        assert!((offload.sampler_pct - 0.25).abs() < 1e-9);
        assert!((offload.other_pct - 0.1).abs() < 1e-9);
        assert!((offload.total_pct - 0.85).abs() < 1e-9);
        let inline = baseline.since(now, &later, true);
        assert_eq!(inline.app_runtime_pct, None);
        assert!((inline.total_pct - 0.35).abs() < 1e-9);
    }
}
