//! Small dense linear algebra for the regression models.
//!
//! The models here (Cox, linear model, GEE, MMRM) solve systems with at most
//! a few dozen unknowns; their cost lies in accumulating cross-products over
//! many observations, which the model code does in its own loops. A
//! symmetric positive-definite solve by Cholesky covers every use, so this
//! module stays ~200 lines instead of pulling a linear algebra crate into the
//! build (see DESIGN.md).

use crate::StatsError;

/// A dense row-major matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// An all-zero `rows x cols` matrix.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// The `n x n` identity.
    pub fn identity(n: usize) -> Self {
        let mut m = Matrix::zeros(n, n);
        for i in 0..n {
            m.data[i * n + i] = 1.0;
        }
        m
    }

    /// A matrix from row-major data.
    ///
    /// # Errors
    /// [`StatsError::LengthMismatch`] if `data.len() != rows * cols`.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, StatsError> {
        crate::common::check_same_len("data", data.len(), "rows * cols", rows * cols)?;
        Ok(Matrix { rows, cols, data })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Element `(i, j)`.
    #[inline]
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    /// Sets element `(i, j)`.
    #[inline]
    #[track_caller]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.cols + j] = v;
    }

    /// Adds `v` to element `(i, j)`.
    #[inline]
    #[track_caller]
    pub fn add_to(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.cols + j] += v;
    }

    /// Row `i` as a slice.
    #[track_caller]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The row-major data.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The row-major data, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The diagonal.
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.rows.min(self.cols))
            .map(|i| self.get(i, i))
            .collect()
    }

    /// The transpose.
    pub fn transpose(&self) -> Matrix {
        let mut t = Matrix::zeros(self.cols, self.rows);
        for i in 0..self.rows {
            for j in 0..self.cols {
                t.set(j, i, self.get(i, j));
            }
        }
        t
    }

    /// The product `self * other`.
    #[track_caller]
    pub fn matmul(&self, other: &Matrix) -> Matrix {
        assert_eq!(self.cols, other.rows, "invariant: conformable matrices");
        let mut out = Matrix::zeros(self.rows, other.cols);
        for i in 0..self.rows {
            for k in 0..self.cols {
                let a = self.get(i, k);
                if a == 0.0 {
                    continue;
                }
                let orow = other.row(k);
                let dst = &mut out.data[i * other.cols..(i + 1) * other.cols];
                for (d, &b) in dst.iter_mut().zip(orow) {
                    *d += a * b;
                }
            }
        }
        out
    }

    /// The product `self * v`.
    #[track_caller]
    pub fn mul_vec(&self, v: &[f64]) -> Vec<f64> {
        assert_eq!(
            self.cols,
            v.len(),
            "invariant: conformable matrix and vector"
        );
        (0..self.rows).map(|i| dot(self.row(i), v)).collect()
    }

    /// The quadratic form `v' self v`.
    #[track_caller]
    pub fn quadratic_form(&self, v: &[f64]) -> f64 {
        dot(v, &self.mul_vec(v))
    }

    /// The submatrix of the given rows and columns.
    #[track_caller]
    pub fn select(&self, rows: &[usize], cols: &[usize]) -> Matrix {
        let mut out = Matrix::zeros(rows.len(), cols.len());
        for (a, &i) in rows.iter().enumerate() {
            for (b, &j) in cols.iter().enumerate() {
                out.set(a, b, self.get(i, j));
            }
        }
        out
    }

    /// Copies the upper triangle onto the lower one (for matrices
    /// accumulated only on `j >= i`).
    pub fn symmetrize_from_upper(&mut self) {
        for i in 0..self.rows {
            for j in 0..i {
                let v = self.get(j, i);
                self.set(i, j, v);
            }
        }
    }
}

/// The dot product of two equally long slices.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves the general `n x n` system `A x = b` by Gaussian elimination with
/// partial pivoting, overwriting `a` (row-major) and `b`.
///
/// Returns `None` when a pivot is zero or not finite, or when the sizes do
/// not match. For the small non-symmetric systems of the models (e.g. the
/// cluster leverage `I - H` of the bias-reduced GEE sandwich).
pub fn lu_solve(a: &mut [f64], b: &mut [f64], n: usize) -> Option<Vec<f64>> {
    if a.len() != n * n || b.len() != n {
        return None;
    }
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..n {
        let piv =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        let pv = a[piv * n + col];
        if !pv.is_finite() || pv.abs() <= 1e-13 * scale {
            return None;
        }
        if piv != col {
            for j in 0..n {
                a.swap(piv * n + j, col * n + j);
            }
            b.swap(piv, col);
        }
        for i in col + 1..n {
            let f = a[i * n + col] / pv;
            if f == 0.0 {
                continue;
            }
            for j in col..n {
                a[i * n + j] -= f * a[col * n + j];
            }
            b[i] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let tail: f64 = (i + 1..n).map(|j| a[i * n + j] * x[j]).sum();
        x[i] = (b[i] - tail) / a[i * n + i];
    }
    Some(x)
}

/// The Cholesky factor `L` (lower triangular, `A = L L'`) of a symmetric
/// positive-definite matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    l: Matrix,
}

impl Cholesky {
    /// Factors `a`, reading only its lower triangle.
    ///
    /// A pivot below `1e-10` times the largest diagonal element of `a` (or a
    /// non-finite one) is reported as singular: for a cross-product matrix
    /// this means collinear columns.
    ///
    /// # Errors
    /// [`StatsError::Singular`] naming `what`.
    pub fn new(a: &Matrix, what: &str) -> Result<Self, StatsError> {
        let n = a.rows;
        if a.cols != n {
            return Err(StatsError::Singular {
                what: what.into(),
                hint: "; the matrix is not square".into(),
            });
        }
        let scale = (0..n).map(|i| a.get(i, i).abs()).fold(0.0, f64::max);
        let tol = 1e-10 * scale.max(f64::MIN_POSITIVE);
        let mut l = Matrix::zeros(n, n);
        for j in 0..n {
            let lj = &l.data[j * n..j * n + j];
            let d = a.get(j, j) - dot(lj, lj);
            if !d.is_finite() || d <= tol {
                return Err(StatsError::Singular {
                    what: what.into(),
                    hint: format!("; column {j} is (nearly) a combination of earlier columns"),
                });
            }
            let djj = d.sqrt();
            l.set(j, j, djj);
            for i in j + 1..n {
                let s = a.get(i, j) - dot(&l.data[i * n..i * n + j], &l.data[j * n..j * n + j]);
                l.set(i, j, s / djj);
            }
        }
        Ok(Cholesky { l })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.l.rows
    }

    /// The lower-triangular factor.
    pub fn factor(&self) -> &Matrix {
        &self.l
    }

    /// Solves `A x = b`.
    #[track_caller]
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.dim();
        assert_eq!(b.len(), n, "invariant: right-hand side of matching length");
        let mut y = b.to_vec();
        // Forward: L y = b.
        for i in 0..n {
            let s = dot(&self.l.data[i * n..i * n + i], &y[..i]);
            y[i] = (y[i] - s) / self.l.get(i, i);
        }
        // Backward: L' x = y.
        for i in (0..n).rev() {
            let tail: f64 = (i + 1..n).map(|k| self.l.get(k, i) * y[k]).sum();
            y[i] = (y[i] - tail) / self.l.get(i, i);
        }
        y
    }

    /// `A^-1`.
    pub fn inverse(&self) -> Matrix {
        let n = self.dim();
        let mut inv = Matrix::zeros(n, n);
        let mut e = vec![0.0; n];
        for j in 0..n {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            let col = self.solve(&e);
            for (i, v) in col.into_iter().enumerate() {
                inv.set(i, j, v);
            }
        }
        inv
    }

    /// `log |A|`.
    pub fn log_det(&self) -> f64 {
        2.0 * (0..self.dim()).map(|i| self.l.get(i, i).ln()).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked: A = [[4, 2], [2, 3]], L = [[2, 0], [1, sqrt 2]], |A| = 8,
    /// A^-1 = [[3, -2], [-2, 4]] / 8.
    #[test]
    fn cholesky_solves_and_inverts() {
        let a = Matrix::from_row_major(2, 2, vec![4.0, 2.0, 2.0, 3.0]).unwrap();
        let c = Cholesky::new(&a, "test").unwrap();
        assert!((c.log_det() - 8f64.ln()).abs() < 1e-14);
        let x = c.solve(&[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-14 && x[1].abs() < 1e-14);
        let inv = c.inverse();
        assert!((inv.get(0, 1) + 0.25).abs() < 1e-14);
        assert!((inv.get(1, 1) - 0.5).abs() < 1e-14);
    }

    /// Hand-worked: [[0, 2], [3, 1]] x = [4, 5] needs a row swap; x = (1, 2).
    #[test]
    fn lu_solves_with_pivoting() {
        let mut a = vec![0.0, 2.0, 3.0, 1.0];
        let mut b = vec![4.0, 5.0];
        let x = lu_solve(&mut a, &mut b, 2).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-14 && (x[1] - 2.0).abs() < 1e-14);
        let mut a = vec![1.0, 2.0, 2.0, 4.0];
        assert!(lu_solve(&mut a, &mut [1.0, 1.0], 2).is_none());
    }

    #[test]
    fn collinear_is_singular() {
        let a = Matrix::from_row_major(2, 2, vec![1.0, 2.0, 2.0, 4.0]).unwrap();
        assert!(matches!(
            Cholesky::new(&a, "X'X"),
            Err(StatsError::Singular { .. })
        ));
    }
}
