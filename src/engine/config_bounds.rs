//! `Engine::start` checks the whole [`EngineConfig`] against `crate::bounds`,
//! so a library caller gets the same one-line refusals as the command line
//! instead of a silent clamp, an overflow or a panic deep in a thread.

use std::time::Duration;

use super::EngineConfig;
use crate::bounds;

/// A field of an [`EngineConfig`] outside its bounds, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct BadConfig {
    pub field: &'static str,
    pub reason: String,
}

fn bad<E: std::fmt::Display>(field: &'static str) -> impl FnOnce(E) -> BadConfig {
    move |reason| BadConfig {
        field,
        reason: reason.to_string(),
    }
}
use crate::spec::RunLimit;

impl EngineConfig {
    /// The first field outside its bounds, named, with the reason.
    pub fn check(&self) -> Result<(), BadConfig> {
        self.workload
            .validate()
            .map_err(|e| bad("workload")(e.to_string()))?;
        crate::spec::limits::check_workload(&self.workload)
            .map_err(|e| bad("workload")(format!("size {e}")))?;
        bounds::check_runtime_workers(self.runtime_workers as u64)
            .map_err(bad("runtime_workers"))?;
        // Inline runs on at most the app workers and takes fewer as it is told
        // (as a live resize does); the pools take their count as given.
        bounds::check_any_threads(self.threads as u64).map_err(bad("threads"))?;
        crate::spec::limits::check_load(self.load).map_err(bad("load"))?;
        match self.limit {
            // A file run without --tasks runs until the walk ends: u64::MAX.
            RunLimit::Tasks(tasks)
                if tasks > bounds::TASKS_MAX
                    && !(tasks == u64::MAX && self.workload.path.is_some()) =>
            {
                return Err(bad("limit")(format!(
                    "{tasks} tasks is above {}",
                    bounds::TASKS_MAX
                )));
            }
            RunLimit::Duration(duration) => {
                bounds::check_duration(duration.as_secs_f64()).map_err(bad("limit"))?;
            }
            _ => {}
        }
        let sample = Duration::from_millis(bounds::SAMPLE_MS_MIN)
            ..=Duration::from_millis(bounds::SAMPLE_MS_MAX);
        if !sample.contains(&self.sample_interval) {
            return Err(bad("sample_interval")(format!(
                "{:?} is outside {}..={} ms",
                self.sample_interval,
                bounds::SAMPLE_MS_MIN,
                bounds::SAMPLE_MS_MAX
            )));
        }
        bounds::check_duration(self.window.as_secs_f64()).map_err(bad("window"))?;
        for (name, value) in [
            ("heartbeat_period", self.heartbeat_period),
            ("block_threshold", self.block_threshold),
            ("starved_threshold", self.starved_threshold),
        ] {
            bounds::check_threshold_ms(value.as_secs_f64() * 1000.0).map_err(bad(name))?;
        }
        if self.echo_pings_per_s > bounds::ECHO_PINGS_PER_S_MAX {
            return Err(bad("echo_pings_per_s")(format!(
                "{} is above {}",
                self.echo_pings_per_s,
                bounds::ECHO_PINGS_PER_S_MAX
            )));
        }
        if !(0..=bounds::WORKER_NICE_MAX).contains(&self.worker_nice) {
            return Err(bad("worker_nice")(format!(
                "{} is outside 0..={}",
                self.worker_nice,
                bounds::WORKER_NICE_MAX
            )));
        }
        if !(1..=bounds::BATCH_MAX).contains(&(self.batch as u64)) {
            return Err(bad("batch")(format!(
                "{} is outside 1..={}",
                self.batch,
                bounds::BATCH_MAX
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::LoadMode;

    #[test]
    fn the_default_passes_and_each_field_out_of_bounds_is_named() {
        assert_eq!(EngineConfig::default().check(), Ok(()));
        let refused = |change: fn(&mut EngineConfig)| {
            let mut config = EngineConfig::default();
            change(&mut config);
            config.check().expect_err("out of bounds").to_string()
        };
        assert!(refused(|c| c.threads = 100_000).starts_with("threads: "));
        assert!(refused(|c| c.threads = 0).starts_with("threads: "));
        assert!(refused(|c| c.runtime_workers = 0).starts_with("runtime_workers: "));
        assert!(refused(|c| c.load = LoadMode::Closed { inflight: 1 << 40 }).starts_with("load: "));
        assert!(refused(|c| c.load = LoadMode::Open { rate: f64::NAN }).starts_with("load: "));
        assert!(refused(|c| c.workload.size = u64::MAX).starts_with("workload: "));
        assert!(refused(|c| c.limit = RunLimit::Duration(Duration::MAX)).starts_with("limit: "));
        assert!(refused(|c| c.limit = RunLimit::Tasks(u64::MAX)).starts_with("limit: "));
        assert!(refused(|c| c.sample_interval = Duration::ZERO).starts_with("sample_interval: "));
        assert!(refused(|c| c.window = Duration::ZERO).starts_with("window: "));
        assert!(
            refused(|c| c.starved_threshold = Duration::from_secs(3600))
                .starts_with("starved_threshold: ")
        );
        assert!(refused(|c| c.heartbeat_period = Duration::ZERO).starts_with("heartbeat_period: "));
        assert!(refused(|c| c.echo_pings_per_s = u32::MAX).starts_with("echo_pings_per_s: "));
        assert!(refused(|c| c.worker_nice = -5).starts_with("worker_nice: "));
        assert!(refused(|c| c.batch = 0).starts_with("batch: "));
    }
}
