//! Report renderers: run, demo, sweep.

pub mod advice;
pub mod demo;
pub mod run;
pub mod sweep;
pub mod table;
