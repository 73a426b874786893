//! Regression models: linear model, GEE, MMRM.
