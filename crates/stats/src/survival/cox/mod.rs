//! Cox proportional hazards regression.

mod kernel;

use std::str::FromStr;

use super::SurvivalData;
use crate::linalg::Cholesky;
use crate::{dist, Note, StatsError};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// Efron (1977): R `coxph`'s default; closer to the exact partial
    /// likelihood when ties are many.
    #[default]
    Efron,
    /// Breslow (1974): SAS PROC PHREG's default.
    Breslow,
}

impl FromStr for Ties {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s.to_ascii_lowercase().as_str() {
            "efron" => Ok(Ties::Efron),
            "breslow" => Ok(Ties::Breslow),
            _ => Err(StatsError::UnknownOption {
                what: "ties method".into(),
                name: s.into(),
                expected: "efron, breslow".into(),
            }),
        }
    }
}

/// Options of the Cox fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxOptions {
    /// Tie handling.
    pub ties: Ties,
    /// Maximum Newton-Raphson iterations.
    pub max_iter: usize,
    /// Convergence: relative change of the log partial likelihood (R's
    /// `coxph.control(eps = 1e-9)` by default).
    pub tolerance: f64,
    /// Confidence level of the hazard-ratio intervals.
    pub conf_level: f64,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            max_iter: 50,
            tolerance: 1e-9,
            conf_level: 0.95,
        }
    }
}

/// Validated input of a Cox model: survival data, named covariates and
/// optional strata.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxData {
    surv: SurvivalData,
    names: Vec<String>,
    /// Centred covariates, events and tied-time blocks in the order of the
    /// likelihood pass (by stratum, then decreasing time), made once.
    pass: kernel::PassData,
}

impl CoxData {
    /// Validates the covariates against the survival data. `strata` gives a
    /// stratum label per subject (separate baseline hazards).
    ///
    /// # Errors
    /// [`StatsError::TooFew`] without covariates,
    /// [`StatsError::LengthMismatch`] for a column or strata of the wrong
    /// length, [`StatsError::NonFinite`] for a missing covariate value.
    pub fn new<S: Ord>(
        surv: SurvivalData,
        columns: &[(String, Vec<f64>)],
        strata: Option<&[S]>,
    ) -> Result<Self, StatsError> {
        let n = surv.len();
        if columns.is_empty() {
            return Err(StatsError::TooFew {
                argument: "covariates".into(),
                needed: 1,
                found: 0,
            });
        }
        for (name, col) in columns {
            crate::common::check_same_len(format!("x.{name}"), col.len(), "time", n)?;
            crate::common::check_finite(&format!("x.{name}"), col)?;
        }
        let strata: Option<Vec<usize>> = match strata {
            None => None,
            Some(s) => {
                crate::common::check_same_len("strata", s.len(), "time", n)?;
                let mut levels: Vec<&S> = s.iter().collect();
                levels.sort();
                levels.dedup();
                Some(
                    s.iter()
                        .map(|v| levels.binary_search(&v).unwrap_or(0))
                        .collect(),
                )
            }
        };
        let cols: Vec<&[f64]> = columns.iter().map(|(_, c)| c.as_slice()).collect();
        let pass = kernel::PassData::new(&surv, &cols, strata.as_deref());
        Ok(CoxData {
            surv,
            names: columns.iter().map(|(n, _)| n.clone()).collect(),
            pass,
        })
    }
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct CoxFit {
    /// Covariate names.
    pub names: Vec<String>,
    /// Log hazard ratios.
    pub coef: Vec<f64>,
    /// Model-based standard errors (inverse information).
    pub se: Vec<f64>,
    /// exp(coef).
    pub hazard_ratio: Vec<f64>,
    /// Lower confidence limits of the hazard ratios.
    pub hazard_ratio_lower: Vec<f64>,
    /// Upper confidence limits of the hazard ratios.
    pub hazard_ratio_upper: Vec<f64>,
    /// Wald z statistics.
    pub z: Vec<f64>,
    /// Two-sided Wald p-values per coefficient.
    pub p_value: Vec<f64>,
    /// Log partial likelihood at beta = 0 and at the estimate.
    pub loglik: [f64; 2],
    /// Likelihood-ratio statistic 2 (l(beta) - l(0)).
    pub lr_statistic: f64,
    /// Wald statistic beta' I(beta) beta.
    pub wald_statistic: f64,
    /// Score (log-rank) statistic U(0)' I(0)^-1 U(0).
    pub score_statistic: f64,
    /// Degrees of freedom of the global tests.
    pub df: f64,
    /// p-values of the likelihood-ratio, Wald and score tests.
    pub global_p_values: [f64; 3],
    /// Subjects.
    pub n: usize,
    /// Events.
    pub n_events: usize,
    /// Newton-Raphson iterations.
    pub iterations: usize,
    /// Tie handling used.
    pub ties: Ties,
    /// Remarks (possible infinite coefficients).
    pub notes: Vec<Note>,
}

/// The Cox proportional hazards model.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CoxPh {
    opts: CoxOptions,
}

impl CoxPh {
    /// A model with the given options.
    pub fn new(opts: CoxOptions) -> Self {
        CoxPh { opts }
    }

    /// Fits the model by Newton-Raphson with step halving.
    ///
    /// # Errors
    /// [`StatsError::Degenerate`] without events; [`StatsError::Singular`]
    /// when the information matrix is singular (collinear covariates, or a
    /// covariate constant within risk sets); [`StatsError::NotConverged`]
    /// when the iterations run out; [`StatsError::OutOfRange`] for a bad
    /// confidence level.
    ///
    /// # References
    /// Cox (1972); Efron (1977); Therneau & Grambsch (2000) ch. 3. Agrees
    /// with R 4.2.2 survival 3.5-3 `coxph` (ties "efron" or "breslow").
    ///
    /// # Example
    /// ```
    /// use rct_stats::survival::{CoxData, CoxOptions, CoxPh, SurvivalData};
    /// let time = [9.0, 13.0, 13.0, 18.0, 23.0, 28.0, 31.0, 34.0, 45.0, 48.0, 161.0,
    ///             5.0, 5.0, 8.0, 8.0, 12.0, 16.0, 23.0, 27.0, 30.0, 33.0, 43.0, 45.0];
    /// let event = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0,
    ///              1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    /// let arm: Vec<f64> = (0..23).map(|i| if i < 11 { 0.0 } else { 1.0 }).collect();
    /// let data = CoxData::new(SurvivalData::new(&time, &event)?, &[("nonmaintained".into(), arm)], None::<&[u8]>)?;
    /// let fit = CoxPh::new(CoxOptions::default()).fit(&data)?;
    /// assert!((fit.coef[0] - 0.9155325750147731).abs() < 1e-6);
    /// assert!((fit.p_value[0] - 0.07371486063903064).abs() < 1e-6);
    /// # Ok::<(), rct_stats::StatsError>(())
    /// ```
    pub fn fit(&self, data: &CoxData) -> Result<CoxFit, StatsError> {
        let opts = &self.opts;
        crate::common::check_open_unit("conf_level", opts.conf_level)?;
        let n_events = data.surv.event().iter().filter(|&&e| e).count();
        if n_events == 0 {
            return Err(StatsError::degenerate(
                "there are no events, so no hazard ratio can be estimated",
            ));
        }
        let problem = kernel::Problem::new(&data.pass, opts.ties);
        let p = data.names.len();
        let mut beta = vec![0.0; p];
        let start = problem.evaluate(&beta);
        let info0 = Cholesky::new(&start.information, "Cox information")?;
        let u0 = info0.solve(&start.score);
        let score_statistic: f64 = u0.iter().zip(&start.score).map(|(a, b)| a * b).sum();
        let mut current = start.clone();
        let mut chol = info0;
        let mut iterations = 0;
        let mut converged = false;
        let mut last_change = f64::INFINITY;
        while iterations < opts.max_iter {
            iterations += 1;
            let step = chol.solve(&current.score);
            let mut trial: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
            let mut next = problem.evaluate(&trial);
            // Step halving while the likelihood does not improve (survival's rule).
            let mut halvings = 0;
            while !(next.loglik.is_finite()
                && next.loglik >= current.loglik - 1e-12 * current.loglik.abs())
                && halvings < 30
            {
                trial = beta
                    .iter()
                    .zip(&trial)
                    .map(|(b, t)| (b + t) / 2.0)
                    .collect();
                next = problem.evaluate(&trial);
                halvings += 1;
            }
            last_change = ((next.loglik - current.loglik) / next.loglik.abs().max(1e-300)).abs();
            beta = trial;
            current = next;
            chol = Cholesky::new(&current.information, "Cox information")?;
            if last_change <= opts.tolerance {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(StatsError::NotConverged {
                iterations,
                last_change,
            });
        }
        let var = chol.inverse();
        let se: Vec<f64> = var.diagonal().iter().map(|v| v.sqrt()).collect();
        let z = dist::normal_upper_quantile((1.0 - opts.conf_level) / 2.0);
        let zs: Vec<f64> = beta.iter().zip(&se).map(|(b, s)| b / s).collect();
        let wald_statistic = current.information.quadratic_form(&beta);
        let lr_statistic = 2.0 * (current.loglik - start.loglik);
        let df = p as f64;
        let mut notes = Vec::new();
        for (j, (b, s)) in beta.iter().zip(&se).enumerate() {
            let sd = data.pass.sd(j);
            if (b * sd).abs() > 15.0 || !s.is_finite() {
                notes.push(Note(format!(
                    "coefficient of `{}` may be infinite (monotone likelihood: an event pattern separated by this covariate)",
                    data.names[j]
                )));
            }
        }
        Ok(CoxFit {
            names: data.names.clone(),
            hazard_ratio: beta.iter().map(|b| b.exp()).collect(),
            hazard_ratio_lower: beta
                .iter()
                .zip(&se)
                .map(|(b, s)| (b - z * s).exp())
                .collect(),
            hazard_ratio_upper: beta
                .iter()
                .zip(&se)
                .map(|(b, s)| (b + z * s).exp())
                .collect(),
            p_value: zs.iter().map(|&v| dist::normal_two_sided(v)).collect(),
            z: zs,
            coef: beta,
            se,
            loglik: [start.loglik, current.loglik],
            global_p_values: [
                dist::chi_square_sf(lr_statistic, df),
                dist::chi_square_sf(wald_statistic, df),
                dist::chi_square_sf(score_statistic, df),
            ],
            lr_statistic,
            wald_statistic,
            score_statistic,
            df,
            n: data.surv.len(),
            n_events,
            iterations,
            ties: opts.ties,
            notes,
        })
    }
}
