//! The one error type of `rct-stats`.

/// Why a statistical method could not produce a result.
///
/// Every variant names the offending argument so a caller (the CLI, the
/// analysis engine, the web service) can point the user at the bad input.
/// Messages are lower-case and end with a hint where one helps.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// An input that must hold observations holds none.
    #[error("`{argument}` is empty; at least {needed} value(s) are needed")]
    Empty {
        /// The argument, e.g. `groups[2]`.
        argument: String,
        /// How many values the method needs.
        needed: usize,
    },
    /// Too few observations, groups or conditions for the method.
    #[error("`{argument}` has {found}, but the method needs at least {needed}")]
    TooFew {
        /// The argument, e.g. `groups`.
        argument: String,
        /// The minimum.
        needed: usize,
        /// What was given.
        found: usize,
    },
    /// Two inputs that must have the same length do not.
    #[error(
        "`{argument}` has length {found}, but {expected} was expected (it must match `{other}`)"
    )]
    LengthMismatch {
        /// The argument whose length is wrong.
        argument: String,
        /// The argument it must match.
        other: String,
        /// The expected length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A value is NaN, infinite or missing.
    #[error("`{argument}[{index}]` is missing or not finite; remove or impute it first")]
    NonFinite {
        /// The argument.
        argument: String,
        /// Zero-based position of the value.
        index: usize,
    },
    /// A value lies outside the allowed range.
    #[error("`{argument}` = {value} is out of range: {expected}")]
    OutOfRange {
        /// The argument.
        argument: String,
        /// The value given.
        value: f64,
        /// A description of the allowed range, e.g. `must be in (0, 1)`.
        expected: String,
    },
    /// The data make the statistic undefined (zero variance, a zero margin,
    /// all observations tied, ...).
    #[error("the statistic is undefined for these data: {reason}")]
    Degenerate {
        /// Why, in words.
        reason: String,
    },
    /// An option given by name is not known.
    #[error("unknown {what} `{name}`; expected one of: {expected}")]
    UnknownOption {
        /// What kind of option, e.g. `p-value adjustment method`.
        what: String,
        /// The name given.
        name: String,
        /// The accepted names.
        expected: String,
    },
    /// A matrix that must be inverted is singular (e.g. collinear columns).
    #[error("the {what} matrix is singular{hint}")]
    Singular {
        /// Which matrix.
        what: String,
        /// A hint, starting with `; ` when present.
        hint: String,
    },
    /// An iterative fit did not converge.
    #[error("the fit did not converge in {iterations} iterations (last change {last_change:e})")]
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// The last change in the convergence criterion.
        last_change: f64,
    },
    /// The exact computation would need more work than the limit allows.
    #[error("the exact computation is too large: {reason}")]
    TooLarge {
        /// Why, with the size involved.
        reason: String,
    },
}

#[allow(dead_code)] // constructors used as methods land
impl StatsError {
    pub(crate) fn out_of_range(argument: impl Into<String>, value: f64, expected: &str) -> Self {
        StatsError::OutOfRange {
            argument: argument.into(),
            value,
            expected: expected.to_string(),
        }
    }

    pub(crate) fn degenerate(reason: impl Into<String>) -> Self {
        StatsError::Degenerate {
            reason: reason.into(),
        }
    }
}
