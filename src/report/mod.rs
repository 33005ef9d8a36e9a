//! Report renderers: run, demo, sweep.

pub mod advice;
pub mod demo;
pub mod noise;
pub mod paired;
pub mod run;
pub mod sweep;
pub mod sweep_plot;
pub mod sweep_verdict;
pub mod table;
