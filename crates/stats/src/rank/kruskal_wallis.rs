//! Kruskal-Wallis rank sum test.

use super::sort::sorted_keys;
use crate::common::check_groups;
use crate::{dist, StatsError};

/// Kruskal-Wallis test result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct KruskalWallis {
    /// Tie-corrected H.
    pub statistic: f64,
    /// Degrees of freedom, k - 1.
    pub df: f64,
    /// Chi-square upper-tail p-value.
    pub p_value: f64,
    /// Mean rank of each group (in the pooled ranking).
    pub mean_ranks: Vec<f64>,
    /// Group sizes.
    pub n: Vec<usize>,
}

/// Kruskal-Wallis rank sum test that k groups come from the same
/// distribution (against a shift in at least one).
///
/// H = [12 / (N (N + 1)) sum R_i^2 / n_i - 3 (N + 1)] / [1 - sum(t^3 - t) / (N^3 - N)],
/// referred to chi-square on k - 1 degrees of freedom.
///
/// Ranking uses a radix sort of each group and of the pooled sample, then a
/// linear merge: O(N) passes, which matters at millions of values.
///
/// # Errors
/// [`StatsError::TooFew`] for fewer than two groups, [`StatsError::Empty`]
/// for an empty group, [`StatsError::NonFinite`] for a missing value,
/// [`StatsError::Degenerate`] when all values are tied.
///
/// # References
/// Kruskal & Wallis (1952); Hollander & Wolfe (1973) section 6.1. Agrees with
/// R 4.2.2 `stats::kruskal.test` and `scipy.stats.kruskal`.
///
/// # Example
/// ```
/// use rct_stats::rank::kruskal_wallis::kruskal_wallis;
/// let r = kruskal_wallis(&[&[2.9, 3.0, 2.5, 2.6, 3.2], &[3.8, 2.7, 4.0, 2.4], &[2.8, 3.4, 3.7, 2.2, 2.0]])?;
/// assert!((r.statistic - 0.7714285714285722).abs() < 1e-12);
/// assert!((r.p_value - 0.6799647735788936).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn kruskal_wallis(groups: &[&[f64]]) -> Result<KruskalWallis, StatsError> {
    check_groups(groups, 2)?;
    let sorted: Vec<Vec<u64>> = groups.iter().map(|g| sorted_keys(g)).collect();
    let n = sorted.iter().map(Vec::len).sum::<usize>() as f64;
    let (rank_sums, tie_term) = if groups.len() <= 16 {
        merge_rank_sums(&sorted)
    } else {
        pooled_rank_sums(&sorted)
    };
    let correction = 1.0 - tie_term / (n * n * n - n);
    if correction <= 0.0 {
        return Err(StatsError::degenerate(
            "all values are tied, so there is nothing to rank",
        ));
    }
    let mut sum_term = 0.0;
    let mut mean_ranks = Vec::with_capacity(groups.len());
    for (g, r) in groups.iter().zip(&rank_sums) {
        sum_term += r * r / g.len() as f64;
        mean_ranks.push(r / g.len() as f64);
    }
    let h = (12.0 / (n * (n + 1.0)) * sum_term - 3.0 * (n + 1.0)) / correction;
    // H is a sum of squares; a tiny negative value is rounding.
    let statistic = h.max(0.0);
    let df = (groups.len() - 1) as f64;
    Ok(KruskalWallis {
        statistic,
        df,
        p_value: dist::chi_square_sf(statistic, df),
        mean_ranks,
        n: groups.iter().map(|g| g.len()).collect(),
    })
}

/// Rank sums per group and the tie term, by a k-way merge of the groups'
/// sorted keys: each tie block (equal keys across all groups) gets its
/// mid-rank once. O(N k), no pooled sort.
fn merge_rank_sums(sorted: &[Vec<u64>]) -> (Vec<f64>, f64) {
    let k = sorted.len();
    let mut heads = vec![0usize; k];
    let mut sums = vec![0.0; k];
    let mut counts = vec![0usize; k];
    let mut done = 0usize; // values ranked so far
    let mut tie_term = 0.0;
    loop {
        let mut min = u64::MAX;
        let mut any = false;
        for g in 0..k {
            if let Some(&v) = sorted[g].get(heads[g]) {
                if !any || v < min {
                    min = v;
                    any = true;
                }
            }
        }
        if !any {
            break;
        }
        let mut t = 0;
        for g in 0..k {
            let keys = &sorted[g];
            let start = heads[g];
            let mut h = start;
            while h < keys.len() && keys[h] == min {
                h += 1;
            }
            counts[g] = h - start;
            heads[g] = h;
            t += h - start;
        }
        let mid = done as f64 + (t as f64 + 1.0) / 2.0;
        for g in 0..k {
            sums[g] += counts[g] as f64 * mid;
        }
        if t > 1 {
            let tf = t as f64;
            tie_term += tf * tf * tf - tf;
        }
        done += t;
    }
    (sums, tie_term)
}

/// The same by one pooled sort, for many groups.
fn pooled_rank_sums(sorted: &[Vec<u64>]) -> (Vec<f64>, f64) {
    let mut all: Vec<u64> = sorted.iter().flatten().copied().collect();
    super::sort::radix_sort_u64(&mut all);
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i + 1;
        while j < all.len() && all[j] == all[i] {
            j += 1;
        }
        if j - i > 1 {
            let t = (j - i) as f64;
            tie_term += t * t * t - t;
        }
        i = j;
    }
    (
        sorted.iter().map(|keys| rank_sum_in(keys, &all)).collect(),
        tie_term,
    )
}

/// Sum of the pooled mid-ranks of the sorted `keys` (a sub-multiset of the
/// sorted `all`), by one forward walk over both.
pub(crate) fn rank_sum_in(keys: &[u64], all: &[u64]) -> f64 {
    let mut lo = 0; // number of pooled keys < current key
    let mut hi = 0; // number of pooled keys <= current key
    let mut sum = 0.0;
    let mut prev = None;
    for &k in keys {
        if prev != Some(k) {
            while lo < all.len() && all[lo] < k {
                lo += 1;
            }
            hi = hi.max(lo);
            while hi < all.len() && all[hi] == k {
                hi += 1;
            }
            prev = Some(k);
        }
        // Positions lo+1 ..= hi share the mid-rank.
        sum += (lo + 1 + hi) as f64 / 2.0;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Source: R 4.2.2 `kruskal.test(list(c(1,2,2,3), c(2,3,3,4,4), c(4,5,5,5)))`
    /// H = 8.917241379310338, p = 0.011578322378501133 (validation case small_ties).
    #[test]
    fn small_ties_match_r() {
        let r = kruskal_wallis(&[
            &[1.0, 2.0, 2.0, 3.0],
            &[2.0, 3.0, 3.0, 4.0, 4.0],
            &[4.0, 5.0, 5.0, 5.0],
        ])
        .unwrap();
        assert!((r.statistic - 8.917241379310338).abs() < 1e-12);
        assert!((r.p_value - 0.011578322378501133).abs() < 1e-14);
    }

    #[test]
    fn all_tied_is_degenerate() {
        assert!(matches!(
            kruskal_wallis(&[&[1.0, 1.0], &[1.0]]),
            Err(StatsError::Degenerate { .. })
        ));
    }

    proptest! {
        #[test]
        fn matches_midrank_definition_and_order_free(
            a in prop::collection::vec(-5i32..5, 1..300),
            b in prop::collection::vec(-5i32..5, 1..300),
        ) {
            let a: Vec<f64> = a.into_iter().map(f64::from).collect();
            let b: Vec<f64> = b.into_iter().map(f64::from).collect();
            let pooled: Vec<f64> = a.iter().chain(&b).copied().collect();
            let ranks = crate::rank::ranks::midranks(&pooled);
            let ra: f64 = ranks.ranks[..a.len()].iter().sum();
            let keys = sorted_keys(&a);
            let all = sorted_keys(&pooled);
            prop_assert!((rank_sum_in(&keys, &all) - ra).abs() < 1e-9);
            if let (Ok(x), Ok(y)) = (kruskal_wallis(&[&a, &b]), kruskal_wallis(&[&b, &a])) {
                prop_assert!((x.statistic - y.statistic).abs() < 1e-9);
                prop_assert!((0.0..=1.0).contains(&x.p_value));
            }
        }
    }
}
