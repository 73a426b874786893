//! Tests shared by several tables: k-group continuous and categorical comparisons.

use rct_stats::contingency::{chi_square, fisher_exact, Table as Counts};
use rct_stats::descriptive::{summary, Summary};
use rct_stats::rank::kruskal_wallis;
use rct_stats::StatsError;

use super::Ctx;

/// A categorical test's outcome.
pub(crate) struct CategoricalTest {
    pub(crate) method: &'static str,
    pub(crate) statistic: Option<f64>,
    pub(crate) df: Option<f64>,
    pub(crate) p_value: f64,
}

/// Chi-square (Pearson, no continuity correction), or Fisher's exact test
/// when an expected count is below the plan's threshold. `counts[arm][level]`.
/// None when fewer than two arms or levels have any subject.
pub(crate) fn categorical_test(
    ctx: &Ctx<'_>,
    counts: &[Vec<usize>],
) -> Result<Option<CategoricalTest>, StatsError> {
    choose_categorical_test(counts, ctx.plan.options.fisher_below_expected)
}

/// [`categorical_test`] with the Fisher threshold given.
pub(crate) fn choose_categorical_test(
    counts: &[Vec<usize>],
    fisher_below_expected: f64,
) -> Result<Option<CategoricalTest>, StatsError> {
    let rows: Vec<Vec<f64>> = counts
        .iter()
        .filter(|r| r.iter().sum::<usize>() > 0)
        .map(|r| r.iter().map(|&c| c as f64).collect())
        .collect();
    if rows.len() < 2 {
        return Ok(None);
    }
    let cols = rows[0].len();
    let keep: Vec<usize> = (0..cols)
        .filter(|&j| rows.iter().any(|r| r[j] > 0.0))
        .collect();
    if keep.len() < 2 {
        return Ok(None);
    }
    let rows: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| keep.iter().map(|&j| r[j]).collect())
        .collect();
    let table = Counts::new(&rows)?;
    let chi = chi_square(&table, false)?;
    let small = chi
        .expected
        .iter()
        .flatten()
        .any(|&e| e < fisher_below_expected);
    if small {
        match fisher_exact(&table) {
            Ok(f) => {
                return Ok(Some(CategoricalTest {
                    method: "fisher_exact",
                    statistic: None,
                    df: None,
                    p_value: f.p_value,
                }))
            }
            Err(StatsError::TooLarge { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(CategoricalTest {
        method: "chi_square",
        statistic: Some(chi.statistic),
        df: Some(chi.df),
        p_value: chi.p_value,
    }))
}

/// Kruskal-Wallis across the arms that have values; None with fewer than two
/// such arms or no spread at all.
pub(crate) fn kw_test(groups: &[Vec<f64>]) -> Result<Option<(f64, f64, f64)>, StatsError> {
    let present: Vec<&[f64]> = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(Vec::as_slice)
        .collect();
    if present.len() < 2 {
        return Ok(None);
    }
    match kruskal_wallis(&present) {
        Ok(kw) => Ok(Some((kw.statistic, kw.df, kw.p_value))),
        Err(StatsError::Degenerate { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Summary of a sample, None when empty.
pub(crate) fn describe(ctx: &Ctx<'_>, x: &[f64]) -> Result<Option<Summary>, StatsError> {
    if x.is_empty() {
        return Ok(None);
    }
    summary(x, ctx.quantile_type).map(Some)
}

/// Footnote text for the categorical rule.
pub(crate) fn categorical_note(ctx: &Ctx<'_>) -> String {
    format!(
        "Categorical variables: Pearson chi-square test without continuity correction, or \
         Fisher's exact test when any expected count is below {}.",
        ctx.plan.options.fisher_below_expected
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed paper's Table 2 (Signal Transduct Target Ther 2021; 6:217):
    /// any adverse reaction in 12/24, 8/24 and 11/24 subjects, P = 0.478;
    /// fever, fatigue or insomnia in 6/24, 3/24 and 5/24, P = 0.538. Both
    /// are Pearson's chi-square test without continuity correction
    /// (R's `chisq.test(..., correct = FALSE)`). Reference values by hand
    /// in Python: the statistic summed from observed and expected counts,
    /// and, for df = 2, the closed-form upper tail exp(-x / 2): x = 1.47286,
    /// p = 0.478821 (the paper prints 0.478, truncated) and x = 1.24138,
    /// p = 0.537574. The second table has expected counts of 4.67, so the
    /// paper used chi-square where the usual rule would pick Fisher's
    /// test; rct reproduces it with `fisher_below_expected = 0`.
    #[test]
    fn seed_paper_table_2_p_values() {
        let any = [vec![12, 12], vec![8, 16], vec![11, 13]];
        let t = choose_categorical_test(&any, 5.0).unwrap().unwrap();
        assert_eq!(t.method, "chi_square");
        assert!(
            (t.p_value - 0.478_821_209_326_039).abs() < 1e-9,
            "{}",
            t.p_value
        );
        assert!((t.p_value - 0.478).abs() < 1e-3);
        let fever = [vec![6, 18], vec![3, 21], vec![5, 19]];
        let t = choose_categorical_test(&fever, 0.0).unwrap().unwrap();
        assert_eq!(t.method, "chi_square");
        assert!(
            (t.p_value - 0.537_573_569_331_123).abs() < 1e-9,
            "{}",
            t.p_value
        );
        assert_eq!(format!("{:.3}", t.p_value), "0.538");
        // With the default rule (an expected count of 4.67 < 5) Fisher's
        // exact test is used instead.
        let t = choose_categorical_test(&fever, 5.0).unwrap().unwrap();
        assert_eq!(t.method, "fisher_exact");
    }

    #[test]
    fn categorical_test_needs_two_rows_and_columns() {
        assert!(choose_categorical_test(&[vec![3, 0], vec![0, 0]], 5.0)
            .unwrap()
            .is_none());
        assert!(choose_categorical_test(&[vec![3, 0], vec![4, 0]], 5.0)
            .unwrap()
            .is_none());
    }
}
