//! Report renderers: run, demo, sweep.

pub mod run;
