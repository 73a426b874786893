//! One-way analysis of variance and Fisher's least significant difference.

mod oneway;

pub use oneway::{anova_oneway, lsd, AnovaOneway, Lsd, LsdPair};
