//! Unit tests of the GEE fit. The reference comparisons with geepack and
//! statsmodels live in `validation/cases/gee*.json` (run by
//! `rct-validation`); these tests cover invariances and errors.

use super::*;
use proptest::prelude::*;

fn small() -> (Vec<f64>, Vec<f64>, Vec<u32>, Vec<f64>) {
    let y = vec![
        1.0, 2.0, 2.5, 1.5, 3.0, 2.0, 4.0, 3.5, 2.0, 2.5, 3.2, 1.1, 0.4, 2.2, 3.9,
    ];
    let x = vec![
        0.1, 0.5, 0.9, 0.3, 0.7, 0.2, 1.4, 1.1, 0.6, 0.8, 1.0, 0.1, 0.0, 0.4, 1.3,
    ];
    let id = vec![1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 6, 6];
    let wave = vec![
        1.0, 2.0, 3.0, 1.0, 3.0, 1.0, 2.0, 3.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0,
    ];
    (y, x, id, wave)
}

/// Shuffling the rows (so a subject's rows are no longer adjacent) does not
/// change the fit: clusters are grouped by id value and ordered by wave.
#[test]
fn row_order_does_not_matter() {
    let (y, x, id, wave) = small();
    let perm = [14, 3, 0, 7, 11, 1, 9, 5, 12, 2, 8, 13, 6, 10, 4];
    let pick = |v: &[f64]| perm.iter().map(|&i| v[i]).collect::<Vec<_>>();
    let (y2, x2, w2) = (pick(&y), pick(&x), pick(&wave));
    let id2: Vec<u32> = perm.iter().map(|&i| id[i]).collect();
    for corstr in [CorStr::Exchangeable, CorStr::Ar1, CorStr::Unstructured] {
        let opts = GeeOptions::default().corstr(corstr);
        let d = Design::new(15, &[("x", x.clone())]).unwrap();
        let a = GeeData::new(&y, &d, &id, &wave).unwrap().fit(&opts);
        let d2 = Design::new(15, &[("x", x2.clone())]).unwrap();
        let b = GeeData::new(&y2, &d2, &id2, &w2).unwrap().fit(&opts);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                for (u, v) in a.coef.iter().zip(&b.coef) {
                    assert!((u - v).abs() < 1e-8, "{corstr:?}: {u} vs {v}");
                }
                for (u, v) in a.robust_se.iter().zip(&b.robust_se) {
                    assert!((u - v).abs() < 1e-8, "{corstr:?}: {u} vs {v}");
                }
            }
            (a, b) => assert_eq!(a.is_err(), b.is_err(), "{corstr:?}"),
        }
    }
}

/// Independence GEE is the GLM: for gaussian, the coefficients are OLS and
/// the model-based covariance is `phi (X'X)^-1` with `phi = RSS / N`.
#[test]
fn independence_is_least_squares() {
    let (y, x, id, wave) = small();
    let d = Design::new(15, &[("x", x.clone())]).unwrap();
    let fit = GeeData::new(&y, &d, &id, &wave)
        .unwrap()
        .fit(&GeeOptions::default().corstr(CorStr::Independence))
        .unwrap();
    let lm = crate::models::linear_model::linear_model(&y, &d).unwrap();
    for (a, b) in fit.coef.iter().zip(&lm.coef) {
        assert!((a - b).abs() < 1e-10);
    }
    let phi = lm.sigma * lm.sigma * 13.0 / 15.0;
    assert!((fit.scale - phi).abs() < 1e-10);
    for (a, b) in fit.model_se.iter().zip(&lm.se) {
        assert!((a - b * (phi / (lm.sigma * lm.sigma)).sqrt()).abs() < 1e-10);
    }
    assert!(fit.alpha.is_empty());
}

#[test]
fn invalid_inputs_are_errors() {
    let (y, x, id, wave) = small();
    let d = Design::new(15, &[("x", x.clone())]).unwrap();
    let data = GeeData::new(&y, &d, &id, &wave).unwrap();
    // y = 4 is not a binomial outcome; y are not all counts... but all >= 0.
    assert!(matches!(
        data.fit(&GeeOptions::default().family(Family::Binomial)),
        Err(StatsError::OutOfRange { .. })
    ));
    // Two rows of subject 1 at the same wave under AR(1).
    let mut w2 = wave.clone();
    w2[1] = 1.0;
    let data = GeeData::new(&y, &d, &id, &w2).unwrap();
    assert!(data
        .fit(&GeeOptions::default().corstr(CorStr::Ar1))
        .is_err());
    assert!(data.fit(&GeeOptions::default()).is_ok());
    // Collinear column named in the error.
    let twice: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    let d = Design::new(15, &[("x", x.clone()), ("x2", twice)]).unwrap();
    let err = GeeData::new(&y, &d, &id, &wave)
        .unwrap()
        .fit(&GeeOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("`x2`"), "{err}");
    // Length mismatch and missing values.
    let d = Design::new(15, &[("x", x)]).unwrap();
    assert!(GeeData::new(&y[..14], &d, &id, &wave).is_err());
    let mut y2 = y.clone();
    y2[3] = f64::NAN;
    assert!(GeeData::new(&y2, &d, &id, &wave).is_err());
    // The statsmodels convention has no AR(1) estimator here.
    assert!(matches!(
        GeeData::new(&y, &d, &id, &wave).unwrap().fit(
            &GeeOptions::default()
                .corstr(CorStr::Ar1)
                .convention(Convention::Statsmodels)
        ),
        Err(StatsError::UnknownOption { .. })
    ));
}

/// Source: statsmodels 0.15.0 on the data of `small()`:
/// `GEE(y, add_constant(x), groups=id, cov_struct=Exchangeable()).fit(ctol=1e-12)`
/// gives coef (0.94373661, 2.20263624), robust se (0.17744624, 0.1796678),
/// alpha 0.17583834078559407, scale 0.11142338392093566; the submodel
/// without `x` gives `compare_score_test` statistic 3.86021118904096.
#[test]
fn statsmodels_convention_matches_statsmodels() {
    let (y, x, id, wave) = small();
    let d = Design::new(15, &[("x", x)])
        .unwrap()
        .with_terms(&[("x", vec!["x"])])
        .unwrap();
    let data = GeeData::new(&y, &d, &id, &wave).unwrap();
    let opts = GeeOptions::default()
        .convention(Convention::Statsmodels)
        .small_sample(SmallSample::ManclDeRouen);
    let fit = data.fit(&opts).unwrap();
    let close = |a: f64, b: f64, tol: f64| assert!((a - b).abs() <= tol * b.abs(), "{a} vs {b}");
    close(fit.coef[0], 0.94373661, 1e-7);
    close(fit.coef[1], 2.20263624, 1e-7);
    close(fit.robust_se[1], 0.1796678, 1e-6);
    close(fit.alpha[0], 0.17583834078559407, 1e-6);
    close(fit.scale, 0.11142338392093566, 1e-6);
    let score = data.score_tests(&opts).unwrap();
    close(score[0].statistic, 3.86021118904096, 1e-6);
    // The bias-reduced standard errors exceed the plain sandwich here.
    let br = fit.bias_reduced_se.unwrap();
    for (b, r) in br.iter().zip(&fit.robust_se) {
        assert!(b >= r, "{b} < {r}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn never_panics_and_p_in_unit(
        rows in proptest::collection::vec((0u8..6, 1u8..5, -3f64..3.0, 0u8..4), 0..40),
        fam in 0usize..3,
        cs in 0usize..4,
    ) {
        let n = rows.len();
        let id: Vec<u8> = rows.iter().map(|r| r.0).collect();
        let wave: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
        let x: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let family = [Family::Gaussian, Family::Binomial, Family::Poisson][fam];
        let y: Vec<f64> = rows
            .iter()
            .map(|r| match family {
                Family::Binomial => f64::from(r.3 % 2),
                _ => f64::from(r.3),
            })
            .collect();
        let corstr = [CorStr::Independence, CorStr::Exchangeable, CorStr::Ar1, CorStr::Unstructured][cs];
        let Ok(d) = Design::new(n, &[("x", x)]) else { return Ok(()); };
        let d = d.with_terms(&[("x", vec!["x"])]).unwrap();
        let data = GeeData::new(&y, &d, &id, &wave).unwrap();
        let opts = GeeOptions::default().family(family).corstr(corstr).max_iter(30);
        if let Ok(fit) = data.fit(&opts) {
            for t in &fit.term_tests {
                prop_assert!((0.0..=1.0).contains(&t.p_value));
            }
        }
        if let Ok(tests) = data.score_tests(&opts) {
            for t in &tests {
                prop_assert!((0.0..=1.0).contains(&t.p_value));
            }
        }
    }
}
