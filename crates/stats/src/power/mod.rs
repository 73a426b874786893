//! Sample size and power: two proportions, log-rank events.
