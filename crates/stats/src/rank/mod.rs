//! Rank-based tests: Kruskal-Wallis, Friedman, Wilcoxon signed-rank,
//! Mann-Whitney, and their post-hoc comparisons (Dunn, Nemenyi).

pub mod ranks;
