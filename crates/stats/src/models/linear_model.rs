//! Ordinary least squares with t tests per coefficient and partial F tests
//! per term.

use crate::dist::{f_sf, t_two_sided};
use crate::linalg::{dot, Matrix};
use crate::models::design::{Design, ScaledCholesky};
use crate::StatsError;

/// A partial F test that a term's coefficients are all zero.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct TermFTest {
    /// The term's name.
    pub name: String,
    /// The F statistic.
    pub statistic: f64,
    /// Numerator degrees of freedom (the term's number of columns).
    pub df1: f64,
    /// Denominator degrees of freedom (the residual degrees of freedom).
    pub df2: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
}

/// A fitted linear model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct LinearModel {
    /// Coefficient names, intercept first.
    pub names: Vec<String>,
    /// Least-squares coefficients.
    pub coef: Vec<f64>,
    /// Standard errors `sigma * sqrt(diag((X'X)^-1))`.
    pub se: Vec<f64>,
    /// Two-sided t-test p-values on `df_residual` degrees of freedom.
    pub p_value: Vec<f64>,
    /// Residual standard error `sqrt(RSS / df_residual)`.
    pub sigma: f64,
    /// Residual degrees of freedom `n - p`.
    pub df_residual: f64,
    /// One partial F test per term, in the order of the design's terms.
    pub term_tests: Vec<TermFTest>,
}

/// Fits `y = X b + e` by ordinary least squares (an intercept is part of
/// every [`Design`]).
///
/// Each term's F test compares the full model with the model that drops the
/// term's columns; it is computed from the full fit as
/// `F = b_T' [(X'X)^-1]_TT^-1 b_T / (q sigma^2)`, which equals the
/// extra-sum-of-squares F of the nested models.
///
/// # Errors
/// [`StatsError::LengthMismatch`] / [`StatsError::NonFinite`] for bad `y`;
/// [`StatsError::TooFew`] when there are no residual degrees of freedom
/// (as many coefficients as observations); [`StatsError::Singular`] naming
/// the first column that is a linear combination of the columns before it.
///
/// # References
/// Agrees with R 4.2.2 `summary(lm(y ~ x))` and `anova(reduced, full)`.
///
/// # Example
/// ```
/// use rct_stats::models::{design::Design, linear_model::linear_model};
/// let y = [1.2, 1.9, 3.2, 3.8, 5.1];
/// let d = Design::new(5, &[("x", vec![1.0, 2.0, 3.0, 4.0, 5.0])])?
///     .with_terms(&[("x", vec!["x"])])?;
/// let fit = linear_model(&y, &d)?;
/// assert!((fit.coef[1] - 0.97).abs() < 1e-12);
/// assert!((fit.term_tests[0].p_value - fit.p_value[1]).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn linear_model(y: &[f64], design: &Design) -> Result<LinearModel, StatsError> {
    let n = design.n();
    let p = design.p();
    crate::common::check_same_len("y", y.len(), "x", n)?;
    crate::common::check_finite("y", y)?;
    if n <= p {
        return Err(StatsError::TooFew {
            argument: "y".into(),
            needed: p + 1,
            found: n,
        });
    }
    // X'X (upper triangle) and X'y in one pass over the rows.
    let mut xtx = Matrix::zeros(p, p);
    let mut xty = vec![0.0; p];
    for (i, &yi) in y.iter().enumerate() {
        let row = design.row(i);
        for a in 0..p {
            let ra = row[a];
            xty[a] += ra * yi;
            if ra == 0.0 {
                continue;
            }
            for (b, &rb) in row.iter().enumerate().skip(a) {
                xtx.add_to(a, b, ra * rb);
            }
        }
    }
    xtx.symmetrize_from_upper();
    let chol = ScaledCholesky::new(&xtx, "X'X", design.names())?;
    let coef = chol.solve(&xty);
    let rss: f64 = y
        .iter()
        .enumerate()
        .map(|(i, &yi)| {
            let r = yi - dot(design.row(i), &coef);
            r * r
        })
        .sum();
    let df = (n - p) as f64;
    let sigma2 = rss / df;
    let xtx_inv = chol.inverse();
    let se: Vec<f64> = (0..p)
        .map(|j| (sigma2 * xtx_inv.get(j, j)).max(0.0).sqrt())
        .collect();
    let p_value = coef
        .iter()
        .zip(&se)
        .map(|(&b, &s)| t_p_value(b, s, df))
        .collect();
    let mut term_tests = Vec::with_capacity(design.terms().len());
    for term in design.terms() {
        let q = term.columns.len();
        let sub = xtx_inv.select(&term.columns, &term.columns);
        let b: Vec<f64> = term.columns.iter().map(|&j| coef[j]).collect();
        let names: Vec<String> = term
            .columns
            .iter()
            .map(|&j| design.names()[j].clone())
            .collect();
        let sub_chol = ScaledCholesky::new(&sub, "term covariance", &names)?;
        let quad = dot(&b, &sub_chol.solve(&b));
        let statistic = if sigma2 > 0.0 {
            quad / (q as f64 * sigma2)
        } else if quad > 0.0 {
            f64::INFINITY
        } else {
            return Err(StatsError::degenerate(
                "the residuals are all zero, so the F statistic is 0/0",
            ));
        };
        term_tests.push(TermFTest {
            name: term.name.clone(),
            statistic,
            df1: q as f64,
            df2: df,
            p_value: f_sf(statistic, q as f64, df),
        });
    }
    Ok(LinearModel {
        names: design.names().to_vec(),
        coef,
        se,
        p_value,
        sigma: sigma2.sqrt(),
        df_residual: df,
        term_tests,
    })
}

/// Two-sided t p-value of `b / s`; a perfect fit (`s = 0`) gives 0 for a
/// non-zero coefficient and 1 for a zero one, as the limit suggests.
fn t_p_value(b: f64, s: f64, df: f64) -> f64 {
    if s > 0.0 {
        t_two_sided(b / s, df)
    } else if b != 0.0 {
        0.0
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Source: R 4.2.2 `summary(lm(y ~ x))` with x = 1..5,
    /// y = (1.2, 1.9, 3.2, 3.8, 5.1) (the `hand_simple_regression` case).
    #[test]
    fn simple_regression_matches_r() {
        let y = [1.2, 1.9, 3.2, 3.8, 5.1];
        let x = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let d = Design::new(5, &[("x", x)]).unwrap();
        let fit = linear_model(&y, &d).unwrap();
        assert!((fit.coef[0] - 0.13).abs() < 1e-12);
        assert!((fit.coef[1] - 0.97).abs() < 1e-12);
        assert!((fit.se[1] - 0.06403124237432863).abs() < 1e-12);
        assert!((fit.p_value[1] - 0.0006245398256037746).abs() < 1e-12);
        assert!((fit.sigma - 0.20248456731316636).abs() < 1e-12);
    }

    #[test]
    fn collinear_and_saturated_are_errors() {
        let d = Design::new(
            4,
            &[
                ("a", vec![1.0, 2.0, 3.0, 4.0]),
                ("b", vec![2.0, 4.0, 6.0, 8.0]),
            ],
        )
        .unwrap();
        let err = linear_model(&[1.0, 2.0, 1.0, 3.0], &d).unwrap_err();
        assert!(matches!(err, StatsError::Singular { .. }));
        assert!(err.to_string().contains("`b`"));
        let d = Design::new(2, &[("a", vec![1.0, 2.0])]).unwrap();
        assert!(matches!(
            linear_model(&[1.0, 2.0], &d),
            Err(StatsError::TooFew { .. })
        ));
    }

    proptest! {
        #[test]
        fn never_panics_and_p_in_unit(
            rows in proptest::collection::vec((-1e3f64..1e3, -1e3f64..1e3, -5f64..5.0), 0..30)
        ) {
            let n = rows.len();
            let y: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let x1: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let x2: Vec<f64> = rows.iter().map(|r| r.2.round()).collect();
            let Ok(d) = Design::new(n, &[("x1", x1), ("x2", x2)]) else { return Ok(()); };
            let d = d.with_terms(&[("both", vec!["x1", "x2"])]).unwrap();
            if let Ok(fit) = linear_model(&y, &d) {
                for p in fit.p_value.iter().chain(fit.term_tests.iter().map(|t| &t.p_value)) {
                    prop_assert!((0.0..=1.0).contains(p));
                }
            }
        }
    }
}
