//! Lock-free per-thread counters and histograms, OS thread CPU, and the Snapshot.

pub mod atomic_histogram;
pub mod os_threads;
pub mod registry;
pub mod snapshot;
pub mod thread_stats;
