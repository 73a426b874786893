//! Descriptive statistics: quantiles (all nine Hyndman-Fan types) and the
//! median (Q1, Q3) summaries of a baseline table.

mod quantile;

pub use quantile::{quantiles, summary, QuantileType, Summary};
