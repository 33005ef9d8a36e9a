//! Report renderers: run, demo, sweep.

pub mod demo;
pub mod run;
pub mod sweep;
pub mod table;
