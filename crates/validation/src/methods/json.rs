//! Reading case inputs out of JSON.
//!
//! `null` inside a numeric array is read as NaN (a missing value) so that the
//! method itself sees it and must reject it; FORMAT.md requires every method
//! but `locf` to return an error for missing values.

use serde_json::{Map, Value};

use super::MethodError;

/// A case's `input` object with typed accessors.
pub struct Input<'a>(pub &'a Map<String, Value>);

fn bad(msg: String) -> MethodError {
    MethodError::BadCase(msg)
}

fn number(v: &Value, what: &str) -> Result<f64, MethodError> {
    match v {
        Value::Null => Ok(f64::NAN),
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| bad(format!("`{what}`: number out of range"))),
        other => Err(bad(format!("`{what}`: expected a number, found {other}"))),
    }
}

impl<'a> Input<'a> {
    /// Wraps an input value, which must be an object.
    pub fn new(value: &'a Value) -> Result<Self, MethodError> {
        value
            .as_object()
            .map(Input)
            .ok_or_else(|| bad("`input` is not an object".to_string()))
    }

    /// The raw value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key)
    }

    fn required(&self, key: &str) -> Result<&'a Value, MethodError> {
        self.0
            .get(key)
            .ok_or_else(|| bad(format!("missing input `{key}`")))
    }

    /// A number (null reads as NaN).
    pub fn f64(&self, key: &str) -> Result<f64, MethodError> {
        number(self.required(key)?, key)
    }

    /// An optional number: absent gives `None`.
    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, MethodError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(v) => number(v, key).map(Some),
        }
    }

    /// A boolean.
    pub fn bool(&self, key: &str) -> Result<bool, MethodError> {
        self.required(key)?
            .as_bool()
            .ok_or_else(|| bad(format!("`{key}`: expected true or false")))
    }

    /// An optional boolean: absent or null gives `None`.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, MethodError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(bad(format!(
                "`{key}`: expected true, false or null, found {other}"
            ))),
        }
    }

    /// A string.
    pub fn str(&self, key: &str) -> Result<&'a str, MethodError> {
        self.required(key)?
            .as_str()
            .ok_or_else(|| bad(format!("`{key}`: expected a string")))
    }

    /// An optional string.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, MethodError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(bad(format!("`{key}`: expected a string, found {other}"))),
        }
    }

    /// A numeric array (nulls read as NaN).
    pub fn f64s(&self, key: &str) -> Result<Vec<f64>, MethodError> {
        f64_array(self.required(key)?, key)
    }

    /// An optional numeric array.
    pub fn opt_f64s(&self, key: &str) -> Result<Option<Vec<f64>>, MethodError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => f64_array(v, key).map(Some),
        }
    }

    /// An array of numeric arrays (groups, or a matrix given by rows).
    pub fn f64_rows(&self, key: &str) -> Result<Vec<Vec<f64>>, MethodError> {
        rows(self.required(key)?, key)
    }

    /// An array of matrices (e.g. the strata of a CMH test).
    pub fn f64_matrices(&self, key: &str) -> Result<Vec<Vec<Vec<f64>>>, MethodError> {
        let v = self.required(key)?;
        let arr = v
            .as_array()
            .ok_or_else(|| bad(format!("`{key}`: expected an array of matrices")))?;
        arr.iter()
            .enumerate()
            .map(|(i, m)| rows(m, &format!("{key}[{i}]")))
            .collect()
    }

    /// An array of labels: strings, or numbers written as strings in the
    /// shortest form (so `1` and `1.0` are the same label).
    pub fn labels(&self, key: &str) -> Result<Vec<Label>, MethodError> {
        let v = self.required(key)?;
        let arr = v
            .as_array()
            .ok_or_else(|| bad(format!("`{key}`: expected an array")))?;
        arr.iter()
            .enumerate()
            .map(|(i, x)| match x {
                Value::String(s) => Ok(Label::Text(s.clone())),
                Value::Number(n) => n
                    .as_f64()
                    .map(Label::Number)
                    .ok_or_else(|| bad(format!("`{key}[{i}]`: number out of range"))),
                Value::Null => Ok(Label::Missing),
                other => Err(bad(format!(
                    "`{key}[{i}]`: expected a label, found {other}"
                ))),
            })
            .collect()
    }

    /// An object of named numeric columns, in the order written.
    pub fn columns(&self, key: &str) -> Result<Vec<(String, Vec<f64>)>, MethodError> {
        let v = self.required(key)?;
        let obj = v
            .as_object()
            .ok_or_else(|| bad(format!("`{key}`: expected an object of columns")))?;
        obj.iter()
            .map(|(name, col)| Ok((name.clone(), f64_array(col, &format!("{key}.{name}"))?)))
            .collect()
    }

    /// An optional object mapping a name to a list of column names, in the order written.
    pub fn opt_terms(&self, key: &str) -> Result<Option<Terms>, MethodError> {
        let Some(v) = self.0.get(key) else {
            return Ok(None);
        };
        if v.is_null() {
            return Ok(None);
        }
        let obj = v
            .as_object()
            .ok_or_else(|| bad(format!("`{key}`: expected an object")))?;
        obj.iter()
            .map(|(name, cols)| {
                let cols = cols
                    .as_array()
                    .ok_or_else(|| bad(format!("`{key}.{name}`: expected an array of names")))?
                    .iter()
                    .map(|c| {
                        c.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| bad(format!("`{key}.{name}`: expected column names")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((name.clone(), cols))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

/// Named groups of column names (`terms`), in the order written.
pub type Terms = Vec<(String, Vec<String>)>;

/// A group label as written in a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// A numeric label.
    Number(f64),
    /// A text label.
    Text(String),
    /// `null`.
    Missing,
}

fn f64_array(v: &Value, key: &str) -> Result<Vec<f64>, MethodError> {
    let arr = v
        .as_array()
        .ok_or_else(|| bad(format!("`{key}`: expected an array of numbers")))?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| number(x, &format!("{key}[{i}]")))
        .collect()
}

fn rows(v: &Value, key: &str) -> Result<Vec<Vec<f64>>, MethodError> {
    let arr = v
        .as_array()
        .ok_or_else(|| bad(format!("`{key}`: expected an array of arrays")))?;
    arr.iter()
        .enumerate()
        .map(|(i, row)| f64_array(row, &format!("{key}[{i}]")))
        .collect()
}

/// Serializes a result to JSON.
pub fn to_value<T: serde::Serialize>(result: &T) -> Result<Value, MethodError> {
    serde_json::to_value(result)
        .map_err(|e| MethodError::BadCase(format!("result does not serialize: {e}")))
}
