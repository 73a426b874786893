//! # rct-validation
//!
//! Reads reference case files (`validation/FORMAT.md`), runs each case through
//! `rct-stats`, and compares the result with the expected values under the
//! case's tolerance. The test suite and `rct validate` share this code, so
//! what CI checks is exactly what a user's operational qualification runs.

pub mod methods;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// Default tolerance when a case gives none (FORMAT.md).
pub const DEFAULT_TOLERANCE: Tolerance = Tolerance {
    rel: 1e-6,
    abs: 1e-12,
};

/// A value passes when `|got - want| <= abs + rel * |want|`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Tolerance {
    /// Relative part.
    #[serde(default)]
    pub rel: f64,
    /// Absolute part.
    #[serde(default)]
    pub abs: f64,
}

impl Tolerance {
    /// Whether `got` is within tolerance of `want`.
    pub fn accepts(&self, got: f64, want: f64) -> bool {
        if got == want {
            return true;
        }
        got.is_finite() && (got - want).abs() <= self.abs + self.rel * want.abs()
    }
}

/// One reference case.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Case {
    /// Unique id, `method/name`.
    pub id: String,
    /// The reference implementation and its conventions.
    pub source: String,
    /// Filled from the file's `method`.
    #[serde(default)]
    pub method: String,
    /// The method's input.
    pub input: Value,
    /// Expected output, or `{"error": true}`.
    pub expected: Value,
    /// Tolerance for every number in `expected`.
    #[serde(default)]
    pub tolerance: Option<Tolerance>,
}

#[derive(serde::Deserialize)]
struct CaseFile {
    method: String,
    cases: Vec<Case>,
}

/// A case file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a case file.
    #[error("{path}: not a valid case file: {source}")]
    Parse {
        /// The path or bundled name.
        path: PathBuf,
        /// The JSON error, with line and column.
        source: serde_json::Error,
    },
    /// Two cases share an id.
    #[error("{path}: case id `{id}` appears more than once")]
    DuplicateId {
        /// Where the second one was found.
        path: PathBuf,
        /// The id.
        id: String,
    },
    /// A folder holds no case files.
    #[error("{path}: no *.json case files found")]
    NoCases {
        /// The folder.
        path: PathBuf,
    },
}

fn parse_file(path: &Path, text: &str) -> Result<Vec<Case>, LoadError> {
    let file: CaseFile = serde_json::from_str(text).map_err(|source| LoadError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(file
        .cases
        .into_iter()
        .map(|mut c| {
            c.method.clone_from(&file.method);
            c
        })
        .collect())
}

fn check_unique(cases: &[Case], path: &Path) -> Result<(), LoadError> {
    let mut seen = std::collections::HashSet::new();
    for c in cases {
        if !seen.insert(c.id.as_str()) {
            return Err(LoadError::DuplicateId {
                path: path.to_path_buf(),
                id: c.id.clone(),
            });
        }
    }
    Ok(())
}

/// The cases bundled with rct (`validation/cases/` at build time).
///
/// # Errors
/// A bundled file that does not parse (a build defect, reported not hidden).
pub fn bundled_cases() -> Result<Vec<Case>, LoadError> {
    let mut all = Vec::new();
    for (name, text) in BUNDLED {
        all.extend(parse_file(Path::new(name), text)?);
    }
    check_unique(&all, Path::new("validation/cases"))?;
    Ok(all)
}

/// Every case in the `*.json` files of `dir`, in file-name order.
///
/// # Errors
/// An unreadable folder or file, a file that is not a case file, a duplicate id.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|x| x == "json") {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(LoadError::NoCases {
            path: dir.to_path_buf(),
        });
    }
    files.sort();
    let mut all = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        all.extend(parse_file(&path, &text)?);
    }
    check_unique(&all, dir)?;
    Ok(all)
}

/// One field that did not match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// JSON path of the field, e.g. `pairs[2].p_value`.
    pub field: String,
    /// What rct produced (or a description).
    pub got: String,
    /// What the reference says.
    pub want: String,
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Case id.
    pub id: String,
    /// Method name.
    pub method: String,
    /// Whether every expected value matched.
    pub passed: bool,
    /// The fields that did not match (empty when passed).
    pub mismatches: Vec<Mismatch>,
}

/// Runs one case and compares it with its expected values.
pub fn run_case(case: &Case) -> Outcome {
    let expects_error = case.expected.get("error").and_then(Value::as_bool) == Some(true);
    let result = methods::run(&case.method, &case.input);
    let tol = case.tolerance.unwrap_or(DEFAULT_TOLERANCE);
    let mismatches = match (result, expects_error) {
        (Err(methods::MethodError::Method(_)), true) => Vec::new(),
        (Ok(got), true) => vec![Mismatch {
            field: "error".into(),
            got: abbreviate(&got),
            want: "an error".into(),
        }],
        (Err(e), _) => vec![Mismatch {
            field: "(result)".into(),
            got: e.to_string(),
            want: if expects_error {
                "an error from the method".into()
            } else {
                "a result".into()
            },
        }],
        (Ok(got), false) => {
            let mut out = Vec::new();
            compare(&got, &case.expected, &tol, String::new(), &mut out);
            out
        }
    };
    Outcome {
        id: case.id.clone(),
        method: case.method.clone(),
        passed: mismatches.is_empty(),
        mismatches,
    }
}

/// Runs every case.
pub fn run_all(cases: &[Case]) -> Vec<Outcome> {
    cases.iter().map(run_case).collect()
}

fn abbreviate(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        let cut = (0..=117)
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}...", &s[..cut])
    } else {
        s
    }
}

/// Compares `got` with `want` recursively: every key of an expected object
/// must be present; arrays compare element by element; an expected `null`
/// requires a missing (`null`) value; numbers compare under `tol`.
fn compare(got: &Value, want: &Value, tol: &Tolerance, path: String, out: &mut Vec<Mismatch>) {
    let mut miss = |got: String, want: String| {
        out.push(Mismatch {
            field: if path.is_empty() {
                "(result)".into()
            } else {
                path.clone()
            },
            got,
            want,
        })
    };
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, wv) in w {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match g.get(key) {
                    Some(gv) => compare(gv, wv, tol, sub, out),
                    None => out.push(Mismatch {
                        field: sub,
                        got: "(absent)".into(),
                        want: abbreviate(wv),
                    }),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                miss(
                    format!("{} elements", g.len()),
                    format!("{} elements", w.len()),
                );
                return;
            }
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                compare(gv, wv, tol, format!("{path}[{i}]"), out);
            }
        }
        (Value::Null, Value::Null) => {}
        (Value::Null, g) => miss(abbreviate(g), "null (undefined)".into()),
        (Value::Number(w), Value::Number(g)) => {
            let (wf, gf) = (
                w.as_f64().unwrap_or(f64::NAN),
                g.as_f64().unwrap_or(f64::NAN),
            );
            if !tol.accepts(gf, wf) {
                miss(format!("{gf:e}"), format!("{wf:e}"));
            }
        }
        (w, g) if w == g => {}
        (w, g) => miss(abbreviate(g), abbreviate(w)),
    }
}

/// Passed and failed counts.
pub fn tally(outcomes: &[Outcome]) -> (usize, usize) {
    let passed = outcomes.iter().filter(|o| o.passed).count();
    (passed, outcomes.len() - passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tolerance_is_abs_plus_rel() {
        let t = Tolerance {
            rel: 1e-6,
            abs: 1e-12,
        };
        assert!(t.accepts(1.000_000_9, 1.0));
        assert!(!t.accepts(1.000_002, 1.0));
        assert!(!t.accepts(f64::NAN, 1.0));
    }

    #[test]
    fn compare_reports_paths_and_nulls() {
        let mut out = Vec::new();
        let got = json!({"a": [1.0, null], "b": {"c": 2.0}, "extra": 1});
        let want = json!({"a": [1.0, 3.0], "b": {"c": 2.5}, "d": null});
        compare(&got, &want, &DEFAULT_TOLERANCE, String::new(), &mut out);
        let fields: Vec<_> = out.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(fields, vec!["a[1]", "b.c", "d"]);
    }

    #[test]
    fn expected_null_requires_missing() {
        let mut out = Vec::new();
        compare(
            &json!({"x": 1.0}),
            &json!({"x": null}),
            &DEFAULT_TOLERANCE,
            String::new(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn bundled_cases_load_with_unique_ids() {
        let cases = bundled_cases().unwrap();
        assert!(cases.len() > 250, "{}", cases.len());
        assert!(cases.iter().all(|c| !c.source.is_empty()));
    }
}
