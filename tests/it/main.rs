//! One integration-test binary over the real `scansim` binary and the library.

mod boundaries;
mod cases;
mod common;
mod validation;
