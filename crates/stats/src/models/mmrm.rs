//! Mixed model for repeated measures (MMRM) with an unstructured
//! covariance, fitted by restricted maximum likelihood.
//!
//! The modern alternative to LOCF: every observed visit counts, missing
//! visits are left missing (valid under missing at random), and the
//! within-patient covariance is estimated freely.

use super::design::{Design, ScaledCholesky};
use crate::linalg::{Cholesky, Matrix};
use crate::{Note, StatsError};

/// Validated MMRM input: response, design (intercept added), subjects and
/// their visits.
#[derive(Debug, Clone)]
pub struct MmrmData {
    y: Vec<f64>,
    design: Design,
    /// Per subject: (row indices, visit indices), visits increasing.
    subjects: Vec<(Vec<usize>, Vec<usize>)>,
    visits: Vec<String>,
}

impl MmrmData {
    /// Validates the data. `visit` values are categories (e.g. weeks); each
    /// subject may have each visit at most once, and may miss any.
    ///
    /// # Errors
    /// [`StatsError::LengthMismatch`] for `id`, `visit` or a column of the
    /// wrong length; [`StatsError::NonFinite`] for missing values;
    /// [`StatsError::Degenerate`] for a subject with the same visit twice;
    /// [`StatsError::TooFew`] for fewer than two visits.
    pub fn new<I: Ord, V: Ord + ToString>(
        id: &[I],
        y: &[f64],
        columns: &[(String, Vec<f64>)],
        visit: &[V],
    ) -> Result<Self, StatsError> {
        let n = y.len();
        for (name, len) in [("id", id.len()), ("visit", visit.len())] {
            crate::common::check_same_len(name, len, "y", n)?;
        }
        crate::common::check_finite("y", y)?;
        let design = Design::new(n, columns)?;
        let mut levels: Vec<&V> = visit.iter().collect();
        levels.sort();
        levels.dedup();
        if levels.len() < 2 {
            return Err(StatsError::TooFew {
                argument: "visits".into(),
                needed: 2,
                found: levels.len(),
            });
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| id[a].cmp(&id[b]).then(visit[a].cmp(&visit[b])));
        let mut subjects: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        for (pos, &row) in order.iter().enumerate() {
            let v = levels.partition_point(|&l| l < &visit[row]);
            let new_subject = pos == 0 || id[order[pos - 1]] != id[row];
            if new_subject {
                subjects.push((Vec::new(), Vec::new()));
            } else if visit[order[pos - 1]] == visit[row] {
                return Err(StatsError::degenerate(format!(
                    "row {row}: the subject has visit `{}` twice",
                    visit[row].to_string()
                )));
            }
            if let Some(last) = subjects.last_mut() {
                last.0.push(row);
                last.1.push(v);
            }
        }
        Ok(MmrmData {
            y: y.to_vec(),
            design,
            subjects,
            visits: levels.iter().map(|v| v.to_string()).collect(),
        })
    }
}

/// A fitted MMRM.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct MmrmFit {
    /// Coefficient names, intercept first.
    pub names: Vec<String>,
    /// GLS estimates at the REML covariance.
    pub coef: Vec<f64>,
    /// Model-based standard errors, sqrt(diag((X'V^-1 X)^-1)).
    pub se: Vec<f64>,
    /// The REML log-likelihood (as nlme reports it).
    pub loglik: f64,
    /// The estimated visit covariance, visits in increasing order.
    pub covariance: Vec<Vec<f64>>,
    /// The visits, in the order of `covariance`.
    pub visits: Vec<String>,
    /// Residual degrees of freedom N - p.
    pub df_residual: f64,
    /// Optimizer iterations.
    pub iterations: usize,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// Fits the MMRM with unstructured covariance by REML.
///
/// The covariance is parametrized by its Cholesky factor (log diagonal), beta
/// is profiled out by generalized least squares, and the REML log-likelihood
/// -1/2 [(N - p) log 2 pi + sum log|V_i| + log|X'V^-1 X| + r'V^-1 r] is
/// maximized by BFGS with its analytic gradient, then polished by Newton
/// steps on a finite-difference Hessian of that gradient.
///
/// # Errors
/// [`StatsError::Singular`] for collinear design columns;
/// [`StatsError::TooFew`] with no residual degrees of freedom;
/// [`StatsError::NotConverged`] when the optimizer stalls.
///
/// # References
/// Mallinckrodt et al. (2008), Drug Inf J 42:303-319; agrees with R 4.2.2
/// nlme 3.1-162 `gls(correlation = corSymm, weights = varIdent, method =
/// "REML")` and the mmrm package.
///
/// # Example
/// ```
/// use rct_stats::models::mmrm::{mmrm, MmrmData};
/// let id = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6];
/// let y = [1.0, 2.1, 2.0, 2.9, 0.5, 1.7, 1.5, 2.2, 2.2, 3.5, 1.1];
/// let visit = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1];
/// let v2: Vec<f64> = visit.iter().map(|&v| if v == 2 { 1.0 } else { 0.0 }).collect();
/// let fit = mmrm(&MmrmData::new(&id, &y, &[("v2".into(), v2)], &visit)?)?;
/// assert_eq!(fit.coef.len(), 2);
/// assert!(fit.se[1] > 0.0);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn mmrm(data: &MmrmData) -> Result<MmrmFit, StatsError> {
    let n = data.y.len();
    let p = data.design.p();
    if n <= p {
        return Err(StatsError::TooFew {
            argument: "observations".into(),
            needed: p + 1,
            found: n,
        });
    }
    let t = data.visits.len();
    let problem = Problem { data, t, p };
    // Start: OLS residual variances by visit, no correlation.
    let ols = problem.gls(&Matrix::identity(t))?;
    let mut var = vec![0.0; t];
    let mut cnt = vec![0.0; t];
    for (rows, visits) in &data.subjects {
        for (&row, &v) in rows.iter().zip(visits) {
            let r = data.y[row] - crate::linalg::dot(data.design.row(row), &ols.beta);
            var[v] += r * r;
            cnt[v] += 1.0;
        }
    }
    let mut theta = vec![0.0; t * (t + 1) / 2];
    for j in 0..t {
        let v = if cnt[j] > 0.0 { var[j] / cnt[j] } else { 1.0 };
        theta[diag_index(j)] = 0.5 * v.max(1e-8).ln();
    }
    let (theta, iterations) = minimize(&problem, theta)?;
    let sigma = problem.sigma(&theta);
    let fit = problem.gls(&sigma)?;
    let cov = fit.c.inverse();
    let loglik = -fit.objective;
    Ok(MmrmFit {
        names: data.design.names().to_vec(),
        coef: fit.beta.clone(),
        se: cov.diagonal().iter().map(|v| v.sqrt()).collect(),
        loglik,
        covariance: (0..t)
            .map(|i| (0..t).map(|j| sigma.get(i, j)).collect())
            .collect(),
        visits: data.visits.clone(),
        df_residual: (n - p) as f64,
        iterations,
        notes: Vec::new(),
    })
}

/// Position of L[j][j] in the packed parameter vector (row-major lower).
fn diag_index(j: usize) -> usize {
    j * (j + 1) / 2 + j
}

struct Problem<'a> {
    data: &'a MmrmData,
    t: usize,
    p: usize,
}

/// GLS at one covariance: beta, the information factor, the objective
/// (minus the REML log-likelihood) and its gradient with respect to Sigma.
struct Gls {
    beta: Vec<f64>,
    c: ScaledCholesky,
    objective: f64,
    grad_sigma: Matrix,
}

impl Problem<'_> {
    fn lower(&self, theta: &[f64]) -> Matrix {
        let t = self.t;
        let mut l = Matrix::zeros(t, t);
        let mut k = 0;
        for i in 0..t {
            for j in 0..=i {
                l.set(i, j, if i == j { theta[k].exp() } else { theta[k] });
                k += 1;
            }
        }
        l
    }

    fn sigma(&self, theta: &[f64]) -> Matrix {
        let l = self.lower(theta);
        l.matmul(&l.transpose())
    }

    // Index loops over small per-subject blocks read like the formulas.
    #[allow(clippy::needless_range_loop)]
    fn gls(&self, sigma: &Matrix) -> Result<Gls, StatsError> {
        let (p, t) = (self.p, self.t);
        let d = self.data;
        let mut xtwx = Matrix::zeros(p, p);
        let mut xtwy = vec![0.0; p];
        let mut logdet = 0.0;
        let mut winv: Vec<Matrix> = Vec::with_capacity(d.subjects.len());
        for (rows, visits) in &d.subjects {
            let s = sigma.select(visits, visits);
            let ch = Cholesky::new(&s, "visit covariance")?;
            logdet += ch.log_det();
            let w = ch.inverse();
            let k = rows.len();
            for a in 0..k {
                let xa = d.design.row(rows[a]);
                for b in 0..k {
                    let wab = w.get(a, b);
                    let xb = d.design.row(rows[b]);
                    let yb = d.y[rows[b]];
                    for r in 0..p {
                        let f = xa[r] * wab;
                        xtwy[r] += f * yb;
                        for c in r..p {
                            xtwx.add_to(r, c, f * xb[c]);
                        }
                    }
                }
            }
            winv.push(w);
        }
        xtwx.symmetrize_from_upper();
        let c = ScaledCholesky::new(&xtwx, "X'V^-1 X", d.design.names())?;
        let beta = c.solve(&xtwy);
        let cinv = c.inverse();
        let mut rwr = 0.0;
        let mut grad = Matrix::zeros(t, t);
        for ((rows, visits), w) in d.subjects.iter().zip(&winv) {
            let k = rows.len();
            let r: Vec<f64> = rows
                .iter()
                .map(|&row| d.y[row] - crate::linalg::dot(d.design.row(row), &beta))
                .collect();
            let q = w.mul_vec(&r);
            rwr += crate::linalg::dot(&r, &q);
            // M = W X_i (k x p); the gradient term W - M C M' - q q'.
            let mut m = Matrix::zeros(k, p);
            for a in 0..k {
                for b in 0..k {
                    let wab = w.get(a, b);
                    let xb = d.design.row(rows[b]);
                    for c2 in 0..p {
                        m.add_to(a, c2, wab * xb[c2]);
                    }
                }
            }
            let mc = m.matmul(&cinv);
            for a in 0..k {
                for b in 0..k {
                    let mcm = crate::linalg::dot(mc.row(a), m.row(b));
                    let g = w.get(a, b) - mcm - q[a] * q[b];
                    grad.add_to(visits[a], visits[b], 0.5 * g);
                }
            }
        }
        let n = d.y.len() as f64;
        let objective =
            0.5 * ((n - p as f64) * (2.0 * std::f64::consts::PI).ln() + logdet + c.log_det() + rwr);
        Ok(Gls {
            beta,
            c,
            objective,
            grad_sigma: grad,
        })
    }

    /// Objective and gradient in theta.
    fn eval(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), StatsError> {
        let l = self.lower(theta);
        let sigma = l.matmul(&l.transpose());
        let g = self.gls(&sigma)?;
        // d f / d L = 2 G L (G symmetric), lower triangle; log-diagonal chain rule.
        let gl = g.grad_sigma.matmul(&l);
        let t = self.t;
        let mut grad = Vec::with_capacity(theta.len());
        for i in 0..t {
            for j in 0..=i {
                let d = 2.0 * gl.get(i, j);
                grad.push(if i == j { d * l.get(i, i) } else { d });
            }
        }
        Ok((g.objective, grad))
    }
}

/// BFGS with backtracking line search, then Newton polishing.
fn minimize(problem: &Problem<'_>, mut x: Vec<f64>) -> Result<(Vec<f64>, usize), StatsError> {
    let m = x.len();
    let (mut f, mut g) = problem.eval(&x)?;
    let mut h = Matrix::identity(m);
    let mut iterations = 0;
    let max_iter = 1000;
    let mut last_change = f64::INFINITY;
    while iterations < max_iter {
        iterations += 1;
        let gnorm = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if gnorm < 1e-9 {
            break;
        }
        let mut dir: Vec<f64> = h.mul_vec(&g).iter().map(|v| -v).collect();
        let mut slope = crate::linalg::dot(&dir, &g);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            h = Matrix::identity(m);
            dir = g.iter().map(|v| -v).collect();
            slope = -crate::linalg::dot(&g, &g);
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let trial: Vec<f64> = x.iter().zip(&dir).map(|(a, d)| a + step * d).collect();
            if let Ok((ft, gt)) = problem.eval(&trial) {
                if ft.is_finite() && ft <= f + 1e-4 * step * slope {
                    accepted = Some((trial, ft, gt));
                    break;
                }
            }
            step *= 0.5;
        }
        let Some((xn, fn_, gn)) = accepted else {
            break; // no further decrease possible at machine precision
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = crate::linalg::dot(&s, &yv);
        if sy > 1e-14 {
            // H <- (I - rho s y') H (I - rho y s') + rho s s'
            let rho = 1.0 / sy;
            let hy = h.mul_vec(&yv);
            let yhy = crate::linalg::dot(&yv, &hy);
            let mut hn = Matrix::zeros(m, m);
            for i in 0..m {
                for j in 0..m {
                    let v = h.get(i, j) - rho * (hy[i] * s[j] + s[i] * hy[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                    hn.set(i, j, v);
                }
            }
            h = hn;
        }
        last_change = (f - fn_).abs() / f.abs().max(1.0);
        x = xn;
        f = fn_;
        g = gn;
        if last_change < 1e-15 && g.iter().fold(0.0f64, |a, v| a.max(v.abs())) < 1e-6 {
            break;
        }
    }
    // Newton polishing with a finite-difference Hessian of the gradient.
    for _ in 0..4 {
        let mut hess = Matrix::zeros(m, m);
        for j in 0..m {
            let hstep = 1e-5 * (1.0 + x[j].abs());
            let mut xp = x.clone();
            xp[j] += hstep;
            let mut xm = x.clone();
            xm[j] -= hstep;
            let (_, gp) = problem.eval(&xp)?;
            let (_, gm) = problem.eval(&xm)?;
            for i in 0..m {
                hess.set(i, j, (gp[i] - gm[i]) / (2.0 * hstep));
            }
        }
        for i in 0..m {
            for j in 0..i {
                let v = 0.5 * (hess.get(i, j) + hess.get(j, i));
                hess.set(i, j, v);
                hess.set(j, i, v);
            }
        }
        let Ok(ch) = Cholesky::new(&hess, "REML Hessian") else {
            break;
        };
        let delta = ch.solve(&g);
        let trial: Vec<f64> = x.iter().zip(&delta).map(|(a, d)| a - d).collect();
        match problem.eval(&trial) {
            Ok((ft, gt)) if ft <= f + 1e-12 * f.abs().max(1.0) => {
                x = trial;
                f = ft;
                g = gt;
            }
            _ => break,
        }
    }
    let gnorm = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if gnorm > 1e-4 * f.abs().max(1.0) {
        return Err(StatsError::NotConverged {
            iterations,
            last_change: gnorm.min(last_change.max(gnorm)),
        });
    }
    Ok((x, iterations))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analytic gradient agrees with central differences of the objective.
    #[test]
    fn gradient_matches_finite_differences() {
        let id = [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6];
        let y = [
            1.0, 2.1, 2.5, 2.0, 2.9, 3.8, 0.5, 1.7, 1.5, 2.2, 3.1, 2.2, 3.5, 1.1,
        ];
        let visit = [1, 2, 3, 1, 2, 3, 1, 2, 1, 2, 3, 1, 3, 2];
        let trt = [
            0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0,
        ];
        let data = MmrmData::new(&id, &y, &[("trt".into(), trt.to_vec())], &visit).unwrap();
        let problem = Problem {
            data: &data,
            t: 3,
            p: 2,
        };
        let theta = vec![0.1, 0.3, -0.2, 0.05, 0.2, 0.1];
        let (_, g) = problem.eval(&theta).unwrap();
        for k in 0..theta.len() {
            let h = 1e-6;
            let mut a = theta.clone();
            a[k] += h;
            let mut b = theta.clone();
            b[k] -= h;
            let fd = (problem.eval(&a).unwrap().0 - problem.eval(&b).unwrap().0) / (2.0 * h);
            assert!(
                (fd - g[k]).abs() < 1e-6 * (1.0 + fd.abs()),
                "param {k}: {fd} vs {}",
                g[k]
            );
        }
    }

    #[test]
    fn duplicate_visit_is_an_error() {
        let r = MmrmData::new(
            &[1, 1, 2],
            &[1.0, 2.0, 3.0],
            &[] as &[(String, Vec<f64>)],
            &[1, 1, 2],
        );
        assert!(matches!(
            r,
            Err(StatsError::Degenerate { .. }) | Err(StatsError::TooFew { .. })
        ));
    }
}
