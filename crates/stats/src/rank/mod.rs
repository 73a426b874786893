//! Rank-based tests: Kruskal-Wallis, Friedman, Wilcoxon signed-rank,
//! Mann-Whitney, and their post-hoc comparisons (Dunn, Nemenyi).

mod exact;
pub mod friedman;
pub mod kruskal_wallis;
pub mod posthoc;
pub mod ranks;
pub(crate) mod sort;
pub mod wilcoxon;

pub use self::friedman::{friedman, friedman_rows, Friedman};
pub use self::kruskal_wallis::{kruskal_wallis, KruskalWallis};
pub use wilcoxon::{mann_whitney, wilcoxon_signed_rank, Exactness, Wilcoxon, WilcoxonOptions};
