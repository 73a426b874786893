//! Regression models: linear model, GEE, MMRM.

pub mod design;
pub mod gee;
pub mod linear_model;
pub mod mmrm;
