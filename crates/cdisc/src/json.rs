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

use std::io::BufRead;
use std::path::Path;

use serde_json::{Map, Value};

use crate::dates::{from_iso, to_iso};
use crate::error::{shorten, CdiscError, Location, RecordKind, INPUT};
use crate::model::{Column, Dataset, Format, NumericColumn, Temporal, VarKind, Variable};

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
            Column::Character(col) => Value::from(col.get(row).cloned().unwrap_or_default()),
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
    let Some(Value::Array(cols)) = meta.get("columns") else {
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
    Ok((name, label, plans, records))
}

enum Builder {
    Text(Vec<String>),
    Number(NumericColumn),
}

fn push_value(
    b: &mut Builder,
    plan: &ColumnPlan,
    value: &Value,
    at: impl Fn() -> Location,
) -> Result<(), CdiscError> {
    let bad = |problem: &str| CdiscError::BadValue {
        at: at().variable(plan.variable.name.clone()),
        value: shorten(&value.to_string()),
        problem: problem.to_owned(),
    };
    match b {
        Builder::Text(col) => match value {
            Value::String(s) => col.push(s.clone()),
            Value::Null => col.push(String::new()),
            _ => return Err(bad("a string column holds a non-string value")),
        },
        Builder::Number(col) => {
            let x = match (value, plan.reading) {
                (Value::Null, _) => None,
                (Value::Number(n), _) => {
                    Some(n.as_f64().ok_or_else(|| bad("not a finite number"))?)
                }
                (Value::Bool(t), Reading::Boolean) => Some(if *t { 1.0 } else { 0.0 }),
                (Value::String(s), Reading::Decimal) => Some(
                    s.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| bad("a decimal column holds text that is not a number"))?,
                ),
                (Value::String(s), Reading::Temporal(t)) => {
                    Some(from_iso(s, t).ok_or_else(|| {
                        bad(match t {
                            Temporal::Date => "not an ISO 8601 date (YYYY-MM-DD)",
                            Temporal::DateTime => "not an ISO 8601 datetime (YYYY-MM-DDThh:mm:ss)",
                            _ => "not an ISO 8601 time (hh:mm:ss)",
                        })
                    })?)
                }
                (Value::String(_), _) => {
                    return Err(bad("a numeric column holds text"));
                }
                _ => return Err(bad("a numeric column holds a value that is not a number")),
            };
            col.push(x);
        }
    }
    Ok(())
}

fn builders(plans: &[ColumnPlan], n: usize) -> Vec<Builder> {
    plans
        .iter()
        .map(|p| match p.variable.kind {
            VarKind::Character => Builder::Text(Vec::with_capacity(n)),
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
                let longest = c.iter().map(String::len).max().unwrap_or(0);
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

/// Reads Dataset-JSON v1.1 (the single-object form).
///
/// # Errors
/// [`CdiscError::Syntax`] for text that is not JSON (with line and
/// column) or rows of the wrong shape, [`CdiscError::BadHeader`] for a
/// missing or unsupported `datasetJSONVersion` or `columns`,
/// [`CdiscError::BadValue`] for a value that does not fit its column (text
/// in a numeric column, an impossible date), naming the row and variable,
/// [`CdiscError::Truncated`] when `records` disagrees with the rows.
pub fn from_bytes(bytes: &[u8]) -> Result<Dataset, CdiscError> {
    let file = Location::file(INPUT);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        syntax(
            file.clone().at(RecordKind::Line, e.line() as u64),
            format!("not valid JSON: {e}"),
        )
    })?;
    let Value::Object(mut root) = root else {
        return Err(CdiscError::BadHeader {
            at: file,
            problem: "the top level must be a JSON object".into(),
        });
    };
    let rows = root.remove("rows");
    let (name, label, plans, records) = plan(&root, &file)?;
    let rows = match rows {
        Some(Value::Array(rows)) => rows,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(CdiscError::BadHeader {
                at: file,
                problem: "`rows` must be an array of arrays".into(),
            })
        }
    };
    let mut b = builders(&plans, rows.len());
    for (i, row) in rows.iter().enumerate() {
        push_row(&mut b, &plans, row, || {
            file.clone().at(RecordKind::Row, i as u64 + 1)
        })?;
    }
    finish(name, label, plans, b, records, &file)
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
    // `records` is only a claim: reserve for it, but never more than a few
    // million values in all, whatever the number of columns, so that a
    // header announcing a huge file cannot make us allocate gigabytes.
    let budget = (1u64 << 22) / (plans.len().max(1) as u64);
    let mut b = builders(&plans, records.unwrap_or(0).min(budget) as usize);
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
