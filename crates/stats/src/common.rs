//! Types and checks shared by every method.

use crate::StatsError;

/// The alternative hypothesis of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alternative {
    /// `H1: theta != theta0`.
    #[default]
    TwoSided,
    /// `H1: theta < theta0`.
    Less,
    /// `H1: theta > theta0`.
    Greater,
}

/// A remark a method makes about its result (a method switched, a warning R
/// would print). Library code never prints; it returns notes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note(pub String);

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that every value of `values` is finite.
pub(crate) fn check_finite(argument: &str, values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            argument: argument.to_string(),
            index,
        }),
        None => Ok(()),
    }
}

/// Checks that an input has the length another one fixes.
pub(crate) fn check_same_len(
    argument: impl Into<String>,
    found: usize,
    other: impl Into<String>,
    expected: usize,
) -> Result<(), StatsError> {
    if found == expected {
        return Ok(());
    }
    Err(StatsError::LengthMismatch {
        argument: argument.into(),
        other: other.into(),
        expected,
        found,
    })
}

/// Checks that `values` has at least `needed` elements.
pub(crate) fn check_len(argument: &str, values: &[f64], needed: usize) -> Result<(), StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty {
            argument: argument.to_string(),
            needed,
        });
    }
    if values.len() < needed {
        return Err(StatsError::TooFew {
            argument: argument.to_string(),
            needed,
            found: values.len(),
        });
    }
    Ok(())
}

/// Checks `groups`: at least `min_groups` groups, each non-empty, all finite.
pub(crate) fn check_groups(groups: &[&[f64]], min_groups: usize) -> Result<(), StatsError> {
    if groups.len() < min_groups {
        return Err(StatsError::TooFew {
            argument: "groups".to_string(),
            needed: min_groups,
            found: groups.len(),
        });
    }
    for (g, values) in groups.iter().enumerate() {
        let name = format!("groups[{g}]");
        check_len(&name, values, 1)?;
        check_finite(&name, values)?;
    }
    Ok(())
}

/// Checks that a probability-like parameter lies strictly inside (0, 1).
pub(crate) fn check_open_unit(argument: &str, value: f64) -> Result<(), StatsError> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(StatsError::out_of_range(
            argument,
            value,
            "must be in (0, 1)",
        ))
    }
}

/// Index pairs `(i, j)`, `i < j`, in the order (0,1), (0,2), ..., (1,2), ...
pub fn pairs(k: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..k).flat_map(move |i| (i + 1..k).map(move |j| (i, j)))
}
