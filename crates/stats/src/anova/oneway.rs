use crate::common::{check_groups, pairs};
use crate::{dist, StatsError};

/// One-way ANOVA F test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct AnovaOneway {
    /// F statistic.
    pub statistic: f64,
    /// Between-groups degrees of freedom, k - 1.
    pub df_between: f64,
    /// Within-groups (residual) degrees of freedom, N - k.
    pub df_within: f64,
    /// Upper-tail p-value of F.
    pub p_value: f64,
    /// Between-groups sum of squares.
    pub ss_between: f64,
    /// Within-groups sum of squares.
    pub ss_within: f64,
    /// Residual mean square (pooled variance).
    pub mse: f64,
    /// Group means.
    pub means: Vec<f64>,
    /// Group sizes.
    pub n: Vec<usize>,
}

/// Group sizes, means and the pooled within-group sum of squares.
fn group_moments(groups: &[&[f64]]) -> (Vec<usize>, Vec<f64>, f64) {
    let mut ns = Vec::with_capacity(groups.len());
    let mut means = Vec::with_capacity(groups.len());
    let mut ssw = 0.0;
    for g in groups {
        let n = g.len();
        let mean = g.iter().sum::<f64>() / n as f64;
        // Two-pass sum of squares: no cancellation for data far from zero.
        ssw += g.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
        ns.push(n);
        means.push(mean);
    }
    (ns, means, ssw)
}

fn check_residual_df(ntot: usize, k: usize) -> Result<(), StatsError> {
    if ntot <= k {
        return Err(StatsError::TooFew {
            argument: "observations".into(),
            needed: k + 1,
            found: ntot,
        });
    }
    Ok(())
}

/// One-way analysis of variance: are the group means equal?
///
/// Groups of size one are allowed (they add to the between-group sum of
/// squares only), as in R's `anova(lm(y ~ g))`.
///
/// # Errors
/// [`StatsError::TooFew`] for fewer than two groups or no residual degrees
/// of freedom; [`StatsError::Empty`] for an empty group;
/// [`StatsError::NonFinite`] for a missing value; [`StatsError::Degenerate`]
/// when every group is constant (F undefined).
///
/// # References
/// Agrees with R 4.2.2 `anova(lm(y ~ g))` and `scipy.stats.f_oneway`.
///
/// # Example
/// ```
/// use rct_stats::anova::anova_oneway;
/// let r = anova_oneway(&[&[4.2, 5.1, 3.9], &[6.0, 6.3, 5.5, 7.1], &[5.0, 4.4]])?;
/// assert!((r.statistic - 8.539183820873962).abs() < 1e-9);
/// assert!((r.p_value - 0.017572699755907736).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn anova_oneway(groups: &[&[f64]]) -> Result<AnovaOneway, StatsError> {
    check_groups(groups, 2)?;
    let k = groups.len();
    let (ns, means, ssw) = group_moments(groups);
    let ntot: usize = ns.iter().sum();
    check_residual_df(ntot, k)?;
    let grand = groups.iter().flat_map(|g| g.iter()).sum::<f64>() / ntot as f64;
    let ssb: f64 = ns
        .iter()
        .zip(&means)
        .map(|(&n, m)| n as f64 * (m - grand).powi(2))
        .sum();
    let df_between = (k - 1) as f64;
    let df_within = (ntot - k) as f64;
    if ssw <= 0.0 {
        return Err(StatsError::degenerate(
            "every group is constant (zero within-group variance), so F is undefined",
        ));
    }
    let mse = ssw / df_within;
    let statistic = (ssb / df_between) / mse;
    Ok(AnovaOneway {
        statistic,
        df_between,
        df_within,
        p_value: dist::f_sf(statistic, df_between, df_within),
        ss_between: ssb,
        ss_within: ssw,
        mse,
        means,
        n: ns,
    })
}

/// One pairwise comparison of Fisher's LSD.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct LsdPair {
    /// First group (0-based).
    pub i: usize,
    /// Second group.
    pub j: usize,
    /// `mean_i - mean_j`.
    pub diff: f64,
    /// Standard error of the difference from the pooled MSE.
    pub se: f64,
    /// t statistic.
    pub statistic: f64,
    /// Two-sided p-value on the residual degrees of freedom (unadjusted).
    pub p_value: f64,
}

/// Fisher's least significant difference: all pairwise t tests.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Lsd {
    /// Pairs in the order (0,1), (0,2), ..., (1,2), ...
    pub pairs: Vec<LsdPair>,
    /// Residual degrees of freedom.
    pub df: f64,
    /// Pooled residual mean square.
    pub mse: f64,
}

/// Fisher's least significant difference: pairwise t tests of group means
/// using the pooled ANOVA mean square, unadjusted for multiplicity.
///
/// # Errors
/// As [`anova_oneway`].
///
/// # References
/// Fisher (1935); agrees with R 4.2.2 `pairwise.t.test(y, g, pool.sd = TRUE,
/// p.adjust.method = "none")` and `emmeans(..., adjust = "none")`.
///
/// # Example
/// ```
/// use rct_stats::anova::lsd;
/// let r = lsd(&[&[4.2, 5.1, 3.9], &[6.0, 6.3, 5.5, 7.1], &[5.0, 4.4]])?;
/// assert!((r.pairs[0].diff + 1.825).abs() < 1e-12);
/// assert!((r.pairs[0].p_value - 0.008429650377759806).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn lsd(groups: &[&[f64]]) -> Result<Lsd, StatsError> {
    check_groups(groups, 2)?;
    let k = groups.len();
    let (ns, means, ssw) = group_moments(groups);
    let ntot: usize = ns.iter().sum();
    check_residual_df(ntot, k)?;
    let df = (ntot - k) as f64;
    if ssw <= 0.0 {
        return Err(StatsError::degenerate(
            "every group is constant (zero within-group variance), so the t tests are undefined",
        ));
    }
    let mse = ssw / df;
    let pairs = pairs(k)
        .map(|(i, j)| {
            let diff = means[i] - means[j];
            let se = (mse * (1.0 / ns[i] as f64 + 1.0 / ns[j] as f64)).sqrt();
            let statistic = diff / se;
            LsdPair {
                i,
                j,
                diff,
                se,
                statistic,
                p_value: dist::t_two_sided(statistic, df),
            }
        })
        .collect();
    Ok(Lsd { pairs, df, mse })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn single_group_is_an_error() {
        assert!(matches!(
            anova_oneway(&[&[1.0, 2.0]]),
            Err(StatsError::TooFew { .. })
        ));
    }

    proptest! {
        #[test]
        fn group_order_does_not_matter(a in prop::collection::vec(-100f64..100.0, 2..10),
                                       b in prop::collection::vec(-100f64..100.0, 2..10)) {
            if let (Ok(x), Ok(y)) = (anova_oneway(&[&a, &b]), anova_oneway(&[&b, &a])) {
                prop_assert!((x.statistic - y.statistic).abs() <= 1e-9 * (1.0 + x.statistic));
                prop_assert!((0.0..=1.0).contains(&x.p_value));
            }
        }
    }
}
