//! Adapters: dunn nemenyi_kruskal nemenyi_friedman.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn dunn(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn nemenyi_kruskal(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn nemenyi_friedman(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
