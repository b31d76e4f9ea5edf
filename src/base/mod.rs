//! The base layer: time, money, names, errors, hashing, atomic files, sorting beyond
//! memory, progress and a cache prefetch hint.
//! Nothing here knows about scanning.

pub mod atomic;
pub mod claim;
pub mod cleanup;
pub mod digest;
pub mod error;
pub mod extsort;
pub mod hash;
pub mod jsonkeys;
pub mod money;
pub mod names;
pub mod prefetch;
pub mod progress;
#[cfg(test)]
#[cfg(test)]
pub mod testing;
pub mod text;
pub mod time;
