use std::str::FromStr;

use super::{ceil_tolerant, z_alpha, z_beta};
use crate::{dist, StatsError};

/// One- or two-sided test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Sides {
    /// Two-sided at level alpha (alpha/2 in each tail; the far tail is
    /// ignored in power, as PASS and R's `power.prop.test` do).
    #[default]
    #[serde(rename = "two.sided")]
    Two,
    /// One-sided at level alpha.
    #[serde(rename = "one.sided")]
    One,
}

impl FromStr for Sides {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s {
            "two.sided" | "two-sided" | "two_sided" | "two" => Ok(Sides::Two),
            "one.sided" | "one-sided" | "one_sided" | "one" => Ok(Sides::One),
            _ => Err(StatsError::UnknownOption {
                what: "alternative".into(),
                name: s.into(),
                expected: "two.sided, one.sided".into(),
            }),
        }
    }
}

/// The normal-approximation formula for comparing two proportions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProportionMethod {
    /// Pooled variance under H0, unpooled under H1 (R `power.prop.test`,
    /// PASS "Z test (pooled)").
    PooledZ,
    /// Unpooled variance under both (the seed paper's PASS calculation).
    UnpooledZ,
    /// Pooled z with the Fleiss, Tytun & Ury (1980) continuity correction.
    PooledZCc,
    /// Arcsine (variance-stabilized) transform, Cohen's h.
    Arcsine,
}

impl ProportionMethod {
    /// A label for reports.
    pub fn label(self) -> &'static str {
        match self {
            ProportionMethod::PooledZ => "pooled z test",
            ProportionMethod::UnpooledZ => "unpooled z test",
            ProportionMethod::PooledZCc => "pooled z test with Fleiss continuity correction",
            ProportionMethod::Arcsine => "arcsine transformation (Cohen's h)",
        }
    }
}

impl FromStr for ProportionMethod {
    type Err = StatsError;

    /// `pooled_z`, `unpooled_z`, `pooled_z_cc`, `arcsine`; `-` may replace `_`.
    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s.replace('-', "_").as_str() {
            "pooled_z" => Ok(ProportionMethod::PooledZ),
            "unpooled_z" => Ok(ProportionMethod::UnpooledZ),
            "pooled_z_cc" => Ok(ProportionMethod::PooledZCc),
            "arcsine" => Ok(ProportionMethod::Arcsine),
            _ => Err(StatsError::UnknownOption {
                what: "sample-size method".into(),
                name: s.into(),
                expected: "pooled-z, unpooled-z, pooled-z-cc, arcsine".into(),
            }),
        }
    }
}

/// A comparison of two proportions: the design's assumptions.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TwoProportions {
    /// Response probability in group 1.
    pub p1: f64,
    /// Response probability in group 2.
    pub p2: f64,
    /// Significance level.
    pub alpha: f64,
    /// One- or two-sided.
    pub sides: Sides,
    /// The formula.
    pub method: ProportionMethod,
}

impl TwoProportions {
    fn check(&self) -> Result<(), StatsError> {
        for (name, p) in [("p1", self.p1), ("p2", self.p2)] {
            if !(p.is_finite() && p > 0.0 && p < 1.0) {
                return Err(StatsError::out_of_range(
                    name,
                    p,
                    "a proportion must be in (0, 1)",
                ));
            }
        }
        if self.p1 == self.p2 {
            return Err(StatsError::out_of_range(
                "p2",
                self.p2,
                "must differ from p1; equal proportions need an infinite sample",
            ));
        }
        Ok(())
    }

    fn parts(&self) -> (f64, f64, f64) {
        let d = (self.p1 - self.p2).abs();
        let pbar = (self.p1 + self.p2) / 2.0;
        let v1 = self.p1 * (1.0 - self.p1) + self.p2 * (1.0 - self.p2);
        (d, pbar, v1)
    }

    fn cohen_h(&self) -> f64 {
        (2.0 * self.p1.sqrt().asin() - 2.0 * self.p2.sqrt().asin()).abs()
    }
}

/// A sample size per group.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct TwoProportionsSize {
    /// The real-valued solution.
    pub n_per_group: f64,
    /// Rounded up: the sample size to plan.
    pub n_per_group_ceiling: u64,
    /// The formula used.
    pub method: ProportionMethod,
}

/// The power of a design.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct TwoProportionsPower {
    /// Power.
    pub power: f64,
    /// The formula used.
    pub method: ProportionMethod,
}

/// Sample size per group to detect `p1` vs `p2` with the given power.
///
/// Closed forms (z_a the critical value, z_b = Phi^-1(power), d = |p1 - p2|,
/// pbar = (p1 + p2) / 2):
/// - unpooled: n = (z_a + z_b)^2 (p1 q1 + p2 q2) / d^2;
/// - pooled: n = (z_a sqrt(2 pbar qbar) + z_b sqrt(p1 q1 + p2 q2))^2 / d^2;
/// - pooled with continuity correction: n/4 (1 + sqrt(1 + 4 / (n d)))^2;
/// - arcsine: n = 2 ((z_a + z_b) / h)^2, h = 2 asin sqrt p1 - 2 asin sqrt p2.
///
/// # Errors
/// [`StatsError::OutOfRange`] for proportions, alpha or power outside (0, 1)
/// or equal proportions.
///
/// # References
/// Fleiss, Levin & Paik (2003), ch. 4; Fleiss, Tytun & Ury (1980); Cohen
/// (1988). The pooled n agrees with R 4.2.2 `power.prop.test`.
///
/// # Example
/// The seed trial: 85% vs 45% response, 80% power, two-sided 5%.
/// ```
/// use rct_stats::power::{sample_size_two_proportions, ProportionMethod, Sides, TwoProportions};
/// let design = TwoProportions { p1: 0.85, p2: 0.45, alpha: 0.05, sides: Sides::Two,
///                               method: ProportionMethod::UnpooledZ };
/// let n = sample_size_two_proportions(&design, 0.8)?;
/// assert_eq!(n.n_per_group_ceiling, 19);
/// assert!((n.n_per_group - 18.395811877380677).abs() < 1e-9);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn sample_size_two_proportions(
    design: &TwoProportions,
    power: f64,
) -> Result<TwoProportionsSize, StatsError> {
    design.check()?;
    let za = z_alpha(design.alpha, design.sides)?;
    let zb = z_beta(power)?;
    let (d, pbar, v1) = design.parts();
    let pooled = || (za * (2.0 * pbar * (1.0 - pbar)).sqrt() + zb * v1.sqrt()).powi(2) / (d * d);
    let n = match design.method {
        ProportionMethod::UnpooledZ => (za + zb).powi(2) * v1 / (d * d),
        ProportionMethod::PooledZ => pooled(),
        ProportionMethod::PooledZCc => {
            let n = pooled();
            n / 4.0 * (1.0 + (1.0 + 4.0 / (n * d)).sqrt()).powi(2)
        }
        ProportionMethod::Arcsine => 2.0 * ((za + zb) / design.cohen_h()).powi(2),
    };
    Ok(TwoProportionsSize {
        n_per_group: n,
        n_per_group_ceiling: ceil_tolerant(n),
        method: design.method,
    })
}

/// Power of a design with `n_per_group` subjects per group (the inverse of
/// [`sample_size_two_proportions`]; the far tail of a two-sided test ignored).
///
/// # Errors
/// As [`sample_size_two_proportions`], and [`StatsError::OutOfRange`] for a
/// non-positive `n_per_group`.
///
/// # Example
/// ```
/// use rct_stats::power::{power_two_proportions, ProportionMethod, Sides, TwoProportions};
/// let design = TwoProportions { p1: 0.85, p2: 0.45, alpha: 0.05, sides: Sides::Two,
///                               method: ProportionMethod::PooledZ };
/// let p = power_two_proportions(&design, 19.0)?;
/// assert!((p.power - 0.7543658190816418).abs() < 1e-9);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn power_two_proportions(
    design: &TwoProportions,
    n_per_group: f64,
) -> Result<TwoProportionsPower, StatsError> {
    design.check()?;
    if !(n_per_group.is_finite() && n_per_group > 0.0) {
        return Err(StatsError::out_of_range(
            "n_per_group",
            n_per_group,
            "must be positive",
        ));
    }
    let za = z_alpha(design.alpha, design.sides)?;
    let (d, pbar, v1) = design.parts();
    let n = n_per_group;
    let pooled_sd = (2.0 * pbar * (1.0 - pbar)).sqrt();
    let z = match design.method {
        ProportionMethod::UnpooledZ => d * n.sqrt() / v1.sqrt() - za,
        ProportionMethod::PooledZ => (d * n.sqrt() - za * pooled_sd) / v1.sqrt(),
        ProportionMethod::PooledZCc => ((d * n - 1.0) / n.sqrt() - za * pooled_sd) / v1.sqrt(),
        ProportionMethod::Arcsine => design.cohen_h() * (n / 2.0).sqrt() - za,
    };
    Ok(TwoProportionsPower {
        power: dist::normal_cdf(z),
        method: design.method,
    })
}

/// Inflates a per-group size for an expected dropout fraction:
/// `ceil(n / (1 - dropout))` (19 with 20% dropout gives 24).
///
/// # Errors
/// [`StatsError::OutOfRange`] for a dropout outside [0, 1).
///
/// # Example
/// ```
/// assert_eq!(rct_stats::power::inflate_for_dropout(19, 0.2)?, 24);
/// assert_eq!(rct_stats::power::inflate_for_dropout(20, 0.2)?, 25);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn inflate_for_dropout(n_per_group: u64, dropout: f64) -> Result<u64, StatsError> {
    if !(dropout.is_finite() && (0.0..1.0).contains(&dropout)) {
        return Err(StatsError::out_of_range(
            "dropout",
            dropout,
            "must be in [0, 1)",
        ));
    }
    Ok(ceil_tolerant(n_per_group as f64 / (1.0 - dropout)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn design(method: ProportionMethod) -> TwoProportions {
        TwoProportions {
            p1: 0.85,
            p2: 0.45,
            alpha: 0.05,
            sides: Sides::Two,
            method,
        }
    }

    /// The power at the real-valued n is the target power, for every method.
    #[test]
    fn power_inverts_sample_size() {
        for m in [
            ProportionMethod::PooledZ,
            ProportionMethod::UnpooledZ,
            ProportionMethod::PooledZCc,
            ProportionMethod::Arcsine,
        ] {
            let n = sample_size_two_proportions(&design(m), 0.8)
                .unwrap()
                .n_per_group;
            let p = power_two_proportions(&design(m), n).unwrap().power;
            assert!((p - 0.8).abs() < 1e-10, "{m:?}: {p}");
        }
    }

    proptest! {
        #[test]
        fn sizes_positive_power_in_unit(p1 in 0.01f64..0.99, p2 in 0.01f64..0.99, a in 0.001f64..0.2, pw in 0.5f64..0.99) {
            for m in [ProportionMethod::PooledZ, ProportionMethod::UnpooledZ, ProportionMethod::PooledZCc, ProportionMethod::Arcsine] {
                let d = TwoProportions { p1, p2, alpha: a, sides: Sides::Two, method: m };
                if let Ok(n) = sample_size_two_proportions(&d, pw) {
                    prop_assert!(n.n_per_group > 0.0);
                    let p = power_two_proportions(&d, n.n_per_group).unwrap().power;
                    prop_assert!((0.0..=1.0).contains(&p));
                }
            }
        }
    }
}
