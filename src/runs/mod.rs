//! Headless sessions built on the engine: `run` (with scenarios and
//! recording), `demo starvation` and `sweep`.

pub mod advice;
pub mod demo;
mod failed;
pub mod headless;
pub mod interrupt;
pub mod rounds;
pub mod serve;
pub mod session;
pub mod sweep;

pub use failed::RunFailed;
