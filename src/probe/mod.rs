//! Probes on the app runtime: the "service" whose health loadlab reports.

pub mod echo;
pub mod heartbeat;
pub mod pace;
pub mod stall_blame;
pub mod stall_log;
pub mod tick_pair;
