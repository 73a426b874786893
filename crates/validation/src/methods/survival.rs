//! Adapters: Kaplan-Meier, log-rank, two-stage test for crossing hazards.

use rct_stats::survival::{self, KaplanMeierOptions, LogrankOptions, SurvivalData};
use serde_json::Value;

use super::{
    json::{to_value, Input, Label},
    MethodError,
};

fn data(input: &Input<'_>) -> Result<SurvivalData, MethodError> {
    Ok(SurvivalData::new(
        &input.f64s("time")?,
        &input.f64s("event")?,
    )?)
}

/// Sortable label keys: numbers in numeric order, strings by code point
/// (FORMAT.md); a missing label is an error for the method.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(untagged)]
pub(super) enum Key {
    Number(i128),
    Text(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Number(k) => {
                // Invert the order-preserving map back to the number.
                let bits = *k as i64;
                let bits = if bits < 0 { i64::MIN - bits } else { bits };
                write!(f, "{}", f64::from_bits(bits as u64))
            }
            Key::Text(s) => f.write_str(s),
        }
    }
}

pub(super) fn keys(labels: Vec<Label>, what: &str) -> Result<Vec<Key>, MethodError> {
    labels
        .into_iter()
        .enumerate()
        .map(|(i, l)| match l {
            Label::Number(v) if v.is_finite() => {
                let bits = v.to_bits() as i64;
                Ok(Key::Number(i128::from(if bits < 0 {
                    i64::MIN - bits
                } else {
                    bits
                })))
            }
            Label::Text(s) => Ok(Key::Text(s)),
            _ => Err(MethodError::Method(rct_stats::StatsError::NonFinite {
                argument: what.into(),
                index: i,
            })),
        })
        .collect()
}

pub(super) fn kaplan_meier(input: &Input<'_>) -> Result<Value, MethodError> {
    let opts = KaplanMeierOptions {
        conf_type: input.opt_str("conf_type")?.unwrap_or("log").parse()?,
        conf_level: input.opt_f64("conf_level")?.unwrap_or(0.95),
    };
    to_value(&survival::kaplan_meier(&data(input)?, &opts)?)
}

pub(super) fn logrank(input: &Input<'_>) -> Result<Value, MethodError> {
    let d = data(input)?;
    let group = keys(input.labels("group")?, "group")?;
    let strata = match input.get("strata") {
        Some(v) if !v.is_null() => Some(keys(input.labels("strata")?, "strata")?),
        _ => None,
    };
    let opts = LogrankOptions {
        rho: input.opt_f64("rho")?.unwrap_or(0.0),
    };
    let r = survival::logrank(&d, &group, strata.as_deref(), &opts)?;
    let mut v = to_value(&r)?;
    // Labels are internal keys here; the comparison needs only the numbers.
    if let Some(obj) = v.as_object_mut() {
        obj.remove("groups");
    }
    Ok(v)
}

pub(super) fn two_stage_crossing(input: &Input<'_>) -> Result<Value, MethodError> {
    let d = data(input)?;
    let group = keys(input.labels("group")?, "group")?;
    let defaults = survival::TwoStageOptions::default();
    let nboot = input.opt_f64("nboot")?.unwrap_or(defaults.nboot as f64);
    if !(nboot.is_finite() && nboot >= 1.0 && nboot.fract() == 0.0 && nboot <= 1e7) {
        return Err(rct_stats::StatsError::OutOfRange {
            argument: "nboot".into(),
            value: nboot,
            expected: "must be a positive integer".into(),
        }
        .into());
    }
    let opts = survival::TwoStageOptions {
        nboot: nboot as usize,
        eps: input.opt_f64("eps")?.unwrap_or(defaults.eps),
        alpha: input.opt_f64("alpha")?.unwrap_or(defaults.alpha),
        seed: input.opt_f64("seed")?.map_or(defaults.seed, |s| s as u64),
    };
    to_value(&survival::two_stage_crossing(&d, &group, &opts)?)
}
