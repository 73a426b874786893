//! Multiplicity: p-value adjustment (Bonferroni, Holm, Hochberg, Hommel,
//! Benjamini-Hochberg, Benjamini-Yekutieli).

mod p_adjust;

pub use p_adjust::{p_adjust, AdjustMethod};
