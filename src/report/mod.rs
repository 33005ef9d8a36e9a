//! Report renderers: run, demo, sweep.

pub mod advice;
pub mod demo;
pub mod noise;
pub mod run;
pub mod sweep;
pub mod sweep_plot;
pub mod table;
