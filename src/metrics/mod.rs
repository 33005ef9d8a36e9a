//! Lock-free per-thread counters and histograms, OS thread CPU, and the Snapshot.

pub mod atomic_histogram;
pub mod attached;
pub mod collector;
pub mod http_stats;
pub mod merged_histograms;
pub mod observed;
pub mod os_threads;
pub mod other_processes;
pub mod own_cpu;
pub mod percentiles;
pub mod probe_stats;
pub mod proc_field;
pub mod proc_stat;
pub mod registry;
pub mod snapshot;
pub mod system;
pub mod thread_name;
pub mod thread_readings;
pub mod thread_stats;
pub mod work_times;
