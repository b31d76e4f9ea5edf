//! Where traffic comes from: a trace file (reader and writer), synthetic traffic, and a
//! history trace continued by synthetic traffic.

pub mod continued;
pub mod input;
pub mod records;
pub mod rows;
pub mod shared_trace;
pub mod synthetic;
pub mod trace;
pub mod writer;
