//! Reading typed values out of a [`Dataset`], collecting every problem.

use std::borrow::Cow;
use std::fmt;

use crate::dates::to_iso;
use crate::model::{Column, Dataset, NumericColumn, Temporal, TextColumn};

use super::date::{Date, Dtc};

/// The most problems one [`super::SdtmError`] lists; the rest are counted.
pub const MAX_PROBLEMS: usize = 50;

/// One problem found while reading SDTM data: the domain, the 1-based data
/// row (when it belongs to one), the variable (when it belongs to one) and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// The domain (`LB`).
    pub domain: String,
    /// The data row, 1-based (the header of a CSV file is not counted).
    pub row: Option<usize>,
    /// The variable (`LBDTC`).
    pub variable: Option<String>,
    /// What is wrong, with the offending value.
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.domain)?;
        if let Some(r) = self.row {
            write!(f, " row {r}")?;
        }
        if let Some(v) = &self.variable {
            write!(f, ", variable `{v}`")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// A bounded list of problems.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub(crate) list: Vec<Problem>,
    pub(crate) more: usize,
}

impl Problems {
    pub(crate) fn push(
        &mut self,
        domain: &str,
        row: Option<usize>,
        variable: Option<&str>,
        problem: String,
    ) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Problem {
                domain: domain.to_owned(),
                row: row.map(|r| r + 1),
                variable: variable.map(str::to_owned),
                problem,
            });
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// A column as the typed reader sees it.
#[derive(Clone, Copy)]
enum Cells<'a> {
    /// The variable is not in the dataset.
    Absent,
    Text(&'a TextColumn),
    Num(&'a NumericColumn, Temporal),
}

/// One variable of one domain, ready to read row by row.
#[derive(Clone, Copy)]
pub(crate) struct Field<'a> {
    domain: &'a str,
    name: &'static str,
    cells: Cells<'a>,
}

/// A dataset being read as a domain.
pub(crate) struct Table<'a> {
    pub(crate) domain: &'a str,
    pub(crate) ds: &'a Dataset,
}

impl<'a> Table<'a> {
    pub(crate) fn rows(&self) -> usize {
        self.ds.n_rows()
    }

    fn cells(&self, name: &'static str) -> Cells<'a> {
        match self.ds.get(name) {
            None => Cells::Absent,
            Some((v, Column::Numeric(c))) => Cells::Num(c, v.temporal()),
            Some((_, Column::Character(c))) => Cells::Text(c),
        }
    }

    /// A variable the domain must have: its absence is a problem.
    pub(crate) fn required(&self, name: &'static str, p: &mut Problems) -> Field<'a> {
        let cells = self.cells(name);
        if matches!(cells, Cells::Absent) {
            p.push(
                self.domain,
                None,
                Some(name),
                "required variable is missing".into(),
            );
        }
        Field {
            domain: self.domain,
            name,
            cells,
        }
    }

    /// A variable the domain may lack (its values then read as blank).
    pub(crate) fn optional(&self, name: &'static str) -> Field<'a> {
        Field {
            domain: self.domain,
            name,
            cells: self.cells(name),
        }
    }
}

/// Text of a number held in a numeric column read as text: integers
/// without a decimal point (`701`, not `701.0`).
fn number_as_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

impl<'a> Field<'a> {
    /// Whether the dataset has the variable.
    pub(crate) fn present(&self) -> bool {
        !matches!(self.cells, Cells::Absent)
    }

    fn problem(&self, p: &mut Problems, row: usize, problem: String) {
        p.push(self.domain, Some(row), Some(self.name), problem);
    }

    /// The value as trimmed text ("" when blank or absent): a slice of the
    /// dataset's text, or formatted text when the column is numeric.
    pub(crate) fn text(&self, row: usize) -> Cow<'a, str> {
        match self.cells {
            Cells::Absent => Cow::Borrowed(""),
            Cells::Text(c) => Cow::Borrowed(c.get(row).map_or("", str::trim)),
            Cells::Num(c, t) => match c.get(row) {
                None => Cow::Borrowed(""),
                Some(x) => Cow::Owned(to_iso(x, t).unwrap_or_else(|| number_as_text(x))),
            },
        }
    }

    /// `text` itself, borrowed from the dataset when the trimmed cell of
    /// `row` holds exactly that text, else an owned copy (for hash keys
    /// that outlive the record `text` came from).
    pub(crate) fn share(&self, row: usize, text: &str) -> Cow<'a, str> {
        match self.cells {
            Cells::Text(c) => match c.get(row).map(str::trim) {
                Some(s) if s == text => Cow::Borrowed(s),
                _ => Cow::Owned(text.to_owned()),
            },
            Cells::Absent | Cells::Num(..) => Cow::Owned(text.to_owned()),
        }
    }

    /// The value as text; blank is a problem (unless the variable is
    /// absent, which was reported once already).
    pub(crate) fn text_req(&self, row: usize, p: &mut Problems) -> Cow<'a, str> {
        let t = self.text(row);
        if t.is_empty() && self.present() {
            self.problem(p, row, "required value is blank".into());
        }
        t
    }

    /// The value as a number; text that is not a number is a problem.
    pub(crate) fn num(&self, row: usize, p: &mut Problems) -> Option<f64> {
        match self.cells {
            Cells::Absent => None,
            Cells::Num(c, _) => c.get(row),
            Cells::Text(c) => {
                let t = c.get(row).map_or("", |s| s.trim());
                if t.is_empty() || t == "." {
                    return None;
                }
                match t.parse::<f64>() {
                    Ok(x) if x.is_finite() => Some(x),
                    _ => {
                        self.problem(
                            p,
                            row,
                            format!("value {t:?} is not a number (a numeric variable holds text)"),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A required number.
    pub(crate) fn num_req(&self, row: usize, p: &mut Problems) -> Option<f64> {
        let x = self.num(row, p);
        // Text that is not a number was reported by `num` already.
        if x.is_none() && self.present() && self.text(row).is_empty() {
            self.problem(p, row, "required value is blank".into());
        }
        x
    }

    /// A sequence number (`--SEQ`): a required whole number.
    pub(crate) fn seq(&self, row: usize, p: &mut Problems) -> i64 {
        match self.num_req(row, p) {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => x as i64,
            Some(x) => {
                self.problem(p, row, format!("value {x} is not a whole number"));
                0
            }
            None => 0,
        }
    }

    /// An ISO 8601 date or datetime (`--DTC`), possibly partial; text that
    /// is not ISO 8601 is a problem. A numeric column with a date or
    /// datetime format is read as its date.
    pub(crate) fn dtc(&self, row: usize, p: &mut Problems) -> Option<Dtc> {
        match self.cells {
            Cells::Absent => None,
            Cells::Num(c, t) => {
                let x = c.get(row)?;
                let day = match t {
                    Temporal::Date => Some(x),
                    Temporal::DateTime => Some((x / 86_400.0).floor()),
                    Temporal::None | Temporal::Time => None,
                };
                match day.filter(|d| d.fract() == 0.0 && d.abs() < 4e6) {
                    Some(d) => Some(Dtc::from_date(Date::from_sas_day(d as i32))),
                    None => {
                        self.problem(
                            p,
                            row,
                            format!(
                                "value {x} is a number without a date format; \
                                 give ISO 8601 text (2014-01-02)"
                            ),
                        );
                        None
                    }
                }
            }
            Cells::Text(c) => {
                let t = c.get(row).map_or("", |s| s.trim());
                if t.is_empty() {
                    return None;
                }
                let d = Dtc::parse(t);
                if d.is_none() {
                    self.problem(
                        p,
                        row,
                        format!(
                            "value {t:?} is not an ISO 8601 date (YYYY-MM-DD, optionally \
                             with THH:MM; partial dates YYYY or YYYY-MM)"
                        ),
                    );
                }
                d
            }
        }
    }

    /// A flag that is `Y` or blank (`--BLFL`).
    pub(crate) fn flag(&self, row: usize, p: &mut Problems) -> bool {
        match &*self.text(row) {
            "" => false,
            "Y" => true,
            other => {
                self.problem(p, row, format!("value {other:?} is not \"Y\" or blank"));
                false
            }
        }
    }

    /// A `Y`/`N` answer; blank is `None`.
    pub(crate) fn yes_no(&self, row: usize, p: &mut Problems) -> Option<bool> {
        match &*self.text(row) {
            "" => None,
            "Y" => Some(true),
            "N" => Some(false),
            other => {
                self.problem(
                    p,
                    row,
                    format!("value {other:?} is not \"Y\", \"N\" or blank"),
                );
                None
            }
        }
    }

    /// A controlled term: `parse` maps the text to a value; unknown text is
    /// a problem that lists the terms allowed.
    pub(crate) fn term<T>(
        &self,
        row: usize,
        p: &mut Problems,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let t = self.text(row);
        if t.is_empty() {
            return None;
        }
        let v = parse(&t);
        if v.is_none() {
            self.problem(
                p,
                row,
                format!(
                    "value {t:?} is not a controlled term here (expected one of {})",
                    allowed.join(", ")
                ),
            );
        }
        v
    }

    /// Checks that the `DOMAIN` (or `RDOMAIN`) column, when present, names
    /// `want` on every row.
    pub(crate) fn expect_value(&self, want: &str, p: &mut Problems, rows: usize) {
        if !self.present() {
            return;
        }
        for row in 0..rows {
            let t = self.text(row);
            if !t.is_empty() && !t.eq_ignore_ascii_case(want) {
                self.problem(p, row, format!("value {t:?} should be {want:?}"));
            }
        }
    }

    /// Reports a problem about this variable on `row`.
    pub(crate) fn report(&self, row: usize, p: &mut Problems, problem: String) {
        self.problem(p, row, problem);
    }
}
