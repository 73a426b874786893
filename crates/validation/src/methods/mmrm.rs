//! Adapters: mmrm.

use rct_stats::models::mmrm::{mmrm as fit_mmrm, Covariance, Estimation, MmrmData, MmrmOptions};
use rct_stats::StatsError;
use serde_json::Value;

use super::json::{Input, Label};
use super::{json, MethodError};

/// A label as text: numbers in their shortest form (`8`, `2.5`), so numeric
/// visits order numerically. A missing label is a missing value the method
/// must reject.
fn label_text(labels: Vec<Label>, argument: &str) -> Result<Vec<String>, MethodError> {
    labels
        .into_iter()
        .enumerate()
        .map(|(index, l)| match l {
            Label::Text(s) => Ok(s),
            Label::Number(x) if x.is_finite() => Ok(format!("{x}")),
            Label::Number(_) | Label::Missing => Err(MethodError::Method(StatsError::NonFinite {
                argument: argument.into(),
                index,
            })),
        })
        .collect()
}

pub(super) fn mmrm(input: &Input<'_>) -> Result<Value, MethodError> {
    let id = label_text(input.labels("id")?, "id")?;
    let visit = label_text(input.labels("visit")?, "visit")?;
    let y = input.f64s("y")?;
    let x = input.columns("x")?;
    let covariance: Covariance = input
        .opt_str("covariance")?
        .unwrap_or("unstructured")
        .parse()?;
    let estimation: Estimation = input.opt_str("method")?.unwrap_or("REML").parse()?;
    let data = MmrmData::new(&id, &visit, &y, &x)?;
    let options = MmrmOptions::default()
        .covariance(covariance)
        .estimation(estimation);
    json::to_value(&fit_mmrm(&data, &options)?)
}
