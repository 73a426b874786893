//! CSV with a header row of variable names (UTF-8).
//!
//! Written by rct: missing numerics as empty fields (special missings as
//! `.A`, `._`, so that they survive), numbers in the shortest text that
//! reads back to the same double (Rust's `Display` for `f64`), and SAS
//! dates, datetimes and times (numerics with a date or time format) as ISO
//! 8601 text, the way Dataset-JSON and R haven present them.
//!
//! CSV carries no labels, lengths or formats. Read with a schema (the
//! variables of the dataset, e.g. from the XPORT or Dataset-JSON file it
//! came from) to get them back exactly; without one, types are inferred:
//! a column whose non-empty fields are all numbers is numeric, all ISO
//! dates (or datetimes) a numeric date (datetime) with an `E8601DA.`
//! (`E8601DT.`) format, anything else character with the longest value's
//! length.

use std::path::Path;

use crate::dates::{from_iso, to_iso};
use crate::error::{shorten, CdiscError, Location, RecordKind, INPUT};
use crate::model::{
    Column, Dataset, Format, Missing, NumericColumn, Temporal, TextColumn, VarKind, Variable,
};

/// The text of a numeric value in rct's CSV (and the ISO text of dates).
fn number_text(x: f64, temporal: Temporal) -> String {
    to_iso(x, temporal).unwrap_or_else(|| x.to_string())
}

/// Writes a dataset as CSV.
///
/// # Errors
/// [`CdiscError::Syntax`] only if the CSV writer fails (it writes to
/// memory, so in practice never).
///
/// # Example
/// ```
/// use rct_cdisc::{csv, Column, Dataset, Format, Missing, NumericColumn, Variable};
/// let mut dt = NumericColumn::new();
/// dt.push(Some(19725.0));
/// dt.push_missing(Missing::Letter(b'A'));
/// let ds = Dataset::new(
///     "LB",
///     "",
///     vec![Variable::numeric("LBDT").with_format(Format::new("DATE", 9, 0)),
///          Variable::numeric("LBSTRESN")],
///     vec![Column::Numeric(dt),
///          Column::Numeric(NumericColumn::from_values(vec![Some(0.1), None]))],
/// )?;
/// let text = String::from_utf8(csv::to_bytes(&ds)?).unwrap();
/// assert_eq!(text, "LBDT,LBSTRESN\n2014-01-02,0.1\n.A,\n");
/// # Ok::<(), rct_cdisc::CdiscError>(())
/// ```
pub fn to_bytes(ds: &Dataset) -> Result<Vec<u8>, CdiscError> {
    if ds.variables().is_empty() {
        // No header at all: the csv crate would write a lone `""` for an
        // empty record, which reads back as one column with an empty name.
        return Ok(Vec::new());
    }
    let fail = |e: ::csv::Error| CdiscError::Syntax {
        at: Location::file(INPUT),
        problem: e.to_string(),
    };
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::with_capacity(ds.n_rows() * ds.variables().len() * 8));
    w.write_record(ds.variables().iter().map(|v| v.name.as_str()))
        .map_err(fail)?;
    let temporal: Vec<Temporal> = ds.variables().iter().map(Variable::temporal).collect();
    let mut record = ::csv::ByteRecord::new();
    for row in 0..ds.n_rows() {
        record.clear();
        for (c, t) in ds.columns().iter().zip(&temporal) {
            match c {
                Column::Character(col) => {
                    record.push_field(col.get(row).map_or(&b""[..], |s| s.as_bytes()));
                }
                Column::Numeric(col) => match col.get(row) {
                    Some(x) => record.push_field(number_text(x, *t).as_bytes()),
                    None => match col.missing(row) {
                        Some(m @ (Missing::Underscore | Missing::Letter(_))) => {
                            record.push_field(m.as_str().as_bytes());
                        }
                        _ => record.push_field(b""),
                    },
                },
            }
        }
        w.write_byte_record(&record).map_err(fail)?;
    }
    w.into_inner().map_err(|e| CdiscError::Syntax {
        at: Location::file(INPUT),
        problem: e.to_string(),
    })
}

/// Writes a dataset as CSV to a path, atomically.
///
/// # Errors
/// As [`to_bytes`], or [`CdiscError::Io`].
pub fn write_path(path: impl AsRef<Path>, ds: &Dataset) -> Result<(), CdiscError> {
    let path = path.as_ref();
    let bytes = to_bytes(ds).map_err(|e| e.in_file(&path.display().to_string()))?;
    crate::write_atomic(path, &bytes)
}

/// Settings for reading CSV.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The dataset's name (CSV has none; [`read_path`] uses the file stem
    /// in upper case when this is empty).
    pub name: String,
    /// The dataset's label.
    pub label: String,
    /// The variables, when known: the header must name exactly these
    /// (in any order, ignoring case); the dataset keeps the schema's order,
    /// kinds, lengths, labels and formats.
    pub schema: Option<Vec<Variable>>,
    /// Read only these columns (names, ignoring case); the others are
    /// parsed as CSV but not stored. Without a schema only.
    pub columns: Option<Vec<String>>,
}

impl ReadOptions {
    /// Reads only the named columns (see [`ReadOptions::columns`]).
    #[must_use]
    pub fn with_columns(mut self, columns: Vec<String>) -> Self {
        self.columns = Some(columns);
        self
    }

    /// Sets the dataset name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the dataset label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Reads with these variables (see [`ReadOptions::schema`]).
    #[must_use]
    pub fn with_schema(mut self, schema: Vec<Variable>) -> Self {
        self.schema = Some(schema);
        self
    }
}

/// Whether `text` looks like a plain decimal number (not `inf`, `NaN`).
fn parse_number(text: &str) -> Option<f64> {
    let first = *text.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Parses one numeric field: empty or a SAS missing, a number, or ISO text
/// for a temporal variable.
fn parse_numeric(text: &str, temporal: Temporal) -> Result<Result<f64, Missing>, ()> {
    if text.is_empty() {
        return Ok(Err(Missing::Dot));
    }
    if let Some(m) = Missing::parse(text) {
        return Ok(Err(m));
    }
    if let Some(x) = parse_number(text) {
        return Ok(Ok(x));
    }
    if temporal != Temporal::None {
        if let Some(x) = from_iso(text, temporal) {
            return Ok(Ok(x));
        }
    }
    Err(())
}

/// Reads CSV (see the module docs for types with and without a schema).
///
/// # Errors
/// [`CdiscError::Syntax`] for malformed CSV or rows of the wrong length
/// (with the line), [`CdiscError::BadValue`] for bytes that are not UTF-8
/// or, with a schema, a value that does not fit its variable (text in a
/// numeric column, an impossible date, text longer than the length),
/// [`CdiscError::Invalid`] when the header does not match the schema or
/// repeats a name.
///
/// # Example
/// ```
/// use rct_cdisc::{csv, VarKind};
/// let ds = csv::from_bytes(b"USUBJID,AGE,RFSTDTC\n01-701-1015,63,2014-01-02\n", &csv::ReadOptions::default())?;
/// assert_eq!(ds.variables()[0].kind, VarKind::Character);
/// assert_eq!(ds.variables()[1].kind, VarKind::Numeric);
/// // An ISO date column becomes a numeric SAS date (days since 1960-01-01).
/// assert_eq!(ds.columns()[2].as_numeric().unwrap().get(0), Some(19725.0));
/// # Ok::<(), rct_cdisc::CdiscError>(())
/// ```
pub fn from_bytes(bytes: &[u8], options: &ReadOptions) -> Result<Dataset, CdiscError> {
    let file = Location::file(INPUT);
    let csv_error = |e: ::csv::Error| {
        let line = e.position().map(|p| p.line());
        let at = match line {
            Some(l) => file.clone().at(RecordKind::Line, l),
            None => file.clone(),
        };
        CdiscError::Syntax {
            at,
            problem: format!("malformed CSV: {e}"),
        }
    };
    let mut r = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header = r.byte_headers().map_err(csv_error)?.clone();
    let at_line1 = file.clone().at(RecordKind::Line, 1);
    let mut names = Vec::with_capacity(header.len());
    for (j, h) in header.iter().enumerate() {
        let name = std::str::from_utf8(h).map_err(|_| CdiscError::BadValue {
            at: at_line1.clone(),
            value: shorten(&String::from_utf8_lossy(h)),
            problem: format!("header field {} is not UTF-8", j + 1),
        })?;
        // A UTF-8 byte-order mark before the first name is not part of it.
        let name = if j == 0 {
            name.trim_start_matches('\u{feff}')
        } else {
            name
        };
        names.push(name.to_owned());
    }
    if names.len() == 1 && names[0].is_empty() && bytes.iter().all(u8::is_ascii_whitespace) {
        names.clear();
    }

    // Map each CSV column to a variable slot.
    let (variables, slot_of_field): (Vec<Variable>, Vec<usize>) = match &options.schema {
        Some(schema) => {
            let mut slots = Vec::with_capacity(names.len());
            let mut used = vec![false; schema.len()];
            for n in &names {
                let Some(k) = schema.iter().position(|v| v.name.eq_ignore_ascii_case(n)) else {
                    return Err(CdiscError::Invalid {
                        at: at_line1.clone().variable(n.clone()),
                        problem: "the header names a column that is not in the schema".into(),
                    });
                };
                if used[k] {
                    return Err(CdiscError::Invalid {
                        at: at_line1.clone().variable(n.clone()),
                        problem: "the header names this column twice".into(),
                    });
                }
                used[k] = true;
                slots.push(k);
            }
            if let Some(k) = used.iter().position(|u| !u) {
                return Err(CdiscError::Invalid {
                    at: at_line1.clone().variable(schema[k].name.clone()),
                    problem: "the schema's variable has no column in the header".into(),
                });
            }
            (schema.clone(), slots)
        }
        None => (
            names
                .iter()
                .map(|n| Variable::character(n.clone(), 0))
                .collect(),
            (0..names.len()).collect(),
        ),
    };

    // A projection keeps some columns: the others are parsed, not stored.
    let (variables, slot_of_field): (Vec<Variable>, Vec<Option<usize>>) =
        match (&options.columns, &options.schema) {
            (Some(keep), None) => {
                let mut kept = Vec::new();
                let mut slots = Vec::with_capacity(variables.len());
                for v in variables {
                    if keep.iter().any(|k| k.eq_ignore_ascii_case(&v.name)) {
                        slots.push(Some(kept.len()));
                        kept.push(v);
                    } else {
                        slots.push(None);
                    }
                }
                (kept, slots)
            }
            _ => (variables, slot_of_field.into_iter().map(Some).collect()),
        };

    // Read every field as text first (the inferred types need all of them),
    // each column into one buffer, which becomes the character columns as is.
    let mut text: Vec<TextColumn> = (0..variables.len())
        .map(|_| TextColumn::default())
        .collect();
    let mut lines: Vec<u64> = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    while r.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| p.line());
        lines.push(line);
        for (j, field) in record.iter().enumerate() {
            let Some(slot) = slot_of_field.get(j).copied().flatten() else {
                continue;
            };
            let value = std::str::from_utf8(field).map_err(|e| CdiscError::BadValue {
                at: file
                    .clone()
                    .at(RecordKind::Line, line)
                    .variable(variables[slot].name.clone()),
                value: shorten(&String::from_utf8_lossy(field)),
                problem: format!(
                    "not UTF-8 (invalid byte at {}); convert the file to UTF-8",
                    e.valid_up_to()
                ),
            })?;
            text[slot].push(value);
        }
    }

    let inferred = options.schema.is_none();
    let mut out_vars = Vec::with_capacity(variables.len());
    let mut columns = Vec::with_capacity(variables.len());
    for (mut v, fields) in variables.into_iter().zip(text) {
        if inferred {
            v = infer(v, &fields);
        }
        let at = |row: usize| {
            file.clone()
                .at(RecordKind::Line, lines.get(row).copied().unwrap_or(0))
                .variable(v.name.clone())
        };
        let col = match v.kind {
            VarKind::Numeric => {
                let t = v.temporal();
                let mut col = NumericColumn::with_capacity(fields.len());
                for (i, f) in fields.iter().enumerate() {
                    match parse_numeric(f, t) {
                        Ok(Ok(x)) => col.push(Some(x)),
                        Ok(Err(m)) => col.push_missing(m),
                        Err(()) => {
                            return Err(CdiscError::BadValue {
                                at: at(i),
                                value: shorten(f),
                                problem: match t {
                                    Temporal::None => "a numeric column holds text".into(),
                                    _ => "neither a number nor an ISO 8601 date or time".into(),
                                },
                            })
                        }
                    }
                }
                Column::Numeric(col)
            }
            VarKind::Character => {
                if let Some((i, f)) = fields.iter().enumerate().find(|(_, f)| f.len() > v.length) {
                    return Err(CdiscError::BadValue {
                        at: at(i),
                        value: shorten(f),
                        problem: format!("{} bytes exceed the length {}", f.len(), v.length),
                    });
                }
                Column::Character(fields)
            }
        };
        out_vars.push(v);
        columns.push(col);
    }
    Dataset::new(
        options.name.clone(),
        options.label.clone(),
        out_vars,
        columns,
    )
    .map_err(|e| match e {
        CdiscError::Invalid { at, problem } => CdiscError::Invalid {
            at: Location {
                file: INPUT.into(),
                record: Some((RecordKind::Line, 1)),
                ..at
            },
            problem,
        },
        other => other,
    })
}

/// Infers a variable's kind from its fields (see the module docs), in one
/// pass for numbers and, only if needed, one pass per temporal kind.
fn infer(v: Variable, fields: &TextColumn) -> Variable {
    let (mut any, mut numeric, mut any_number) = (false, true, false);
    for f in fields.iter().filter(|f| !f.is_empty()) {
        any = true;
        if parse_number(f).is_some() {
            any_number = true;
        } else if Missing::parse(f).is_none() {
            numeric = false;
            break;
        }
    }
    if any && numeric && any_number {
        return Variable::numeric(v.name);
    }
    let present = || fields.iter().filter(|f| !f.is_empty());
    if any && present().all(|f| from_iso(f, Temporal::Date).is_some()) {
        return Variable::numeric(v.name).with_format(Format::new("E8601DA", 10, 0));
    }
    if any && present().all(|f| from_iso(f, Temporal::DateTime).is_some()) {
        return Variable::numeric(v.name).with_format(Format::new("E8601DT", 19, 0));
    }
    let longest = fields.max_len();
    Variable::character(v.name, longest.max(1))
}

/// Reads a CSV file; the dataset is named after the file stem (upper case)
/// unless `options` names it.
///
/// # Errors
/// As [`from_bytes`], with the file named; [`CdiscError::Io`].
pub fn read_path(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Dataset, CdiscError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CdiscError::Io {
        file: name.clone(),
        source,
    })?;
    let mut options = options.clone();
    if options.name.is_empty() {
        options.name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_uppercase())
            .unwrap_or_default();
    }
    from_bytes(&bytes, &options).map_err(|e| e.in_file(&name))
}
