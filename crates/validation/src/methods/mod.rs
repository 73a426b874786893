//! Adapters from a case's JSON `input` to an `rct-stats` call and back.
//!
//! Each adapter reads the input with [`json::Input`], calls the method, and
//! serializes the result; result fields already carry the FORMAT.md names.

pub mod json;

mod basic;
mod contingency;
mod cox;
mod mmrm;
mod posthoc;
mod rank;
mod regression;
mod survival;

use serde_json::Value;

/// Why an adapter produced no result.
#[derive(Debug, thiserror::Error)]
pub enum MethodError {
    /// No adapter exists for the method name.
    #[error("method not implemented")]
    NotImplemented,
    /// The case file's input does not have the shape FORMAT.md gives.
    #[error("malformed case input: {0}")]
    BadCase(String),
    /// The method returned an error (the expected outcome of error cases).
    #[error("{0}")]
    Method(#[from] rct_stats::StatsError),
}

type Adapter = fn(&json::Input<'_>) -> Result<Value, MethodError>;

/// Every method name the harness knows, with its adapter.
const METHODS: &[(&str, Adapter)] = &[
    ("quantiles", basic::quantiles),
    ("p_adjust", basic::p_adjust),
    ("anova_oneway", basic::anova_oneway),
    ("lsd", basic::lsd),
    ("locf", basic::locf),
    (
        "sample_size_two_proportions",
        basic::sample_size_two_proportions,
    ),
    ("power_two_proportions", basic::power_two_proportions),
    ("sample_size_logrank", basic::sample_size_logrank),
    ("kruskal_wallis", rank::kruskal_wallis),
    ("friedman", rank::friedman),
    ("wilcoxon_signed_rank", rank::wilcoxon_signed_rank),
    ("mann_whitney", rank::mann_whitney),
    ("dunn", posthoc::dunn),
    ("nemenyi_kruskal", posthoc::nemenyi_kruskal),
    ("nemenyi_friedman", posthoc::nemenyi_friedman),
    ("chi_square", contingency::chi_square),
    ("fisher_exact", contingency::fisher_exact),
    ("cmh", contingency::cmh),
    ("kaplan_meier", survival::kaplan_meier),
    ("logrank", survival::logrank),
    ("two_stage_crossing", survival::two_stage_crossing),
    ("cox_ph", cox::cox_ph),
    ("linear_model", regression::linear_model),
    ("gee", regression::gee),
    ("gee_bias_reduced", regression::gee_bias_reduced),
    ("gee_score_test", regression::gee_score_test),
    ("mmrm", mmrm::mmrm),
];

/// The method names the harness knows, in registry order.
pub fn names() -> impl Iterator<Item = &'static str> {
    METHODS.iter().map(|(name, _)| *name)
}

/// Runs `method` on a case's `input`.
///
/// # Errors
/// [`MethodError::NotImplemented`] for an unknown name, otherwise whatever the
/// adapter or the method reports.
pub fn run(method: &str, input: &Value) -> Result<Value, MethodError> {
    let adapter = METHODS
        .iter()
        .find(|(name, _)| *name == method)
        .map(|(_, f)| *f)
        .ok_or(MethodError::NotImplemented)?;
    let input = json::Input::new(input)?;
    adapter(&input)
}
