//! One integration-test binary over the real `scansim` binary and the library.

mod cases;
mod common;
mod report;
