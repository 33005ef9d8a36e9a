//! loadlab: run real CPU work on a swappable backend next to an async runtime,
//! and measure every thread, the throughput, the latencies and the runtime's health.
//!
//! The engine (backend, workload, metrics, probe) does not depend on the UI.

pub mod backend;
pub mod bounds;
pub mod cli;
pub mod config;
pub mod engine;
pub mod format;
pub mod logging;
pub mod metrics;
pub mod probe;
pub mod record;
pub mod report;
pub mod runs;
pub mod scenario;
pub mod service;
pub mod setup;
pub mod spec;
pub mod ui;
pub mod workload;
