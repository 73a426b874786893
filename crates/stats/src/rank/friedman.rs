//! Friedman rank sum test for unreplicated complete block designs.

use crate::{dist, StatsError};

/// Friedman test result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Friedman {
    /// Tie-corrected Friedman chi-square.
    pub statistic: f64,
    /// Degrees of freedom, k - 1.
    pub df: f64,
    /// Chi-square upper-tail p-value.
    pub p_value: f64,
    /// Mean within-block rank of each condition.
    pub mean_ranks: Vec<f64>,
    /// Number of blocks.
    pub n_blocks: usize,
}

/// Checks a blocks x conditions matrix: at least one block, at least two
/// conditions, rectangular, finite.
pub(crate) fn check_blocks(y: &[Vec<f64>]) -> Result<usize, StatsError> {
    let first = y.first().ok_or(StatsError::Empty {
        argument: "y".into(),
        needed: 1,
    })?;
    let k = first.len();
    if k < 2 {
        return Err(StatsError::TooFew {
            argument: "conditions (columns of `y`)".into(),
            needed: 2,
            found: k,
        });
    }
    for (b, row) in y.iter().enumerate() {
        crate::common::check_same_len(format!("y[{b}]"), row.len(), "y[0]", k)?;
        crate::common::check_finite(&format!("y[{b}]"), row)?;
    }
    Ok(k)
}

/// Mid-ranks of one small row into `ranks`, returning the row's sum of
/// t^3 - t over ties. Insertion sort of indices: rows are short (conditions),
/// and this runs once per block.
pub(crate) fn rank_row(row: &[f64], order: &mut Vec<usize>, ranks: &mut [f64]) -> f64 {
    order.clear();
    order.extend(0..row.len());
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 && row[order[j - 1]] > row[order[j]] {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut ties = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && row[order[j]] == row[order[i]] {
            j += 1;
        }
        let mid = (i + 1 + j) as f64 / 2.0;
        for &o in &order[i..j] {
            ranks[o] = mid;
        }
        if j - i > 1 {
            let t = (j - i) as f64;
            ties += t * t * t - t;
        }
        i = j;
    }
    ties
}

/// Mid-ranks of a short row by counting: rank_i = 1 + #{x_j < x_i} +
/// (#{x_j == x_i} - 1) / 2, branch-free k^2 comparisons that beat sorting
/// for the handful of conditions of a repeated-measures design. Returns the
/// row's sum of t^3 - t over ties, which equals sum_i (t_i^2 - 1) with t_i
/// the size of x_i's tie group.
pub(crate) fn rank_row_counting(row: &[f64], ranks: &mut [f64]) -> f64 {
    let mut ties = 0.0;
    for (i, r) in ranks.iter_mut().enumerate() {
        let xi = row[i];
        let (mut less, mut equal) = (0u32, 0u32);
        for &xj in row {
            less += u32::from(xj < xi);
            equal += u32::from(xj == xi);
        }
        *r = f64::from(less) + (f64::from(equal) + 1.0) / 2.0;
        let t = f64::from(equal);
        ties += t * t - 1.0;
    }
    ties
}

/// Friedman rank sum test: do the k conditions differ, with blocks (e.g.
/// patients, conditions = visits) as the unit?
///
/// Ranks are taken within each block (mid-ranks for ties) and
/// X = 12 sum_j (R_j - n (k + 1) / 2)^2 / (n k (k + 1) - sum(t^3 - t) / (k - 1)),
/// referred to chi-square on k - 1 degrees of freedom.
///
/// `y` holds one row per block and one column per condition.
///
/// # Errors
/// [`StatsError::Empty`] without blocks, [`StatsError::TooFew`] with fewer
/// than two conditions, [`StatsError::LengthMismatch`] for ragged rows,
/// [`StatsError::NonFinite`] for a missing value, [`StatsError::Degenerate`]
/// when every block is entirely tied.
///
/// # References
/// Friedman (1937); Hollander & Wolfe (1973) section 7.1. Agrees with R 4.2.2
/// `stats::friedman.test`.
///
/// # Example
/// ```
/// use rct_stats::rank::friedman::friedman;
/// let y = vec![vec![1.0, 2.0, 2.0, 3.0], vec![4.0, 4.0, 4.0, 1.0], vec![2.0, 3.0, 1.0, 3.0],
///              vec![5.0, 5.0, 6.0, 6.0], vec![2.0, 1.0, 2.0, 1.0]];
/// let r = friedman(&y)?;
/// assert!((r.statistic - 0.675).abs() < 1e-12);
/// assert!((r.p_value - 0.8790678458431398).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn friedman(y: &[Vec<f64>]) -> Result<Friedman, StatsError> {
    let k = check_blocks(y)?;
    kernel(y.iter().map(Vec::as_slice), y.len(), k)
}

/// [`friedman()`] on a row-major matrix: `values` holds the blocks one after
/// another, `conditions` values each. Saves building one vector per block
/// when the data already sit in one buffer (100,000 patients x 10 visits).
///
/// # Errors
/// As [`friedman()`], and [`StatsError::LengthMismatch`] when `values` is not
/// a whole number of rows.
///
/// # Example
/// ```
/// use rct_stats::rank::friedman::friedman_rows;
/// let r = friedman_rows(&[1.0, 2.0, 3.0, 1.0, 3.0, 2.0, 1.0, 2.0, 3.0], 3)?;
/// assert!((r.statistic - 4.666666666666667).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn friedman_rows(values: &[f64], conditions: usize) -> Result<Friedman, StatsError> {
    if conditions < 2 {
        return Err(StatsError::TooFew {
            argument: "conditions".into(),
            needed: 2,
            found: conditions,
        });
    }
    if values.is_empty() {
        return Err(StatsError::Empty {
            argument: "values".into(),
            needed: conditions,
        });
    }
    crate::common::check_same_len(
        "values",
        values.len(),
        "a multiple of `conditions`",
        values.len().div_ceil(conditions) * conditions,
    )?;
    crate::common::check_finite("values", values)?;
    kernel(
        values.chunks_exact(conditions),
        values.len() / conditions,
        conditions,
    )
}

fn kernel<'a>(
    rows: impl Iterator<Item = &'a [f64]>,
    n: usize,
    k: usize,
) -> Result<Friedman, StatsError> {
    let mut col_sums = vec![0.0; k];
    let mut ranks = vec![0.0; k];
    let mut order = Vec::with_capacity(k);
    let mut ties = 0.0;
    for row in rows {
        ties += if k <= 16 {
            rank_row_counting(row, &mut ranks)
        } else {
            rank_row(row, &mut order, &mut ranks)
        };
        for (s, r) in col_sums.iter_mut().zip(&ranks) {
            *s += r;
        }
    }
    let (nf, kf) = (n as f64, k as f64);
    let center = nf * (kf + 1.0) / 2.0;
    let ss: f64 = col_sums.iter().map(|s| (s - center).powi(2)).sum();
    let denominator = nf * kf * (kf + 1.0) - ties / (kf - 1.0);
    if denominator <= 0.0 {
        return Err(StatsError::degenerate("every block is entirely tied"));
    }
    let statistic = 12.0 * ss / denominator;
    let df = kf - 1.0;
    Ok(Friedman {
        statistic,
        df,
        p_value: dist::chi_square_sf(statistic, df),
        mean_ranks: col_sums.iter().map(|s| s / nf).collect(),
        n_blocks: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_column_is_an_error() {
        assert!(matches!(
            friedman(&[vec![1.0], vec![2.0]]),
            Err(StatsError::TooFew { .. })
        ));
    }

    proptest! {
        #[test]
        fn counting_ranks_match_sorting(row in prop::collection::vec(-3i32..3, 1..12)) {
            let row: Vec<f64> = row.into_iter().map(f64::from).collect();
            let (mut a, mut b, mut order) = (vec![0.0; row.len()], vec![0.0; row.len()], Vec::new());
            let ta = rank_row_counting(&row, &mut a);
            let tb = rank_row(&row, &mut order, &mut b);
            prop_assert_eq!(a, b);
            prop_assert!((ta - tb).abs() < 1e-9);
        }

        #[test]
        fn p_in_unit_and_column_order_free(y in prop::collection::vec(prop::collection::vec(-3i32..3, 4), 1..40)) {
            let y: Vec<Vec<f64>> = y.into_iter().map(|r| r.into_iter().map(f64::from).collect()).collect();
            let rev: Vec<Vec<f64>> = y.iter().map(|r| r.iter().rev().copied().collect()).collect();
            if let (Ok(a), Ok(b)) = (friedman(&y), friedman(&rev)) {
                prop_assert!((0.0..=1.0).contains(&a.p_value));
                prop_assert!((a.statistic - b.statistic).abs() < 1e-9);
            }
        }
    }
}
