//! The one error type of `rct-cdisc`.

use std::fmt;

/// Where in an input a problem sits: the file, then the record or line, then
/// the variable. Every reader fills in as much as it knows, so a message
/// reads "`adsl.xpt`: observation 12, variable `AGE`: ...".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Location {
    /// The file (or `<input>` when reading from memory).
    pub file: String,
    /// The record, line or observation, as people count it (1-based), with
    /// its unit: "record 7" (an 80-byte XPORT record), "observation 12",
    /// "line 3", "row 5".
    pub record: Option<(RecordKind, u64)>,
    /// The variable, when the problem belongs to one.
    pub variable: Option<String>,
}

/// What a record number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordKind {
    /// An 80-byte SAS XPORT record (header or data), 1-based.
    Record,
    /// An observation (row) of an XPORT member, 1-based.
    Observation,
    /// A line of a text file (CSV, NDJSON), 1-based.
    Line,
    /// A row of a Dataset-JSON `rows` array, 1-based.
    Row,
    /// A variable's NAMESTR entry in an XPORT member, 1-based.
    Namestr,
}

impl Location {
    /// A location in `file` alone.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            record: None,
            variable: None,
        }
    }

    /// The same location at record `n` of kind `kind`.
    #[must_use]
    pub fn at(mut self, kind: RecordKind, n: u64) -> Self {
        self.record = Some((kind, n));
        self
    }

    /// The same location, narrowed to `variable`.
    #[must_use]
    pub fn variable(mut self, variable: impl Into<String>) -> Self {
        self.variable = Some(variable.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.file)?;
        if let Some((kind, n)) = self.record {
            let unit = match kind {
                RecordKind::Record => "record",
                RecordKind::Observation => "observation",
                RecordKind::Line => "line",
                RecordKind::Row => "row",
                RecordKind::Namestr => "variable entry",
            };
            write!(f, ", {unit} {n}")?;
        }
        if let Some(v) = &self.variable {
            write!(f, ", variable `{v}`")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong reading, building or writing a dataset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CdiscError {
    /// The file could not be read or written.
    #[error("`{file}`: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The input ends before a record it announces is complete.
    #[error("{at}: truncated: {problem}")]
    Truncated {
        /// Where.
        at: Location,
        /// What was expected.
        problem: String,
    },
    /// A header or structural record is not what the format requires.
    #[error("{at}: bad header: {problem}")]
    BadHeader {
        /// Where.
        at: Location,
        /// What was wrong, with what was expected.
        problem: String,
    },
    /// A value does not fit its variable (text in a numeric column, a date
    /// that is not an ISO 8601 date, bytes that are not UTF-8, ...).
    #[error("{at}: bad value {value:?}: {problem}")]
    BadValue {
        /// Where (always names the variable).
        at: Location,
        /// The offending value as text (shortened when long).
        value: String,
        /// What was wrong, with a hint.
        problem: String,
    },
    /// The input is not valid JSON or CSV at all.
    #[error("{at}: {problem}")]
    Syntax {
        /// Where.
        at: Location,
        /// The parser's complaint.
        problem: String,
    },
    /// The dataset's metadata breaks a rule of the model or of the target
    /// format (a name too long for XPORT, a duplicate variable, columns of
    /// different lengths, a kind that does not match its column).
    #[error("{at}: invalid metadata: {problem}")]
    Invalid {
        /// Where (the dataset or file, and the variable when there is one).
        at: Location,
        /// The rule that was broken.
        problem: String,
    },
    /// A value can be held in memory but not in the target format (e.g. a
    /// number beyond the range of IBM floating point for XPORT).
    #[error("{at}: value {value} cannot be written: {problem}")]
    NotRepresentable {
        /// Where.
        at: Location,
        /// The value.
        value: String,
        /// Why, with a hint.
        problem: String,
    },
    /// A multi-member XPORT file has no member of the requested name, or
    /// more than one member where one was expected.
    #[error("`{file}`: {problem} (members: {})", members.join(", "))]
    Member {
        /// The file.
        file: String,
        /// What was asked for and not found.
        problem: String,
        /// The members the file holds.
        members: Vec<String>,
    },
    /// A file extension names no format rct reads or writes.
    #[error("`{file}`: unknown format; use .xpt, .json, .ndjson or .csv")]
    UnknownFormat {
        /// The file.
        file: String,
    },
}

impl CdiscError {
    /// Replaces the `<input>` placeholder in the error's location with the
    /// file name, so that errors from in-memory readers name the file once
    /// the caller knows it.
    #[must_use]
    pub fn in_file(mut self, file: &str) -> Self {
        match &mut self {
            CdiscError::Io { file: f, .. } | CdiscError::Member { file: f, .. } => {
                if f == INPUT {
                    *f = file.to_owned();
                }
            }
            CdiscError::UnknownFormat { file: f } => {
                if f == INPUT {
                    *f = file.to_owned();
                }
            }
            CdiscError::Truncated { at, .. }
            | CdiscError::BadHeader { at, .. }
            | CdiscError::BadValue { at, .. }
            | CdiscError::Syntax { at, .. }
            | CdiscError::Invalid { at, .. }
            | CdiscError::NotRepresentable { at, .. } => {
                if at.file == INPUT {
                    at.file = file.to_owned();
                }
            }
        }
        self
    }

    /// The location of the problem, when the error has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            CdiscError::Truncated { at, .. }
            | CdiscError::BadHeader { at, .. }
            | CdiscError::BadValue { at, .. }
            | CdiscError::Syntax { at, .. }
            | CdiscError::Invalid { at, .. }
            | CdiscError::NotRepresentable { at, .. } => Some(at),
            _ => None,
        }
    }
}

/// The file name used by readers that read from memory; see
/// [`CdiscError::in_file`].
pub const INPUT: &str = "<input>";

/// Shortens a value for an error message.
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let mut s: String = value.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// A number for an error message: plain, or in exponent form when plain
/// would be long.
pub(crate) fn show_number(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-5..1e16).contains(&a) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}
