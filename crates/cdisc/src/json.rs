//! CDISC Dataset-JSON v1.1, in its JSON form (one object with `columns`
//! and `rows`) and its NDJSON form (the metadata object on the first line,
//! then one row array per line).
//!
//! Mapping to the model:
//!
//! | Dataset-JSON `dataType`                   | model                          |
//! |-------------------------------------------|--------------------------------|
//! | `string`, `URI`                           | character                      |
//! | `integer`, `float`, `double`, `decimal`   | numeric (`decimal` may be text)|
//! | `boolean`                                 | numeric 1/0                    |
//! | `date`, `datetime`, `time` + `targetDataType: "integer"` | numeric SAS date, datetime or time (ISO text in the file) |
//! | `date`, `datetime`, `time` without `targetDataType` | character (the ISO text) |
//!
//! Dataset-JSON has no place for informats or for the kind of a special
//! missing value (`.A`): they are written as `null` and read back as `.`.
//! Numeric lengths are not written (Dataset-JSON's `length` is for text);
//! numerics read back with length 8.

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::dates::{from_iso, to_iso};
use crate::error::{shorten, CdiscError, Location, RecordKind, INPUT};
use crate::model::{
    Column, Dataset, Format, NumericColumn, Temporal, TextColumn, VarKind, Variable,
};

/// Settings for writing Dataset-JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteOptions {
    /// `datasetJSONCreationDateTime` (ISO 8601). The library uses no clock,
    /// so the caller supplies it; the default is a fixed value that keeps
    /// output reproducible.
    pub creation_datetime: String,
    /// `originator`, when set.
    pub originator: Option<String>,
    /// `studyOID`, when set.
    pub study_oid: Option<String>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            creation_datetime: "1970-01-01T00:00:00".into(),
            originator: None,
            study_oid: None,
        }
    }
}

impl WriteOptions {
    /// Sets `datasetJSONCreationDateTime`.
    #[must_use]
    pub fn with_creation_datetime(mut self, when: impl Into<String>) -> Self {
        self.creation_datetime = when.into();
        self
    }
}

/// The version written.
pub const VERSION: &str = "1.1.0";

fn column_meta(ds: &Dataset, v: &Variable) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "itemOID".into(),
        Value::from(format!("IT.{}.{}", ds.name(), v.name)),
    );
    m.insert("name".into(), Value::from(v.name.clone()));
    m.insert("label".into(), Value::from(v.label.clone()));
    let (data_type, target) = match (v.kind, v.temporal()) {
        (VarKind::Character, _) => ("string", None),
        (VarKind::Numeric, Temporal::None) => ("double", None),
        (VarKind::Numeric, Temporal::Date) => ("date", Some("integer")),
        (VarKind::Numeric, Temporal::DateTime) => ("datetime", Some("integer")),
        (VarKind::Numeric, Temporal::Time) => ("time", Some("integer")),
    };
    m.insert("dataType".into(), Value::from(data_type));
    if let Some(t) = target {
        m.insert("targetDataType".into(), Value::from(t));
    }
    if v.kind == VarKind::Character {
        m.insert("length".into(), Value::from(v.length));
    }
    if let Some(f) = &v.format {
        m.insert("displayFormat".into(), Value::from(f.to_string()));
    }
    if let Some(k) = v.key_sequence {
        m.insert("keySequence".into(), Value::from(k));
    }
    m
}

fn metadata(ds: &Dataset, options: &WriteOptions) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "datasetJSONCreationDateTime".into(),
        Value::from(options.creation_datetime.clone()),
    );
    m.insert("datasetJSONVersion".into(), Value::from(VERSION));
    if let Some(o) = &options.originator {
        m.insert("originator".into(), Value::from(o.clone()));
    }
    if let Some(s) = &options.study_oid {
        m.insert("studyOID".into(), Value::from(s.clone()));
    }
    m.insert(
        "itemGroupOID".into(),
        Value::from(format!("IG.{}", ds.name())),
    );
    m.insert("records".into(), Value::from(ds.n_rows()));
    m.insert("name".into(), Value::from(ds.name()));
    m.insert("label".into(), Value::from(ds.label()));
    let cols = ds
        .variables()
        .iter()
        .map(|v| Value::Object(column_meta(ds, v)))
        .collect();
    m.insert("columns".into(), Value::Array(cols));
    m
}

/// Appends row `row` as a JSON array.
fn write_row(out: &mut Vec<u8>, ds: &Dataset, row: usize) -> Result<(), CdiscError> {
    out.push(b'[');
    for (j, (v, c)) in ds.variables().iter().zip(ds.columns()).enumerate() {
        if j > 0 {
            out.push(b',');
        }
        let value = match c {
            Column::Character(col) => Value::from(col.get(row).unwrap_or_default()),
            Column::Numeric(col) => match col.get(row) {
                None => Value::Null,
                Some(x) => {
                    if !x.is_finite() {
                        return Err(CdiscError::NotRepresentable {
                            at: Location::file(INPUT)
                                .at(RecordKind::Row, row as u64 + 1)
                                .variable(v.name.clone()),
                            value: crate::error::show_number(x),
                            problem: "JSON has no infinite numbers".into(),
                        });
                    }
                    match to_iso(x, v.temporal()) {
                        Some(text) => Value::from(text),
                        None => Value::from(x),
                    }
                }
            },
        };
        // Serializing a `Value` to a Vec cannot fail.
        serde_json::to_writer(&mut *out, &value).map_err(|e| CdiscError::Syntax {
            at: Location::file(INPUT),
            problem: e.to_string(),
        })?;
    }
    out.push(b']');
    Ok(())
}

/// Writes a dataset as Dataset-JSON v1.1 (one JSON object).
///
/// Dates, datetimes and times (numerics with such a format) are written as
/// ISO 8601 text with `targetDataType: "integer"`; numbers in shortest
/// round-trip form.
///
/// # Errors
/// [`CdiscError::NotRepresentable`] for an infinite number.
///
/// # Example
/// ```
/// use rct_cdisc::{json, Column, Dataset, Format, NumericColumn, Variable};
/// let ds = Dataset::new(
///     "ADSL",
///     "Subject-Level Analysis Dataset",
///     vec![Variable::numeric("TRTSDT").with_format(Format::new("DATE", 9, 0))],
///     vec![Column::Numeric(NumericColumn::from_values(vec![Some(19725.0), None]))],
/// )?;
/// let text = json::to_bytes(&ds, &json::WriteOptions::default())?;
/// assert!(String::from_utf8_lossy(&text).contains(r#""rows":[["2014-01-02"],[null]]"#));
/// assert_eq!(json::from_bytes(&text)?, ds);
/// # Ok::<(), rct_cdisc::CdiscError>(())
/// ```
pub fn to_bytes(ds: &Dataset, options: &WriteOptions) -> Result<Vec<u8>, CdiscError> {
    let meta = serde_json::to_vec(&Value::Object(metadata(ds, options))).map_err(|e| {
        CdiscError::Syntax {
            at: Location::file(INPUT),
            problem: e.to_string(),
        }
    })?;
    let mut out = Vec::with_capacity(meta.len() + ds.n_rows() * ds.variables().len() * 8);
    // The metadata object without its closing brace, then the rows.
    out.extend_from_slice(&meta[..meta.len().saturating_sub(1)]);
    out.extend_from_slice(b",\"rows\":[");
    for row in 0..ds.n_rows() {
        if row > 0 {
            out.push(b',');
        }
        write_row(&mut out, ds, row)?;
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

/// Writes a dataset as Dataset-JSON v1.1 NDJSON: the metadata object on
/// the first line, then one row array per line.
///
/// # Errors
/// As [`to_bytes`].
pub fn to_ndjson_bytes(ds: &Dataset, options: &WriteOptions) -> Result<Vec<u8>, CdiscError> {
    let mut out = serde_json::to_vec(&Value::Object(metadata(ds, options))).map_err(|e| {
        CdiscError::Syntax {
            at: Location::file(INPUT),
            problem: e.to_string(),
        }
    })?;
    out.push(b'\n');
    for row in 0..ds.n_rows() {
        write_row(&mut out, ds, row)?;
        out.push(b'\n');
    }
    Ok(out)
}

/// Writes Dataset-JSON (`ndjson == false`) or NDJSON to a path atomically.
///
/// # Errors
/// As [`to_bytes`], or [`CdiscError::Io`].
pub fn write_path(
    path: impl AsRef<Path>,
    ds: &Dataset,
    ndjson: bool,
    options: &WriteOptions,
) -> Result<(), CdiscError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = if ndjson {
        to_ndjson_bytes(ds, options)
    } else {
        to_bytes(ds, options)
    }
    .map_err(|e| e.in_file(&name))?;
    crate::write_atomic(path, &bytes)
}

/// How a column's JSON values are read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    Text,
    Number,
    Decimal,
    Boolean,
    Temporal(Temporal),
}

struct ColumnPlan {
    variable: Variable,
    reading: Reading,
}

fn syntax(at: Location, problem: impl Into<String>) -> CdiscError {
    CdiscError::Syntax {
        at,
        problem: problem.into(),
    }
}

fn get_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    at: &Location,
) -> Result<Option<&'a str>, CdiscError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(syntax(
            at.clone(),
            format!(
                "`{key}` must be a string, found {}",
                shorten(&other.to_string())
            ),
        )),
    }
}

fn get_uint(obj: &Map<String, Value>, key: &str, at: &Location) -> Result<Option<u64>, CdiscError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            syntax(
                at.clone(),
                format!("`{key}` must be a non-negative integer, found {v}"),
            )
        }),
    }
}

/// Reads the metadata object into column plans, the dataset name and
/// label, and the announced record count.
fn plan(
    meta: &Map<String, Value>,
    at: &Location,
) -> Result<(String, String, Vec<ColumnPlan>, Option<u64>), CdiscError> {
    match get_str(meta, "datasetJSONVersion", at)? {
        Some(v) if v.starts_with("1.1") => {}
        Some(v) => {
            return Err(CdiscError::BadHeader {
                at: at.clone(),
                problem: format!("datasetJSONVersion {v:?}; only 1.1.x is supported"),
            })
        }
        None => {
            return Err(CdiscError::BadHeader {
                at: at.clone(),
                problem: "no `datasetJSONVersion`; is this Dataset-JSON v1.1?".into(),
            })
        }
    }
    let name = get_str(meta, "name", at)?.unwrap_or_default().to_owned();
    let label = get_str(meta, "label", at)?.unwrap_or_default().to_owned();
    let records = get_uint(meta, "records", at)?;
    let plans = plan_columns(meta.get("columns"), at)?;
    Ok((name, label, plans, records))
}

/// Reads the `columns` array of the metadata into column plans.
fn plan_columns(columns: Option<&Value>, at: &Location) -> Result<Vec<ColumnPlan>, CdiscError> {
    let Some(Value::Array(cols)) = columns else {
        return Err(CdiscError::BadHeader {
            at: at.clone(),
            problem: "`columns` must be an array of column definitions".into(),
        });
    };
    let mut plans = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let Value::Object(c) = c else {
            return Err(syntax(
                at.clone(),
                format!("column {} is not an object", i + 1),
            ));
        };
        let cname = get_str(c, "name", at)?
            .ok_or_else(|| syntax(at.clone(), format!("column {} has no `name`", i + 1)))?;
        let cat = at.clone().variable(cname);
        let data_type = get_str(c, "dataType", &cat)?
            .ok_or_else(|| syntax(cat.clone(), "column has no `dataType`"))?;
        let target = get_str(c, "targetDataType", &cat)?;
        let format = get_str(c, "displayFormat", &cat)?.and_then(Format::parse);
        let temporal_reading = |t: Temporal, default: Format| match target {
            Some("integer") | Some("decimal") => (
                VarKind::Numeric,
                Reading::Temporal(t),
                Some(format.clone().unwrap_or(default)),
            ),
            _ => (VarKind::Character, Reading::Text, format.clone()),
        };
        let (kind, reading, format) = match data_type {
            "string" | "URI" => (VarKind::Character, Reading::Text, format.clone()),
            "integer" | "float" | "double" => (VarKind::Numeric, Reading::Number, format.clone()),
            "decimal" => (VarKind::Numeric, Reading::Decimal, format.clone()),
            "boolean" => (VarKind::Numeric, Reading::Boolean, format.clone()),
            "date" => temporal_reading(Temporal::Date, Format::new("E8601DA", 10, 0)),
            "datetime" => temporal_reading(Temporal::DateTime, Format::new("E8601DT", 19, 0)),
            "time" => temporal_reading(Temporal::Time, Format::new("E8601TM", 8, 0)),
            other => {
                return Err(syntax(
                    cat,
                    format!(
                        "unknown dataType {other:?}; expected string, integer, float, double, \
                         decimal, boolean, date, datetime, time or URI"
                    ),
                ))
            }
        };
        let length = get_uint(c, "length", &cat)?;
        let length = match kind {
            VarKind::Numeric => 8,
            // Filled in from the data when absent.
            VarKind::Character => length.map_or(0, |l| l as usize),
        };
        let key_sequence =
            get_uint(c, "keySequence", &cat)?.map(|k| k.min(u64::from(u32::MAX)) as u32);
        plans.push(ColumnPlan {
            variable: Variable {
                name: cname.to_owned(),
                label: get_str(c, "label", &cat)?.unwrap_or_default().to_owned(),
                kind,
                length,
                format,
                informat: None,
                key_sequence,
            },
            reading,
        });
    }
    Ok(plans)
}

enum Builder {
    Text(TextColumn),
    Number(NumericColumn),
}

/// One JSON value of a row, as the column rules see it.
enum Cell<'v> {
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'v, str>),
    /// An array or an object: never a valid cell.
    Nested,
}

/// Appends one cell to its column, by the column's reading. `shown` gives
/// the value as an error message quotes it (JSON text, shortened); `at`
/// the row's location. Both are only called on error.
fn push_cell(
    b: &mut Builder,
    plan: &ColumnPlan,
    cell: Cell<'_>,
    shown: impl FnOnce() -> String,
    at: impl FnOnce() -> Location,
) -> Result<(), CdiscError> {
    let bad = |problem: &str| CdiscError::BadValue {
        at: at().variable(plan.variable.name.clone()),
        value: shown(),
        problem: problem.to_owned(),
    };
    match b {
        Builder::Text(col) => match cell {
            Cell::Text(s) => col.push(&s),
            Cell::Null => col.push(""),
            _ => return Err(bad("a string column holds a non-string value")),
        },
        Builder::Number(col) => {
            let x = match (cell, plan.reading) {
                (Cell::Null, _) => None,
                (Cell::Number(x), _) if x.is_finite() => Some(x),
                (Cell::Number(_), _) => return Err(bad("not a finite number")),
                (Cell::Bool(t), Reading::Boolean) => Some(if t { 1.0 } else { 0.0 }),
                (Cell::Text(s), Reading::Decimal) => match s.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => Some(x),
                    _ => return Err(bad("a decimal column holds text that is not a number")),
                },
                (Cell::Text(s), Reading::Temporal(t)) => match from_iso(&s, t) {
                    Some(x) => Some(x),
                    None => {
                        return Err(bad(match t {
                            Temporal::Date => "not an ISO 8601 date (YYYY-MM-DD)",
                            Temporal::DateTime => "not an ISO 8601 datetime (YYYY-MM-DDThh:mm:ss)",
                            _ => "not an ISO 8601 time (hh:mm:ss)",
                        }))
                    }
                },
                (Cell::Text(_), _) => return Err(bad("a numeric column holds text")),
                _ => return Err(bad("a numeric column holds a value that is not a number")),
            };
            col.push(x);
        }
    }
    Ok(())
}

/// [`push_cell`] for a value of a JSON tree (NDJSON lines, and `rows` that
/// came before `columns`).
fn push_value(
    b: &mut Builder,
    plan: &ColumnPlan,
    value: &Value,
    at: impl Fn() -> Location,
) -> Result<(), CdiscError> {
    let cell = match value {
        Value::Null => Cell::Null,
        Value::Bool(t) => Cell::Bool(*t),
        // Without serde_json's `arbitrary_precision` every number has an
        // f64; NaN stands in for "none" and is refused as not finite.
        Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Cell::Text(Cow::Borrowed(s)),
        Value::Array(_) | Value::Object(_) => Cell::Nested,
    };
    push_cell(b, plan, cell, || shorten(&value.to_string()), at)
}

fn builders(plans: &[ColumnPlan], n: usize) -> Vec<Builder> {
    plans
        .iter()
        .map(|p| match p.variable.kind {
            VarKind::Character => Builder::Text(TextColumn::with_capacity(n, n.saturating_mul(8))),
            VarKind::Numeric => Builder::Number(NumericColumn::with_capacity(n)),
        })
        .collect()
}

fn push_row(
    builders: &mut [Builder],
    plans: &[ColumnPlan],
    row: &Value,
    at: impl Fn() -> Location,
) -> Result<(), CdiscError> {
    let Value::Array(values) = row else {
        return Err(syntax(at(), "a row must be an array of values"));
    };
    if values.len() != plans.len() {
        return Err(syntax(
            at(),
            format!(
                "the row has {} values but there are {} columns",
                values.len(),
                plans.len()
            ),
        ));
    }
    for ((b, p), v) in builders.iter_mut().zip(plans).zip(values) {
        push_value(b, p, v, &at)?;
    }
    Ok(())
}

fn finish(
    name: String,
    label: String,
    plans: Vec<ColumnPlan>,
    builders: Vec<Builder>,
    records: Option<u64>,
    at: &Location,
) -> Result<Dataset, CdiscError> {
    let n = builders.first().map_or(0, |b| match b {
        Builder::Text(c) => c.len(),
        Builder::Number(c) => c.len(),
    });
    if let Some(r) = records {
        if r != n as u64 {
            return Err(CdiscError::Truncated {
                at: at.clone(),
                problem: format!("`records` says {r} rows but the file holds {n}"),
            });
        }
    }
    let mut variables = Vec::with_capacity(plans.len());
    let mut columns = Vec::with_capacity(plans.len());
    for (p, b) in plans.into_iter().zip(builders) {
        let mut v = p.variable;
        let col = match b {
            Builder::Text(c) => {
                let longest = c.max_len();
                if v.length == 0 {
                    v.length = longest.max(1);
                } else if longest > v.length {
                    return Err(CdiscError::Invalid {
                        at: at.clone().variable(v.name.clone()),
                        problem: format!(
                            "a value of {longest} bytes exceeds the column's length {}",
                            v.length
                        ),
                    });
                }
                Column::Character(c)
            }
            Builder::Number(c) => Column::Numeric(c),
        };
        variables.push(v);
        columns.push(col);
    }
    Dataset::new(name, label, variables, columns).map_err(|e| match e {
        CdiscError::Invalid { at: a, problem } => CdiscError::Invalid {
            at: Location {
                file: at.file.clone(),
                ..a
            },
            problem,
        },
        other => other,
    })
}

/// How many rows to reserve for a file whose header claims `records`:
/// the claim, but never more than a few million values in all, whatever
/// the number of columns, so that a header announcing a huge file cannot
/// make us allocate gigabytes.
fn reserved_rows(records: Option<u64>, columns: usize) -> usize {
    let budget = (1u64 << 22) / (columns.max(1) as u64);
    records.unwrap_or(0).min(budget) as usize
}

// Streaming the single-object form.
//
// The visitors below never return an error of their own: a problem with
// the data (a bad value, a short row) is returned as a `CdiscError` inside
// their `Ok` value, and the rest of the input is still parsed, skipping
// values. The only `Err` is therefore serde_json's, for text that is not
// JSON. This keeps the order of errors the tree reader had: a syntax
// error anywhere wins, then the header (checked once the object has
// ended, whatever the order of its keys), then the first bad row, then
// `records`.

/// The top-level object of the document: its metadata keys, and what its
/// `rows` key held.
struct Document {
    meta: Map<String, Value>,
    rows: Rows,
}

/// What the `rows` key of the object held (the last one, as in a JSON
/// tree, should it appear twice).
enum Rows {
    /// No `rows` key, or `null`.
    Absent,
    /// Something other than an array (consumed).
    NotArray,
    /// `rows` came before `columns`, so the column types were unknown: the
    /// rows were kept as a JSON tree, read once the object has ended (the
    /// rare case: our writer puts `columns` first).
    Kept(Vec<Value>),
    /// Rows read straight into the builders of `columns` (a copy of the
    /// `columns` value they followed, checked against the final one).
    Streamed {
        columns: Value,
        plans: Vec<ColumnPlan>,
        builders: Vec<Builder>,
        /// The first bad row's error; the rows after it were skipped.
        error: Option<CdiscError>,
    },
    /// `columns` came first but does not describe columns: the rows were
    /// skipped and the problem is reported (unless the header has an
    /// earlier one).
    Unplanned { columns: Value, error: CdiscError },
}

/// Reads the top-level value: `None` if it is not an object (consumed).
struct DocumentSeed<'a> {
    file: &'a Location,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = Option<Document>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Option<Document>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = Option<Document>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Dataset-JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Document>, A::Error> {
        let mut meta = Map::new();
        let mut rows = Rows::Absent;
        while let Some(key) = map.next_key::<String>()? {
            if key != "rows" {
                let value: Value = map.next_value()?;
                meta.insert(key, value);
                continue;
            }
            rows = match meta.get("columns") {
                None => match map.next_value::<Value>()? {
                    Value::Array(rows) => Rows::Kept(rows),
                    Value::Null => Rows::Absent,
                    _ => Rows::NotArray,
                },
                Some(columns) => match plan_columns(Some(columns), self.file) {
                    Ok(plans) => {
                        let records = meta.get("records").and_then(Value::as_u64);
                        let builders = builders(&plans, reserved_rows(records, plans.len()));
                        let seed = RowsSeed {
                            file: self.file,
                            columns: columns.clone(),
                            plans,
                            builders,
                        };
                        map.next_value_seed(seed)?
                    }
                    Err(error) => {
                        map.next_value::<Skip>()?;
                        Rows::Unplanned {
                            columns: columns.clone(),
                            error,
                        }
                    }
                },
            };
        }
        Ok(Some(Document { meta, rows }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<Document>, A::Error> {
        Skip::seq(seq).map(|_| None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Document>, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<Document>, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<Document>, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<Document>, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<Document>, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Option<Document>, E> {
        Ok(None)
    }
}

/// Reads the `rows` array into the builders, row by row.
struct RowsSeed<'a> {
    file: &'a Location,
    columns: Value,
    plans: Vec<ColumnPlan>,
    builders: Vec<Builder>,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = Rows;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Rows, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = Rows;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rows, A::Error> {
        let RowsSeed {
            file,
            columns,
            plans,
            mut builders,
        } = self;
        let mut error = None;
        let mut row = 0u64;
        loop {
            row += 1;
            if error.is_some() {
                if seq.next_element::<Skip>()?.is_none() {
                    break;
                }
                continue;
            }
            let seed = RowSeed {
                file,
                row,
                plans: &plans,
                builders: &mut builders,
            };
            match seq.next_element_seed(seed)? {
                None => break,
                Some(Ok(())) => {}
                Some(Err(e)) => error = Some(e),
            }
        }
        Ok(Rows::Streamed {
            columns,
            plans,
            builders,
            error,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Rows, A::Error> {
        Skip::map(map).map(|_| Rows::NotArray)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Rows, E> {
        Ok(Rows::Absent)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Rows, E> {
        Ok(Rows::NotArray)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Rows, E> {
        Ok(Rows::NotArray)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Rows, E> {
        Ok(Rows::NotArray)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Rows, E> {
        Ok(Rows::NotArray)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Rows, E> {
        Ok(Rows::NotArray)
    }
}

/// Reads one row (1-based number `row`) into the builders.
struct RowSeed<'a> {
    file: &'a Location,
    row: u64,
    plans: &'a [ColumnPlan],
    builders: &'a mut [Builder],
}

impl RowSeed<'_> {
    fn at(&self) -> Location {
        self.file.clone().at(RecordKind::Row, self.row)
    }

    fn not_an_array(&self) -> Result<(), CdiscError> {
        Err(syntax(self.at(), "a row must be an array of values"))
    }
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Result<(), CdiscError>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = Result<(), CdiscError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let (file, row) = (self.file, self.row);
        let mut targets = self.builders.iter_mut().zip(self.plans);
        // A bad value is reported only once the row is known to have the
        // right length, as when the row was a JSON tree.
        let mut first_bad = None;
        let mut n = 0usize;
        loop {
            let target = if first_bad.is_none() {
                targets.next()
            } else {
                None
            };
            let more = match target {
                Some((builder, plan)) => match seq.next_element_seed(CellSeed {
                    file,
                    row,
                    plan,
                    builder,
                })? {
                    None => false,
                    Some(pushed) => {
                        first_bad = pushed.err();
                        true
                    }
                },
                // Past the last column, or after a bad value: count the
                // rest of the row.
                None => seq.next_element::<Skip>()?.is_some(),
            };
            if !more {
                break;
            }
            n += 1;
        }
        if n != self.plans.len() {
            return Ok(Err(syntax(
                file.clone().at(RecordKind::Row, row),
                format!(
                    "the row has {n} values but there are {} columns",
                    self.plans.len()
                ),
            )));
        }
        Ok(first_bad.map_or(Ok(()), Err))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Skip::map(map)?;
        Ok(self.not_an_array())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.not_an_array())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self.not_an_array())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self.not_an_array())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self.not_an_array())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self.not_an_array())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(self.not_an_array())
    }
}

/// Reads one value of a row into its column's builder, by [`push_cell`].
struct CellSeed<'a> {
    file: &'a Location,
    row: u64,
    plan: &'a ColumnPlan,
    builder: &'a mut Builder,
}

impl CellSeed<'_> {
    fn push(self, cell: Cell<'_>, shown: impl FnOnce() -> String) -> Result<(), CdiscError> {
        let (file, row) = (self.file, self.row);
        push_cell(self.builder, self.plan, cell, shown, || {
            file.clone().at(RecordKind::Row, row)
        })
    }
}

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = Result<(), CdiscError>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = Result<(), CdiscError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.push(Cell::Null, || "null".into()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.push(Cell::Bool(v), || v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.push(Cell::Number(v as f64), || v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.push(Cell::Number(v as f64), || v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // As a JSON tree prints it (serde_json never parses a non-finite
        // number, but were it to, `show_number` names it).
        let shown = || match serde_json::Number::from_f64(v) {
            Some(n) => n.to_string(),
            None => crate::error::show_number(v),
        };
        Ok(self.push(Cell::Number(v), shown))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.push(Cell::Text(Cow::Borrowed(v)), || shown_str(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        match self.builder {
            // Cannot fail.
            Builder::Text(col) => {
                col.push(&v);
                Ok(Ok(()))
            }
            Builder::Number(_) => self.visit_str(&v),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let mut text = String::new();
        Excerpt::new(&mut text).visit_seq(seq)?;
        Ok(self.push(Cell::Nested, || shorten(&text)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut text = String::new();
        Excerpt::new(&mut text).visit_map(map)?;
        Ok(self.push(Cell::Nested, || shorten(&text)))
    }
}

/// The characters of a value that an error message quotes: [`shorten`]
/// keeps this many and marks a longer value with an ellipsis.
const QUOTED: usize = 60;

/// A string as a JSON tree prints it in an error message (quoted and
/// escaped, shortened); only its first characters are escaped, since only
/// they are shown.
fn shown_str(s: &str) -> String {
    let head = match s.char_indices().nth(QUOTED + 1) {
        Some((end, _)) => &s[..end],
        None => s,
    };
    shorten(&Value::from(head).to_string())
}

/// Writes the start of a nested value (an array or object where a cell
/// should be) as compact JSON text, enough for an error message, while
/// consuming all of it; the text is not built past what is shown. Object
/// keys come in the file's order (a JSON tree with `preserve_order` keeps
/// the same order, but only the last of duplicate keys).
struct Excerpt<'a> {
    out: &'a mut String,
    /// Written before the value: `,` between elements, `:` after a key.
    before: &'static str,
}

impl<'a> Excerpt<'a> {
    fn new(out: &'a mut String) -> Self {
        Excerpt { out, before: "" }
    }

    fn put(&mut self, text: &str) {
        // More than QUOTED characters already make `shorten` cut, so
        // nothing written later can change the message.
        if self.out.chars().count() <= QUOTED {
            self.out.push_str(text);
        }
    }

    fn scalar<E>(mut self, text: &str) -> Result<(), E> {
        self.put(self.before);
        self.put(text);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Excerpt<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Excerpt<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar("null")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(if v { "true" } else { "false" })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(&Value::from(v).to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let head = match v.char_indices().nth(QUOTED + 1) {
            Some((end, _)) => &v[..end],
            None => v,
        };
        self.scalar(&Value::from(head).to_string())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.put(self.before);
        self.put("[");
        let mut before = "";
        while seq
            .next_element_seed(Excerpt {
                out: &mut *self.out,
                before,
            })?
            .is_some()
        {
            before = ",";
        }
        self.put("]");
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.put(self.before);
        self.put("{");
        let mut before = "";
        while map
            .next_key_seed(Excerpt {
                out: &mut *self.out,
                before,
            })?
            .is_some()
        {
            map.next_value_seed(Excerpt {
                out: &mut *self.out,
                before: ":",
            })?;
            before = ",";
        }
        self.put("}");
        Ok(())
    }
}

/// Consumes any JSON value. Unlike `serde::de::IgnoredAny`, it goes
/// through `deserialize_any`, so serde_json checks what it skips as it
/// checks everything else (nesting depth, number range, string escapes).
struct Skip;

impl Skip {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Skip, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Skip, A::Error> {
        Skip::seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Skip, A::Error> {
        Skip::map(map)
    }
}

/// Reads Dataset-JSON v1.1 (the single-object form).
///
/// The rows are read straight into the columns as the parser meets them,
/// without a JSON tree of the document, so memory is the input, the
/// dataset and little more. Keys may come in any order; but when `rows`
/// comes before `columns` (our writer never does this) the rows are kept
/// as a JSON tree until the column types are known, which takes several
/// times the memory of the dataset.
///
/// # Errors
/// [`CdiscError::Syntax`] for text that is not JSON (with line and
/// column) or rows of the wrong shape, [`CdiscError::BadHeader`] for a
/// missing or unsupported `datasetJSONVersion` or `columns` (or a second
/// `columns`, after the rows, that differs from the first),
/// [`CdiscError::BadValue`] for a value that does not fit its column (text
/// in a numeric column, an impossible date), naming the row and variable,
/// [`CdiscError::Truncated`] when `records` disagrees with the rows.
pub fn from_bytes(bytes: &[u8]) -> Result<Dataset, CdiscError> {
    let file = Location::file(INPUT);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let document = DocumentSeed { file: &file }
        .deserialize(&mut de)
        .and_then(|document| de.end().map(|()| document))
        .map_err(|e| {
            syntax(
                file.clone().at(RecordKind::Line, e.line() as u64),
                format!("not valid JSON: {e}"),
            )
        })?;
    let Some(Document { meta, rows }) = document else {
        return Err(CdiscError::BadHeader {
            at: file,
            problem: "the top level must be a JSON object".into(),
        });
    };
    let (name, label, plans, records) = plan(&meta, &file)?;
    let changed_columns = |columns: &Value| {
        (meta.get("columns") != Some(columns)).then(|| CdiscError::BadHeader {
            at: file.clone(),
            problem: "`columns` appears twice, and the rows follow the first, which differs \
                      from the last; give `columns` once"
                .into(),
        })
    };
    match rows {
        Rows::Absent => {
            let b = builders(&plans, 0);
            finish(name, label, plans, b, records, &file)
        }
        Rows::NotArray => Err(CdiscError::BadHeader {
            at: file,
            problem: "`rows` must be an array of arrays".into(),
        }),
        Rows::Kept(rows) => {
            let mut b = builders(&plans, rows.len());
            for (i, row) in rows.iter().enumerate() {
                push_row(&mut b, &plans, row, || {
                    file.clone().at(RecordKind::Row, i as u64 + 1)
                })?;
            }
            finish(name, label, plans, b, records, &file)
        }
        Rows::Streamed {
            columns,
            plans,
            builders,
            error,
        } => {
            if let Some(e) = changed_columns(&columns).or(error) {
                return Err(e);
            }
            finish(name, label, plans, builders, records, &file)
        }
        Rows::Unplanned { columns, error } => Err(changed_columns(&columns).unwrap_or(error)),
    }
}

/// Reads Dataset-JSON v1.1 NDJSON: a metadata object on the first line,
/// one row array on each further line (blank lines are skipped).
///
/// # Errors
/// As [`from_bytes`], with line numbers.
pub fn from_ndjson_bytes(bytes: &[u8]) -> Result<Dataset, CdiscError> {
    from_ndjson_reader(bytes)
}

/// Reads Dataset-JSON NDJSON from any buffered reader, one line at a time.
///
/// # Errors
/// As [`from_bytes`], with line numbers; [`CdiscError::Io`] on read
/// failure; [`CdiscError::BadValue`] for a line that is not UTF-8.
pub fn from_ndjson_reader(reader: impl BufRead) -> Result<Dataset, CdiscError> {
    let file = Location::file(INPUT);
    let mut lines = reader.split(b'\n').enumerate();
    let mut meta = None;
    for (i, line) in lines.by_ref() {
        let line = line.map_err(|source| CdiscError::Io {
            file: INPUT.into(),
            source,
        })?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let at = file.clone().at(RecordKind::Line, i as u64 + 1);
        let v: Value = serde_json::from_slice(&line)
            .map_err(|e| syntax(at.clone(), format!("not valid JSON: {e}")))?;
        let Value::Object(m) = v else {
            return Err(CdiscError::BadHeader {
                at,
                problem: "the first line must be the metadata object".into(),
            });
        };
        meta = Some((m, at));
        break;
    }
    let Some((meta, at)) = meta else {
        return Err(CdiscError::BadHeader {
            at: file,
            problem: "the file is empty; expected a metadata object on the first line".into(),
        });
    };
    let (name, label, plans, records) = plan(&meta, &at)?;
    // `records` is only a claim: see `reserved_rows`.
    let mut b = builders(&plans, reserved_rows(records, plans.len()));
    for (i, line) in lines {
        let line = line.map_err(|source| CdiscError::Io {
            file: INPUT.into(),
            source,
        })?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let at = || file.clone().at(RecordKind::Line, i as u64 + 1);
        let v: Value = serde_json::from_slice(&line)
            .map_err(|e| syntax(at(), format!("not valid JSON: {e}")))?;
        push_row(&mut b, &plans, &v, at)?;
    }
    finish(name, label, plans, b, records, &file)
}

/// Reads a Dataset-JSON (`.json`) or NDJSON (`.ndjson`) file.
///
/// # Errors
/// As [`from_bytes`], with the file named; [`CdiscError::Io`].
pub fn read_path(path: impl AsRef<Path>, ndjson: bool) -> Result<Dataset, CdiscError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CdiscError::Io {
        file: name.clone(),
        source,
    })?;
    if ndjson {
        from_ndjson_bytes(&bytes)
    } else {
        from_bytes(&bytes)
    }
    .map_err(|e| e.in_file(&name))
}

#[cfg(test)]
mod tests;
