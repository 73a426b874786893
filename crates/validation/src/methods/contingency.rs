//! Adapters: chi_square fisher_exact cmh.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn chi_square(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn fisher_exact(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn cmh(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
