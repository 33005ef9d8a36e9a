//! Probes on the app runtime.
