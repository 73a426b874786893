//! # rct-analysis
//!
//! The statistical analysis plan as a documented TOML file ([`plan`]) and the
//! engine that runs it on ADaM datasets, producing machine-readable results
//! and the neutral report model of `rct-report`.
