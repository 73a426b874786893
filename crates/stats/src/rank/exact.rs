//! Exact null distributions of the Wilcoxon statistics.
//!
//! Both are counted by dynamic programming with only additions of
//! non-negative numbers, so tail probabilities keep their relative accuracy
//! (a generating-function product with (1 - q^a) factors would subtract and
//! cancel).

use crate::StatsError;

/// Work limit (inner-loop steps) for an exact distribution.
const MAX_WORK: f64 = 4e9;

/// Distribution of the signed-rank statistic V for n untied, non-zero
/// differences: `p[v] = P(V = v)`, v = 0 ..= n(n+1)/2.
pub(crate) fn signed_rank_pmf(n: usize) -> Result<Vec<f64>, StatsError> {
    let max = n * (n + 1) / 2;
    if (n as f64) * (max as f64) / 2.0 > MAX_WORK {
        return Err(StatsError::TooLarge {
            reason: format!(
                "exact signed-rank distribution for n = {n}; use the normal approximation"
            ),
        });
    }
    // counts[s] = number of subsets of {1..i} with sum s; scaled by 1/2 at
    // each step so the result is a probability and nothing overflows.
    let mut p = vec![0.0; max + 1];
    p[0] = 1.0;
    let mut top = 0;
    for i in 1..=n {
        top += i;
        for s in (i..=top).rev() {
            p[s] = 0.5 * (p[s] + p[s - i]);
        }
        for v in p.iter_mut().take(i) {
            *v *= 0.5;
        }
    }
    Ok(p)
}

/// Distribution of the Mann-Whitney statistic W (rank sum of x minus
/// m(m+1)/2) for m and n untied observations: `p[w] = P(W = w)`.
pub(crate) fn rank_sum_pmf(m: usize, n: usize) -> Result<Vec<f64>, StatsError> {
    // Count m-subsets of {1..m+n} by their sum; W = sum - m(m+1)/2.
    // Use the smaller group as the subset: W(m, n) and W(n, m) are
    // equidistributed, and the table is m x mn.
    let (a, b) = if m <= n { (m, n) } else { (n, m) };
    let big = a + b;
    let max = a * b;
    let work = big as f64 * a as f64 * (max + 1) as f64;
    if work > MAX_WORK {
        return Err(StatsError::TooLarge {
            reason: format!(
                "exact rank-sum distribution for sizes {m} and {n}; use the normal approximation"
            ),
        });
    }
    // dp[j][w] = probability-scaled count of j-subsets of the first e
    // elements with shifted sum w, where choosing element e as the j-th
    // smallest adds e - j to W. Scaled by the hypergeometric weights by
    // dividing by C(big, a) at the end via the total.
    let width = max + 1;
    let mut dp = vec![0.0f64; (a + 1) * width];
    dp[0] = 1.0;
    for e in 1..=big {
        let jmax = a.min(e);
        for j in (1..=jmax).rev() {
            let add = e - j; // contribution to W of the j-th smallest chosen at position e
            if add > max {
                continue;
            }
            let (lower, upper) = dp.split_at_mut(j * width);
            let from = &lower[(j - 1) * width..j * width];
            let to = &mut upper[..width];
            for w in (add..width).rev() {
                to[w] += from[w - add];
            }
        }
    }
    let row = &dp[a * width..(a + 1) * width];
    let total: f64 = row.iter().sum();
    Ok(row.iter().map(|c| c / total).collect())
}

/// `P(X <= x)` and `P(X >= x)` of a pmf on 0..len at an integer x, summed
/// from the near end of each tail.
pub(crate) fn tails(pmf: &[f64], x: usize) -> (f64, f64) {
    let lower: f64 = pmf.iter().take(x + 1).sum();
    let upper: f64 = pmf.iter().skip(x).sum();
    (lower.min(1.0), upper.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Source: R 4.2.2 `dsignrank(0:6, 3)` = 1/8 x (1, 1, 1, 2, 1, 1, 1).
    #[test]
    fn signed_rank_n3() {
        let p = signed_rank_pmf(3).unwrap();
        let want = [1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0].map(|c| c / 8.0);
        assert_eq!(p, want);
    }

    /// Source: R 4.2.2 `dwilcox(0:4, 2, 2)` = 1/6 x (1, 1, 2, 1, 1).
    #[test]
    fn rank_sum_2_2() {
        let p = rank_sum_pmf(2, 2).unwrap();
        let want = [1.0, 1.0, 2.0, 1.0, 1.0].map(|c| c / 6.0);
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
        assert_eq!(rank_sum_pmf(3, 5).unwrap(), rank_sum_pmf(5, 3).unwrap());
    }
}
