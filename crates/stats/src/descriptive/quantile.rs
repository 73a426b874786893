use std::str::FromStr;

use crate::common::{check_finite, check_len};
use crate::StatsError;

/// A sample quantile definition, numbered as Hyndman & Fan (1996) and R.
///
/// Trial statisticians meet several: SAS `PCTLDEF=5` (the default of PROC
/// UNIVARIATE and MEANS) is [`Type2`](QuantileType::Type2), GraphPad Prism
/// and SPSS use [`Type6`](QuantileType::Type6), R and NumPy default to
/// [`Type7`](QuantileType::Type7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum QuantileType {
    /// Inverse of the empirical distribution function.
    Type1,
    /// Type 1 with averaging at discontinuities; SAS's default (PCTLDEF=5).
    Type2,
    /// The observation numbered closest to `n p` (SAS PCTLDEF=2).
    Type3,
    /// Linear interpolation of the empirical cdf (SAS PCTLDEF=1).
    Type4,
    /// Piecewise linear, knots at the midpoints `(k - 0.5) / n`.
    Type5,
    /// `p(k) = k / (n + 1)`; Prism, SPSS, Minitab (SAS PCTLDEF=4).
    Type6,
    /// `p(k) = (k - 1) / (n - 1)`; R's and NumPy's default.
    Type7,
    /// Median-unbiased whatever the distribution (Hyndman & Fan's choice).
    Type8,
    /// Approximately unbiased for normal data.
    Type9,
}

impl QuantileType {
    /// The type's number, 1 to 9.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// A short label for footnotes, e.g. `type 2 (SAS PCTLDEF=5)`.
    pub fn label(self) -> &'static str {
        match self {
            QuantileType::Type1 => "type 1 (inverse empirical cdf)",
            QuantileType::Type2 => "type 2 (SAS PCTLDEF=5)",
            QuantileType::Type3 => "type 3 (SAS PCTLDEF=2)",
            QuantileType::Type4 => "type 4 (SAS PCTLDEF=1)",
            QuantileType::Type5 => "type 5",
            QuantileType::Type6 => "type 6 (Prism, SPSS)",
            QuantileType::Type7 => "type 7 (R, NumPy default)",
            QuantileType::Type8 => "type 8",
            QuantileType::Type9 => "type 9",
        }
    }
}

impl TryFrom<u8> for QuantileType {
    type Error = StatsError;

    fn try_from(n: u8) -> Result<Self, StatsError> {
        use QuantileType::*;
        Ok(match n {
            1 => Type1,
            2 => Type2,
            3 => Type3,
            4 => Type4,
            5 => Type5,
            6 => Type6,
            7 => Type7,
            8 => Type8,
            9 => Type9,
            _ => {
                return Err(StatsError::out_of_range(
                    "type",
                    f64::from(n),
                    "must be an integer from 1 to 9",
                ))
            }
        })
    }
}

impl From<QuantileType> for u8 {
    fn from(t: QuantileType) -> u8 {
        t.number()
    }
}

impl FromStr for QuantileType {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, StatsError> {
        let s = s.trim().to_ascii_lowercase();
        let s = s.strip_prefix("type").unwrap_or(&s).trim();
        match s {
            "sas" => Ok(QuantileType::Type2),
            "r" | "numpy" => Ok(QuantileType::Type7),
            "prism" | "spss" => Ok(QuantileType::Type6),
            _ => s
                .parse::<u8>()
                .ok()
                .and_then(|n| QuantileType::try_from(n).ok())
                .ok_or_else(|| StatsError::UnknownOption {
                    what: "quantile type".into(),
                    name: s.to_string(),
                    expected: "1-9, sas, r, prism".into(),
                }),
        }
    }
}

/// Sample quantiles of `x` at probabilities `probs`, as R's
/// `quantile(x, probs, type)`.
///
/// # Errors
/// [`StatsError::Empty`] for an empty `x`, [`StatsError::NonFinite`] for a
/// missing or infinite value, [`StatsError::OutOfRange`] for a probability
/// outside [0, 1].
///
/// # References
/// Hyndman & Fan (1996), Sample quantiles in statistical packages, Am Stat
/// 50:361-365. Agrees with R 4.2.2 `stats::quantile` (including its
/// `4 * .Machine$double.eps` fuzz at the discontinuities of types 1-3).
///
/// # Example
/// ```
/// use rct_stats::descriptive::{quantiles, QuantileType};
/// let q = quantiles(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0], &[0.25, 0.5], QuantileType::Type2)?;
/// assert_eq!(q, vec![1.5, 3.5]);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn quantiles(x: &[f64], probs: &[f64], kind: QuantileType) -> Result<Vec<f64>, StatsError> {
    check_len("x", x, 1)?;
    check_finite("x", x)?;
    for (i, &p) in probs.iter().enumerate() {
        if !(0.0..=1.0).contains(&p) {
            return Err(StatsError::out_of_range(
                format!("probs[{i}]"),
                p,
                "must be in [0, 1]",
            ));
        }
    }
    let mut sorted = x.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Ok(probs
        .iter()
        .map(|&p| quantile_sorted(&sorted, p, kind))
        .collect())
}

/// One quantile of already sorted, finite, non-empty data.
pub(crate) fn quantile_sorted(x: &[f64], p: f64, kind: QuantileType) -> f64 {
    let n = x.len() as f64;
    // x_(k), 1-based and clamped to the sample.
    let at = |k: f64| -> f64 {
        let k = k.clamp(1.0, n) as usize;
        x[k - 1]
    };
    let fuzz = 4.0 * f64::EPSILON;
    match kind {
        QuantileType::Type1 | QuantileType::Type2 | QuantileType::Type3 => {
            let nppm = if kind == QuantileType::Type3 {
                n * p - 0.5
            } else {
                n * p
            };
            let j = (nppm + fuzz).floor();
            let h = match kind {
                QuantileType::Type1 => f64::from(u8::from(nppm > j + fuzz)),
                QuantileType::Type2 => {
                    if nppm > j + fuzz {
                        1.0
                    } else {
                        0.5
                    }
                }
                _ => {
                    // Type 3: round half to even on the position.
                    if nppm == j && (j as i64) % 2 == 0 {
                        0.0
                    } else {
                        1.0
                    }
                }
            };
            let lo = at(j);
            let hi = at(j + 1.0);
            if h == 0.0 {
                lo
            } else if h == 1.0 {
                hi
            } else {
                (1.0 - h) * lo + h * hi
            }
        }
        _ => {
            let (a, b) = match kind {
                QuantileType::Type4 => (0.0, 1.0),
                QuantileType::Type5 => (0.5, 0.5),
                QuantileType::Type6 => (0.0, 0.0),
                QuantileType::Type7 => (1.0, 1.0),
                QuantileType::Type8 => (1.0 / 3.0, 1.0 / 3.0),
                _ => (3.0 / 8.0, 3.0 / 8.0),
            };
            let nppm = a + p * (n + 1.0 - a - b);
            let j = (nppm + fuzz).floor();
            let mut h = nppm - j;
            if h.abs() < fuzz {
                h = 0.0;
            }
            let lo = at(j);
            let hi = at(j + 1.0);
            if h == 0.0 {
                lo
            } else {
                lo + h * (hi - lo)
            }
        }
    }
}

/// n, median, quartiles and range of a sample: a Table 1 cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (`None` for one value).
    pub sd: Option<f64>,
    /// Median.
    pub median: f64,
    /// First quartile.
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// The quantile definition used for median and quartiles.
    pub quantile_type: QuantileType,
}

/// Summary statistics of `x` with quartiles of the given type.
///
/// # Errors
/// As [`quantiles`].
///
/// # Example
/// ```
/// use rct_stats::descriptive::{summary, QuantileType};
/// let s = summary(&[1.0, 2.0, 3.0, 4.0], QuantileType::Type7)?;
/// assert_eq!((s.median, s.q1, s.q3), (2.5, 1.75, 3.25));
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn summary(x: &[f64], kind: QuantileType) -> Result<Summary, StatsError> {
    check_len("x", x, 1)?;
    check_finite("x", x)?;
    let mut sorted = x.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let sd = (n > 1)
        .then(|| (sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
    Ok(Summary {
        n,
        mean,
        sd,
        median: quantile_sorted(&sorted, 0.5, kind),
        q1: quantile_sorted(&sorted, 0.25, kind),
        q3: quantile_sorted(&sorted, 0.75, kind),
        min: sorted[0],
        max: sorted[n - 1],
        quantile_type: kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Source: R 4.2.2 `quantile(c(3,1,4,1,5,9,2,6), c(.25,.5), type = 6)` = 1.25 3.5.
    #[test]
    fn type6_matches_r() {
        let q = quantiles(
            &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0],
            &[0.25, 0.5],
            QuantileType::Type6,
        )
        .unwrap();
        assert_eq!(q, vec![1.25, 3.5]);
    }

    #[test]
    fn names_parse() {
        assert_eq!("sas".parse::<QuantileType>().unwrap(), QuantileType::Type2);
        assert_eq!(
            "type7".parse::<QuantileType>().unwrap(),
            QuantileType::Type7
        );
        assert!("10".parse::<QuantileType>().is_err());
    }

    proptest! {
        #[test]
        fn quantiles_are_monotone_and_within_range(x in prop::collection::vec(-1e6f64..1e6, 1..40), t in 1u8..=9) {
            let kind = QuantileType::try_from(t).unwrap();
            let probs: Vec<f64> = (0..=20).map(|i| i as f64 / 20.0).collect();
            let q = quantiles(&x, &probs, kind).unwrap();
            let (lo, hi) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            for w in q.windows(2) { prop_assert!(w[0] <= w[1] + 1e-9 * (1.0 + w[1].abs())); }
            for v in q { prop_assert!(v >= lo - 1e-9 && v <= hi + 1e-9); }
        }
    }
}
