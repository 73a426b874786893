//! Post-hoc pairwise comparisons after Kruskal-Wallis and Friedman tests:
//! Nemenyi (studentized range) and Dunn (normal, with p-value adjustment).

use super::friedman::{check_blocks, rank_row};
use super::ranks::midranks;
use crate::common::{check_groups, pairs};
use crate::multiplicity::{p_adjust, AdjustMethod};
use crate::{dist, StatsError};

/// One pairwise comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct PairTest {
    /// First group (0-based).
    pub i: usize,
    /// Second group.
    pub j: usize,
    /// The test statistic (q for Nemenyi, |z| for Dunn).
    pub statistic: f64,
    /// p-value (adjusted for Dunn when an adjustment was asked for).
    pub p_value: f64,
}

/// Pairwise comparisons in the order (0,1), (0,2), ..., (1,2), ...
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct PairwiseTests {
    /// The pairs.
    pub pairs: Vec<PairTest>,
    /// Mean rank per group or condition.
    pub mean_ranks: Vec<f64>,
}

fn group_mean_ranks(groups: &[&[f64]]) -> (Vec<f64>, f64, usize) {
    let pooled: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let ranks = midranks(&pooled);
    let mut start = 0;
    let means = groups
        .iter()
        .map(|g| {
            let s: f64 = ranks.ranks[start..start + g.len()].iter().sum();
            start += g.len();
            s / g.len() as f64
        })
        .collect();
    (means, ranks.tie_term, pooled.len())
}

/// Nemenyi's all-pairs test after Kruskal-Wallis.
///
/// q = |mean rank_i - mean rank_j| / sqrt(N (N + 1) / 12 (1/n_i + 1/n_j)),
/// p = P(Q_(k, inf) > q sqrt 2) from the studentized range distribution;
/// mid-ranks for ties and no tie correction, as scikit-posthocs and PMCMRplus.
///
/// # Errors
/// As [`crate::rank::kruskal_wallis()`].
///
/// # References
/// Nemenyi (1963); Hollander & Wolfe (1999). Agrees with scikit-posthocs
/// 0.17.1 `posthoc_nemenyi(dist = "tukey")`.
///
/// # Example
/// ```
/// use rct_stats::rank::posthoc::nemenyi_kruskal;
/// let r = nemenyi_kruskal(&[&[10.1, 12.5, 9.8, 11.0], &[13.2, 14.8, 12.9]])?;
/// assert!((r.pairs[0].p_value - 0.03389485352468935).abs() < 1e-9);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn nemenyi_kruskal(groups: &[&[f64]]) -> Result<PairwiseTests, StatsError> {
    check_groups(groups, 2)?;
    let (means, _, n) = group_mean_ranks(groups);
    let nf = n as f64;
    let k = groups.len();
    let pairs = pairs(k)
        .map(|(i, j)| {
            let se = (nf * (nf + 1.0) / 12.0
                * (1.0 / groups[i].len() as f64 + 1.0 / groups[j].len() as f64))
                .sqrt();
            let q = (means[i] - means[j]).abs() / se;
            PairTest {
                i,
                j,
                statistic: q,
                p_value: dist::studentized_range_sf(q * std::f64::consts::SQRT_2, k),
            }
        })
        .collect();
    Ok(PairwiseTests {
        pairs,
        mean_ranks: means,
    })
}

/// Nemenyi's all-pairs test after Friedman (rows = blocks, columns =
/// conditions).
///
/// q = |mean rank_i - mean rank_j| / sqrt(k (k + 1) / (6 n)),
/// p = P(Q_(k, inf) > q sqrt 2); within-block mid-ranks, no tie correction.
///
/// # Errors
/// As [`crate::rank::friedman()`].
///
/// # References
/// Nemenyi (1963); Demsar (2006). Agrees with scikit-posthocs 0.17.1
/// `posthoc_nemenyi_friedman`.
///
/// # Example
/// ```
/// use rct_stats::rank::posthoc::nemenyi_friedman;
/// let y = vec![vec![44.56, 28.22], vec![24.0, 28.78], vec![24.56, 18.78]];
/// let r = nemenyi_friedman(&y)?;
/// assert!((r.pairs[0].p_value - 0.5637028616507729).abs() < 1e-9);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn nemenyi_friedman(y: &[Vec<f64>]) -> Result<PairwiseTests, StatsError> {
    let k = check_blocks(y)?;
    let n = y.len() as f64;
    let mut sums = vec![0.0; k];
    let mut ranks = vec![0.0; k];
    let mut order = Vec::with_capacity(k);
    for row in y {
        rank_row(row, &mut order, &mut ranks);
        for (s, r) in sums.iter_mut().zip(&ranks) {
            *s += r;
        }
    }
    let means: Vec<f64> = sums.iter().map(|s| s / n).collect();
    let kf = k as f64;
    let se = (kf * (kf + 1.0) / (6.0 * n)).sqrt();
    let pairs = pairs(k)
        .map(|(i, j)| {
            let q = (means[i] - means[j]).abs() / se;
            PairTest {
                i,
                j,
                statistic: q,
                p_value: dist::studentized_range_sf(q * std::f64::consts::SQRT_2, k),
            }
        })
        .collect();
    Ok(PairwiseTests {
        pairs,
        mean_ranks: means,
    })
}

/// Dunn's all-pairs z tests after Kruskal-Wallis, with tie correction and a
/// p-value adjustment over the k (k - 1) / 2 pairs.
///
/// z = |mean rank_i - mean rank_j| / sqrt((N (N + 1) / 12 - sum(t^3 - t) /
/// (12 (N - 1))) (1/n_i + 1/n_j)), two-sided normal p-value.
///
/// # Errors
/// As [`crate::rank::kruskal_wallis()`]; [`StatsError::Degenerate`] when all
/// values are tied.
///
/// # References
/// Dunn (1964), Technometrics 6:241-252. Agrees with scikit-posthocs 0.17.1
/// `posthoc_dunn` and R `dunn.test`.
///
/// # Example
/// ```
/// use rct_stats::{multiplicity::AdjustMethod, rank::posthoc::dunn};
/// let r = dunn(&[&[10.1, 12.5, 9.8, 11.0], &[13.2, 14.8, 12.9]], AdjustMethod::None)?;
/// assert!((r.pairs[0].p_value - 0.033894853524689246).abs() < 1e-10);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn dunn(groups: &[&[f64]], adjust: AdjustMethod) -> Result<PairwiseTests, StatsError> {
    check_groups(groups, 2)?;
    let (means, tie_term, n) = group_mean_ranks(groups);
    let nf = n as f64;
    let var = nf * (nf + 1.0) / 12.0 - tie_term / (12.0 * (nf - 1.0));
    if var <= 0.0 || n < 2 {
        return Err(StatsError::degenerate(
            "all values are tied, so there is nothing to rank",
        ));
    }
    let k = groups.len();
    let mut pairs: Vec<PairTest> = pairs(k)
        .map(|(i, j)| {
            let se = (var * (1.0 / groups[i].len() as f64 + 1.0 / groups[j].len() as f64)).sqrt();
            let z = (means[i] - means[j]).abs() / se;
            PairTest {
                i,
                j,
                statistic: z,
                p_value: dist::normal_two_sided(z),
            }
        })
        .collect();
    let raw: Vec<f64> = pairs.iter().map(|p| p.p_value).collect();
    for (p, adj) in pairs.iter_mut().zip(p_adjust(&raw, adjust)?) {
        p.p_value = adj;
    }
    Ok(PairwiseTests {
        pairs,
        mean_ranks: means,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn p_values_in_unit(a in prop::collection::vec(-5i32..5, 1..20), b in prop::collection::vec(-5i32..5, 1..20), c in prop::collection::vec(-5i32..5, 1..20)) {
            let g: Vec<Vec<f64>> = [a, b, c].into_iter().map(|v| v.into_iter().map(f64::from).collect()).collect();
            let refs: Vec<&[f64]> = g.iter().map(Vec::as_slice).collect();
            for r in [nemenyi_kruskal(&refs), dunn(&refs, AdjustMethod::Holm)].into_iter().flatten() {
                for p in r.pairs { prop_assert!((0.0..=1.0).contains(&p.p_value)); }
            }
        }
    }
}
