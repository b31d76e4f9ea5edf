//! One integration-test binary over the real `scansim` binary and the library.

mod boundaries;
mod cases;
mod cli;
mod cloudtrail;
mod common;
mod ct_render;
mod demo;
mod events;
mod import;
mod paths;
mod properties;
mod report;
mod sweep;
mod synthetic;
mod trace_input;
mod validation;
