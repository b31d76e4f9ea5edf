//! One integration-test binary over the real `scansim` binary and the library.

mod advise;
mod answer;
mod boundaries;
mod bounds;
mod cases;
mod cli;
mod cloudtrail;
mod common;
mod ct_render;
mod demo;
mod diff;
mod events;
mod fuzzed;
mod import;
mod kill;
mod outputs;
mod paths;
mod properties;
mod props11;
mod readme;
mod report;
mod sweep;
mod sweep_report;
mod sweep_sets;
mod synthetic;
mod validation;
