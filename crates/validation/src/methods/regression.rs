//! Regression models: linear model, GEE, MMRM.
//! Adapters: linear_model gee gee_bias_reduced gee_score_test.

use rct_stats::models::design::Design;
use rct_stats::models::gee::{GeeData, GeeOptions, SmallSample};
use rct_stats::models::linear_model::linear_model as fit_lm;
use serde_json::Value;

use super::json::{Input, Label};
use super::{json, MethodError};

fn design(input: &Input<'_>, n: usize) -> Result<Design, MethodError> {
    let x = input.columns("x")?;
    let d = Design::new(n, &x)?;
    Ok(match input.opt_terms("terms")? {
        Some(terms) => d.with_terms(&terms)?,
        None => d,
    })
}

pub(super) fn linear_model(input: &Input<'_>) -> Result<Value, MethodError> {
    let y = input.f64s("y")?;
    let d = design(input, y.len())?;
    json::to_value(&fit_lm(&y, &d)?)
}

/// Cluster ids as text keys (`1` and `1.0` are the same id); a missing id
/// stays distinguishable so the method can reject it.
fn ids(input: &Input<'_>) -> Result<Vec<String>, MethodError> {
    input
        .labels("id")?
        .into_iter()
        .enumerate()
        .map(|(i, l)| match l {
            Label::Number(v) => Ok(format!("n{v}")),
            Label::Text(s) => Ok(format!("s{s}")),
            Label::Missing => Err(MethodError::Method(rct_stats::StatsError::NonFinite {
                argument: "id".into(),
                index: i,
            })),
        })
        .collect()
}

fn options(input: &Input<'_>) -> Result<GeeOptions, MethodError> {
    let mut opts = GeeOptions::default()
        .family(input.str("family")?.parse()?)
        .corstr(input.str("corstr")?.parse()?);
    if let Some(c) = input.opt_str("convention")? {
        opts = opts.convention(c.parse()?);
    }
    Ok(opts)
}

pub(super) fn gee(input: &Input<'_>) -> Result<Value, MethodError> {
    let y = input.f64s("y")?;
    let d = design(input, y.len())?;
    let id = ids(input)?;
    let wave = input.f64s("wave")?;
    let opts = options(input)?;
    json::to_value(&GeeData::new(&y, &d, &id, &wave)?.fit(&opts)?)
}

pub(super) fn gee_bias_reduced(input: &Input<'_>) -> Result<Value, MethodError> {
    let y = input.f64s("y")?;
    let d = design(input, y.len())?;
    let id = ids(input)?;
    let wave = input.f64s("wave")?;
    let opts = options(input)?.small_sample(SmallSample::ManclDeRouen);
    json::to_value(&GeeData::new(&y, &d, &id, &wave)?.fit(&opts)?)
}

pub(super) fn gee_score_test(input: &Input<'_>) -> Result<Value, MethodError> {
    let y = input.f64s("y")?;
    let d = design(input, y.len())?;
    let id = ids(input)?;
    let wave = input.f64s("wave")?;
    let opts = options(input)?;
    let tests = GeeData::new(&y, &d, &id, &wave)?.score_tests(&opts)?;
    Ok(serde_json::json!({ "term_tests": json::to_value(&tests)? }))
}
