//! Multiplicity: p-value adjustment (Bonferroni, Holm, Hochberg, Hommel, BH, BY).
