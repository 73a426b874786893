//! Mixed model for repeated measures (MMRM) with an unstructured covariance,
//! fitted by REML.
//!
//! The model is `y_i = X_i beta + e_i`, `e_i ~ N(0, Sigma[P_i, P_i])`, where
//! `P_i` are the visits subject `i` was observed at and `Sigma` is an
//! unrestricted (unstructured) covariance over all visits. Subjects may miss
//! any visits (monotone dropout or intermittent gaps); under missing at
//! random the likelihood uses every observed value. This is the usual
//! primary analysis of a continuous endpoint measured at scheduled visits
//! (Mallinckrodt et al. 2008).
//!
//! `beta` is profiled out by generalized least squares and the REML
//! log-likelihood is maximized over the log-Cholesky parameters of `Sigma`
//! (see `kernel.rs`). Standard errors are model-based, `sqrt(diag((X'V^-1
//! X)^-1))`, as R's `nlme::gls` reports them. [`MmrmFit::contrast`] tests a
//! linear combination of the coefficients with Satterthwaite degrees of
//! freedom; [`MmrmFit::lsmean_difference`] is the arm-by-visit difference of
//! least-squares means that a trial report shows.

mod kernel;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::str::FromStr;

use crate::dist;
use crate::linalg::Matrix;
use crate::{Note, StatsError};

use kernel::Problem;

/// The covariance structure of the within-subject errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Covariance {
    /// Unstructured: one variance per visit and one covariance per pair of
    /// visits, `t (t + 1) / 2` parameters.
    #[default]
    Unstructured,
}

impl FromStr for Covariance {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "unstructured" | "un" | "us" => Ok(Covariance::Unstructured),
            _ => Err(StatsError::UnknownOption {
                what: "covariance structure".into(),
                name: s.into(),
                expected: "unstructured".into(),
            }),
        }
    }
}

/// How the covariance parameters are estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[non_exhaustive]
pub enum Estimation {
    /// Restricted (residual) maximum likelihood.
    #[default]
    #[serde(rename = "REML")]
    Reml,
}

impl FromStr for Estimation {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "REML" => Ok(Estimation::Reml),
            _ => Err(StatsError::UnknownOption {
                what: "estimation method".into(),
                name: s.into(),
                expected: "REML".into(),
            }),
        }
    }
}

/// Settings of [`mmrm`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MmrmOptions {
    /// Covariance structure (default unstructured).
    pub covariance: Covariance,
    /// Estimation method (default REML).
    pub estimation: Estimation,
    /// Iteration limit of each optimization run (default 500).
    pub max_iterations: usize,
    /// Convergence tolerance: the largest gradient component of the REML
    /// log-likelihood with respect to the (dimensionless) covariance
    /// parameters, divided by the number of subjects (default `1e-9`); the
    /// parameters are then accurate to about this size.
    pub tolerance: f64,
}

impl Default for MmrmOptions {
    fn default() -> Self {
        MmrmOptions {
            covariance: Covariance::Unstructured,
            estimation: Estimation::Reml,
            max_iterations: 500,
            tolerance: 1e-9,
        }
    }
}

impl MmrmOptions {
    /// Sets the covariance structure.
    pub fn covariance(mut self, covariance: Covariance) -> Self {
        self.covariance = covariance;
        self
    }

    /// Sets the estimation method.
    pub fn estimation(mut self, estimation: Estimation) -> Self {
        self.estimation = estimation;
        self
    }

    /// Sets the iteration limit.
    pub fn max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// Sets the convergence tolerance.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }
}

/// Validated long-format data of an MMRM: one row per subject and visit,
/// the design with an intercept added.
#[derive(Debug, Clone, PartialEq)]
pub struct MmrmData {
    /// Per subject: `(visit index, row)` sorted by visit.
    subjects: Vec<Vec<(usize, usize)>>,
    /// Row-major `n x p` design, intercept first.
    x: Vec<f64>,
    y: Vec<f64>,
    names: Vec<String>,
    visits: Vec<String>,
}

impl MmrmData {
    /// Validates long-format data. `subject` and `visit` identify each row;
    /// `covariates` are named numeric columns (factors already dummy-coded),
    /// and an intercept named `(Intercept)` is added in front.
    ///
    /// Visit levels are ordered by their text: numerically when every label
    /// is a number, otherwise naturally (`week8` before `week12`). The order
    /// only labels [`MmrmFit::covariance`]; the fit does not depend on it.
    ///
    /// # Errors
    /// - [`StatsError::Empty`] when there are no rows.
    /// - [`StatsError::LengthMismatch`] when `visit`, `y` or a covariate has
    ///   a different length from `subject`.
    /// - [`StatsError::NonFinite`] for a NaN or infinite `y` or covariate.
    /// - [`StatsError::Degenerate`] when a subject has two rows at one visit,
    ///   or two visits are never observed together (their covariance is not
    ///   estimable).
    /// - [`StatsError::TooFew`] with fewer than `t + 1` subjects for `t`
    ///   visits, or no more observations than coefficients.
    pub fn new<S, V, N, C>(
        subject: &[S],
        visit: &[V],
        y: &[f64],
        covariates: &[(N, C)],
    ) -> Result<Self, StatsError>
    where
        S: Hash + Eq,
        V: Display,
        N: AsRef<str>,
        C: AsRef<[f64]>,
    {
        let labels: Vec<String> = visit.iter().map(ToString::to_string).collect();
        let mut levels: Vec<String> = labels.clone();
        levels.sort_by(|a, b| natural_cmp(a, b));
        levels.dedup();
        if !levels.is_empty() && levels.iter().all(|l| l.parse::<f64>().is_ok()) {
            levels.sort_by(|a, b| {
                let (x, y) = (
                    a.parse::<f64>().unwrap_or(0.0),
                    b.parse::<f64>().unwrap_or(0.0),
                );
                x.total_cmp(&y)
            });
        }
        Self::build(subject, &labels, levels, y, covariates)
    }

    /// As [`MmrmData::new`] with the visit levels given explicitly (the
    /// schedule, in the order [`MmrmFit::covariance`] lists them).
    ///
    /// # Errors
    /// As [`MmrmData::new`], and [`StatsError::Degenerate`] when a row's
    /// visit is not among `levels`, a level repeats, or a level is observed
    /// by no subject.
    pub fn with_visit_levels<S, V, L, N, C>(
        subject: &[S],
        visit: &[V],
        levels: &[L],
        y: &[f64],
        covariates: &[(N, C)],
    ) -> Result<Self, StatsError>
    where
        S: Hash + Eq,
        V: Display,
        L: Display,
        N: AsRef<str>,
        C: AsRef<[f64]>,
    {
        let labels: Vec<String> = visit.iter().map(ToString::to_string).collect();
        let levels: Vec<String> = levels.iter().map(ToString::to_string).collect();
        Self::build(subject, &labels, levels, y, covariates)
    }

    fn build<S, N, C>(
        subject: &[S],
        visit: &[String],
        levels: Vec<String>,
        y: &[f64],
        covariates: &[(N, C)],
    ) -> Result<Self, StatsError>
    where
        S: Hash + Eq,
        N: AsRef<str>,
        C: AsRef<[f64]>,
    {
        let n = subject.len();
        if n == 0 {
            return Err(StatsError::Empty {
                argument: "subject".into(),
                needed: 1,
            });
        }
        let mismatch = |argument: &str, found: usize| StatsError::LengthMismatch {
            argument: argument.into(),
            other: "subject".into(),
            expected: n,
            found,
        };
        if visit.len() != n {
            return Err(mismatch("visit", visit.len()));
        }
        if y.len() != n {
            return Err(mismatch("y", y.len()));
        }
        for (name, col) in covariates {
            if col.as_ref().len() != n {
                return Err(mismatch(
                    &format!("x.{}", name.as_ref()),
                    col.as_ref().len(),
                ));
            }
        }
        crate::common::check_finite("y", y)?;
        for (name, col) in covariates {
            crate::common::check_finite(&format!("x.{}", name.as_ref()), col.as_ref())?;
        }

        let mut level_index: HashMap<&str, usize> = HashMap::with_capacity(levels.len());
        for (k, l) in levels.iter().enumerate() {
            if level_index.insert(l.as_str(), k).is_some() {
                return Err(StatsError::degenerate(format!(
                    "visit level `{l}` is given twice"
                )));
            }
        }
        let t = levels.len();

        // Group rows by subject, in order of first appearance.
        let mut subject_index: HashMap<&S, usize> = HashMap::new();
        let mut subjects: Vec<Vec<(usize, usize)>> = Vec::new();
        for (row, (s, v)) in subject.iter().zip(visit).enumerate() {
            let Some(&vk) = level_index.get(v.as_str()) else {
                return Err(StatsError::degenerate(format!(
                    "`visit[{row}]` = `{v}` is not among the visit levels"
                )));
            };
            let k = *subject_index.entry(s).or_insert_with(|| {
                subjects.push(Vec::new());
                subjects.len() - 1
            });
            subjects[k].push((vk, row));
        }
        for rows in &mut subjects {
            rows.sort_unstable();
            if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(StatsError::degenerate(format!(
                    "the subject of rows {} and {} has two rows at visit `{}`; \
                     each subject may have one row per visit",
                    w[0].1, w[1].1, levels[w[0].0]
                )));
            }
        }

        // Every visit observed, every pair of visits observed together.
        let mut together = vec![false; t * t];
        for rows in &subjects {
            for &(a, _) in rows {
                for &(b, _) in rows {
                    together[a * t + b] = true;
                }
            }
        }
        for a in 0..t {
            if !together[a * t + a] {
                return Err(StatsError::degenerate(format!(
                    "visit `{}` is observed by no subject; its variance is not estimable",
                    levels[a]
                )));
            }
        }
        for a in 0..t {
            for b in a + 1..t {
                if !together[a * t + b] {
                    return Err(StatsError::degenerate(format!(
                        "no subject is observed at both visits `{}` and `{}`; \
                         their covariance is not estimable",
                        levels[a], levels[b]
                    )));
                }
            }
        }

        let p = covariates.len() + 1;
        if subjects.len() < t + 1 {
            return Err(StatsError::TooFew {
                argument: "subject".into(),
                needed: t + 1,
                found: subjects.len(),
            });
        }
        if n <= p {
            return Err(StatsError::TooFew {
                argument: "y".into(),
                needed: p + 1,
                found: n,
            });
        }
        let mut x = Vec::with_capacity(n * p);
        for row in 0..n {
            x.push(1.0);
            for (_, col) in covariates {
                x.push(col.as_ref()[row]);
            }
        }
        let mut names = Vec::with_capacity(p);
        names.push("(Intercept)".to_string());
        names.extend(covariates.iter().map(|(nm, _)| nm.as_ref().to_string()));
        Ok(MmrmData {
            subjects,
            x,
            y: y.to_vec(),
            names,
            visits: levels,
        })
    }

    /// Number of subjects.
    pub fn n_subjects(&self) -> usize {
        self.subjects.len()
    }

    /// Number of observations (rows).
    pub fn n_obs(&self) -> usize {
        self.y.len()
    }

    /// The visit levels, in order.
    pub fn visits(&self) -> &[String] {
        &self.visits
    }

    /// The coefficient names: `(Intercept)`, then the covariates.
    pub fn coef_names(&self) -> &[String] {
        &self.names
    }
}

/// Orders labels with embedded numbers by value: `v2 < v10`, `week8 < week12`.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut ai, mut bi) = (a.char_indices().peekable(), b.char_indices().peekable());
    loop {
        match (ai.peek().copied(), bi.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((sa, ca)), Some((sb, cb))) => {
                if ca.is_ascii_digit() && cb.is_ascii_digit() {
                    let mut ea = sa;
                    while let Some(&(i, c)) = ai.peek() {
                        if !c.is_ascii_digit() {
                            break;
                        }
                        ea = i + 1;
                        ai.next();
                    }
                    let mut eb = sb;
                    while let Some(&(i, c)) = bi.peek() {
                        if !c.is_ascii_digit() {
                            break;
                        }
                        eb = i + 1;
                        bi.next();
                    }
                    let da = a[sa..ea].trim_start_matches('0');
                    let db = b[sb..eb].trim_start_matches('0');
                    let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
                    if ord != Ordering::Equal {
                        return ord;
                    }
                } else {
                    if ca != cb {
                        return ca.cmp(&cb);
                    }
                    ai.next();
                    bi.next();
                }
            }
        }
    }
}

/// An MMRM fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct MmrmFit {
    /// Coefficient names: `(Intercept)`, then the covariates.
    pub coef_names: Vec<String>,
    /// GLS estimates at the REML covariance.
    pub coef: Vec<f64>,
    /// Model-based standard errors, `sqrt(diag((X'V^-1 X)^-1))`.
    pub se: Vec<f64>,
    /// Covariance matrix of the coefficients, `(X'V^-1 X)^-1`, by rows.
    pub vcov: Vec<Vec<f64>>,
    /// The REML log-likelihood, as R's `nlme` reports it.
    pub loglik: f64,
    /// The visit levels, labelling the rows and columns of `covariance`.
    pub visits: Vec<String>,
    /// The estimated unstructured covariance matrix, by rows.
    pub covariance: Vec<Vec<f64>>,
    /// Residual degrees of freedom `N - p` (as `nlme::gls` reports).
    pub df_residual: f64,
    /// Number of subjects.
    pub n_subjects: usize,
    /// Number of observations.
    pub n_obs: usize,
    /// Optimizer iterations of the run that gave the fit.
    pub iterations: usize,
    /// Remarks on the fit.
    pub notes: Vec<Note>,
    #[serde(skip)]
    state: FitState,
}

#[derive(Debug, Clone)]
struct FitState {
    problem: Problem,
    theta: Vec<f64>,
    /// The evaluation at `theta` and the Cholesky factor of the observed
    /// information (minus the numerical Hessian), computed on the first
    /// Satterthwaite contrast and reused by the others: the Hessian costs
    /// two evaluations per covariance parameter (90 for 9 visits).
    satterthwaite: std::sync::OnceLock<Option<(kernel::Eval, crate::linalg::Cholesky)>>,
}

impl PartialEq for FitState {
    fn eq(&self, other: &Self) -> bool {
        self.problem == other.problem && self.theta == other.theta
    }
}

/// A linear combination `c' beta` of the coefficients with its test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Contrast {
    /// `c' beta`.
    pub estimate: f64,
    /// Model-based standard error `sqrt(c' (X'V^-1 X)^-1 c)`.
    pub se: f64,
    /// Satterthwaite degrees of freedom; `None` when the Hessian of the
    /// REML log-likelihood is not negative definite (then the normal
    /// distribution is used).
    pub df: Option<f64>,
    /// `estimate / se`.
    pub statistic: f64,
    /// Two-sided p-value for `c' beta = 0`.
    pub p_value: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// Fits an MMRM with unstructured covariance by REML.
///
/// Starting values are the moment estimate of the covariance of the OLS
/// residuals (pairwise over available visits), its diagonal, and a blend of
/// the two; each start is optimized (BFGS, then Newton) and the fit with the
/// largest REML log-likelihood is kept.
///
/// # Errors
/// - [`StatsError::Singular`] when the design has collinear columns.
/// - [`StatsError::Degenerate`] when the residuals at a visit have no
///   variation, or the REML covariance estimate is singular (the likelihood
///   increases toward a singular `Sigma`; R's `gls` stops with "false
///   convergence" there).
/// - [`StatsError::NotConverged`] when no start converges within
///   `options.max_iterations`.
/// - [`StatsError::OutOfRange`] for a tolerance that is not positive.
///
/// # References
/// Mallinckrodt, Lane, Schnell, Peng & Mancuso (2008), Drug Inf. J. 42,
/// 303-319; Harville (1977), JASA 72, 320-338 (REML). Agrees with R 4.2.2
/// `nlme::gls(y ~ x, correlation = corSymm(form = ~ visit | id),
/// weights = varIdent(form = ~ 1 | visit), method = "REML")`.
///
/// # Example
/// ```
/// use rct_stats::models::mmrm::{mmrm, MmrmData, MmrmOptions};
/// // Twelve subjects, three visits, four visits missed; arm in `trt`.
/// let id = [1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9,
///           10, 10, 11, 11, 11, 12, 12, 12];
/// let visit = [1, 2, 3, 1, 2, 1, 2, 1, 2, 3, 1, 2, 3, 1, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3,
///              1, 2, 1, 2, 3, 1, 2, 3];
/// let y = [14.2, 14.2, 17.5, 9.8, 9.5, 10.1, 11.9, 10.7, 12.5, 9.9, 10.5, 10.8, 12.6,
///          10.1, 11.0, 11.1, 13.7, 13.9, 10.6, 11.7, 12.0, 11.5, 11.2, 12.9, 13.1, 15.6,
///          11.0, 11.2, 12.8, 13.3, 16.3, 16.6];
/// let trt: Vec<f64> = id.iter().map(|&i| if i > 6 { 1.0 } else { 0.0 }).collect();
/// let v2: Vec<f64> = visit.iter().map(|&v| if v == 2 { 1.0 } else { 0.0 }).collect();
/// let v3: Vec<f64> = visit.iter().map(|&v| if v == 3 { 1.0 } else { 0.0 }).collect();
/// let data = MmrmData::new(&id, &visit, &y, &[("trt", trt), ("v2", v2), ("v3", v3)])?;
/// let fit = mmrm(&data, &MmrmOptions::default())?;
/// // R: nlme::gls(y ~ trt + v2 + v3, correlation = corSymm(form = ~ visit | id),
/// //    weights = varIdent(form = ~ 1 | visit), method = "REML")
/// assert!((fit.coef[1] - 0.0381317598).abs() < 1e-6);
/// assert!((fit.se[1] - 0.6613380142).abs() < 1e-6);
/// assert!((fit.loglik - -49.5699990970).abs() < 1e-8);
/// assert_eq!(fit.df_residual, 28.0);
/// // The arm difference (no arm-by-visit term here, so the same at every visit).
/// let diff = fit.lsmean_difference(&[("trt", 1.0)], &[], 0.95)?;
/// assert!((diff.estimate - fit.coef[1]).abs() < 1e-12);
/// assert!(diff.p_value > 0.9 && diff.p_value < 1.0);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn mmrm(data: &MmrmData, options: &MmrmOptions) -> Result<MmrmFit, StatsError> {
    if !(options.tolerance.is_finite() && options.tolerance > 0.0) {
        return Err(StatsError::out_of_range(
            "tolerance",
            options.tolerance,
            "must be positive",
        ));
    }
    let Covariance::Unstructured = options.covariance;
    let Estimation::Reml = options.estimation;
    let t = data.visits.len();
    let p = data.names.len();
    let patterns = kernel::build_patterns(&data.subjects, &data.x, &data.y, p);
    let (scale, lt0) = kernel::moment_start(&patterns, t, p, data.n_obs())?;
    let problem = Problem {
        t,
        p,
        n_obs: data.n_obs(),
        patterns,
        scale,
    };
    let gtol = options.tolerance * data.n_subjects() as f64;

    // Starts: the moment estimate, its diagonal, and halfway between.
    let start_moment = kernel::theta_from_lt(&lt0);
    let start_diag = kernel::theta_from_lt(&Matrix::identity(t));
    let mut half = lt0.matmul(&lt0.transpose());
    for i in 0..t {
        for j in 0..t {
            if i != j {
                half.set(i, j, 0.5 * half.get(i, j));
            }
        }
    }
    let mut starts = vec![start_moment, start_diag];
    if let Ok(ch) = crate::linalg::Cholesky::new(&half, "start") {
        starts.push(kernel::theta_from_lt(ch.factor()));
    }

    let mut best: Option<kernel::Optimum> = None;
    let mut failure = None;
    let mut found = Vec::new();
    for start in starts {
        match kernel::maximize(&problem, start, options.max_iterations, gtol) {
            Ok(opt) => {
                found.push(opt.eval.loglik);
                if best
                    .as_ref()
                    .is_none_or(|b: &kernel::Optimum| opt.eval.loglik > b.eval.loglik)
                {
                    best = Some(opt);
                }
            }
            Err(f) => {
                failure.get_or_insert(f);
            }
        }
    }
    let Some(best) = best else {
        let f = failure.unwrap_or(kernel::Failure {
            iterations: 0,
            last_change: f64::INFINITY,
            boundary: false,
        });
        if f.boundary {
            return Err(StatsError::degenerate(
                "the REML estimate of the unstructured covariance is singular (the maximum lies \
                 on the boundary); the data cannot support an unstructured covariance: too few \
                 subjects, or visits observed together too rarely",
            ));
        }
        return Err(StatsError::NotConverged {
            iterations: f.iterations,
            last_change: f.last_change,
        });
    };
    let mut notes = Vec::new();
    let spread = found
        .iter()
        .map(|l| best.eval.loglik - l)
        .fold(0.0, f64::max);
    if spread > 1e-6 * best.eval.loglik.abs().max(1.0) {
        notes.push(Note(format!(
            "starting values reached different optima (REML log-likelihoods differ by up to {spread:.3e}); the best is reported"
        )));
    }
    if failure.is_some() {
        notes.push(Note(
            "an optimization run from one starting value did not converge; the others agree".into(),
        ));
    }

    let a_inv = best.eval.a_chol.inverse();
    let se = (0..p).map(|i| a_inv.get(i, i).max(0.0).sqrt()).collect();
    let vcov = (0..p).map(|i| a_inv.row(i).to_vec()).collect();
    let sigma = problem.sigma(&best.theta);
    let covariance = (0..t).map(|i| sigma.row(i).to_vec()).collect();
    Ok(MmrmFit {
        coef_names: data.names.clone(),
        coef: best.eval.beta.clone(),
        se,
        vcov,
        loglik: best.eval.loglik,
        visits: data.visits.clone(),
        covariance,
        df_residual: (data.n_obs() - p) as f64,
        n_subjects: data.n_subjects(),
        n_obs: data.n_obs(),
        iterations: best.iterations,
        notes,
        state: FitState {
            problem,
            theta: best.theta,
            satterthwaite: std::sync::OnceLock::new(),
        },
    })
}

impl MmrmFit {
    /// Estimates and tests `c' beta` (`c` has one weight per coefficient,
    /// intercept first), with Satterthwaite degrees of freedom and a
    /// `conf_level` confidence interval.
    ///
    /// The degrees of freedom are `2 psi^2 / (g' H^-1 g)`, with `psi = c'
    /// (X'V^-1 X)^-1 c`, `g` its gradient with respect to the covariance
    /// parameters and `H` the observed information of those parameters (the
    /// negative Hessian of the REML log-likelihood, by differences of the
    /// analytic gradient). Kenward-Roger adjustment is not implemented.
    ///
    /// # Errors
    /// [`StatsError::LengthMismatch`] when `c` does not have one weight per
    /// coefficient, [`StatsError::NonFinite`] for a non-finite weight,
    /// [`StatsError::OutOfRange`] for `conf_level` outside (0, 1) or `c = 0`.
    ///
    /// # References
    /// Satterthwaite (1946), Biometrics Bulletin 2, 110-114; as in SAS PROC
    /// MIXED `DDFM=SATTERTHWAITE` and R `mmrm`.
    pub fn contrast(&self, c: &[f64], conf_level: f64) -> Result<Contrast, StatsError> {
        let p = self.coef.len();
        if c.len() != p {
            return Err(StatsError::LengthMismatch {
                argument: "c".into(),
                other: "coef".into(),
                expected: p,
                found: c.len(),
            });
        }
        crate::common::check_finite("c", c)?;
        crate::common::check_open_unit("conf_level", conf_level)?;
        let estimate = crate::linalg::dot(c, &self.coef);
        let psi: f64 = (0..p)
            .map(|i| c[i] * crate::linalg::dot(&self.vcov[i], c))
            .sum();
        if psi.is_nan() || psi <= 0.0 {
            return Err(StatsError::out_of_range(
                "c",
                0.0,
                "the contrast must have a non-zero weight",
            ));
        }
        let se = psi.sqrt();
        let mut notes = Vec::new();
        let df = self.satterthwaite_df(c, psi);
        if df.is_none() {
            notes.push(Note(
                "the REML Hessian is not negative definite; Satterthwaite degrees of freedom are undefined and the normal distribution is used".into(),
            ));
        }
        let statistic = estimate / se;
        let (p_value, quantile) = match df {
            Some(df) => (
                dist::t_two_sided(statistic, df),
                t_upper_quantile((1.0 - conf_level) / 2.0, df),
            ),
            None => (
                dist::normal_two_sided(statistic),
                dist::normal_upper_quantile((1.0 - conf_level) / 2.0),
            ),
        };
        Ok(Contrast {
            estimate,
            se,
            df,
            statistic,
            p_value,
            lower: estimate - quantile * se,
            upper: estimate + quantile * se,
            notes,
        })
    }

    /// [`MmrmFit::contrast`] with the weights given by coefficient name;
    /// coefficients not named get weight 0.
    ///
    /// # Errors
    /// [`StatsError::UnknownOption`] for a name that is not a coefficient,
    /// otherwise as [`MmrmFit::contrast`].
    pub fn contrast_by_name(
        &self,
        weights: &[(&str, f64)],
        conf_level: f64,
    ) -> Result<Contrast, StatsError> {
        let mut c = vec![0.0; self.coef.len()];
        for &(name, w) in weights {
            let k = self.coef_index(name)?;
            c[k] += w;
        }
        self.contrast(&c, conf_level)
    }

    /// Difference of least-squares means between two covariate profiles,
    /// e.g. treatment arm vs control at one visit: with dummy-coded arm,
    /// visit and arm-by-visit columns, `treated = [("arm_b", 1),
    /// ("w12", 1), ("arm_b_w12", 1)]` and `reference = [("w12", 1)]`.
    /// Columns named in neither profile take the same value in both (e.g. a
    /// baseline covariate at its mean) and cancel.
    ///
    /// # Errors
    /// As [`MmrmFit::contrast_by_name`].
    pub fn lsmean_difference(
        &self,
        treated: &[(&str, f64)],
        reference: &[(&str, f64)],
        conf_level: f64,
    ) -> Result<Contrast, StatsError> {
        let mut c = vec![0.0; self.coef.len()];
        for &(name, v) in treated {
            c[self.coef_index(name)?] += v;
        }
        for &(name, v) in reference {
            c[self.coef_index(name)?] -= v;
        }
        self.contrast(&c, conf_level)
    }

    fn coef_index(&self, name: &str) -> Result<usize, StatsError> {
        self.coef_names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| StatsError::UnknownOption {
                what: "coefficient".into(),
                name: name.into(),
                expected: self.coef_names.join(", "),
            })
    }

    fn satterthwaite_df(&self, c: &[f64], psi: f64) -> Option<f64> {
        let FitState {
            problem,
            theta,
            satterthwaite,
        } = &self.state;
        let (ev, chol) = satterthwaite
            .get_or_init(|| {
                let ev = problem.eval(theta, false)?;
                let h = problem.hessian(theta)?;
                let k = theta.len();
                let mut info = Matrix::zeros(k, k);
                for i in 0..k {
                    for j in 0..k {
                        info.set(i, j, -h.get(i, j));
                    }
                }
                let chol = crate::linalg::Cholesky::new(&info, "information").ok()?;
                Some((ev, chol))
            })
            .as_ref()?;
        let g = problem.contrast_variance_grad(theta, ev, c);
        let var_psi = crate::linalg::dot(&g, &chol.solve(&g));
        let df = 2.0 * psi * psi / var_psi;
        (df.is_finite() && df > 0.0).then_some(df)
    }
}

/// Upper `p` quantile of Student's t with `df` degrees of freedom, by
/// bisection on the accurate upper tail.
fn t_upper_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while dist::t_sf(hi, df) > p && hi < 1e300 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if dist::t_sf(mid, df) > p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}
