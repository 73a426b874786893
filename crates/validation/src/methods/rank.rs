//! Adapters: Kruskal-Wallis, Friedman, Wilcoxon signed-rank, Mann-Whitney.

use rct_stats::rank::{self, WilcoxonOptions};
use rct_stats::Alternative;
use serde_json::Value;

use super::{
    json::{to_value, Input},
    MethodError,
};

pub(super) fn kruskal_wallis(input: &Input<'_>) -> Result<Value, MethodError> {
    let g = input.f64_rows("groups")?;
    let refs: Vec<&[f64]> = g.iter().map(Vec::as_slice).collect();
    to_value(&rank::kruskal_wallis(&refs)?)
}

pub(super) fn friedman(input: &Input<'_>) -> Result<Value, MethodError> {
    to_value(&rank::friedman(&input.f64_rows("y")?)?)
}

pub(super) fn alternative(input: &Input<'_>) -> Result<Alternative, MethodError> {
    match input.opt_str("alternative")? {
        None | Some("two.sided") | Some("two_sided") => Ok(Alternative::TwoSided),
        Some("less") => Ok(Alternative::Less),
        Some("greater") => Ok(Alternative::Greater),
        Some(other) => Err(rct_stats::StatsError::UnknownOption {
            what: "alternative".into(),
            name: other.into(),
            expected: "two.sided, less, greater".into(),
        }
        .into()),
    }
}

fn options(input: &Input<'_>) -> Result<WilcoxonOptions, MethodError> {
    Ok(WilcoxonOptions {
        mu: input.opt_f64("mu")?.unwrap_or(0.0),
        exact: input.opt_bool("exact")?.into(),
        correct: input.opt_bool("correct")?.unwrap_or(true),
        alternative: alternative(input)?,
    })
}

pub(super) fn wilcoxon_signed_rank(input: &Input<'_>) -> Result<Value, MethodError> {
    let y = input.opt_f64s("y")?;
    to_value(&rank::wilcoxon_signed_rank(
        &input.f64s("x")?,
        y.as_deref(),
        &options(input)?,
    )?)
}

pub(super) fn mann_whitney(input: &Input<'_>) -> Result<Value, MethodError> {
    to_value(&rank::mann_whitney(
        &input.f64s("x")?,
        &input.f64s("y")?,
        &options(input)?,
    )?)
}
