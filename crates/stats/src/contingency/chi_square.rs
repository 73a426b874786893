use super::Table;
use crate::{dist, Note, StatsError};

/// Pearson chi-square test of independence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct ChiSquare {
    /// X^2 (with Yates's correction when it was applied).
    pub statistic: f64,
    /// Degrees of freedom, (r - 1)(c - 1).
    pub df: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Expected counts under independence, r x c.
    pub expected: Vec<Vec<f64>>,
    /// Whether Yates's continuity correction was applied.
    pub yates: bool,
    /// Remarks (small expected counts).
    pub notes: Vec<Note>,
}

/// Pearson's chi-square test of independence for an r x c table.
///
/// With `correct` and a 2x2 table, Yates's continuity correction is applied
/// as R does, with the term `min(0.5, |O - E|)` so it never overshoots.
/// Expected counts below 5 are reported in `notes` (Fisher's exact test is
/// the usual alternative).
///
/// # Errors
/// As [`Table::new`].
///
/// # References
/// Pearson (1900); Yates (1934). Agrees with R 4.2.2 `stats::chisq.test` and
/// `scipy.stats.chi2_contingency`.
///
/// # Example
/// ```
/// use rct_stats::contingency::{chi_square, Table};
/// let t = Table::new(&[vec![12.0, 5.0], vec![7.0, 15.0]])?;
/// let r = chi_square(&t, true)?;
/// assert!((r.statistic - 4.322120391218687).abs() < 1e-12);
/// assert!((r.p_value - 0.03762001663484006).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn chi_square(table: &Table, correct: bool) -> Result<ChiSquare, StatsError> {
    let (r, c) = (table.rows(), table.cols());
    let n = table.total();
    let yates = correct && r == 2 && c == 2;
    let mut expected = vec![vec![0.0; c]; r];
    let mut statistic = 0.0;
    let mut small = 0;
    for (i, row) in expected.iter_mut().enumerate() {
        for (j, e) in row.iter_mut().enumerate() {
            *e = table.row_sums()[i] * table.col_sums()[j] / n;
            if *e < 5.0 {
                small += 1;
            }
            let dev = (table.get(i, j) - *e).abs();
            let dev = if yates { dev - dev.min(0.5) } else { dev };
            statistic += dev * dev / *e;
        }
    }
    let df = ((r - 1) * (c - 1)) as f64;
    let mut notes = Vec::new();
    if small > 0 {
        notes.push(Note(format!(
            "{small} of {} expected counts are below 5; the chi-square approximation may be inaccurate (consider Fisher's exact test)",
            r * c
        )));
    }
    Ok(ChiSquare {
        statistic,
        df,
        p_value: dist::chi_square_sf(statistic, df),
        expected,
        yates,
        notes,
    })
}
