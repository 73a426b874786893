//! Descriptive statistics: quantiles (all nine Hyndman-Fan types).
