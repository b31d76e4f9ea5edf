//! scansim: a deterministic discrete-event simulator of what Amazon ECR enhanced scanning
//! (Amazon Inspector) covers and costs, day by day.
//!
//! The layers, each importing only those above it in this list (a test keeps it so):
//! `base` → `rules` → `model` → `engine` → `source`, `report` → `import` → `app` →
//! `cmd`. `ARCHITECTURE.md` says where things live.

pub mod app;
pub mod base;
pub mod cmd;
pub mod engine;
pub mod import;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;

#[cfg(test)]
mod layering;
