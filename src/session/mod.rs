//! The session layer: what both faces, the dashboard and the headless
//! commands, work out from an engine's Snapshots, computed once from its
//! exact counters: the periods of one configuration each, the pool a
//! backend's work runs on, and when the app runtime counts as starved.
//! It imports nothing above the engine and the service.

pub mod periods;
pub mod pool;
pub mod starvation;
