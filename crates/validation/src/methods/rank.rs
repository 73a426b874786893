//! Adapters: kruskal_wallis friedman wilcoxon_signed_rank mann_whitney.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn kruskal_wallis(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn friedman(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn wilcoxon_signed_rank(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}

pub(super) fn mann_whitney(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
