//! GEE numerics: working-correlation solves, moment estimators of the
//! correlation and scale, and the per-cluster accumulation of the
//! estimating equations and the sandwich.
//!
//! Notation. For a canonical link the derivative of the mean is
//! `D = A X` with `A = diag(v(mu))`, and the working covariance is
//! `V = phi A^1/2 R A^1/2`. Writing `s = sqrt(v(mu))`, the "whitened" rows
//! `x~ = s x` and the Pearson residuals `e = (y - mu) / s`, every quantity
//! becomes a product with `R^-1` only (the scale `phi` cancels from the
//! estimating equations and the sandwich):
//!
//! * score `U = sum_i X~_i' R_i^-1 e_i`,
//! * information `B = sum_i X~_i' R_i^-1 X~_i`,
//! * meat `M = sum_i u_i u_i'` with `u_i = X~_i' R_i^-1 e_i`.
//!
//! `R_i^-1` is never formed for the structured cases: exchangeable has the
//! closed form `R^-1 = (I - c 1 1') / (1 - a)`, `c = a / (1 + (m - 1) a)`,
//! and AR(1) over sorted waves is a Markov chain, whose inverse correlation
//! is tridiagonal even with gaps. One pass over the rows costs `O(N p^2)`.

use crate::linalg::{dot, Cholesky, Matrix};
use crate::models::design::Design;
use crate::StatsError;

use super::{Convention, CorStr, Family};

/// Observations grouped into clusters: `order[starts[i]..starts[i + 1]]`
/// are the rows of cluster `i`, sorted by wave.
#[derive(Debug, Clone)]
pub(super) struct Clusters {
    pub order: Vec<usize>,
    pub starts: Vec<usize>,
    pub max_size: usize,
}

impl Clusters {
    pub fn count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn rows(&self, i: usize) -> &[usize] {
        &self.order[self.starts[i]..self.starts[i + 1]]
    }
}

/// Everything a pass over the data needs.
pub(super) struct Problem<'a> {
    pub y: &'a [f64],
    pub design: &'a Design,
    pub wave: &'a [f64],
    /// Unstructured position of each row (index into the sorted distinct
    /// waves); empty unless the structure is unstructured.
    pub position: &'a [usize],
    pub clusters: &'a Clusters,
    pub family: Family,
}

impl Family {
    /// Inverse canonical link, kept away from the boundary as R's
    /// `family()$linkinv` does (`mu` in `[eps, 1 - eps]`, `mu >= eps`).
    #[inline]
    pub(super) fn mean(self, eta: f64) -> f64 {
        match self {
            Family::Gaussian => eta,
            Family::Binomial => {
                let mu = 1.0 / (1.0 + (-eta).exp());
                mu.clamp(f64::EPSILON, 1.0 - f64::EPSILON)
            }
            Family::Poisson => eta.exp().max(f64::EPSILON),
        }
    }

    /// Variance function `v(mu)`.
    #[inline]
    pub(super) fn variance(self, mu: f64) -> f64 {
        match self {
            Family::Gaussian => 1.0,
            Family::Binomial => mu * (1.0 - mu),
            Family::Poisson => mu,
        }
    }

    /// Canonical link, used for the starting intercept.
    pub(super) fn link(self, mu: f64) -> f64 {
        match self {
            Family::Gaussian => mu,
            Family::Binomial => {
                let m = mu.clamp(1e-6, 1.0 - 1e-6);
                (m / (1.0 - m)).ln()
            }
            Family::Poisson => mu.max(1e-6).ln(),
        }
    }
}

/// Whitening factors `s = sqrt(v(mu))` and Pearson residuals, in cluster
/// order (position `k` refers to row `clusters.order[k]`).
pub(super) struct Residuals {
    pub s: Vec<f64>,
    pub e: Vec<f64>,
}

pub(super) fn residuals(pb: &Problem<'_>, beta: &[f64]) -> Result<Residuals, StatsError> {
    let n = pb.clusters.order.len();
    let mut s = Vec::with_capacity(n);
    let mut e = Vec::with_capacity(n);
    for &r in &pb.clusters.order {
        let eta = dot(pb.design.row(r), beta);
        let mu = pb.family.mean(eta);
        let sd = pb.family.variance(mu).sqrt();
        let ei = (pb.y[r] - mu) / sd;
        if !ei.is_finite() {
            return Err(StatsError::degenerate(
                "the fitted means overflowed (the linear predictor diverged); \
                 check for separation or extreme covariates",
            ));
        }
        s.push(sd);
        e.push(ei);
    }
    Ok(Residuals { s, e })
}

/// The working correlation with its parameters.
#[derive(Debug, Clone)]
pub(super) enum Working {
    Independence,
    Exchangeable(f64),
    Ar1(f64),
    Unstructured(Matrix),
}

/// Moment estimates of the correlation parameters and the scale from the
/// Pearson residuals.
pub(super) struct Dependence {
    pub alpha: Vec<f64>,
    pub scale: f64,
    pub working: Working,
}

/// Estimates `alpha` and `phi` by the convention's moment estimators.
///
/// geepack 1.3.9 (`geese`): `phi = sum e^2 / N`; exchangeable
/// `alpha = sum_{pairs} e_j e_k / (phi * #pairs)`; AR(1) least squares
/// `sum_{pairs} d a^(d-1) (e_j e_k / phi - a^d) = 0`, `d = |wave_j - wave_k|`;
/// unstructured `alpha_st` = mean of `e_s e_t / phi` over clusters seen at
/// both waves.
///
/// statsmodels 0.14/0.15 (`GEE.fit`, `Exchangeable.update`): the moment
/// scale uses the divisor `N - p`, and the exchangeable `alpha` divides by
/// `#pairs - p`; the reported scale is fixed at 1 for binomial and Poisson.
pub(super) fn dependence(
    pb: &Problem<'_>,
    e: &[f64],
    corstr: CorStr,
    convention: Convention,
    n_waves: usize,
    p: usize,
) -> Result<Dependence, StatsError> {
    let n = e.len();
    let ss: f64 = e.iter().map(|v| v * v).sum();
    let (moment_scale, reported_scale) = match convention {
        Convention::Geepack => {
            let phi = ss / n as f64;
            (phi, phi)
        }
        Convention::Statsmodels => {
            if n <= p {
                return Err(StatsError::TooFew {
                    argument: "y".into(),
                    needed: p + 1,
                    found: n,
                });
            }
            let phi = ss / (n - p) as f64;
            let reported = match pb.family {
                Family::Gaussian => phi,
                Family::Binomial | Family::Poisson => 1.0,
            };
            (phi, reported)
        }
    };
    if !(moment_scale > 0.0 && moment_scale.is_finite()) {
        return Err(StatsError::degenerate(
            "all Pearson residuals are zero (perfect fit), so the scale and \
             working correlation are undefined",
        ));
    }
    let cl = pb.clusters;
    let (alpha, working) = match corstr {
        CorStr::Independence => (Vec::new(), Working::Independence),
        CorStr::Exchangeable => {
            let mut pair_sum = 0.0;
            let mut pairs = 0.0;
            for i in 0..cl.count() {
                let ei = &e[cl.starts[i]..cl.starts[i + 1]];
                let sum: f64 = ei.iter().sum();
                let sq: f64 = ei.iter().map(|v| v * v).sum();
                pair_sum += 0.5 * (sum * sum - sq);
                let m = ei.len() as f64;
                pairs += 0.5 * m * (m - 1.0);
            }
            let denom = match convention {
                Convention::Geepack => pairs,
                Convention::Statsmodels => pairs - p as f64,
            };
            if denom <= 0.0 {
                return Err(StatsError::degenerate(
                    "too few within-cluster pairs to estimate the exchangeable correlation",
                ));
            }
            let a = pair_sum / moment_scale / denom;
            (vec![a], Working::Exchangeable(a))
        }
        CorStr::Ar1 => {
            if convention == Convention::Statsmodels {
                return Err(unsupported(corstr));
            }
            let a = ar1_alpha(pb, e, moment_scale)?;
            (vec![a], Working::Ar1(a))
        }
        CorStr::Unstructured => {
            if convention == Convention::Statsmodels {
                return Err(unsupported(corstr));
            }
            let t = n_waves;
            let mut sums = Matrix::zeros(t, t);
            let mut counts = Matrix::zeros(t, t);
            for i in 0..cl.count() {
                let rows = cl.rows(i);
                let ei = &e[cl.starts[i]..cl.starts[i + 1]];
                for j in 0..rows.len() {
                    for k in j + 1..rows.len() {
                        let (a, b) = (pb.position[rows[j]], pb.position[rows[k]]);
                        let (a, b) = (a.min(b), a.max(b));
                        sums.add_to(a, b, ei[j] * ei[k]);
                        counts.add_to(a, b, 1.0);
                    }
                }
            }
            let mut alpha = Vec::with_capacity(t * t.saturating_sub(1) / 2);
            let mut corr = Matrix::identity(t);
            for a in 0..t {
                for b in a + 1..t {
                    let c = counts.get(a, b);
                    if c == 0.0 {
                        return Err(StatsError::degenerate(format!(
                            "no cluster is observed at both wave positions {} and {}, so \
                             their unstructured correlation is undefined",
                            a + 1,
                            b + 1
                        )));
                    }
                    let r = sums.get(a, b) / c / moment_scale;
                    alpha.push(r);
                    corr.set(a, b, r);
                    corr.set(b, a, r);
                }
            }
            (alpha, Working::Unstructured(corr))
        }
    };
    Ok(Dependence {
        alpha,
        scale: reported_scale,
        working,
    })
}

fn unsupported(corstr: CorStr) -> StatsError {
    StatsError::UnknownOption {
        what: "working correlation under the statsmodels convention".into(),
        name: corstr.name().into(),
        expected: "independence, exchangeable (ar1 and unstructured follow geepack only)".into(),
    }
}

/// geepack's AR(1) estimator: the least-squares root of
/// `f(a) = sum_d d a^(d-1) (S_d - n_d a^d)`, where `S_d` sums `e_j e_k / phi`
/// over the `n_d` within-cluster pairs `d` waves apart.
fn ar1_alpha(pb: &Problem<'_>, e: &[f64], phi: f64) -> Result<f64, StatsError> {
    // Accumulate by lag. Lags are wave differences; integer lags index a
    // table, others go to a short list.
    let mut by_lag: Vec<(f64, f64, f64)> = Vec::new(); // (d, n_d, S_d)
    let cl = pb.clusters;
    for i in 0..cl.count() {
        let rows = cl.rows(i);
        let ei = &e[cl.starts[i]..cl.starts[i + 1]];
        for j in 0..rows.len() {
            for k in j + 1..rows.len() {
                let d = (pb.wave[rows[k]] - pb.wave[rows[j]]).abs();
                let z = ei[j] * ei[k] / phi;
                match by_lag.iter_mut().find(|t| t.0 == d) {
                    Some(t) => {
                        t.1 += 1.0;
                        t.2 += z;
                    }
                    None => by_lag.push((d, 1.0, z)),
                }
            }
        }
    }
    if by_lag.is_empty() {
        return Err(StatsError::degenerate(
            "every cluster has one observation, so the AR(1) correlation is undefined",
        ));
    }
    let f = |a: f64| -> (f64, f64) {
        let mut f = 0.0;
        let mut df = 0.0;
        for &(d, nd, sd) in &by_lag {
            let ad1 = a.powf(d - 1.0);
            let ad = ad1 * a;
            f += d * ad1 * (sd - nd * ad);
            let ad2 = if d >= 2.0 { a.powf(d - 2.0) } else { 0.0 };
            df += d * (d - 1.0) * ad2 * sd - d * (2.0 * d - 1.0) * nd * ad1 * ad1;
        }
        (f, df)
    };
    // Start from the moment estimate at the smallest lag.
    let (d0, n0, s0) =
        by_lag.iter().copied().fold(
            (f64::INFINITY, 0.0, 0.0),
            |acc, t| if t.0 < acc.0 { t } else { acc },
        );
    let mut a = if d0 > 0.0 && n0 > 0.0 {
        let m = s0 / n0;
        m.signum() * m.abs().powf(1.0 / d0)
    } else {
        0.0
    };
    a = a.clamp(-0.99, 0.99);
    let mut converged = false;
    for _ in 0..100 {
        let (fv, dfv) = f(a);
        if !(fv.is_finite() && dfv.is_finite()) || dfv == 0.0 {
            break;
        }
        let mut next = a - fv / dfv;
        // Keep the iterate inside (-1, 1).
        if next >= 1.0 {
            next = 0.5 * (a + 1.0);
        } else if next <= -1.0 {
            next = 0.5 * (a - 1.0);
        }
        let change = (next - a).abs();
        a = next;
        if change < 1e-14 {
            converged = true;
            break;
        }
    }
    if !converged || !a.is_finite() {
        return Err(StatsError::degenerate(
            "the AR(1) correlation estimating equation has no root in (-1, 1)",
        ));
    }
    Ok(a)
}

/// Per-cluster workspace, reused across clusters.
pub(super) struct Scratch {
    /// `[X~ | e]`, `m x (p + 1)` row-major.
    block: Vec<f64>,
    /// `R^-1 [X~ | e]`.
    solved: Vec<f64>,
    diag: Vec<f64>,
    off: Vec<f64>,
}

impl Scratch {
    pub fn new(max_size: usize, p: usize) -> Self {
        Scratch {
            block: vec![0.0; max_size * (p + 1)],
            solved: vec![0.0; max_size * (p + 1)],
            diag: vec![0.0; max_size],
            off: vec![0.0; max_size],
        }
    }
}

/// Fills `scratch.block` with cluster `i`'s `[X~ | e]` and `scratch.solved`
/// with `R_i^-1 [X~ | e]`; returns the cluster size.
fn load_and_solve(
    pb: &Problem<'_>,
    res: &Residuals,
    working: &Working,
    i: usize,
    scratch: &mut Scratch,
) -> Result<usize, StatsError> {
    let p = pb.design.p();
    let w = p + 1;
    let cl = pb.clusters;
    let start = cl.starts[i];
    let rows = cl.rows(i);
    let m = rows.len();
    for (k, &r) in rows.iter().enumerate() {
        let s = res.s[start + k];
        let dst = &mut scratch.block[k * w..(k + 1) * w];
        for (d, &x) in dst[..p].iter_mut().zip(pb.design.row(r)) {
            *d = s * x;
        }
        dst[p] = res.e[start + k];
    }
    let block = &scratch.block[..m * w];
    let out = &mut scratch.solved[..m * w];
    match working {
        Working::Independence => out.copy_from_slice(block),
        Working::Exchangeable(a) => {
            // R^-1 v = (v - c 1 1'v) / (1 - a), c = a / (1 + (m - 1) a).
            let denom = 1.0 + (m as f64 - 1.0) * a;
            if !(denom > 0.0 && *a < 1.0) {
                return Err(not_positive_definite(m));
            }
            let c = a / denom;
            let inv = 1.0 / (1.0 - a);
            for j in 0..w {
                let sum: f64 = (0..m).map(|k| block[k * w + j]).sum();
                let shift = c * sum;
                for k in 0..m {
                    out[k * w + j] = (block[k * w + j] - shift) * inv;
                }
            }
        }
        Working::Ar1(a) => {
            // Markov chain over sorted waves: with rho_k = a^(t_{k+1} - t_k),
            // R^-1 is tridiagonal with off-diagonal -rho_k / (1 - rho_k^2) and
            // diagonal 1/(1 - rho_{k-1}^2) + rho_k^2 / (1 - rho_k^2)
            // (terms absent at the ends).
            let diag = &mut scratch.diag[..m];
            let off = &mut scratch.off[..m];
            diag.iter_mut().for_each(|d| *d = 1.0);
            for k in 0..m.saturating_sub(1) {
                let gap = pb.wave[rows[k + 1]] - pb.wave[rows[k]];
                let rho = a.powf(gap);
                let one_minus = 1.0 - rho * rho;
                if !(one_minus > 0.0 && rho.is_finite()) {
                    return Err(not_positive_definite(m));
                }
                off[k] = -rho / one_minus;
                // Contribution of the pair (k, k+1) to the precision.
                diag[k] += rho * rho / one_minus;
                diag[k + 1] += rho * rho / one_minus;
            }
            for k in 0..m {
                for j in 0..w {
                    let mut v = diag[k] * block[k * w + j];
                    if k > 0 {
                        v += off[k - 1] * block[(k - 1) * w + j];
                    }
                    if k + 1 < m {
                        v += off[k] * block[(k + 1) * w + j];
                    }
                    out[k * w + j] = v;
                }
            }
        }
        Working::Unstructured(corr) => {
            let pos: Vec<usize> = rows.iter().map(|&r| pb.position[r]).collect();
            let sub = corr.select(&pos, &pos);
            let chol =
                Cholesky::new(&sub, "working correlation").map_err(|_| not_positive_definite(m))?;
            let mut col = vec![0.0; m];
            for j in 0..w {
                for k in 0..m {
                    col[k] = block[k * w + j];
                }
                let x = chol.solve(&col);
                for k in 0..m {
                    out[k * w + j] = x[k];
                }
            }
        }
    }
    Ok(m)
}

fn not_positive_definite(m: usize) -> StatsError {
    StatsError::Singular {
        what: "working correlation".into(),
        hint: format!(
            "; the estimated correlation is not positive definite for a cluster of size {m}"
        ),
    }
}

/// Sums over clusters of the estimating equations.
pub(super) struct Sums {
    /// `B = sum X~' R^-1 X~` (full symmetric).
    pub info: Matrix,
    /// `U = sum X~' R^-1 e`.
    pub score: Vec<f64>,
    /// `M = sum u_i u_i'` (full symmetric), when asked for.
    pub meat: Option<Matrix>,
}

/// One pass over the clusters.
pub(super) fn accumulate(
    pb: &Problem<'_>,
    res: &Residuals,
    working: &Working,
    with_meat: bool,
) -> Result<Sums, StatsError> {
    let p = pb.design.p();
    let w = p + 1;
    let mut scratch = Scratch::new(pb.clusters.max_size, p);
    let mut info = Matrix::zeros(p, p);
    let mut score = vec![0.0; p];
    let mut meat = with_meat.then(|| Matrix::zeros(p, p));
    let mut u = vec![0.0; p];
    for i in 0..pb.clusters.count() {
        let m = load_and_solve(pb, res, working, i, &mut scratch)?;
        u.iter_mut().for_each(|v| *v = 0.0);
        for k in 0..m {
            let x = &scratch.block[k * w..k * w + p];
            let z = &scratch.solved[k * w..(k + 1) * w];
            let re = z[p];
            for a in 0..p {
                let xa = x[a];
                u[a] += xa * re;
                if xa == 0.0 {
                    continue;
                }
                // Upper triangle of X~' R^-1 X~.
                let dst = info_row(&mut info, a, p);
                for (d, &zb) in dst[a..].iter_mut().zip(&z[a..p]) {
                    *d += xa * zb;
                }
            }
        }
        for (sc, &ua) in score.iter_mut().zip(&u) {
            *sc += ua;
        }
        if let Some(meat) = meat.as_mut() {
            for a in 0..p {
                let ua = u[a];
                if ua == 0.0 {
                    continue;
                }
                let dst = info_row(meat, a, p);
                for (d, &ub) in dst[a..].iter_mut().zip(&u[a..]) {
                    *d += ua * ub;
                }
            }
        }
    }
    info.symmetrize_from_upper();
    if let Some(meat) = meat.as_mut() {
        meat.symmetrize_from_upper();
    }
    Ok(Sums { info, score, meat })
}

/// Row `a` of a `p x p` matrix as a mutable slice.
#[inline]
fn info_row(m: &mut Matrix, a: usize, p: usize) -> &mut [f64] {
    &mut m.as_mut_slice()[a * p..(a + 1) * p]
}

/// Mancl & DeRouen (2001) bias-reduced meat:
/// `sum_i X~_i' R_i^-1 (I - H_i)^-1 e_i (.)'`, with the leverage
/// `H_i = X~_i B^-1 X~_i' R_i^-1` (the whitened form of `D_i B^-1 D_i' V_i^-1`).
pub(super) fn bias_reduced_meat(
    pb: &Problem<'_>,
    res: &Residuals,
    working: &Working,
    info_inv: &Matrix,
) -> Result<Matrix, StatsError> {
    let p = pb.design.p();
    let w = p + 1;
    let mut scratch = Scratch::new(pb.clusters.max_size, p);
    let mut meat = Matrix::zeros(p, p);
    let mut u = vec![0.0; p];
    let mut z = Vec::new();
    let mut g = Vec::new();
    let mut rhs = Vec::new();
    for i in 0..pb.clusters.count() {
        let m = load_and_solve(pb, res, working, i, &mut scratch)?;
        // Z = X~ B^-1 (m x p).
        z.clear();
        for k in 0..m {
            let x = &scratch.block[k * w..k * w + p];
            for b in 0..p {
                z.push((0..p).map(|a| x[a] * info_inv.get(a, b)).sum::<f64>());
            }
        }
        // I - G with G = Z (R^-1 X~)' (m x m).
        g.clear();
        for k in 0..m {
            let zk = &z[k * p..(k + 1) * p];
            for l in 0..m {
                let wl = &scratch.solved[l * w..l * w + p];
                let v = -dot(zk, wl) + if k == l { 1.0 } else { 0.0 };
                g.push(v);
            }
        }
        rhs.clear();
        rhs.extend((0..m).map(|k| scratch.block[k * w + p]));
        let adj =
            crate::linalg::lu_solve(&mut g, &mut rhs, m).ok_or_else(|| StatsError::Singular {
                what: "I - H (cluster leverage)".into(),
                hint: format!(
                    "; cluster {} has leverage 1, so the bias-reduced covariance is undefined",
                    i + 1
                ),
            })?;
        // u* = X~' R^-1 adj = (R^-1 X~)' adj.
        u.iter_mut().for_each(|v| *v = 0.0);
        for (k, &ak) in adj.iter().enumerate() {
            let wk = &scratch.solved[k * w..k * w + p];
            for (ua, &wa) in u.iter_mut().zip(wk) {
                *ua += wa * ak;
            }
        }
        for a in 0..p {
            let dst = info_row(&mut meat, a, p);
            for (d, &ub) in dst[a..].iter_mut().zip(&u[a..]) {
                *d += u[a] * ub;
            }
        }
    }
    meat.symmetrize_from_upper();
    Ok(meat)
}

/// `A M A` for symmetric `A` and `M`.
pub(super) fn sandwich(bread: &Matrix, meat: &Matrix) -> Matrix {
    bread.matmul(meat).matmul(bread)
}
