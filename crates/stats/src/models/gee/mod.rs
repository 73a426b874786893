//! Generalized estimating equations (Liang & Zeger 1986) for clustered
//! gaussian, binomial and Poisson outcomes with canonical links.
//!
//! The default conventions are those of R geepack 1.3.9 `geeglm`; the
//! statsmodels conventions can be chosen with [`Convention::Statsmodels`].
//! They differ only in the moment estimators of the nuisance parameters:
//!
//! | quantity | geepack (default) | statsmodels |
//! |---|---|---|
//! | scale `phi` | `sum e^2 / N`, every family | `sum e^2 / (N - p)` for gaussian; fixed at 1 for binomial and Poisson |
//! | scale inside the `alpha` estimator | `sum e^2 / N` | `sum e^2 / (N - p)`, every family |
//! | exchangeable `alpha` | `sum_pairs e_j e_k / (phi #pairs)` | `sum_pairs e_j e_k / (phi (#pairs - p))` |
//! | AR(1), unstructured | see [`CorStr`] | not supported (statsmodels' estimators differ) |
//!
//! `e` are the Pearson residuals. The coefficients depend on the convention
//! only through `alpha`; the sandwich covariance does not depend on `phi`.
//!
//! Clusters are identified by the value of `id`: rows of one subject need
//! not be contiguous (statsmodels groups by value as well; geepack would
//! silently split a subject whose rows are not adjacent, so sort by `id`
//! before comparing with it). Within a cluster, rows are ordered by `wave`.

mod kernel;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::hash::Hash;
use std::str::FromStr;

use crate::dist::chi_square_sf;
use crate::linalg::{dot, Matrix};
use crate::models::design::{Design, ScaledCholesky, Term};
use crate::{Note, StatsError};

use kernel::{Clusters, Problem, Working};

/// The outcome distribution; the link is always canonical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    /// Normal outcome, identity link, `v(mu) = 1`.
    #[default]
    Gaussian,
    /// 0/1 outcome (or proportions in `[0, 1]`), logit link, `v = mu (1 - mu)`.
    Binomial,
    /// Counts, log link, `v = mu`.
    Poisson,
}

impl Family {
    /// The name used in case files (`gaussian`, `binomial`, `poisson`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Gaussian => "gaussian",
            Family::Binomial => "binomial",
            Family::Poisson => "poisson",
        }
    }
}

impl FromStr for Family {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s {
            "gaussian" => Ok(Family::Gaussian),
            "binomial" => Ok(Family::Binomial),
            "poisson" => Ok(Family::Poisson),
            _ => Err(StatsError::UnknownOption {
                what: "GEE family".into(),
                name: s.into(),
                expected: "gaussian, binomial, poisson".into(),
            }),
        }
    }
}

/// The working correlation structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CorStr {
    /// `R = I`; `alpha` is empty.
    Independence,
    /// `corr(y_j, y_k) = alpha` for every pair in a cluster.
    #[default]
    Exchangeable,
    /// `corr(y_j, y_k) = alpha^|wave_j - wave_k|`; `alpha` is the
    /// least-squares root of `sum d alpha^(d-1) (e_j e_k / phi - alpha^d) = 0`
    /// over all within-cluster pairs (geepack).
    Ar1,
    /// One correlation per pair of wave positions (the distinct waves,
    /// sorted), listed (1,2), (1,3), ..., (T-1,T); each is the mean of
    /// `e_j e_k / phi` over the clusters observed at both.
    Unstructured,
}

impl CorStr {
    /// The name used in case files.
    pub fn name(self) -> &'static str {
        match self {
            CorStr::Independence => "independence",
            CorStr::Exchangeable => "exchangeable",
            CorStr::Ar1 => "ar1",
            CorStr::Unstructured => "unstructured",
        }
    }
}

impl FromStr for CorStr {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s {
            "independence" => Ok(CorStr::Independence),
            "exchangeable" => Ok(CorStr::Exchangeable),
            "ar1" => Ok(CorStr::Ar1),
            "unstructured" => Ok(CorStr::Unstructured),
            _ => Err(StatsError::UnknownOption {
                what: "GEE working correlation".into(),
                name: s.into(),
                expected: "independence, exchangeable, ar1, unstructured".into(),
            }),
        }
    }
}

/// Whose moment estimators of `alpha` and the scale to follow (see the
/// module documentation for the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Convention {
    /// R geepack 1.3.9 `geeglm` (divisor `N`, scale estimated for every family).
    #[default]
    Geepack,
    /// Python statsmodels `GEE.fit` (divisors `N - p` and `#pairs - p`,
    /// scale 1 for binomial and Poisson).
    Statsmodels,
}

impl FromStr for Convention {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s {
            "geepack" => Ok(Convention::Geepack),
            "statsmodels" => Ok(Convention::Statsmodels),
            _ => Err(StatsError::UnknownOption {
                what: "GEE convention".into(),
                name: s.into(),
                expected: "geepack, statsmodels".into(),
            }),
        }
    }
}

/// Which extra small-sample covariance to compute besides the sandwich.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmallSample {
    /// None (the plain sandwich only).
    #[default]
    None,
    /// Mancl & DeRouen (2001) bias-reduced sandwich (statsmodels
    /// `cov_type="bias_reduced"`).
    ManclDeRouen,
}

/// Options of a GEE fit.
#[derive(Debug, Clone, PartialEq)]
pub struct GeeOptions {
    /// Outcome family (canonical link).
    pub family: Family,
    /// Working correlation.
    pub corstr: CorStr,
    /// Moment-estimator convention for `alpha` and the scale.
    pub convention: Convention,
    /// Extra small-sample covariance.
    pub small_sample: SmallSample,
    /// Maximum number of iterations (each: moment step, then one Fisher
    /// scoring step for the coefficients).
    pub max_iter: usize,
    /// Convergence: every `|delta beta_j| <= tolerance * (1 + |beta_j|)`.
    pub tolerance: f64,
}

impl Default for GeeOptions {
    fn default() -> Self {
        GeeOptions {
            family: Family::Gaussian,
            corstr: CorStr::Exchangeable,
            convention: Convention::Geepack,
            small_sample: SmallSample::None,
            max_iter: 100,
            tolerance: 1e-10,
        }
    }
}

impl GeeOptions {
    /// Sets the family.
    pub fn family(mut self, family: Family) -> Self {
        self.family = family;
        self
    }
    /// Sets the working correlation.
    pub fn corstr(mut self, corstr: CorStr) -> Self {
        self.corstr = corstr;
        self
    }
    /// Sets the convention.
    pub fn convention(mut self, convention: Convention) -> Self {
        self.convention = convention;
        self
    }
    /// Sets the small-sample covariance.
    pub fn small_sample(mut self, small_sample: SmallSample) -> Self {
        self.small_sample = small_sample;
        self
    }
    /// Sets the iteration limit.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }
    /// Sets the convergence tolerance.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }
}

/// A joint chi-square test that a term's coefficients are all zero.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct GeeTermTest {
    /// The term's name.
    pub name: String,
    /// The chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom (the term's number of columns).
    pub df: f64,
    /// Upper-tail chi-square p-value.
    pub p_value: f64,
}

/// A fitted GEE.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct GeeFit {
    /// Coefficient names, intercept first.
    pub names: Vec<String>,
    /// Coefficients.
    pub coef: Vec<f64>,
    /// Sandwich (robust) standard errors, no small-sample correction.
    pub robust_se: Vec<f64>,
    /// Model-based standard errors `sqrt(diag(phi B^-1))`.
    pub model_se: Vec<f64>,
    /// Mancl-DeRouen bias-reduced standard errors, when asked for.
    pub bias_reduced_se: Option<Vec<f64>>,
    /// Correlation parameters (empty for independence).
    pub alpha: Vec<f64>,
    /// Scale (dispersion) `phi`.
    pub scale: f64,
    /// Robust Wald chi-square test per term of the design.
    pub term_tests: Vec<GeeTermTest>,
    /// Sandwich covariance, row by row.
    pub robust_cov: Vec<Vec<f64>>,
    /// Model-based covariance, row by row.
    pub model_cov: Vec<Vec<f64>>,
    /// Bias-reduced covariance, when asked for.
    pub bias_reduced_cov: Option<Vec<Vec<f64>>>,
    /// Iterations used (after the independence start).
    pub iterations: usize,
    /// Number of clusters.
    pub clusters: usize,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// Validated GEE data: outcome, design, clusters and waves.
#[derive(Debug, Clone)]
pub struct GeeData<'a> {
    y: &'a [f64],
    design: &'a Design,
    wave: &'a [f64],
    clusters: Clusters,
}

impl<'a> GeeData<'a> {
    /// Checks the inputs and groups the rows into clusters by `id` value
    /// (first appearance order), each sorted by `wave`.
    ///
    /// # Errors
    /// [`StatsError::LengthMismatch`] if `y`, `id` or `wave` do not have one
    /// entry per design row; [`StatsError::NonFinite`] for a missing or
    /// infinite `y` or `wave`.
    pub fn new<I: Eq + Hash>(
        y: &'a [f64],
        design: &'a Design,
        id: &[I],
        wave: &'a [f64],
    ) -> Result<Self, StatsError> {
        let n = design.n();
        for (argument, len) in [("y", y.len()), ("id", id.len()), ("wave", wave.len())] {
            crate::common::check_same_len(argument, len, "x", n)?;
        }
        crate::common::check_finite("y", y)?;
        crate::common::check_finite("wave", wave)?;
        // Cluster index of each row, by first appearance of its id.
        let mut index: HashMap<&I, usize> = HashMap::new();
        let mut cluster_of = Vec::with_capacity(n);
        let mut sizes: Vec<usize> = Vec::new();
        for key in id {
            let next = index.len();
            let c = *index.entry(key).or_insert(next);
            if c == sizes.len() {
                sizes.push(0);
            }
            sizes[c] += 1;
            cluster_of.push(c);
        }
        let mut starts = Vec::with_capacity(sizes.len() + 1);
        starts.push(0);
        for s in &sizes {
            let last = starts.last().copied().unwrap_or(0);
            starts.push(last + s);
        }
        // Counting sort: stable, so rows keep their input order within a
        // cluster until sorted by wave below.
        let mut fill = starts.clone();
        let mut order = vec![0; n];
        for (r, &c) in cluster_of.iter().enumerate() {
            order[fill[c]] = r;
            fill[c] += 1;
        }
        for c in 0..sizes.len() {
            let rows = &mut order[starts[c]..starts[c + 1]];
            if rows.windows(2).any(|w| wave[w[0]] > wave[w[1]]) {
                rows.sort_by(|&a, &b| wave[a].total_cmp(&wave[b]));
            }
        }
        let max_size = sizes.iter().copied().max().unwrap_or(0);
        Ok(GeeData {
            y,
            design,
            wave,
            clusters: Clusters {
                order,
                starts,
                max_size,
            },
        })
    }

    /// Number of clusters.
    pub fn clusters(&self) -> usize {
        self.clusters.count()
    }

    /// Fits the GEE.
    ///
    /// The coefficients start from the independence (GLM) fit; each
    /// iteration then re-estimates `alpha` and `phi` from the Pearson
    /// residuals and takes one Fisher scoring step
    /// `beta += B^-1 U`, until the step is below the tolerance. The robust
    /// covariance is the sandwich `B^-1 M B^-1`.
    ///
    /// # Errors
    /// [`StatsError::OutOfRange`] for a binomial outcome outside `[0, 1]` or
    /// a negative Poisson count; [`StatsError::TooFew`] with fewer
    /// observations than coefficients; [`StatsError::Singular`] naming a
    /// collinear column (or a working correlation that is not positive
    /// definite); [`StatsError::Degenerate`] when a correlation cannot be
    /// estimated (e.g. two rows of a subject at the same wave under AR(1));
    /// [`StatsError::NotConverged`] with the iterations and the last change.
    ///
    /// # References
    /// Liang & Zeger (1986); agrees with R geepack 1.3.9 `geeglm` (default
    /// convention) and Python statsmodels `GEE` ([`Convention::Statsmodels`]),
    /// Mancl & DeRouen (2001) for [`SmallSample::ManclDeRouen`].
    ///
    /// # Example
    /// ```
    /// use rct_stats::models::design::Design;
    /// use rct_stats::models::gee::{GeeData, GeeOptions, CorStr};
    /// let y = [1.0, 2.0, 2.5, 1.5, 3.0, 2.0, 4.0, 3.5, 2.0, 2.5];
    /// let trt = vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0];
    /// let id = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    /// let wave = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
    /// let d = Design::new(10, &[("trt", trt)])?.with_terms(&[("trt", vec!["trt"])])?;
    /// let fit = GeeData::new(&y, &d, &id, &wave)?
    ///     .fit(&GeeOptions::default().corstr(CorStr::Exchangeable))?;
    /// // Balanced clusters: the coefficients are the group mean difference.
    /// assert!((fit.coef[1] - (3.125 - 1.9166666666666667)).abs() < 1e-9);
    /// assert!(fit.term_tests[0].p_value > 0.0 && fit.term_tests[0].p_value < 1.0);
    /// # Ok::<(), rct_stats::StatsError>(())
    /// ```
    pub fn fit(&self, opts: &GeeOptions) -> Result<GeeFit, StatsError> {
        self.fit_design(self.design, opts)
    }

    fn check_outcome(&self, family: Family) -> Result<(), StatsError> {
        for (i, &v) in self.y.iter().enumerate() {
            let ok = match family {
                Family::Gaussian => true,
                Family::Binomial => (0.0..=1.0).contains(&v),
                Family::Poisson => v >= 0.0,
            };
            if !ok {
                let expected = match family {
                    Family::Binomial => {
                        "a binomial outcome must be 0 or 1 (or a proportion in [0, 1])"
                    }
                    _ => "a Poisson outcome must be a non-negative count",
                };
                return Err(StatsError::out_of_range(format!("y[{i}]"), v, expected));
            }
        }
        Ok(())
    }

    /// Unstructured positions: index of each row's wave among the sorted
    /// distinct waves.
    fn positions(&self) -> (Vec<usize>, usize) {
        let mut distinct: Vec<f64> = self.wave.to_vec();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let pos = self
            .wave
            .iter()
            .map(|w| distinct.partition_point(|d| d < w))
            .collect();
        (pos, distinct.len())
    }

    fn check_distinct_waves(&self) -> Result<(), StatsError> {
        for i in 0..self.clusters.count() {
            let rows = self.clusters.rows(i);
            if let Some(w) = rows.windows(2).find(|w| self.wave[w[0]] == self.wave[w[1]]) {
                return Err(StatsError::degenerate(format!(
                    "rows {} and {} of one subject share wave {}; AR(1) and unstructured \
                     correlations need distinct waves within a subject",
                    w[0], w[1], self.wave[w[0]]
                )));
            }
        }
        Ok(())
    }

    /// Solves the estimating equations for `design`; returns the
    /// coefficients, the final nuisance estimates and the iterations.
    fn solve(
        &self,
        pb: &Problem<'_>,
        opts: &GeeOptions,
        n_waves: usize,
    ) -> Result<(Vec<f64>, kernel::Dependence, usize), StatsError> {
        let design = pb.design;
        let p = design.p();
        let n = design.n();
        if n <= p {
            return Err(StatsError::TooFew {
                argument: "y".into(),
                needed: p + 1,
                found: n,
            });
        }
        let mean_y = self.y.iter().sum::<f64>() / n as f64;
        let mut beta = vec![0.0; p];
        beta[0] = opts.family.link(mean_y);
        // Stage 1: the independence (GLM) fit as the starting value.
        let independence = Working::Independence;
        iterate(pb, &mut beta, opts, |_| Ok(independence.clone()))?;
        if opts.corstr == CorStr::Independence {
            let res = kernel::residuals(pb, &beta)?;
            let dep = kernel::dependence(pb, &res.e, opts.corstr, opts.convention, n_waves, p)?;
            return Ok((beta, dep, 0));
        }
        // Stage 2: alternate the moment step and a scoring step.
        let iterations = iterate(pb, &mut beta, opts, |e| {
            kernel::dependence(pb, e, opts.corstr, opts.convention, n_waves, p).map(|d| d.working)
        })?;
        let res = kernel::residuals(pb, &beta)?;
        let dep = kernel::dependence(pb, &res.e, opts.corstr, opts.convention, n_waves, p)?;
        Ok((beta, dep, iterations))
    }

    fn fit_design(&self, design: &Design, opts: &GeeOptions) -> Result<GeeFit, StatsError> {
        self.check_outcome(opts.family)?;
        let needs_waves = matches!(opts.corstr, CorStr::Ar1 | CorStr::Unstructured);
        if needs_waves {
            self.check_distinct_waves()?;
        }
        let (position, n_waves) = if opts.corstr == CorStr::Unstructured {
            self.positions()
        } else {
            (Vec::new(), 0)
        };
        let pb = Problem {
            y: self.y,
            design,
            wave: self.wave,
            position: &position,
            clusters: &self.clusters,
            family: opts.family,
        };
        let (beta, dep, iterations) = self.solve(&pb, opts, n_waves)?;
        let p = design.p();
        let res = kernel::residuals(&pb, &beta)?;
        let sums = kernel::accumulate(&pb, &res, &dep.working, true)?;
        let info = ScaledCholesky::new(&sums.info, "GEE information", design.names())?;
        let bread = info.inverse();
        let meat = sums.meat.unwrap_or_else(|| Matrix::zeros(p, p));
        let robust = kernel::sandwich(&bread, &meat);
        let mut model = bread.clone();
        model
            .as_mut_slice()
            .iter_mut()
            .for_each(|v| *v *= dep.scale);
        let bias_reduced = match opts.small_sample {
            SmallSample::None => None,
            SmallSample::ManclDeRouen => {
                let m = kernel::bias_reduced_meat(&pb, &res, &dep.working, &bread)?;
                Some(kernel::sandwich(&bread, &m))
            }
        };
        let se =
            |c: &Matrix| -> Vec<f64> { c.diagonal().iter().map(|v| v.max(0.0).sqrt()).collect() };
        let mut notes = Vec::new();
        let mut term_tests = Vec::with_capacity(design.terms().len());
        for term in design.terms() {
            term_tests.push(wald(term, &beta, &robust, design)?);
        }
        if self.clusters.count() < 40 && opts.small_sample == SmallSample::None {
            notes.push(Note(format!(
                "only {} clusters: the sandwich covariance is biased downwards; consider the \
                 Mancl-DeRouen bias-reduced covariance",
                self.clusters.count()
            )));
        }
        Ok(GeeFit {
            names: design.names().to_vec(),
            robust_se: se(&robust),
            model_se: se(&model),
            bias_reduced_se: bias_reduced.as_ref().map(se),
            coef: beta,
            alpha: dep.alpha,
            scale: dep.scale,
            term_tests,
            robust_cov: rows(&robust),
            model_cov: rows(&model),
            bias_reduced_cov: bias_reduced.as_ref().map(rows),
            iterations,
            clusters: self.clusters.count(),
            notes,
        })
    }

    /// Generalized score test that a term's coefficients are zero
    /// (Rotnitzky & Jewell 1990; Boos 1992).
    ///
    /// Fits the submodel without the term's columns (its own `alpha` and
    /// scale), then evaluates the full model's score `U` at the submodel's
    /// coefficients (the term's set to 0). With `A` the model-based
    /// information and `M` the empirical score covariance at that point,
    /// split into kept (`1`) and tested (`2`) columns, the statistic is
    /// `U_2' S^-1 U_2` with
    /// `S = M_22 - A_21 A_11^-1 M_12 - M_21 A_11^-1 A_12 + A_21 A_11^-1 M_11 A_11^-1 A_12`,
    /// referred to chi-square with as many df as the term has columns. This
    /// is SAS PROC GENMOD's Type 3 score test and statsmodels
    /// `GEE.compare_score_test`.
    ///
    /// # Errors
    /// As [`GeeData::fit`] (for the submodel); [`StatsError::Degenerate`]
    /// for a term whose columns are not in the design (the intercept is
    /// never part of a term); [`StatsError::Singular`] if `S` is singular.
    ///
    /// # References
    /// Rotnitzky & Jewell (1990), Boos (1992); agrees with statsmodels
    /// `GEE.compare_score_test` under [`Convention::Statsmodels`].
    ///
    /// # Example
    /// ```
    /// use rct_stats::models::design::Design;
    /// use rct_stats::models::gee::{GeeData, GeeOptions};
    /// let y = [1.0, 2.0, 2.5, 1.5, 3.0, 2.0, 4.0, 3.5, 2.0, 2.5];
    /// let trt = vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0];
    /// let id = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    /// let wave = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
    /// let d = Design::new(10, &[("trt", trt)])?.with_terms(&[("trt", vec!["trt"])])?;
    /// let data = GeeData::new(&y, &d, &id, &wave)?;
    /// let test = data.score_test(&d.terms()[0], &GeeOptions::default())?;
    /// assert_eq!(test.df, 1.0);
    /// assert!(test.statistic > 0.0 && test.p_value > 0.0 && test.p_value < 1.0);
    /// # Ok::<(), rct_stats::StatsError>(())
    /// ```
    pub fn score_test(&self, term: &Term, opts: &GeeOptions) -> Result<GeeTermTest, StatsError> {
        let p = self.design.p();
        if term.columns.is_empty() || term.columns.iter().any(|&j| j == 0 || j >= p) {
            return Err(StatsError::degenerate(format!(
                "term `{}` does not name columns of the design (other than the intercept)",
                term.name
            )));
        }
        let kept: Vec<usize> = (0..p).filter(|j| !term.columns.contains(j)).collect();
        let sub = self.design.select_columns(&kept);
        self.check_outcome(opts.family)?;
        if matches!(opts.corstr, CorStr::Ar1 | CorStr::Unstructured) {
            self.check_distinct_waves()?;
        }
        let (position, n_waves) = if opts.corstr == CorStr::Unstructured {
            self.positions()
        } else {
            (Vec::new(), 0)
        };
        let sub_pb = Problem {
            y: self.y,
            design: &sub,
            wave: self.wave,
            position: &position,
            clusters: &self.clusters,
            family: opts.family,
        };
        let (sub_beta, dep, _) = self.solve(&sub_pb, opts, n_waves)?;
        let mut beta = vec![0.0; p];
        for (&j, &b) in kept.iter().zip(&sub_beta) {
            beta[j] = b;
        }
        let pb = Problem {
            design: self.design,
            ..sub_pb
        };
        let res = kernel::residuals(&pb, &beta)?;
        let sums = kernel::accumulate(&pb, &res, &dep.working, true)?;
        let meat = sums.meat.unwrap_or_else(|| Matrix::zeros(p, p));
        let tested = &term.columns;
        let a11 = sums.info.select(&kept, &kept);
        let a12 = sums.info.select(&kept, tested);
        let m11 = meat.select(&kept, &kept);
        let m12 = meat.select(&kept, tested);
        let m22 = meat.select(tested, tested);
        let kept_names: Vec<String> = kept
            .iter()
            .map(|&j| self.design.names()[j].clone())
            .collect();
        let a11c = ScaledCholesky::new(&a11, "GEE information", &kept_names)?;
        // K = A_11^-1 A_12 (kept x tested).
        let q = tested.len();
        let k1 = kept.len();
        let mut kmat = Matrix::zeros(k1, q);
        for c in 0..q {
            let col: Vec<f64> = (0..k1).map(|r| a12.get(r, c)).collect();
            for (r, v) in a11c.solve(&col).into_iter().enumerate() {
                kmat.set(r, c, v);
            }
        }
        let kt = kmat.transpose();
        // S = M22 - K' M12 - M21 K + K' M11 K.
        let kt_m12 = kt.matmul(&m12);
        let kt_m11_k = kt.matmul(&m11).matmul(&kmat);
        let mut s = Matrix::zeros(q, q);
        for a in 0..q {
            for b in 0..q {
                s.set(
                    a,
                    b,
                    m22.get(a, b) - kt_m12.get(a, b) - kt_m12.get(b, a) + kt_m11_k.get(a, b),
                );
            }
        }
        let u2: Vec<f64> = tested.iter().map(|&j| sums.score[j]).collect();
        let names: Vec<String> = tested
            .iter()
            .map(|&j| self.design.names()[j].clone())
            .collect();
        let sc = ScaledCholesky::new(&s, "score covariance", &names)?;
        let statistic = dot(&u2, &sc.solve(&u2)).max(0.0);
        let df = q as f64;
        Ok(GeeTermTest {
            name: term.name.clone(),
            statistic,
            df,
            p_value: chi_square_sf(statistic, df),
        })
    }

    /// [`GeeData::score_test`] for every term of the design, in order.
    ///
    /// # Errors
    /// As [`GeeData::score_test`].
    pub fn score_tests(&self, opts: &GeeOptions) -> Result<Vec<GeeTermTest>, StatsError> {
        self.design
            .terms()
            .iter()
            .map(|t| self.score_test(t, opts))
            .collect()
    }
}

/// Fisher scoring with the working correlation from `working(e)`; returns
/// the number of iterations.
fn iterate(
    pb: &Problem<'_>,
    beta: &mut [f64],
    opts: &GeeOptions,
    mut working: impl FnMut(&[f64]) -> Result<Working, StatsError>,
) -> Result<usize, StatsError> {
    let mut last_change = f64::INFINITY;
    for it in 1..=opts.max_iter.max(1) {
        let res = kernel::residuals(pb, beta)?;
        let w = working(&res.e)?;
        let sums = kernel::accumulate(pb, &res, &w, false)?;
        let chol = ScaledCholesky::new(&sums.info, "GEE information", pb.design.names())?;
        let delta = chol.solve(&sums.score);
        let mut change: f64 = 0.0;
        for (b, d) in beta.iter_mut().zip(&delta) {
            change = change.max(d.abs() / (1.0 + b.abs()));
            *b += d;
        }
        if !change.is_finite() {
            return Err(StatsError::NotConverged {
                iterations: it,
                last_change: change,
            });
        }
        last_change = change;
        if change <= opts.tolerance {
            return Ok(it);
        }
    }
    Err(StatsError::NotConverged {
        iterations: opts.max_iter,
        last_change,
    })
}

/// Robust Wald chi-square `b_T' V_TT^-1 b_T`.
fn wald(
    term: &Term,
    beta: &[f64],
    cov: &Matrix,
    design: &Design,
) -> Result<GeeTermTest, StatsError> {
    let sub = cov.select(&term.columns, &term.columns);
    let b: Vec<f64> = term.columns.iter().map(|&j| beta[j]).collect();
    let names: Vec<String> = term
        .columns
        .iter()
        .map(|&j| design.names()[j].clone())
        .collect();
    let chol = ScaledCholesky::new(&sub, "robust covariance", &names)?;
    let statistic = dot(&b, &chol.solve(&b));
    let df = term.columns.len() as f64;
    Ok(GeeTermTest {
        name: term.name.clone(),
        statistic,
        df,
        p_value: chi_square_sf(statistic, df),
    })
}

fn rows(m: &Matrix) -> Vec<Vec<f64>> {
    (0..m.rows()).map(|i| m.row(i).to_vec()).collect()
}
