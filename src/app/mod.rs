//! The application layer: whole jobs built from the layers below (simulate, sweep,
//! validate).

pub mod simulate;
pub mod sweep;
pub mod validate;
