//! The model layer: traffic events, the source trait, and the scenario a run is made of.

pub mod event;
pub mod groups;
pub mod provenance;
pub mod scenario;
