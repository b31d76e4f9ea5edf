//! The application layer: whole jobs built from the layers below (simulate, sweep,
//! validate).

pub mod estimate;
pub mod simulate;
pub mod sweep;
pub mod validate;
