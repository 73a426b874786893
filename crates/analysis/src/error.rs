//! Errors of the analysis engine: each names the plan section, dataset,
//! row and variable involved.

use rct_stats::StatsError;

/// What can go wrong when reading a plan or running it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// The plan does not parse or is inconsistent.
    #[error("plan ({origin}): {message}")]
    Plan {
        /// Where the plan came from (a path, or "default plan").
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A dataset the plan needs is not in the study.
    #[error("{needed_by}: dataset {dataset} is not in the study (found: {found})")]
    MissingDataset {
        /// Dataset name.
        dataset: String,
        /// The plan section that needs it.
        needed_by: String,
        /// Datasets present.
        found: String,
    },
    /// A variable the plan needs is not in a dataset.
    #[error("{needed_by}: variable {variable} is not in dataset {dataset}")]
    MissingVariable {
        /// Dataset name.
        dataset: String,
        /// Variable name.
        variable: String,
        /// The plan section that needs it.
        needed_by: String,
    },
    /// A variable has the wrong type.
    #[error("{dataset}.{variable}: expected a {expected} variable")]
    WrongType {
        /// Dataset name.
        dataset: String,
        /// Variable name.
        variable: String,
        /// "numeric" or "character".
        expected: &'static str,
    },
    /// A value is not usable.
    #[error("{dataset} row {row}, {variable}: {message}")]
    Value {
        /// Dataset name.
        dataset: String,
        /// 1-based data row.
        row: usize,
        /// Variable name.
        variable: String,
        /// What is wrong.
        message: String,
    },
    /// A statistical method refused its input.
    #[error("{analysis}: {source}")]
    Stats {
        /// Which analysis (e.g. "CD4 GEE").
        analysis: String,
        /// The method's error.
        source: StatsError,
    },
}

/// Attaches the analysis name to a method's error.
pub(crate) trait Context<T> {
    fn context(self, analysis: impl FnOnce() -> String) -> Result<T, AnalysisError>;
}

impl<T> Context<T> for Result<T, StatsError> {
    fn context(self, analysis: impl FnOnce() -> String) -> Result<T, AnalysisError> {
        self.map_err(|source| AnalysisError::Stats {
            analysis: analysis(),
            source,
        })
    }
}
