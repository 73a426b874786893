//! Adapters: kaplan_meier logrank two_stage_crossing.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn kaplan_meier(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn logrank(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn two_stage_crossing(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
