//! Regression models: linear model, GEE, MMRM.

pub mod mmrm;
