//! The application layer: whole jobs built from the layers below (simulate, sweep,
//! validate) and the warnings they give (checks).

pub mod calibrate;
pub mod checks;
pub mod estimate;
pub mod explain;
pub mod simulate;
pub mod sweep;
pub mod validate;
