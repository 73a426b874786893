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
        .any(|&e| e < ctx.plan.options.fisher_below_expected);
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
