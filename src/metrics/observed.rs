//! The read side of a running engine, as the sampler sees it. The engine
//! implements it; metrics never name the engine's own types.

use super::probe_stats::ProbeStats;
use super::registry::Registry;
use super::snapshot::ConfigView;

pub trait Observed: Send + Sync + 'static {
    /// Every task thread's counters and histograms.
    fn registry(&self) -> &Registry;
    /// The probes' histograms and stall events.
    fn probes(&self) -> &ProbeStats;
    /// True once per requested statistics reset (the request is consumed).
    fn take_reset_request(&self) -> bool;
    /// Seconds since the engine started.
    fn elapsed_s(&self) -> f64;
    /// Backend, threads, workload, load and run state now.
    fn config_view(&self) -> ConfigView;
    /// What a scenario or guided demo says is happening now.
    fn caption(&self) -> Option<String>;
    /// The first failed task's "where: why", and the newest failure's cause.
    fn failure_texts(&self) -> (Option<String>, Option<String>);
}
