//! Reports of the headless commands (run, demo, sweep): the figures they are
//! built from and their renderings. Nothing here reads the command line.

pub mod advice;
pub mod demo;
pub mod measured;
pub mod noise;
pub mod paired;
pub mod round_stats;
pub mod run;
pub mod sweep;
pub mod sweep_plot;
pub mod sweep_render;
pub mod sweep_round;
pub mod sweep_row;
pub mod sweep_scaling;
pub mod sweep_verdict;
pub mod table;
