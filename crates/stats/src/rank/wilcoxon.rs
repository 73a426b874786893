//! Wilcoxon signed-rank and rank-sum (Mann-Whitney) tests, with R's rules
//! for exact p-values, ties, zeros and continuity correction.

use super::exact::{rank_sum_pmf, signed_rank_pmf, tails};
use super::ranks::midranks;
use crate::common::{check_finite, check_len};
use crate::{dist, Alternative, Note, StatsError};

/// Whether to compute an exact p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Exactness {
    /// R's default rule: exact when fewer than 50 observations (each group
    /// for the rank-sum test) and no ties (and, for the signed-rank test, no
    /// zero differences).
    #[default]
    Auto,
    /// Exact when there are no ties (or zeros); otherwise the normal
    /// approximation, with a note.
    Exact,
    /// Always the normal approximation.
    Normal,
}

impl From<Option<bool>> for Exactness {
    /// R's `exact = NULL / TRUE / FALSE`.
    fn from(exact: Option<bool>) -> Self {
        match exact {
            None => Exactness::Auto,
            Some(true) => Exactness::Exact,
            Some(false) => Exactness::Normal,
        }
    }
}

/// Options of the Wilcoxon tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilcoxonOptions {
    /// Location shift under H0 (`mu` in R).
    pub mu: f64,
    /// Exact or normal-approximation p-value.
    pub exact: Exactness,
    /// Continuity correction in the normal approximation.
    pub correct: bool,
    /// The alternative hypothesis.
    pub alternative: Alternative,
}

impl Default for WilcoxonOptions {
    fn default() -> Self {
        WilcoxonOptions {
            mu: 0.0,
            exact: Exactness::Auto,
            correct: true,
            alternative: Alternative::TwoSided,
        }
    }
}

/// Which p-value a Wilcoxon test reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PValueMethod {
    /// Exact null distribution.
    Exact,
    /// Normal approximation (tie-corrected variance).
    Normal,
    /// Normal approximation with continuity correction.
    NormalCorrected,
}

/// A Wilcoxon test result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Wilcoxon {
    /// V (sum of positive ranks) for the signed-rank test, W (rank sum of x
    /// minus n_x (n_x + 1) / 2) for the rank-sum test.
    pub statistic: f64,
    /// The p-value.
    pub p_value: f64,
    /// How the p-value was computed.
    pub method: PValueMethod,
    /// Observations used (non-zero differences for the signed-rank test).
    pub n: usize,
    /// Remarks (ties or zeros forced the normal approximation, ...).
    pub notes: Vec<Note>,
}

/// The p-value of an integer-valued statistic under an exact pmf, as R's
/// `psignrank` / `pwilcox` based rule.
fn exact_p(pmf: &[f64], stat: f64, center: f64, alt: Alternative) -> f64 {
    // The statistic is an integer here (no ties).
    let s = stat.round() as usize;
    let (lower, upper) = tails(pmf, s);
    match alt {
        Alternative::Less => lower,
        Alternative::Greater => upper,
        Alternative::TwoSided => {
            let p = if stat > center { upper } else { lower };
            (2.0 * p).min(1.0)
        }
    }
}

fn normal_p(z_raw: f64, sigma: f64, correct: bool, alt: Alternative) -> Result<f64, StatsError> {
    if sigma <= 0.0 || !sigma.is_finite() {
        return Err(StatsError::degenerate(
            "the variance of the statistic is zero (all observations tied)",
        ));
    }
    let cc = if correct {
        match alt {
            Alternative::TwoSided => 0.5 * z_raw.signum(),
            Alternative::Greater => 0.5,
            Alternative::Less => -0.5,
        }
    } else {
        0.0
    };
    let z = (z_raw - cc) / sigma;
    Ok(match alt {
        Alternative::Less => dist::normal_cdf(z),
        Alternative::Greater => dist::normal_sf(z),
        Alternative::TwoSided => (2.0 * dist::normal_sf(z.abs())).min(1.0),
    })
}

/// The normal-approximation result: `sigma` is the (tie-corrected) SD of
/// the statistic under H0, `center` its mean.
fn normal_result(
    statistic: f64,
    center: f64,
    sigma: f64,
    n: usize,
    notes: Vec<Note>,
    opts: &WilcoxonOptions,
) -> Result<Wilcoxon, StatsError> {
    Ok(Wilcoxon {
        statistic,
        p_value: normal_p(statistic - center, sigma, opts.correct, opts.alternative)?,
        method: if opts.correct {
            PValueMethod::NormalCorrected
        } else {
            PValueMethod::Normal
        },
        n,
        notes,
    })
}

/// Wilcoxon signed-rank test of `x - mu` (one sample), or of `x - y - mu`
/// (paired when `y` is given).
///
/// Zero differences are dropped; V is the sum of the ranks of |d| over the
/// positive differences. The exact p-value comes from the null distribution
/// of V; with ties or zeros the normal approximation with tie-corrected
/// variance n(n+1)(2n+1)/24 - sum(t^3 - t)/48 is used, as R does.
///
/// # Errors
/// [`StatsError::Empty`] for an empty `x`, [`StatsError::LengthMismatch`]
/// when `y` differs in length, [`StatsError::NonFinite`] for missing values,
/// [`StatsError::Degenerate`] when every difference is zero.
///
/// # References
/// Wilcoxon (1945); Hollander & Wolfe (1973) section 3.1. Agrees with R 4.2.2
/// `stats::wilcox.test(x, y, paired = TRUE)`.
///
/// # Example
/// ```
/// use rct_stats::rank::wilcoxon::{wilcoxon_signed_rank, WilcoxonOptions};
/// let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
/// let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
/// let r = wilcoxon_signed_rank(&x, Some(&y), &WilcoxonOptions::default())?;
/// assert_eq!(r.statistic, 40.0);
/// assert!((r.p_value - 0.0390625).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn wilcoxon_signed_rank(
    x: &[f64],
    y: Option<&[f64]>,
    opts: &WilcoxonOptions,
) -> Result<Wilcoxon, StatsError> {
    check_len("x", x, 1)?;
    check_finite("x", x)?;
    if !opts.mu.is_finite() {
        return Err(StatsError::out_of_range("mu", opts.mu, "must be finite"));
    }
    let mut d: Vec<f64> = match y {
        Some(y) => {
            crate::common::check_same_len("y", y.len(), "x", x.len())?;
            check_finite("y", y)?;
            x.iter().zip(y).map(|(a, b)| a - b - opts.mu).collect()
        }
        None => x.iter().map(|a| a - opts.mu).collect(),
    };
    let before = d.len();
    d.retain(|&v| v != 0.0);
    let zeros = before - d.len();
    let n = d.len();
    if n == 0 {
        return Err(StatsError::degenerate("every difference is zero"));
    }
    let abs: Vec<f64> = d.iter().map(|v| v.abs()).collect();
    let ranks = midranks(&abs);
    let statistic: f64 = ranks
        .ranks
        .iter()
        .zip(&d)
        .filter(|(_, &v)| v > 0.0)
        .map(|(r, _)| r)
        .sum();
    let ties = !ranks.tie_sizes.is_empty();
    let mut notes = Vec::new();
    let want_exact = match opts.exact {
        Exactness::Auto => n < 50,
        Exactness::Exact => true,
        Exactness::Normal => false,
    };
    let nf = n as f64;
    let center = nf * (nf + 1.0) / 4.0;
    if want_exact && !ties && zeros == 0 {
        let pmf = signed_rank_pmf(n)?;
        return Ok(Wilcoxon {
            statistic,
            p_value: exact_p(&pmf, statistic, center, opts.alternative),
            method: PValueMethod::Exact,
            n,
            notes,
        });
    }
    if want_exact {
        notes.push(Note(format!(
            "cannot compute an exact p-value with {}; normal approximation used",
            match (ties, zeros > 0) {
                (true, true) => "ties and zeros",
                (true, false) => "ties",
                _ => "zeros",
            }
        )));
    }
    let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ranks.tie_term / 48.0).sqrt();
    normal_result(statistic, center, sigma, n, notes, opts)
}

/// Wilcoxon rank-sum (Mann-Whitney) test that `x - mu` and `y` come from the
/// same distribution.
///
/// W is the rank sum of x in the pooled sample minus n_x (n_x + 1) / 2. The
/// exact p-value comes from the null distribution of W; with ties the normal
/// approximation with tie-corrected variance is used, as R does.
///
/// # Errors
/// [`StatsError::Empty`] for an empty sample, [`StatsError::NonFinite`] for
/// missing values, [`StatsError::Degenerate`] when all values are tied.
///
/// # References
/// Wilcoxon (1945); Mann & Whitney (1947). Agrees with R 4.2.2
/// `stats::wilcox.test(x, y)`; scipy's `mannwhitneyu` reports U of x, which
/// equals W.
///
/// # Example
/// ```
/// use rct_stats::rank::wilcoxon::{mann_whitney, WilcoxonOptions};
/// let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
/// let y = [1.15, 0.88, 0.90, 0.74, 1.21];
/// let r = mann_whitney(&x, &y, &WilcoxonOptions::default())?;
/// assert_eq!(r.statistic, 35.0);
/// assert!((r.p_value - 0.2544122544122544).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn mann_whitney(x: &[f64], y: &[f64], opts: &WilcoxonOptions) -> Result<Wilcoxon, StatsError> {
    check_len("x", x, 1)?;
    check_len("y", y, 1)?;
    check_finite("x", x)?;
    check_finite("y", y)?;
    if !opts.mu.is_finite() {
        return Err(StatsError::out_of_range("mu", opts.mu, "must be finite"));
    }
    let (m, n) = (x.len(), y.len());
    let pooled: Vec<f64> = x
        .iter()
        .map(|v| v - opts.mu)
        .chain(y.iter().copied())
        .collect();
    let ranks = midranks(&pooled);
    let mf = m as f64;
    let nf = n as f64;
    let statistic = ranks.ranks[..m].iter().sum::<f64>() - mf * (mf + 1.0) / 2.0;
    let ties = !ranks.tie_sizes.is_empty();
    let want_exact = match opts.exact {
        Exactness::Auto => m < 50 && n < 50,
        Exactness::Exact => true,
        Exactness::Normal => false,
    };
    let center = mf * nf / 2.0;
    let mut notes = Vec::new();
    if want_exact && !ties {
        let pmf = rank_sum_pmf(m, n)?;
        return Ok(Wilcoxon {
            statistic,
            p_value: exact_p(&pmf, statistic, center, opts.alternative),
            method: PValueMethod::Exact,
            n: m + n,
            notes,
        });
    }
    if want_exact {
        notes.push(Note(
            "cannot compute an exact p-value with ties; normal approximation used".into(),
        ));
    }
    let big = mf + nf;
    let sigma = ((mf * nf / 12.0) * ((big + 1.0) - ranks.tie_term / (big * (big - 1.0)))).sqrt();
    normal_result(statistic, center, sigma, m + n, notes, opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Swapping x and y gives W' = n_x n_y - W and the same two-sided p.
        #[test]
        fn swap_symmetry(x in prop::collection::vec(-20i32..20, 1..30), y in prop::collection::vec(-20i32..20, 1..30)) {
            let x: Vec<f64> = x.into_iter().map(f64::from).collect();
            let y: Vec<f64> = y.into_iter().map(f64::from).collect();
            let o = WilcoxonOptions::default();
            if let (Ok(a), Ok(b)) = (mann_whitney(&x, &y, &o), mann_whitney(&y, &x, &o)) {
                prop_assert!((a.statistic + b.statistic - (x.len() * y.len()) as f64).abs() < 1e-9);
                prop_assert!((a.p_value - b.p_value).abs() < 1e-9);
                prop_assert!((0.0..=1.0).contains(&a.p_value));
            }
            if let Ok(s) = wilcoxon_signed_rank(&x, None, &o) {
                prop_assert!((0.0..=1.0).contains(&s.p_value));
            }
        }
    }
}
