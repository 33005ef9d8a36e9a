//! The engine: the app runtime, the live backend, the driver and the sampler.

pub mod command;
pub mod controller;
