//! Scripted scenarios: a TOML timeline of commands and captions that the
//! dashboard and `loadlab run --scenario` play against the engine.
//!
//! The file format is documented in `parse.rs`; presets live in `assets/scenarios/`.

pub(crate) mod error;
pub(crate) mod file;
mod parse;
mod player;
mod timeline;

pub use error::ScenarioError;
pub use player::Player;
pub use timeline::{Scenario, Step};
