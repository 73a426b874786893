//! A validated design matrix: an intercept plus named numeric columns, with
//! optional named groups of columns (terms) for joint tests.
//!
//! Factor columns arrive already dummy-coded (FORMAT.md), so a design is just
//! numbers. Validating once here lets the model kernels trust their input.

use crate::linalg::{Cholesky, Matrix};
use crate::StatsError;

/// The name given to the intercept column.
pub const INTERCEPT: &str = "(Intercept)";

/// A named group of coefficients tested jointly (e.g. the dummies of a
/// factor, or an interaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The term's name, e.g. `tension`.
    pub name: String,
    /// Positions of its coefficients (0 is the intercept).
    pub columns: Vec<usize>,
}

/// An `n x p` design: column 0 is the intercept, then the named columns in
/// the order given. Stored row-major so that one observation's covariates
/// are contiguous (the GEE kernel walks clusters row by row).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    names: Vec<String>,
    x: Matrix,
    terms: Vec<Term>,
}

impl Design {
    /// Builds a design with an intercept from `n` observations and named
    /// columns.
    ///
    /// # Errors
    /// [`StatsError::Empty`] if `n == 0`; [`StatsError::LengthMismatch`] if a
    /// column does not have `n` values; [`StatsError::NonFinite`] for a
    /// missing or infinite value; [`StatsError::Degenerate`] for a repeated
    /// column name.
    ///
    /// # Example
    /// ```
    /// use rct_stats::models::design::Design;
    /// let d = Design::new(3, &[("x", vec![1.0, 2.0, 4.0])])?;
    /// assert_eq!(d.names(), ["(Intercept)", "x"]);
    /// assert_eq!(d.row(2), [1.0, 4.0]);
    /// # Ok::<(), rct_stats::StatsError>(())
    /// ```
    pub fn new<S: AsRef<str>, C: AsRef<[f64]>>(
        n: usize,
        columns: &[(S, C)],
    ) -> Result<Self, StatsError> {
        if n == 0 {
            return Err(StatsError::Empty {
                argument: "y".into(),
                needed: 1,
            });
        }
        let p = columns.len() + 1;
        let mut names = Vec::with_capacity(p);
        names.push(INTERCEPT.to_string());
        for (name, col) in columns {
            let name = name.as_ref();
            let col = col.as_ref();
            let argument = format!("x.{name}");
            if col.len() != n {
                return Err(StatsError::LengthMismatch {
                    argument,
                    other: "y".into(),
                    expected: n,
                    found: col.len(),
                });
            }
            crate::common::check_finite(&argument, col)?;
            if names.iter().any(|m| m == name) {
                return Err(StatsError::degenerate(format!(
                    "column name `{name}` is given twice"
                )));
            }
            names.push(name.to_string());
        }
        let mut data = Vec::with_capacity(n * p);
        for i in 0..n {
            data.push(1.0);
            // Lengths were checked above, so `get` always succeeds.
            data.extend(
                columns
                    .iter()
                    .map(|(_, c)| c.as_ref().get(i).copied().unwrap_or(0.0)),
            );
        }
        let x = Matrix::from_row_major(n, p, data)?;
        Ok(Design {
            names,
            x,
            terms: Vec::new(),
        })
    }

    /// Adds named terms, each a list of column names (the intercept may not
    /// be part of a term).
    ///
    /// # Errors
    /// [`StatsError::Degenerate`] for an unknown column name, an empty term
    /// or a column listed twice in one term.
    pub fn with_terms<S: AsRef<str>, T: AsRef<str>>(
        mut self,
        terms: &[(S, Vec<T>)],
    ) -> Result<Self, StatsError> {
        let mut out = Vec::with_capacity(terms.len());
        for (name, cols) in terms {
            let name = name.as_ref();
            if cols.is_empty() {
                return Err(StatsError::degenerate(format!(
                    "term `{name}` lists no columns"
                )));
            }
            let mut columns = Vec::with_capacity(cols.len());
            for c in cols {
                let c = c.as_ref();
                let j = self
                    .names
                    .iter()
                    .skip(1)
                    .position(|m| m == c)
                    .map(|j| j + 1)
                    .ok_or_else(|| {
                        StatsError::degenerate(format!(
                            "term `{name}` names column `{c}`, which is not in `x`"
                        ))
                    })?;
                if columns.contains(&j) {
                    return Err(StatsError::degenerate(format!(
                        "term `{name}` lists column `{c}` twice"
                    )));
                }
                columns.push(j);
            }
            out.push(Term {
                name: name.to_string(),
                columns,
            });
        }
        self.terms = out;
        Ok(self)
    }

    /// Number of observations.
    pub fn n(&self) -> usize {
        self.x.rows()
    }

    /// Number of coefficients (columns including the intercept).
    pub fn p(&self) -> usize {
        self.x.cols()
    }

    /// Coefficient names, intercept first.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The terms, in the order given.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Row `i` (observation `i`'s covariates, intercept first).
    #[track_caller]
    pub fn row(&self, i: usize) -> &[f64] {
        self.x.row(i)
    }

    /// The design matrix.
    pub fn matrix(&self) -> &Matrix {
        &self.x
    }

    /// A copy of the design keeping only the coefficient positions `keep`
    /// (in that order); terms are dropped.
    pub(crate) fn select_columns(&self, keep: &[usize]) -> Design {
        let rows: Vec<usize> = (0..self.n()).collect();
        Design {
            names: keep.iter().map(|&j| self.names[j].clone()).collect(),
            x: self.x.select(&rows, keep),
            terms: Vec::new(),
        }
    }
}

/// A Cholesky factor of an equilibrated symmetric positive-definite matrix
/// `A`: `A = D^-1 (L L') D^-1` with `D = diag(1 / sqrt(a_ii))`.
///
/// Scaling to a unit diagonal first makes the singularity check a check on
/// collinearity (the pivot is `1 - R^2` of a column on the earlier ones),
/// independent of the columns' units; a raw pivot threshold would call a
/// well-determined dummy singular next to a covariate measured in millions.
#[derive(Debug, Clone)]
pub(crate) struct ScaledCholesky {
    chol: Cholesky,
    scale: Vec<f64>,
}

impl ScaledCholesky {
    /// Factors `a`, naming the first collinear coefficient from `names` in
    /// the error.
    pub(crate) fn new(a: &Matrix, what: &str, names: &[String]) -> Result<Self, StatsError> {
        let p = a.rows();
        let mut scale = Vec::with_capacity(p);
        for j in 0..p {
            let d = a.get(j, j);
            if !(d.is_finite() && d > 0.0) {
                return Err(singular(what, names, j));
            }
            scale.push(1.0 / d.sqrt());
        }
        let mut s = Matrix::zeros(p, p);
        for i in 0..p {
            for j in 0..p {
                s.set(i, j, a.get(i, j) * scale[i] * scale[j]);
            }
        }
        let chol = Cholesky::new(&s, what).map_err(|e| match e {
            StatsError::Singular { .. } => {
                // The failing pivot is the first column that is (nearly) a
                // combination of the earlier ones.
                let j = first_bad_pivot(&s).unwrap_or(p.saturating_sub(1));
                singular(what, names, j)
            }
            other => other,
        })?;
        Ok(ScaledCholesky { chol, scale })
    }

    /// Solves `A x = b`.
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        let sb: Vec<f64> = b.iter().zip(&self.scale).map(|(v, s)| v * s).collect();
        let mut x = self.chol.solve(&sb);
        x.iter_mut().zip(&self.scale).for_each(|(v, s)| *v *= s);
        x
    }

    /// `A^-1`.
    pub(crate) fn inverse(&self) -> Matrix {
        let mut inv = self.chol.inverse();
        let p = self.scale.len();
        for i in 0..p {
            for j in 0..p {
                inv.set(i, j, inv.get(i, j) * self.scale[i] * self.scale[j]);
            }
        }
        inv
    }
}

fn singular(what: &str, names: &[String], j: usize) -> StatsError {
    let name = names.get(j).map(String::as_str).unwrap_or("?");
    StatsError::Singular {
        what: what.into(),
        hint: format!(
            "; column `{name}` is constant zero or (nearly) a linear combination of the columns before it"
        ),
    }
}

/// Re-runs the Cholesky recursion to find the first pivot that fails the
/// same test `Cholesky::new` applies (unit diagonal, so the threshold is
/// `1e-10`).
fn first_bad_pivot(s: &Matrix) -> Option<usize> {
    let p = s.rows();
    let mut l = Matrix::zeros(p, p);
    for j in 0..p {
        let d = s.get(j, j) - (0..j).map(|k| l.get(j, k) * l.get(j, k)).sum::<f64>();
        if !d.is_finite() || d <= 1e-10 {
            return Some(j);
        }
        let djj = d.sqrt();
        l.set(j, j, djj);
        for i in j + 1..p {
            let v = s.get(i, j) - (0..j).map(|k| l.get(i, k) * l.get(j, k)).sum::<f64>();
            l.set(i, j, v / djj);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_columns() {
        assert!(matches!(
            Design::new(3, &[("a", vec![1.0, 2.0])]),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            Design::new(2, &[("a", vec![1.0, f64::NAN])]),
            Err(StatsError::NonFinite { .. })
        ));
        let d = Design::new(2, &[("a", vec![1.0, 2.0])]).unwrap();
        assert!(d.clone().with_terms(&[("t", vec!["b"])]).is_err());
        assert!(d.with_terms(&[("t", Vec::<&str>::new())]).is_err());
    }

    #[test]
    fn singular_names_the_column() {
        // b = 2 a: the third coefficient is collinear.
        let a = [1.0, 2.0, 3.0, 5.0];
        let b: Vec<f64> = a.iter().map(|v| 2.0 * v).collect();
        let d = Design::new(4, &[("a", a.to_vec()), ("b", b)]).unwrap();
        let x = d.matrix();
        let xtx = x.transpose().matmul(x);
        let err = ScaledCholesky::new(&xtx, "X'X", d.names()).unwrap_err();
        assert!(err.to_string().contains("`b`"), "{err}");
    }
}
