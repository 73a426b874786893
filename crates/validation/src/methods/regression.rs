//! Adapters: linear_model gee.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn linear_model(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn gee(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
