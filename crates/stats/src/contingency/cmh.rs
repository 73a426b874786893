use crate::{dist, StatsError};

/// Cochran-Mantel-Haenszel test of conditional independence in 2 x 2 x K tables.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Cmh {
    /// The Mantel-Haenszel chi-square.
    pub statistic: f64,
    /// Degrees of freedom (1).
    pub df: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// The Mantel-Haenszel common odds ratio (`None` when undefined).
    pub common_odds_ratio: Option<f64>,
    /// Whether the 0.5 continuity correction was applied.
    pub corrected: bool,
}

/// Cochran-Mantel-Haenszel test that row and column are independent within
/// every stratum of 2 x 2 tables (e.g. response by arm, stratified by site),
/// with the Mantel-Haenszel estimate of the common odds ratio.
///
/// With `correct`, 0.5 is subtracted from |sum(a - E[a])| only when that
/// difference is at least 0.5, as R does.
///
/// # Errors
/// [`StatsError::Empty`] without strata; [`StatsError::OutOfRange`] for a
/// stratum that is not 2 x 2, negative or missing counts, or a stratum with
/// fewer than 2 observations; [`StatsError::Degenerate`] when the variance
/// is zero.
///
/// # References
/// Mantel & Haenszel (1959); agrees with R 4.2.2 `stats::mantelhaen.test`
/// for 2 x 2 x K arrays.
///
/// # Example
/// ```
/// use rct_stats::contingency::cmh;
/// let strata = vec![vec![vec![10.0, 5.0], vec![4.0, 12.0]],
///                   vec![vec![7.0, 8.0], vec![3.0, 9.0]],
///                   vec![vec![15.0, 6.0], vec![9.0, 8.0]]];
/// let r = cmh(&strata, false)?;
/// assert!((r.statistic - 7.028267449970559).abs() < 1e-10);
/// assert!((r.p_value - 0.008023293979775466).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn cmh(strata: &[Vec<Vec<f64>>], correct: bool) -> Result<Cmh, StatsError> {
    if strata.is_empty() {
        return Err(StatsError::Empty {
            argument: "tables".into(),
            needed: 1,
        });
    }
    let (mut delta, mut var, mut diag, mut offd) = (0.0, 0.0, 0.0, 0.0);
    for (k, s) in strata.iter().enumerate() {
        if s.len() != 2 || s.iter().any(|row| row.len() != 2) {
            return Err(StatsError::out_of_range(
                format!("tables[{k}]"),
                s.len() as f64,
                "each stratum must be a 2 x 2 table",
            ));
        }
        let cells = [s[0][0], s[0][1], s[1][0], s[1][1]];
        for (idx, &v) in cells.iter().enumerate() {
            if !v.is_finite() {
                return Err(StatsError::NonFinite {
                    argument: format!("tables[{k}]"),
                    index: idx,
                });
            }
            if v < 0.0 {
                return Err(StatsError::out_of_range(
                    format!("tables[{k}]"),
                    v,
                    "counts must be non-negative",
                ));
            }
        }
        let [a, b, c, d] = cells;
        let n = a + b + c + d;
        if n < 2.0 {
            return Err(StatsError::out_of_range(
                format!("tables[{k}] total"),
                n,
                "each stratum needs at least 2 observations",
            ));
        }
        let m = a + b; // row 1 total
        let n1 = a + c; // column 1 total
        delta += a - m * n1 / n;
        var += m * n1 * (n - m) * (n - n1) / (n * n * (n - 1.0));
        diag += a * d / n;
        offd += b * c / n;
    }
    if var <= 0.0 {
        return Err(StatsError::degenerate(
            "the Mantel-Haenszel variance is zero (every stratum has a zero margin)",
        ));
    }
    let corrected = correct && delta.abs() >= 0.5;
    let dev = if corrected {
        delta.abs() - 0.5
    } else {
        delta.abs()
    };
    let statistic = dev * dev / var;
    Ok(Cmh {
        statistic,
        df: 1.0,
        p_value: dist::chi_square_sf(statistic, 1.0),
        common_odds_ratio: (offd > 0.0).then(|| diag / offd),
        corrected,
    })
}
