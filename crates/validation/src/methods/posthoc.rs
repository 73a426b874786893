//! Adapters: Dunn and Nemenyi post-hoc tests.

use rct_stats::multiplicity::AdjustMethod;
use rct_stats::rank::posthoc;
use serde_json::Value;

use super::{
    json::{to_value, Input},
    MethodError,
};

pub(super) fn dunn(input: &Input<'_>) -> Result<Value, MethodError> {
    let g = input.f64_rows("groups")?;
    let refs: Vec<&[f64]> = g.iter().map(Vec::as_slice).collect();
    let adjust: AdjustMethod = input.opt_str("p_adjust")?.unwrap_or("none").parse()?;
    to_value(&posthoc::dunn(&refs, adjust)?)
}

pub(super) fn nemenyi_kruskal(input: &Input<'_>) -> Result<Value, MethodError> {
    let g = input.f64_rows("groups")?;
    let refs: Vec<&[f64]> = g.iter().map(Vec::as_slice).collect();
    to_value(&posthoc::nemenyi_kruskal(&refs)?)
}

pub(super) fn nemenyi_friedman(input: &Input<'_>) -> Result<Value, MethodError> {
    to_value(&posthoc::nemenyi_friedman(&input.f64_rows("y")?)?)
}
