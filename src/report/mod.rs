//! Report renderers.

pub mod demo;
pub mod sweep;
pub mod table;
