//! loadlab: run real CPU work on a swappable backend next to an async runtime,
//! and measure every thread, the throughput, the latencies and the runtime's health.
//!
//! The engine (backend, workload, metrics, probe) does not depend on the UI.
//!
//! # Layers
//!
//! Each top-level module imports only modules in its own layer's row or
//! below, and no modules import each other in a circle (`tests/module_layers.rs`
//! reads the code and holds this order), low to high:
//!
//! 1. `format`, `logging`, `new_file`, `bounds`: vocabulary
//! 2. `spec` (what work is), then `workload` (doing it)
//! 3. `metrics`, `backend`, `probe`: measuring and running it
//! 4. `engine`: the app runtime, the live backend, the driver, the sampler
//! 5. `service`, `scenario`, `record`: beside the engine (the engine starts
//!    none of them)
//! 6. `session` (periods, scenario playback, the backend's pool, the one
//!    starvation threshold, computed once for both faces; it starts the
//!    engine with the service beside it) and `attach` (another process,
//!    watched through /proc)
//! 7. `report`: renders, parses nothing
//! 8. `cli`, then `setup` (options and flag-naming messages)
//! 9. `runs` (headless commands) and `ui` (the dashboard)
//! 10. `config` (the settings file), `app`: the entry point
//!
//! # Bring your own code
//!
//! Register a kernel of your own, then hand control to loadlab's command line:
//! the dashboard, `run`, `demo starvation`, `sweep` and `list` all take its name.
//!
//! ```
//! use std::process::ExitCode;
//! use loadlab::{CustomKernel, register_kernel};
//!
//! fn main() -> ExitCode {
//!     let kernel = CustomKernel::new("fold", "numbers folded", |size, seed| {
//!         (0..size).fold(seed, |acc, i| acc.rotate_left(5) ^ i)
//!     })
//!     .default_size(100_000);
//!     if let Err(error) = register_kernel(kernel) {
//!         eprintln!("{error}");
//!         return ExitCode::FAILURE;
//!     }
//!     // A real program calls `loadlab::app::main()`, which reads its own arguments.
//!     let status = loadlab::app::main_with_args([
//!         "loadlab", "run", "--workload", "fold", "--size", "1000", "--tasks", "20",
//!         "--format", "json",
//!     ]);
//!     assert_eq!(status, ExitCode::SUCCESS);
//!     status
//! }
//! ```
//!
//! To drive the engine from a test or a benchmark instead (start, change the
//! backend, its threads or the load, read Snapshots, stop), see
//! [`engine::Engine`]. [`spec::custom_kernel`] describes what a kernel function
//! must do.

pub mod app;
pub mod attach;
pub mod backend;
pub mod bounds;
pub mod cli;
pub mod config;
pub mod engine;
pub mod format;
pub mod logging;
pub mod metrics;
pub mod new_file;
pub mod probe;
pub mod record;
pub mod report;
pub mod runs;
pub mod scenario;
pub mod service;
pub mod session;
pub mod setup;
pub mod spec;
pub mod ui;
pub mod workload;

pub use spec::custom_kernel::{CustomKernel, RegisterError, register_kernel};
