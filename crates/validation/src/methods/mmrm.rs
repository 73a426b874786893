//! Adapter: MMRM (unstructured covariance, REML).

use rct_stats::models::mmrm::{mmrm as fit, MmrmData};
use rct_stats::StatsError;
use serde_json::Value;

use super::{
    json::{to_value, Input},
    survival::keys,
    MethodError,
};

pub(super) fn mmrm(input: &Input<'_>) -> Result<Value, MethodError> {
    for (key, want) in [("covariance", "unstructured"), ("method", "REML")] {
        if let Some(v) = input.opt_str(key)? {
            if v != want {
                return Err(StatsError::UnknownOption {
                    what: key.into(),
                    name: v.into(),
                    expected: want.into(),
                }
                .into());
            }
        }
    }
    let id = keys(input.labels("id")?, "id")?;
    let visit = keys(input.labels("visit")?, "visit")?;
    let data = MmrmData::new(&id, &input.f64s("y")?, &input.columns("x")?, &visit)?;
    to_value(&fit(&data)?)
}
