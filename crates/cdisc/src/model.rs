//! The neutral dataset model every codec reads into and writes from.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use crate::error::{CdiscError, Location};

mod text;

pub use text::{TextColumn, TextIter};

/// Whether a variable holds numbers or text (SAS has only these two types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VarKind {
    /// A double (SAS numeric); dates and times are numerics with a format.
    Numeric,
    /// Text (SAS character).
    Character,
}

/// A SAS format or informat: a name, a width and a number of decimals, as in
/// `DATE9.`, `8.2`, `$CHAR20.` or `E8601DT19.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Format {
    /// The name without width and dot (`DATE`, `$CHAR`, or empty for `8.2`).
    pub name: String,
    /// The width (0 when none was given).
    pub width: u16,
    /// The number of decimals (0 when none was given).
    pub decimals: u16,
}

impl Format {
    /// A format from its parts.
    pub fn new(name: impl Into<String>, width: u16, decimals: u16) -> Self {
        Format {
            name: name.into(),
            width,
            decimals,
        }
    }

    /// Parses the usual SAS spelling: `DATE9.`, `8.2`, `$20.`, `BEST12.`,
    /// `E8601DA.`; the trailing dot may be missing. Returns `None` for text
    /// that is not a format.
    pub fn parse(text: &str) -> Option<Format> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let t = t.to_ascii_uppercase();
        // Split "NAME<width>.<decimals>": the name may itself end in digits
        // (E8601DA, B8601DT), so the width is the run of digits right before
        // the dot, or, without a dot, the name is everything.
        let (head, decimals) = match t.find('.') {
            Some(dot) => {
                let dec = &t[dot + 1..];
                let decimals = if dec.is_empty() {
                    0
                } else {
                    dec.parse::<u16>().ok()?
                };
                (&t[..dot], decimals)
            }
            None => (t.as_str(), 0),
        };
        if !t.contains('.') {
            if !head
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'$' || b == b'_')
            {
                return None;
            }
            return Some(Format::new(head, 0, 0));
        }
        let digits = head.bytes().rev().take_while(u8::is_ascii_digit).count();
        let (name, width) = head.split_at(head.len() - digits);
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'$' || b == b'_')
        {
            return None;
        }
        let width = if width.is_empty() {
            0
        } else {
            width.parse::<u16>().ok()?
        };
        Some(Format::new(name, width, decimals))
    }

    /// What the format says about the meaning of a numeric value.
    pub fn temporal(&self) -> Temporal {
        temporal_of(&self.name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if self.width > 0 {
            write!(f, "{}", self.width)?;
        }
        f.write_str(".")?;
        if self.decimals > 0 {
            write!(f, "{}", self.decimals)?;
        }
        Ok(())
    }
}

/// The meaning a format gives a SAS numeric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporal {
    /// A plain number.
    None,
    /// Days since 1960-01-01.
    Date,
    /// Seconds since 1960-01-01T00:00:00.
    DateTime,
    /// Seconds since midnight.
    Time,
}

fn temporal_of(name: &str) -> Temporal {
    const DATES: &[&str] = &[
        "DATE", "E8601DA", "IS8601DA", "B8601DA", "YYMMDD", "YYMMDDN", "YYMMDDD", "YYMMDDS",
        "YYMMDDP", "YYMMDDB", "YYMMDDC", "MMDDYY", "MMDDYYN", "MMDDYYD", "MMDDYYS", "DDMMYY",
        "DDMMYYN", "DDMMYYD", "DDMMYYS", "WORDDATE", "WORDDATX", "WEEKDATE", "WEEKDATX", "MONYY",
        "YYMON", "NLDATE", "EURDFDE", "DAY", "JULIAN", "MMYY", "YYMM", "YYQ", "YEAR", "MONTH",
        "QTR", "DOWNAME", "MONNAME",
    ];
    const DATETIMES: &[&str] = &[
        "DATETIME", "E8601DT", "IS8601DT", "B8601DT", "DATEAMPM", "DTDATE", "NLDATM", "E8601DZ",
        "IS8601DZ", "MDYAMPM",
    ];
    const TIMES: &[&str] = &[
        "TIME", "E8601TM", "IS8601TM", "B8601TM", "TOD", "HHMM", "HOUR", "TIMEAMPM", "MMSS",
    ];
    let n = name.to_ascii_uppercase();
    if DATES.contains(&n.as_str()) {
        Temporal::Date
    } else if DATETIMES.contains(&n.as_str()) {
        Temporal::DateTime
    } else if TIMES.contains(&n.as_str()) {
        Temporal::Time
    } else {
        Temporal::None
    }
}

/// One variable's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Variable {
    /// The name (`USUBJID`).
    pub name: String,
    /// The label (`Unique Subject Identifier`), empty when none.
    pub label: String,
    /// Numeric or character.
    pub kind: VarKind,
    /// The storage length in bytes: 2 to 8 for a numeric (8 is a full
    /// double), the maximum byte length for a character variable.
    pub length: usize,
    /// The display format, if any.
    pub format: Option<Format>,
    /// The informat, if any.
    pub informat: Option<Format>,
    /// The position of the variable in the dataset's sort key (1 for the
    /// first key), as Dataset-JSON's `keySequence` and define.xml's
    /// `KeySequence` give it; XPORT has no place for it.
    pub key_sequence: Option<u32>,
}

impl Variable {
    /// A numeric variable of length 8 with no label or format.
    pub fn numeric(name: impl Into<String>) -> Self {
        Variable {
            name: name.into(),
            label: String::new(),
            kind: VarKind::Numeric,
            length: 8,
            format: None,
            informat: None,
            key_sequence: None,
        }
    }

    /// A character variable of `length` bytes with no label or format.
    pub fn character(name: impl Into<String>, length: usize) -> Self {
        Variable {
            name: name.into(),
            label: String::new(),
            kind: VarKind::Character,
            length,
            format: None,
            informat: None,
            key_sequence: None,
        }
    }

    /// Sets the label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets the format.
    #[must_use]
    pub fn with_format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Sets the informat.
    #[must_use]
    pub fn with_informat(mut self, informat: Format) -> Self {
        self.informat = Some(informat);
        self
    }

    /// Sets the storage length.
    #[must_use]
    pub fn with_length(mut self, length: usize) -> Self {
        self.length = length;
        self
    }

    /// What the variable's format says its numbers mean (dates, times).
    pub fn temporal(&self) -> Temporal {
        match (&self.kind, &self.format) {
            (VarKind::Numeric, Some(f)) => f.temporal(),
            _ => Temporal::None,
        }
    }
}

/// A SAS missing value: `.`, `._` or `.A` to `.Z`. They are distinct values
/// in SAS (and ordered `._ < . < .A < ... < .Z`), so the model keeps them
/// apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Missing {
    /// `._`
    Underscore,
    /// `.`, the ordinary missing value.
    Dot,
    /// `.A` to `.Z` (the byte is `b'A'..=b'Z'`).
    Letter(u8),
}

impl Missing {
    /// The missing value written as SAS shows it (`.`, `._`, `.A`).
    pub fn as_str(self) -> String {
        match self {
            Missing::Dot => ".".into(),
            Missing::Underscore => "._".into(),
            Missing::Letter(b) => format!(".{}", b as char),
        }
    }

    /// Parses `.`, `._`, `.A`..`.Z` (letters in either case).
    pub fn parse(text: &str) -> Option<Missing> {
        match text.as_bytes() {
            [b'.'] => Some(Missing::Dot),
            [b'.', b'_'] => Some(Missing::Underscore),
            [b'.', c] if c.is_ascii_alphabetic() => Some(Missing::Letter(c.to_ascii_uppercase())),
            _ => None,
        }
    }
}

/// A numeric column: `None` is missing, and the kind of each missing value
/// other than `.` is kept on the side (they are rare).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NumericColumn {
    values: Vec<Option<f64>>,
    special: BTreeMap<usize, Missing>,
}

impl NumericColumn {
    /// An empty column.
    pub fn new() -> Self {
        NumericColumn::default()
    }

    /// An empty column with room for `n` values.
    pub fn with_capacity(n: usize) -> Self {
        NumericColumn {
            values: Vec::with_capacity(n),
            special: BTreeMap::new(),
        }
    }

    /// A column of values in which every missing value is `.`. NaN is
    /// stored as `.` too (a SAS numeric cannot be NaN).
    pub fn from_values(values: Vec<Option<f64>>) -> Self {
        let values = values
            .into_iter()
            .map(|v| v.filter(|x| !x.is_nan()))
            .collect();
        NumericColumn {
            values,
            special: BTreeMap::new(),
        }
    }

    /// Appends a value (`None` or NaN: `.`).
    pub fn push(&mut self, value: Option<f64>) {
        self.values.push(value.filter(|x| !x.is_nan()));
    }

    /// Appends a missing value of the given kind.
    pub fn push_missing(&mut self, missing: Missing) {
        if missing != Missing::Dot {
            self.special.insert(self.values.len(), missing);
        }
        self.values.push(None);
    }

    /// The values; `None` is missing (of any kind).
    pub fn values(&self) -> &[Option<f64>] {
        &self.values
    }

    /// The value at `row` (`None` when missing or out of range).
    pub fn get(&self, row: usize) -> Option<f64> {
        self.values.get(row).copied().flatten()
    }

    /// The kind of missing value at `row`, or `None` when the value is
    /// present (or `row` out of range).
    pub fn missing(&self, row: usize) -> Option<Missing> {
        match self.values.get(row) {
            Some(None) => Some(self.special.get(&row).copied().unwrap_or(Missing::Dot)),
            _ => None,
        }
    }

    /// Whether any missing value is a special one (`._`, `.A`-`.Z`).
    pub fn has_special_missing(&self) -> bool {
        !self.special.is_empty()
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The data of one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers (and missing values).
    Numeric(NumericColumn),
    /// Text; SAS has no missing text other than the empty string.
    Character(TextColumn),
}

impl Column {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(c) => c.len(),
            Column::Character(c) => c.len(),
        }
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kind of values held.
    pub fn kind(&self) -> VarKind {
        match self {
            Column::Numeric(_) => VarKind::Numeric,
            Column::Character(_) => VarKind::Character,
        }
    }

    /// The numeric column, if this is one.
    pub fn as_numeric(&self) -> Option<&NumericColumn> {
        match self {
            Column::Numeric(c) => Some(c),
            Column::Character(_) => None,
        }
    }

    /// The text column, if this is one.
    pub fn as_character(&self) -> Option<&TextColumn> {
        match self {
            Column::Character(c) => Some(c),
            Column::Numeric(_) => None,
        }
    }
}

/// A dataset (an SDTM domain, an ADaM dataset, an XPORT member): a name, a
/// label, variables and one column per variable, all of the same length.
///
/// Built only through [`Dataset::new`], which checks that the columns match
/// the variables, so every codec can trust a `Dataset`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    name: String,
    label: String,
    variables: Vec<Variable>,
    columns: Vec<Column>,
}

impl Dataset {
    /// Builds a dataset, checking that there is one column per variable, of
    /// the variable's kind, all columns of one length, and that no two
    /// variables share a name (ignoring case, as SAS does).
    ///
    /// # Errors
    /// [`CdiscError::Invalid`] naming the dataset and variable at fault.
    ///
    /// # Example
    /// ```
    /// use rct_cdisc::{Column, Dataset, NumericColumn, Variable};
    /// let ds = Dataset::new(
    ///     "DM",
    ///     "Demographics",
    ///     vec![Variable::character("USUBJID", 8), Variable::numeric("AGE")],
    ///     vec![
    ///         Column::Character(vec!["01-001"].into()),
    ///         Column::Numeric(NumericColumn::from_values(vec![Some(63.0)])),
    ///     ],
    /// )?;
    /// assert_eq!(ds.n_rows(), 1);
    /// # Ok::<(), rct_cdisc::CdiscError>(())
    /// ```
    pub fn new(
        name: impl Into<String>,
        label: impl Into<String>,
        variables: Vec<Variable>,
        columns: Vec<Column>,
    ) -> Result<Self, CdiscError> {
        let name = name.into();
        let at = || Location::file(format!("dataset {name}"));
        if variables.len() != columns.len() {
            return Err(CdiscError::Invalid {
                at: at(),
                problem: format!(
                    "{} variables but {} columns",
                    variables.len(),
                    columns.len()
                ),
            });
        }
        let n = columns.first().map_or(0, Column::len);
        let mut seen = HashSet::new();
        for (v, c) in variables.iter().zip(&columns) {
            if v.name.is_empty() {
                return Err(CdiscError::Invalid {
                    at: at(),
                    problem: "a variable has an empty name".into(),
                });
            }
            if !seen.insert(v.name.to_ascii_uppercase()) {
                return Err(CdiscError::Invalid {
                    at: at().variable(&v.name),
                    problem: "duplicate variable name".into(),
                });
            }
            if v.kind != c.kind() {
                return Err(CdiscError::Invalid {
                    at: at().variable(&v.name),
                    problem: format!("variable is {:?} but its column is {:?}", v.kind, c.kind()),
                });
            }
            if c.len() != n {
                return Err(CdiscError::Invalid {
                    at: at().variable(&v.name),
                    problem: format!("column has {} values, expected {n}", c.len()),
                });
            }
        }
        Ok(Dataset {
            name,
            label: label.into(),
            variables,
            columns,
        })
    }

    /// The dataset's name (`ADSL`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The dataset's label (`Subject-Level Analysis Dataset`).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The variables, in order.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// The columns, in the order of the variables.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// The index of the variable `name` (ignoring case, as SAS does).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.variables
            .iter()
            .position(|v| v.name.eq_ignore_ascii_case(name))
    }

    /// The variable and column called `name` (ignoring case).
    pub fn get(&self, name: &str) -> Option<(&Variable, &Column)> {
        let i = self.index_of(name)?;
        Some((self.variables.get(i)?, self.columns.get(i)?))
    }

    /// Renames the dataset.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Takes the dataset apart into name, label, variables and columns.
    pub fn into_parts(self) -> (String, String, Vec<Variable>, Vec<Column>) {
        (self.name, self.label, self.variables, self.columns)
    }
}
