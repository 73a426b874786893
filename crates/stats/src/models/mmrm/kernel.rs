//! Numerics of the unstructured-covariance MMRM: sufficient statistics per
//! missingness pattern, the REML log-likelihood with its analytic gradient,
//! and the optimizer (BFGS with a backtracking line search, then Newton
//! polishing with a finite-difference Hessian of the analytic gradient).
//!
//! # Sufficient statistics
//!
//! Subjects who observe the same set of visits share `V_i = Sigma[P, P]` for
//! their pattern `P`. With `z_ia = (x_ia', y_ia)'` (row of subject `i` at the
//! `a`-th visit of the pattern) every quantity of the likelihood is a sum of
//! `W_ab * M_ab` with `W = Sigma_P^-1` and `M_ab = sum_i z_ia z_ib'`. The `M`
//! blocks are accumulated once, so one evaluation costs
//! `O(patterns * t^2 * (p + 1)^2)`, independent of the number of subjects.
//!
//! # Likelihood and gradient
//!
//! `l(Sigma) = -1/2 [(N - p) log(2 pi) + sum_i log|V_i| + log|X'V^-1 X| +
//! r'V^-1 r]` with `r = y - X beta_hat(Sigma)` (beta profiled out by GLS).
//! Its differential is `dl = tr(G dSigma)` with
//! `G = -1/2 sum_i E_i' [V_i^-1 - V_i^-1 (r_i r_i' + X_i A^-1 X_i') V_i^-1] E_i`,
//! `A = X'V^-1 X` (the derivative through `beta_hat` vanishes because
//! `beta_hat` minimizes `r'V^-1 r`; Harville 1977, eq. 4.6).
//!
//! # Parametrization
//!
//! `Sigma = S Lt Lt' S` with `S` the diagonal of the starting standard
//! deviations and `Lt` lower triangular with a log-diagonal, so every
//! parameter vector gives a positive-definite matrix and the parameters are
//! dimensionless (the optimizer does not see the scale of `y`). Pinheiro &
//! Bates (1996) discuss this log-Cholesky parametrization.

use crate::linalg::{dot, Cholesky, Matrix};
use crate::StatsError;

/// One missingness pattern: the visits observed (ascending indices into the
/// visit levels), the number of subjects, and the blocks `M_ab`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern {
    pub visits: Vec<usize>,
    pub subjects: usize,
    /// `t * t` blocks of `q * q`, block `(a, b)` at `(a * t + b) * q * q`.
    pub m: Vec<f64>,
}

impl Pattern {
    #[inline]
    fn block(&self, a: usize, b: usize, q: usize) -> &[f64] {
        let t = self.visits.len();
        let start = (a * t + b) * q * q;
        &self.m[start..start + q * q]
    }
}

/// The validated problem: patterns with their sufficient statistics.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    /// Number of visit levels.
    pub t: usize,
    /// Number of design columns (intercept included).
    pub p: usize,
    /// Number of observations.
    pub n_obs: usize,
    pub patterns: Vec<Pattern>,
    /// Scale `S` of the parametrization (starting standard deviations).
    pub scale: Vec<f64>,
}

/// The quantities of one evaluation.
#[derive(Debug, Clone)]
pub(crate) struct Eval {
    /// REML log-likelihood.
    pub loglik: f64,
    /// Gradient of the log-likelihood with respect to theta (if asked).
    pub grad: Vec<f64>,
    /// GLS estimate.
    pub beta: Vec<f64>,
    /// Cholesky factor of `A = X'V^-1 X`.
    pub a_chol: Cholesky,
    /// Per-pattern inverse covariance `W` (row-major `t_P x t_P`).
    pub w: Vec<Matrix>,
}

/// Builds the pattern sufficient statistics.
///
/// `rows[s]` lists subject `s`'s observations as `(visit index, row index)`
/// sorted by visit; `x` is row-major `n x p`.
pub(crate) fn build_patterns(
    rows: &[Vec<(usize, usize)>],
    x: &[f64],
    y: &[f64],
    p: usize,
) -> Vec<Pattern> {
    let q = p + 1;
    let mut index: std::collections::BTreeMap<Vec<usize>, usize> = Default::default();
    let mut patterns: Vec<Pattern> = Vec::new();
    let mut z = Vec::new();
    for subject in rows {
        let visits: Vec<usize> = subject.iter().map(|&(v, _)| v).collect();
        let t = visits.len();
        let k = *index.entry(visits.clone()).or_insert_with(|| {
            patterns.push(Pattern {
                visits,
                subjects: 0,
                m: vec![0.0; t * t * q * q],
            });
            patterns.len() - 1
        });
        let pat = &mut patterns[k];
        pat.subjects += 1;
        // z rows of this subject, t x q.
        z.clear();
        for &(_, r) in subject {
            z.extend_from_slice(&x[r * p..(r + 1) * p]);
            z.push(y[r]);
        }
        for a in 0..t {
            let za = &z[a * q..(a + 1) * q];
            for b in a..t {
                let zb = &z[b * q..(b + 1) * q];
                let start = (a * t + b) * q * q;
                let blk = &mut pat.m[start..start + q * q];
                for (r, &zar) in za.iter().enumerate() {
                    let dst = &mut blk[r * q..(r + 1) * q];
                    for (d, &zbc) in dst.iter_mut().zip(zb) {
                        *d += zar * zbc;
                    }
                }
            }
        }
    }
    // Mirror: M_ba = M_ab'.
    for pat in &mut patterns {
        let t = pat.visits.len();
        for a in 0..t {
            for b in 0..a {
                for r in 0..q {
                    for c in 0..q {
                        pat.m[((a * t + b) * q + r) * q + c] = pat.m[((b * t + a) * q + c) * q + r];
                    }
                }
            }
        }
    }
    patterns
}

/// Number of parameters of a `t x t` unstructured covariance.
pub(crate) fn n_params(t: usize) -> usize {
    t * (t + 1) / 2
}

/// `Lt` (lower triangular, row-major) from theta (row-wise lower triangle,
/// log on the diagonal).
fn lt_from_theta(theta: &[f64], t: usize) -> Matrix {
    let mut l = Matrix::zeros(t, t);
    let mut k = 0;
    for i in 0..t {
        for j in 0..=i {
            let v = if i == j { theta[k].exp() } else { theta[k] };
            l.set(i, j, v);
            k += 1;
        }
    }
    l
}

/// theta from `Lt`.
pub(crate) fn theta_from_lt(l: &Matrix) -> Vec<f64> {
    let t = l.rows();
    let mut theta = Vec::with_capacity(n_params(t));
    for i in 0..t {
        for j in 0..=i {
            let v = l.get(i, j);
            theta.push(if i == j { v.ln() } else { v });
        }
    }
    theta
}

impl Problem {
    /// `Sigma(theta) = S Lt Lt' S`.
    pub fn sigma(&self, theta: &[f64]) -> Matrix {
        let t = self.t;
        let l = lt_from_theta(theta, t);
        let mut sigma = l.matmul(&l.transpose());
        for i in 0..t {
            for j in 0..t {
                let v = sigma.get(i, j) * self.scale[i] * self.scale[j];
                sigma.set(i, j, v);
            }
        }
        sigma
    }

    /// Evaluates the REML log-likelihood (and its gradient when `grad`).
    /// `None` when the covariance or `X'V^-1 X` is numerically singular, or
    /// the value is not finite (the line search then backs off).
    pub fn eval(&self, theta: &[f64], grad: bool) -> Option<Eval> {
        let (p, q) = (self.p, self.p + 1);
        let sigma = self.sigma(theta);
        let mut qmat = vec![0.0; q * q];
        let mut log_det_v = 0.0;
        let mut ws = Vec::with_capacity(self.patterns.len());
        for pat in &self.patterns {
            let sp = sigma.select(&pat.visits, &pat.visits);
            let chol = Cholesky::new(&sp, "covariance").ok()?;
            log_det_v += pat.subjects as f64 * chol.log_det();
            let w = chol.inverse();
            let t = pat.visits.len();
            for a in 0..t {
                for b in 0..t {
                    let wab = w.get(a, b);
                    for (d, &m) in qmat.iter_mut().zip(pat.block(a, b, q)) {
                        *d += wab * m;
                    }
                }
            }
            ws.push(w);
        }
        let mut amat = Matrix::zeros(p, p);
        let mut bvec = vec![0.0; p];
        for r in 0..p {
            for c in 0..p {
                amat.set(r, c, qmat[r * q + c]);
            }
            bvec[r] = qmat[r * q + p];
        }
        let a_chol = Cholesky::new(&amat, "X'V^-1 X").ok()?;
        let beta = a_chol.solve(&bvec);
        // u = (-beta, 1): r'V^-1 r = u' Q u.
        let mut u: Vec<f64> = beta.iter().map(|b| -b).collect();
        u.push(1.0);
        let qu: Vec<f64> = (0..q).map(|r| dot(&qmat[r * q..(r + 1) * q], &u)).collect();
        let rss = dot(&u, &qu);
        let df = self.n_obs as f64 - p as f64;
        let loglik =
            -0.5 * (df * (2.0 * std::f64::consts::PI).ln() + log_det_v + a_chol.log_det() + rss);
        if !loglik.is_finite() {
            return None;
        }
        let mut out = Eval {
            loglik,
            grad: Vec::new(),
            beta,
            a_chol,
            w: ws,
        };
        if grad {
            let a_inv = out.a_chol.inverse();
            let mut g = Matrix::zeros(self.t, self.t);
            for (pat, w) in self.patterns.iter().zip(&out.w) {
                let t = pat.visits.len();
                // C_ab = u' M_ab u + tr(A^-1 M_ab[XX]).
                let mut cmat = Matrix::zeros(t, t);
                for a in 0..t {
                    for b in a..t {
                        let blk = pat.block(a, b, q);
                        let mut s = 0.0;
                        for r in 0..q {
                            s += u[r] * dot(&blk[r * q..(r + 1) * q], &u);
                        }
                        for r in 0..p {
                            s += dot(&blk[r * q..r * q + p], a_inv.row(r));
                        }
                        cmat.set(a, b, s);
                        cmat.set(b, a, s);
                    }
                }
                let wcw = w.matmul(&cmat).matmul(w);
                let n = pat.subjects as f64;
                for a in 0..t {
                    for b in 0..t {
                        g.add_to(
                            pat.visits[a],
                            pat.visits[b],
                            -0.5 * (n * w.get(a, b) - wcw.get(a, b)),
                        );
                    }
                }
            }
            out.grad = self.chain(theta, &g);
        }
        Some(out)
    }

    /// Maps a gradient with respect to `Sigma` (`d f = tr(G dSigma)`, `G`
    /// symmetric) to the gradient with respect to theta:
    /// `df/dLt = 2 S G S Lt` (lower triangle), times `Lt_ii` on the log-diagonal.
    pub fn chain(&self, theta: &[f64], g: &Matrix) -> Vec<f64> {
        let t = self.t;
        let l = lt_from_theta(theta, t);
        let mut sgs = g.clone();
        for i in 0..t {
            for j in 0..t {
                let v = sgs.get(i, j) * self.scale[i] * self.scale[j];
                sgs.set(i, j, v);
            }
        }
        let d = sgs.matmul(&l);
        let mut out = Vec::with_capacity(n_params(t));
        for i in 0..t {
            for j in 0..=i {
                let v = 2.0 * d.get(i, j);
                out.push(if i == j { v * l.get(i, i) } else { v });
            }
        }
        out
    }

    /// Gradient with respect to theta of `psi = c' A^-1 c` (the variance of
    /// a contrast): `dpsi = sum_i tr(V_i^-1 X_i a a' X_i' V_i^-1 dV_i)`,
    /// `a = A^-1 c`.
    pub fn contrast_variance_grad(&self, theta: &[f64], ev: &Eval, c: &[f64]) -> Vec<f64> {
        let (p, q) = (self.p, self.p + 1);
        let a = ev.a_chol.solve(c);
        let mut g = Matrix::zeros(self.t, self.t);
        for (pat, w) in self.patterns.iter().zip(&ev.w) {
            let t = pat.visits.len();
            let mut cmat = Matrix::zeros(t, t);
            for i in 0..t {
                for j in i..t {
                    let blk = pat.block(i, j, q);
                    let s: f64 = (0..p).map(|r| a[r] * dot(&blk[r * q..r * q + p], &a)).sum();
                    cmat.set(i, j, s);
                    cmat.set(j, i, s);
                }
            }
            let wcw = w.matmul(&cmat).matmul(w);
            for i in 0..t {
                for j in 0..t {
                    g.add_to(pat.visits[i], pat.visits[j], wcw.get(i, j));
                }
            }
        }
        self.chain(theta, &g)
    }

    /// Hessian of the log-likelihood with respect to theta by central
    /// differences of the analytic gradient (symmetrized).
    pub fn hessian(&self, theta: &[f64]) -> Option<Matrix> {
        let k = theta.len();
        let mut h = Matrix::zeros(k, k);
        let mut th = theta.to_vec();
        for j in 0..k {
            let step = 1e-5 * theta[j].abs().max(1.0);
            th[j] = theta[j] + step;
            let up = self.eval(&th, true)?.grad;
            th[j] = theta[j] - step;
            let down = self.eval(&th, true)?.grad;
            th[j] = theta[j];
            for i in 0..k {
                h.set(i, j, (up[i] - down[i]) / (2.0 * step));
            }
        }
        for i in 0..k {
            for j in 0..i {
                let v = 0.5 * (h.get(i, j) + h.get(j, i));
                h.set(i, j, v);
                h.set(j, i, v);
            }
        }
        Some(h)
    }
}

/// Outcome of one optimization run.
#[derive(Debug, Clone)]
pub(crate) struct Optimum {
    pub theta: Vec<f64>,
    pub eval: Eval,
    pub iterations: usize,
}

/// Why a run stopped without converging.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Failure {
    pub iterations: usize,
    pub last_change: f64,
    /// The covariance was heading for a singular matrix (a log-diagonal
    /// parameter below [`BOUNDARY`]): the REML maximum lies on the boundary.
    pub boundary: bool,
}

/// A log-diagonal parameter below this (a conditional standard deviation
/// below `e^-9 = 1.2e-4` times the starting one) means the REML estimate of
/// `Sigma` is singular; the run stops instead of crawling toward it.
const BOUNDARY: f64 = -9.0;

fn at_boundary(theta: &[f64], t: usize) -> bool {
    (0..t).any(|i| theta[i * (i + 1) / 2 + i] < BOUNDARY)
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Maximizes the REML log-likelihood from `theta0`.
///
/// Hand-written BFGS (Nocedal & Wright 2006, Algorithm 6.1, with the
/// initial scaling of eq. 6.20 and an Armijo backtracking line search) keeps
/// the crate free of an optimizer dependency; the problem is smooth, small
/// (`t (t + 1) / 2` parameters) and has a cheap analytic gradient. BFGS stops
/// at a moderate gradient; Newton steps with a finite-difference Hessian of
/// the analytic gradient then converge quadratically to the tight tolerance.
///
/// Convergence: the largest gradient component (the parameters are
/// dimensionless) below `gtol`.
pub(crate) fn maximize(
    prob: &Problem,
    theta0: Vec<f64>,
    max_iter: usize,
    gtol: f64,
) -> Result<Optimum, Failure> {
    let k = theta0.len();
    let mut theta = theta0;
    let mut cur = prob.eval(&theta, true).ok_or(Failure {
        iterations: 0,
        last_change: f64::INFINITY,
        boundary: false,
    })?;
    // Inverse Hessian approximation of f = -l.
    let mut hinv = Matrix::identity(k);
    let mut first = true;
    let mut iter = 0;
    let mut last_change = f64::INFINITY;
    let bfgs_tol = (gtol * 1e3).max(1e-6);
    while iter < max_iter {
        let gmax = max_abs(&cur.grad);
        if gmax <= bfgs_tol {
            break;
        }
        iter += 1;
        // Descent direction for f = -l: d = -H (grad f) = H grad l.
        let mut d = hinv.mul_vec(&cur.grad);
        let mut slope = dot(&d, &cur.grad);
        if slope.is_nan() || slope <= 0.0 {
            hinv = Matrix::identity(k);
            d = cur.grad.clone();
            slope = dot(&d, &cur.grad);
        }
        // Keep a step within a sensible region of the log-Cholesky scale.
        let dmax = max_abs(&d);
        let mut alpha = if dmax > 1.0 { 1.0 / dmax } else { 1.0 };
        let mut accepted = None;
        for _ in 0..60 {
            let trial: Vec<f64> = theta.iter().zip(&d).map(|(t, s)| t + alpha * s).collect();
            if let Some(ev) = prob.eval(&trial, true) {
                if ev.loglik >= cur.loglik + 1e-4 * alpha * slope {
                    accepted = Some((trial, ev));
                    break;
                }
            }
            alpha *= 0.5;
        }
        let Some((trial, ev)) = accepted else {
            // No progress possible along the quasi-Newton direction: leave
            // the rest to the Newton polish.
            break;
        };
        let s: Vec<f64> = trial.iter().zip(&theta).map(|(a, b)| a - b).collect();
        // y for f = -l: grad f_new - grad f_old.
        let yv: Vec<f64> = cur.grad.iter().zip(&ev.grad).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &yv);
        last_change = ev.loglik - cur.loglik;
        theta = trial;
        cur = ev;
        if at_boundary(&theta, prob.t) {
            return Err(Failure {
                iterations: iter,
                last_change,
                boundary: true,
            });
        }
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&yv, &yv).sqrt() && sy > 0.0 {
            if first {
                let scale = sy / dot(&yv, &yv);
                hinv = Matrix::identity(k);
                for i in 0..k {
                    hinv.set(i, i, scale);
                }
                first = false;
            }
            bfgs_update(&mut hinv, &s, &yv, sy);
        }
    }
    // Newton polish.
    let mut newton = 0;
    while max_abs(&cur.grad) > gtol {
        if newton >= 20 || iter >= max_iter {
            return Err(Failure {
                iterations: iter,
                last_change: last_change.abs().max(max_abs(&cur.grad)),
                boundary: false,
            });
        }
        newton += 1;
        iter += 1;
        let h = prob.hessian(&theta).ok_or(Failure {
            iterations: iter,
            last_change,
            boundary: false,
        })?;
        // -H is positive definite near a maximum; otherwise fall back to a
        // gradient step.
        let mut neg = h.clone();
        for v in 0..k {
            for w in 0..k {
                neg.set(v, w, -h.get(v, w));
            }
        }
        let d = match Cholesky::new(&neg, "Hessian") {
            Ok(ch) => ch.solve(&cur.grad),
            Err(_) => cur.grad.clone(),
        };
        let slope = dot(&d, &cur.grad);
        let mut alpha = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let trial: Vec<f64> = theta.iter().zip(&d).map(|(t, s)| t + alpha * s).collect();
            if let Some(ev) = prob.eval(&trial, true) {
                // Near the optimum the change in l is below rounding; accept
                // a step that reduces the gradient instead.
                if ev.loglik >= cur.loglik + 1e-4 * alpha * slope
                    || (ev.loglik >= cur.loglik - 1e-10 * cur.loglik.abs().max(1.0)
                        && max_abs(&ev.grad) < max_abs(&cur.grad))
                {
                    accepted = Some((trial, ev));
                    break;
                }
            }
            alpha *= 0.5;
        }
        let Some((trial, ev)) = accepted else {
            return Err(Failure {
                iterations: iter,
                last_change: max_abs(&cur.grad),
                boundary: false,
            });
        };
        last_change = ev.loglik - cur.loglik;
        theta = trial;
        cur = ev;
        if at_boundary(&theta, prob.t) {
            return Err(Failure {
                iterations: iter,
                last_change,
                boundary: true,
            });
        }
    }
    Ok(Optimum {
        theta,
        eval: cur,
        iterations: iter,
    })
}

/// The BFGS update of the inverse Hessian (Nocedal & Wright eq. 6.17):
/// `H+ = (I - rho s y') H (I - rho y s') + rho s s'`, `rho = 1 / y's`.
fn bfgs_update(h: &mut Matrix, s: &[f64], y: &[f64], sy: f64) {
    let k = s.len();
    let rho = 1.0 / sy;
    let hy = h.mul_vec(y);
    let yhy = dot(y, &hy);
    // H+ = H - rho (s hy' + hy s') + (rho^2 yhy + rho) s s'
    let c = rho * rho * yhy + rho;
    for i in 0..k {
        for j in 0..k {
            let v = h.get(i, j) - rho * (s[i] * hy[j] + hy[i] * s[j]) + c * s[i] * s[j];
            h.set(i, j, v);
        }
    }
}

/// The moment estimate of the covariance of the OLS residuals (pairwise
/// available visits), returned as the scale `S` and the Cholesky factor of
/// the correlation matrix, shrunk toward the identity until positive
/// definite.
pub(crate) fn moment_start(
    patterns: &[Pattern],
    t: usize,
    p: usize,
    n_obs: usize,
) -> Result<(Vec<f64>, Matrix), StatsError> {
    let q = p + 1;
    let mut xtx = Matrix::zeros(p, p);
    let mut xty = vec![0.0; p];
    for pat in patterns {
        for a in 0..pat.visits.len() {
            let blk = pat.block(a, a, q);
            for r in 0..p {
                for c in 0..p {
                    xtx.add_to(r, c, blk[r * q + c]);
                }
                xty[r] += blk[r * q + p];
            }
        }
    }
    let chol = Cholesky::new(&xtx, "design (X'X)")?;
    let beta = chol.solve(&xty);
    let mut u: Vec<f64> = beta.iter().map(|b| -b).collect();
    u.push(1.0);
    let mut sums = Matrix::zeros(t, t);
    let mut counts = Matrix::zeros(t, t);
    for pat in patterns {
        let tp = pat.visits.len();
        for a in 0..tp {
            for b in 0..tp {
                let blk = pat.block(a, b, q);
                let s: f64 = (0..q)
                    .map(|r| u[r] * dot(&blk[r * q..(r + 1) * q], &u))
                    .sum();
                sums.add_to(pat.visits[a], pat.visits[b], s);
                counts.add_to(pat.visits[a], pat.visits[b], pat.subjects as f64);
            }
        }
    }
    // Residual degrees of freedom correction, spread evenly.
    let factor = n_obs as f64 / (n_obs as f64 - p as f64).max(1.0);
    let mut scale = vec![0.0; t];
    for (v, s) in scale.iter_mut().enumerate() {
        let var = factor * sums.get(v, v) / counts.get(v, v).max(1.0);
        if !(var.is_finite() && var > 0.0) {
            return Err(StatsError::degenerate(format!(
                "the residuals at visit level {} (in visit order) have no variation; the unstructured covariance is not estimable",
                v + 1
            )));
        }
        *s = var.sqrt();
    }
    let mut corr = Matrix::identity(t);
    for i in 0..t {
        for j in 0..t {
            if i != j {
                let n = counts.get(i, j);
                let r = if n > 0.0 {
                    factor * sums.get(i, j) / n / (scale[i] * scale[j])
                } else {
                    0.0
                };
                corr.set(i, j, r.clamp(-0.99, 0.99));
            }
        }
    }
    let mut shrink = 1.0;
    for _ in 0..200 {
        let mut c = corr.clone();
        for i in 0..t {
            for j in 0..t {
                if i != j {
                    c.set(i, j, shrink * corr.get(i, j));
                }
            }
        }
        if let Ok(ch) = Cholesky::new(&c, "start") {
            // Guard against a nearly singular start.
            if (0..t).all(|i| ch.factor().get(i, i) > 1e-3) {
                return Ok((scale, ch.factor().clone()));
            }
        }
        shrink *= 0.9;
    }
    Ok((scale, Matrix::identity(t)))
}
