//! The session layer: what both faces, the dashboard and the headless
//! commands, work out from an engine's Snapshots, computed once from its
//! exact counters: the scenario being played, the periods of one
//! configuration each, the pool a backend's work runs on, and when the app
//! runtime counts as starved; and it starts the engine with the HTTP service
//! beside it. It imports nothing above the engine and the service.

mod live;
pub mod periods;
pub mod playback;
pub mod pool;
pub mod serve;
pub mod starvation;

pub use live::Session;
