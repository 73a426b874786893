/// Why a randomization scheme is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DesignError {
    /// Fewer than two arms, or a repeated arm name.
    #[error("arms: {0}")]
    Arms(String),
    /// The ratio does not fit the arms.
    #[error("ratio: {0}")]
    Ratio(String),
    /// A block size is not a positive multiple of the ratio sum.
    #[error("block size {size} is not a positive multiple of the ratio sum {ratio_sum} (each block must hold the ratio whole)")]
    BlockSize {
        /// The size given.
        size: usize,
        /// The sum of the ratio.
        ratio_sum: usize,
    },
    /// No block sizes.
    #[error("no block sizes given")]
    NoBlockSizes,
    /// A stratification factor or stratum is empty or malformed.
    #[error("strata: {0}")]
    Strata(String),
    /// The list length per stratum is zero.
    #[error("the list length per stratum must be positive")]
    EmptyList,
    /// A minimization input is invalid.
    #[error("minimization: {0}")]
    Minimization(String),
}
