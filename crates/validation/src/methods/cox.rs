//! Adapter: Cox proportional hazards.

use rct_stats::survival::{CoxData, CoxOptions, CoxPh, SurvivalData};
use serde_json::Value;

use super::{
    json::{to_value, Input},
    survival::keys,
    MethodError,
};

pub(super) fn cox_ph(input: &Input<'_>) -> Result<Value, MethodError> {
    let surv = SurvivalData::new(&input.f64s("time")?, &input.f64s("event")?)?;
    let strata = match input.get("strata") {
        Some(v) if !v.is_null() => Some(keys(input.labels("strata")?, "strata")?),
        _ => None,
    };
    let data = CoxData::new(surv, &input.columns("x")?, strata.as_deref())?;
    let opts = CoxOptions {
        ties: input.opt_str("ties")?.unwrap_or("efron").parse()?,
        tolerance: 1e-14,
        max_iter: 200,
        ..CoxOptions::default()
    };
    to_value(&CoxPh::new(opts).fit(&data)?)
}
