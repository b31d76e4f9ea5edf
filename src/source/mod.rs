//! Where traffic comes from: a trace file (reader and writer) and synthetic traffic.

pub mod input;
pub mod records;
pub mod rows;
pub mod shared_trace;
pub mod synthetic;
pub mod trace;
pub mod writer;
