//! # rct-analysis
//!
//! The statistical analysis plan as a documented TOML file ([`plan`]) and
//! the engine ([`run`]) that runs it on a study's ADaM datasets
//! ([`StudyData`]), producing machine-readable results ([`ResultRecord`])
//! and the neutral report model of `rct-report`.
//!
//! Every result names its method, parameter, visit, population and
//! comparison, and the options that made it (quantile type, CI transform,
//! multiplicity adjustment, seeds); the report's footnotes state the same.

mod data;
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod engine;
mod error;
pub mod format;
pub mod phase3;
pub mod plan;
mod results;

pub use data::StudyData;
pub use engine::{run, Analysis};
pub use error::AnalysisError;
pub use plan::Plan;
pub use results::ResultRecord;
