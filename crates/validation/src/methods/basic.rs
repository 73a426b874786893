//! Adapters: quantiles p_adjust anova_oneway lsd locf sample_size_two_proportions power_two_proportions sample_size_logrank.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn quantiles(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn p_adjust(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn anova_oneway(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn lsd(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn locf(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn sample_size_two_proportions(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn power_two_proportions(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn sample_size_logrank(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
