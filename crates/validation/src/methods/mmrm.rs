//! Adapters: mmrm.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn mmrm(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
