//! Adapters: quantiles, p_adjust, one-way ANOVA, LSD, LOCF, sample size and power.

use rct_stats::{anova, descriptive, missing, multiplicity, power, StatsError};
use serde_json::{json, Value};

use super::{
    json::{to_value, Input},
    MethodError,
};

fn groups(input: &Input<'_>) -> Result<Vec<Vec<f64>>, MethodError> {
    input.f64_rows("groups")
}

fn as_refs(groups: &[Vec<f64>]) -> Vec<&[f64]> {
    groups.iter().map(Vec::as_slice).collect()
}

pub(super) fn quantiles(input: &Input<'_>) -> Result<Value, MethodError> {
    let t = input.f64("type")?;
    let kind = if t.fract() == 0.0 && (0.0..=255.0).contains(&t) {
        descriptive::QuantileType::try_from(t as u8)?
    } else {
        return Err(StatsError::OutOfRange {
            argument: "type".into(),
            value: t,
            expected: "must be an integer from 1 to 9".into(),
        }
        .into());
    };
    let values = descriptive::quantiles(&input.f64s("x")?, &input.f64s("probs")?, kind)?;
    Ok(json!({ "values": values }))
}

pub(super) fn p_adjust(input: &Input<'_>) -> Result<Value, MethodError> {
    let method: multiplicity::AdjustMethod = input.str("method")?.parse()?;
    let adjusted = multiplicity::p_adjust(&input.f64s("p")?, method)?;
    Ok(json!({ "adjusted": adjusted }))
}

pub(super) fn anova_oneway(input: &Input<'_>) -> Result<Value, MethodError> {
    let g = groups(input)?;
    to_value(&anova::anova_oneway(&as_refs(&g))?)
}

pub(super) fn lsd(input: &Input<'_>) -> Result<Value, MethodError> {
    let g = groups(input)?;
    to_value(&anova::lsd(&as_refs(&g))?)
}

pub(super) fn locf(input: &Input<'_>) -> Result<Value, MethodError> {
    let id = super::survival::keys(input.labels("id")?, "id")?;
    let y: Vec<Option<f64>> = input
        .f64s("y")?
        .into_iter()
        .map(|v| (!v.is_nan()).then_some(v))
        .collect();
    let filled = missing::locf(&id, &input.f64s("time")?, &y)?;
    Ok(json!({ "y": filled }))
}

fn design(input: &Input<'_>) -> Result<power::TwoProportions, MethodError> {
    Ok(power::TwoProportions {
        p1: input.f64("p1")?,
        p2: input.f64("p2")?,
        alpha: input.f64("alpha")?,
        sides: input
            .opt_str("alternative")?
            .unwrap_or("two.sided")
            .parse()?,
        method: input.str("method")?.parse()?,
    })
}

pub(super) fn sample_size_two_proportions(input: &Input<'_>) -> Result<Value, MethodError> {
    to_value(&power::sample_size_two_proportions(
        &design(input)?,
        input.f64("power")?,
    )?)
}

pub(super) fn power_two_proportions(input: &Input<'_>) -> Result<Value, MethodError> {
    to_value(&power::power_two_proportions(
        &design(input)?,
        input.f64("n_per_group")?,
    )?)
}

pub(super) fn sample_size_logrank(input: &Input<'_>) -> Result<Value, MethodError> {
    to_value(&power::sample_size_logrank(
        input.f64("hazard_ratio")?,
        input.f64("alpha")?,
        input.f64("power")?,
        input.f64("allocation")?,
        input.str("method")?.parse()?,
    )?)
}
