//! # rct-stats
//!
//! The pure statistics core of rct: every method the seed trial's analysis
//! plan needs, with typed inputs, typed results and typed errors. No I/O, no
//! clock, no logging; randomness enters as a seeded RNG argument.
//!
//! Each result type serializes with the field names of the validation case
//! format (`validation/FORMAT.md`), so a result compares directly with the
//! reference values from R, scipy, statsmodels and lifelines.

pub mod anova;
#[allow(dead_code)] // some checks await their first caller
mod common;
pub mod contingency;
pub mod descriptive;
pub mod dist;
mod error;
pub mod linalg;
pub mod missing;
pub mod models;
pub mod multiplicity;
pub mod power;
pub mod rank;
pub mod survival;

pub use common::{pairs, Alternative, Note};
pub use error::StatsError;
