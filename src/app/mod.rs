//! The application layer: whole jobs built from the layers below (simulate, sweep,
//! diff, advise, validate) and the warnings they give (checks).

pub mod advise;
pub mod calibrate;
pub mod checks;
pub mod diff;
pub mod estimate;
pub mod explain;
pub mod simulate;
pub mod sweep;
pub mod validate;
