//! Adapters: cox_ph.

use serde_json::Value;

use super::{json::Input, MethodError};

pub(super) fn cox_ph(_input: &Input<'_>) -> Result<Value, MethodError> {
    Err(MethodError::NotImplemented)
}
