//! One-way ANOVA and Fisher least significant difference.
