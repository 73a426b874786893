//! Adapters: chi-square, Fisher's exact test, Cochran-Mantel-Haenszel.

use rct_stats::contingency::{self, Table};
use serde_json::Value;

use super::{
    json::{to_value, Input},
    MethodError,
};

pub(super) fn chi_square(input: &Input<'_>) -> Result<Value, MethodError> {
    let table = Table::new(&input.f64_rows("table")?)?;
    to_value(&contingency::chi_square(
        &table,
        input.opt_bool("correct")?.unwrap_or(true),
    )?)
}

pub(super) fn fisher_exact(input: &Input<'_>) -> Result<Value, MethodError> {
    let table = Table::new(&input.f64_rows("table")?)?;
    to_value(&contingency::fisher_exact(&table)?)
}

pub(super) fn cmh(input: &Input<'_>) -> Result<Value, MethodError> {
    to_value(&contingency::cmh(
        &input.f64_matrices("tables")?,
        input.opt_bool("correct")?.unwrap_or(true),
    )?)
}
