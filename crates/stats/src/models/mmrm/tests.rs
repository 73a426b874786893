//! Tests of the MMRM fit.

// Reference values keep the digits R printed; index loops mirror the formulas.
#![allow(clippy::excessive_precision, clippy::needless_range_loop)]

use super::*;

/// Subject ids, visits, outcome and named covariate columns.
type Long<I> = (Vec<I>, Vec<I>, Vec<f64>, Vec<(String, Vec<f64>)>);

/// Twelve subjects, three visits, four visits missed (R script in the test
/// below).
fn small() -> Long<u32> {
    let id = vec![
        1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 11, 11, 11,
        12, 12, 12,
    ];
    let visit = vec![
        1, 2, 3, 1, 2, 1, 2, 1, 2, 3, 1, 2, 3, 1, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 1, 2, 3, 1,
        2, 3,
    ];
    let y = vec![
        14.2, 14.2, 17.5, 9.8, 9.5, 10.1, 11.9, 10.7, 12.5, 9.9, 10.5, 10.8, 12.6, 10.1, 11.0,
        11.1, 13.7, 13.9, 10.6, 11.7, 12.0, 11.5, 11.2, 12.9, 13.1, 15.6, 11.0, 11.2, 12.8, 13.3,
        16.3, 16.6,
    ];
    let trt = id.iter().map(|&i| f64::from(u8::from(i > 6))).collect();
    let v2 = visit.iter().map(|&v| f64::from(u8::from(v == 2))).collect();
    let v3 = visit.iter().map(|&v| f64::from(u8::from(v == 3))).collect();
    let x = vec![("trt".into(), trt), ("v2".into(), v2), ("v3".into(), v3)];
    (id, visit, y, x)
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-300)
}

/// Source: R 4.2.2, nlme 3.1.162:
/// `gls(y ~ trt + v2 + v3, correlation = corSymm(form = ~ visit | id),
/// weights = varIdent(form = ~ 1 | visit), method = "REML",
/// control = glsControl(opt = "optim", optimMethod = "BFGS", tolerance =
/// 1e-12, msTol = 1e-12))` on the data of `small()` (simulated with
/// `set.seed(7)`, rows 6, 9, 17, 30 removed). nlme's default `nlminb` stops
/// earlier (log-likelihood 1e-10 lower, coefficients off by up to 3e-6);
/// our fit reaches a log-likelihood at least as high as `optim`'s.
#[test]
fn small_intermittent_matches_nlme() {
    let (id, visit, y, x) = small();
    let data = MmrmData::new(&id, &visit, &y, &x).unwrap();
    let fit = mmrm(&data, &MmrmOptions::default()).unwrap();
    let coef = [
        11.314267453433423,
        0.038_131_759_799_814_27,
        1.132_538_866_082_022,
        1.740_529_154_673_974_7,
    ];
    let se = [
        0.53638787973316215,
        0.66133801420468386,
        0.37235400427856019,
        0.41568270039023164,
    ];
    for k in 0..4 {
        assert!(
            (fit.coef[k] - coef[k]).abs() < 1e-6,
            "coef[{k}] {}",
            fit.coef[k]
        );
        assert!(close(fit.se[k], se[k], 1e-6), "se[{k}] {}", fit.se[k]);
    }
    assert!(fit.loglik >= -49.569999097009784 - 1e-12);
    assert!(close(fit.loglik, -49.569999097009784, 1e-10));
    // getVarCov(fit), printed to 4 decimals.
    let sigma = [
        [2.1404, 2.5463, 3.4367],
        [2.5463, 4.4845, 4.1969],
        [3.4367, 4.1969, 6.4821],
    ];
    for i in 0..3 {
        for j in 0..3 {
            assert!((fit.covariance[i][j] - sigma[i][j]).abs() < 6e-5);
        }
    }
    assert_eq!(fit.visits, ["1", "2", "3"]);
    assert_eq!(fit.coef_names, ["(Intercept)", "trt", "v2", "v3"]);
}

/// Deterministic pseudo-random normals (Box-Muller on a 64-bit LCG), so the
/// tests need no RNG crate.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Complete data, `n` subjects x `t` visits, correlated errors; design
/// columns: visit dummies `v2..vt`, optionally an arm and arm-by-visit.
fn complete(n: usize, t: usize, arm: bool, seed: u64) -> Long<usize> {
    let mut rng = Lcg(seed);
    let (mut id, mut visit, mut y) = (vec![], vec![], vec![]);
    let mut cols: Vec<(String, Vec<f64>)> = (2..=t).map(|v| (format!("v{v}"), vec![])).collect();
    if arm {
        cols.push(("arm".into(), vec![]));
        for v in 2..=t {
            cols.push((format!("arm_v{v}"), vec![]));
        }
    }
    for i in 0..n {
        let b = rng.normal();
        let a = f64::from(u8::from(i % 2 == 1));
        let mut prev = 0.0;
        for v in 1..=t {
            prev = 0.5 * prev + rng.normal();
            id.push(i);
            visit.push(v);
            y.push(10.0 + v as f64 + a * 0.3 * v as f64 + b + prev * (1.0 + 0.2 * v as f64));
            for (k, col) in cols.iter_mut().enumerate() {
                let value = if k < t - 1 {
                    f64::from(u8::from(v == k + 2))
                } else if k == t - 1 {
                    a
                } else {
                    a * f64::from(u8::from(v == k - t + 2))
                };
                col.1.push(value);
            }
        }
    }
    (id, visit, y, cols)
}

/// Hand-derived: with complete data and one mean per visit, the REML
/// estimate of `Sigma` is the sample covariance `S` (divisor `n - 1`), and
/// `l = -1/2 [(N - t) log(2 pi) + (n - 1) log|S| + t log n + (n - 1) t]`
/// (the design per subject has determinant 1, `X'V^-1 X = n D'S^-1 D`).
#[test]
fn complete_saturated_matches_closed_form() {
    let (n, t) = (15, 4);
    let (id, visit, y, x) = complete(n, t, false, 3);
    let data = MmrmData::new(&id, &visit, &y, &x).unwrap();
    let fit = mmrm(&data, &MmrmOptions::default()).unwrap();
    // Sample covariance.
    let mut mean = vec![0.0; t];
    for (k, &v) in visit.iter().enumerate() {
        mean[v - 1] += y[k] / n as f64;
    }
    let mut s = Matrix::zeros(t, t);
    for i in 0..n {
        for a in 0..t {
            for b in 0..t {
                let ra = y[i * t + a] - mean[a];
                let rb = y[i * t + b] - mean[b];
                s.add_to(a, b, ra * rb / (n as f64 - 1.0));
            }
        }
    }
    for a in 0..t {
        for b in 0..t {
            assert!(close(fit.covariance[a][b], s.get(a, b), 1e-7), "{a} {b}");
        }
    }
    let log_det = crate::linalg::Cholesky::new(&s, "S").unwrap().log_det();
    let nf = n as f64;
    let tf = t as f64;
    let want = -0.5
        * ((nf * tf - tf) * (2.0 * std::f64::consts::PI).ln()
            + (nf - 1.0) * log_det
            + tf * nf.ln()
            + (nf - 1.0) * tf);
    assert!(close(fit.loglik, want, 1e-12), "{} vs {want}", fit.loglik);
    assert!(close(fit.coef[0], mean[0], 1e-10));
    assert!(close(fit.coef[2], mean[2] - mean[0], 1e-8));
}

/// Hand-derived: complete data with a mean per arm and visit give
/// `Sigma_hat = ` the pooled within-arm covariance on `n - 2` degrees of
/// freedom, so the arm difference at a visit has an exact t distribution on
/// `n - 2` df, which Satterthwaite reproduces (the REML information of a
/// Wishart covariance is exact at the optimum). Likewise one-arm visit means
/// have `n - 1` df.
#[test]
fn satterthwaite_is_exact_for_saturated_complete_data() {
    let (n, t) = (20, 3);
    let (id, visit, y, x) = complete(n, t, true, 11);
    let data = MmrmData::new(&id, &visit, &y, &x).unwrap();
    let fit = mmrm(&data, &MmrmOptions::default()).unwrap();
    let diff = fit
        .lsmean_difference(&[("arm", 1.0), ("arm_v3", 1.0)], &[], 0.95)
        .unwrap();
    let df = diff.df.unwrap();
    assert!((df - (n as f64 - 2.0)).abs() < 1e-4, "df {df}");
    // The estimate is the difference of the arm means at visit 3.
    let mean = |arm: usize| {
        let rows: Vec<f64> = (0..n)
            .filter(|i| i % 2 == arm)
            .map(|i| y[i * t + 2])
            .collect();
        rows.iter().sum::<f64>() / rows.len() as f64
    };
    assert!(close(diff.estimate, mean(1) - mean(0), 1e-9));
    // The t quantile for 18 df: qt(0.975, 18) = 2.10092204024096 (R 4.2.2).
    let half = (diff.upper - diff.lower) / 2.0;
    assert!(close(half / diff.se, 2.10092204024096, 1e-6));
    assert!(close(
        diff.p_value,
        crate::dist::t_two_sided(diff.statistic, n as f64 - 2.0),
        1e-6
    ));

    let (id, visit, y, x) = complete(n, t, false, 12);
    let data = MmrmData::new(&id, &visit, &y, &x).unwrap();
    let fit = mmrm(&data, &MmrmOptions::default()).unwrap();
    let c = fit
        .contrast_by_name(&[("(Intercept)", 1.0), ("v2", 1.0)], 0.9)
        .unwrap();
    assert!((c.df.unwrap() - (n as f64 - 1.0)).abs() < 1e-4);
}

/// The analytic gradient agrees with central differences of the REML
/// log-likelihood (intermittent data, arbitrary parameters).
#[test]
fn analytic_gradient_matches_differences() {
    let (id, visit, y, x) = small();
    let data = MmrmData::new(&id, &visit, &y, &x).unwrap();
    let p = data.names.len();
    let patterns = kernel::build_patterns(&data.subjects, &data.x, &data.y, p);
    let problem = Problem {
        t: 3,
        p,
        n_obs: data.n_obs(),
        patterns,
        scale: vec![1.5, 2.0, 2.5],
    };
    let theta = vec![0.1, 0.4, -0.2, 0.3, -0.5, 0.2];
    let ev = problem.eval(&theta, true).unwrap();
    for k in 0..theta.len() {
        let h = 1e-6;
        let mut up = theta.clone();
        up[k] += h;
        let mut down = theta.clone();
        down[k] -= h;
        let fd = (problem.eval(&up, false).unwrap().loglik
            - problem.eval(&down, false).unwrap().loglik)
            / (2.0 * h);
        assert!((fd - ev.grad[k]).abs() < 1e-6 * fd.abs().max(1.0), "{k}");
    }
    // And the gradient of a contrast variance.
    let c = [0.0, 1.0, 0.0, 1.0];
    let g = problem.contrast_variance_grad(&theta, &ev, &c);
    let psi = |th: &[f64]| {
        let e = problem.eval(th, false).unwrap();
        crate::linalg::dot(&c, &e.a_chol.solve(&c))
    };
    for k in 0..theta.len() {
        let h = 1e-6;
        let mut up = theta.clone();
        up[k] += h;
        let mut down = theta.clone();
        down[k] -= h;
        let fd = (psi(&up) - psi(&down)) / (2.0 * h);
        assert!((fd - g[k]).abs() < 1e-6 * fd.abs().max(1e-3), "{k}");
    }
}

#[test]
fn row_order_and_labels_do_not_matter() {
    let (id, visit, y, x) = small();
    let fit = mmrm(
        &MmrmData::new(&id, &visit, &y, &x).unwrap(),
        &MmrmOptions::default(),
    )
    .unwrap();
    // Reverse the rows and write visits as text.
    let rid: Vec<String> = id.iter().rev().map(|i| format!("S{i}")).collect();
    let rvisit: Vec<String> = visit
        .iter()
        .rev()
        .map(|v| format!("week{}", 4 * v))
        .collect();
    let ry: Vec<f64> = y.iter().rev().copied().collect();
    let rx: Vec<(String, Vec<f64>)> = x
        .iter()
        .map(|(n, c)| (n.clone(), c.iter().rev().copied().collect()))
        .collect();
    let rev = mmrm(
        &MmrmData::new(&rid, &rvisit, &ry, &rx).unwrap(),
        &MmrmOptions::default(),
    )
    .unwrap();
    for k in 0..4 {
        assert!((fit.coef[k] - rev.coef[k]).abs() < 1e-7 * fit.se[k]);
        assert!(close(fit.se[k], rev.se[k], 1e-7));
    }
    assert!(close(fit.loglik, rev.loglik, 1e-12));
    assert_eq!(rev.visits, ["week4", "week8", "week12"]);
}

#[test]
fn natural_order_of_visit_labels() {
    let mut labels = vec!["week12", "week4", "baseline", "week8", "v10", "v2"];
    labels.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(
        labels,
        ["baseline", "v2", "v10", "week4", "week8", "week12"]
    );
    let (id, _, y, x) = small();
    let visit: Vec<f64> = small()
        .1
        .iter()
        .map(|&v| 0.5 * f64::from(v) - 1.5)
        .collect();
    let data = MmrmData::new(&id, &visit, &y, &x).unwrap();
    assert_eq!(data.visits(), ["-1", "-0.5", "0"]);
}

#[test]
fn invalid_inputs_are_errors() {
    let (id, visit, y, x) = small();
    let opts = MmrmOptions::default();
    // Duplicate (subject, visit).
    let mut dup = visit.clone();
    dup[1] = 1;
    assert!(matches!(
        MmrmData::new(&id, &dup, &y, &x),
        Err(StatsError::Degenerate { .. })
    ));
    // Lengths.
    assert!(matches!(
        MmrmData::new(&id, &visit, &y[1..], &x),
        Err(StatsError::LengthMismatch { .. })
    ));
    let mut short = x.clone();
    short[1].1.pop();
    assert!(matches!(
        MmrmData::new(&id, &visit, &y, &short),
        Err(StatsError::LengthMismatch { .. })
    ));
    // NaN.
    let mut ny = y.clone();
    ny[4] = f64::NAN;
    assert!(matches!(
        MmrmData::new(&id, &visit, &ny, &x),
        Err(StatsError::NonFinite { index: 4, .. })
    ));
    let mut nx = x.clone();
    nx[0].1[2] = f64::INFINITY;
    assert!(matches!(
        MmrmData::new(&id, &visit, &y, &nx),
        Err(StatsError::NonFinite { index: 2, .. })
    ));
    // Singular design: a column repeated.
    let mut sx = x.clone();
    sx.push(("trt_again".into(), x[0].1.clone()));
    let data = MmrmData::new(&id, &visit, &y, &sx).unwrap();
    assert!(matches!(
        mmrm(&data, &opts),
        Err(StatsError::Singular { .. })
    ));
    // Too few subjects for three visits.
    let keep: Vec<usize> = (0..id.len()).filter(|&k| id[k] <= 3).collect();
    let pick = |v: &[f64]| keep.iter().map(|&k| v[k]).collect::<Vec<f64>>();
    let fx: Vec<(String, Vec<f64>)> = x.iter().map(|(n, c)| (n.clone(), pick(c))).collect();
    let fid: Vec<u32> = keep.iter().map(|&k| id[k]).collect();
    let fvisit: Vec<u32> = keep.iter().map(|&k| visit[k]).collect();
    assert!(matches!(
        MmrmData::new(&fid, &fvisit, &pick(&y), &fx),
        Err(StatsError::TooFew {
            needed: 4,
            found: 3,
            ..
        })
    ));
    // A visit observed by nobody.
    assert!(matches!(
        MmrmData::with_visit_levels(&id, &visit, &[1, 2, 3, 4], &y, &x),
        Err(StatsError::Degenerate { .. })
    ));
    // Empty.
    let none: [u32; 0] = [];
    let nocols: [(&str, Vec<f64>); 0] = [];
    assert!(matches!(
        MmrmData::new(&none, &none, &[], &nocols),
        Err(StatsError::Empty { .. })
    ));
    // Non-convergence is reported with its iterations.
    let data = MmrmData::new(&id, &visit, &y, &x).unwrap();
    assert!(matches!(
        mmrm(&data, &MmrmOptions::default().max_iterations(1)),
        Err(StatsError::NotConverged { iterations: 1, .. })
    ));
    assert!(matches!(
        mmrm(&data, &MmrmOptions::default().tolerance(0.0)),
        Err(StatsError::OutOfRange { .. })
    ));
    // Option names.
    assert_eq!(
        "UN".parse::<Covariance>().unwrap(),
        Covariance::Unstructured
    );
    assert_eq!("reml".parse::<Estimation>().unwrap(), Estimation::Reml);
    assert!(matches!(
        "ar1".parse::<Covariance>(),
        Err(StatsError::UnknownOption { .. })
    ));
    // Contrasts.
    let fit = mmrm(&data, &opts).unwrap();
    assert!(fit.contrast(&[1.0], 0.95).is_err());
    assert!(fit.contrast(&[0.0; 4], 0.95).is_err());
    assert!(fit.contrast(&[0.0, 1.0, 0.0, 0.0], 1.5).is_err());
    assert!(matches!(
        fit.contrast_by_name(&[("nope", 1.0)], 0.95),
        Err(StatsError::UnknownOption { .. })
    ));
}

/// Two visits never observed together leave their covariance unidentified.
#[test]
fn visits_never_together_are_an_error() {
    let id = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    let visit = [1, 2, 1, 2, 1, 3, 1, 3, 1, 3];
    let y = [1.0, 2.0, 1.5, 2.5, 0.5, 3.0, 1.0, 3.5, 2.0, 2.0];
    let none: [(&str, Vec<f64>); 0] = [];
    assert!(matches!(
        MmrmData::new(&id, &visit, &y, &none),
        Err(StatsError::Degenerate { .. })
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Random small data sets never panic; a fit has finite, positive
        /// standard errors, a positive-definite covariance, contrasts with
        /// p in [0, 1]; and swapping the arm coding only flips the arm
        /// coefficient's sign.
        #[test]
        fn random_data_never_panic(
            seed in any::<u64>(),
            n in 1usize..14,
            t in 1usize..5,
            drop in 0.0f64..0.4,
        ) {
            let mut rng = Lcg(seed);
            let (mut id, mut visit, mut y, mut arm) = (vec![], vec![], vec![], vec![]);
            for i in 0..n {
                for v in 0..t {
                    if v > 0 && rng.uniform() < drop {
                        continue;
                    }
                    id.push(i);
                    visit.push(v);
                    y.push(rng.normal() + v as f64);
                    arm.push(f64::from(u8::from(i % 2 == 0)));
                }
            }
            let x = vec![("arm", arm.clone())];
            let Ok(data) = MmrmData::new(&id, &visit, &y, &x) else {
                return Ok(());
            };
            let Ok(fit) = mmrm(&data, &MmrmOptions::default()) else {
                return Ok(());
            };
            prop_assert!(fit.loglik.is_finite());
            for s in &fit.se {
                prop_assert!(s.is_finite() && *s > 0.0);
            }
            let c = fit.contrast(&[0.0, 1.0], 0.95).unwrap();
            prop_assert!((0.0..=1.0).contains(&c.p_value));
            prop_assert!(c.lower <= c.estimate && c.estimate <= c.upper);

            let flipped: Vec<f64> = arm.iter().map(|a| 1.0 - a).collect();
            let data2 = MmrmData::new(&id, &visit, &y, &[("arm", flipped)]).unwrap();
            if let Ok(fit2) = mmrm(&data2, &MmrmOptions::default()) {
                if (fit2.loglik - fit.loglik).abs() < 1e-8 * fit.loglik.abs().max(1.0) {
                    prop_assert!((fit2.coef[1] + fit.coef[1]).abs() <= 1e-4 * fit.se[1]);
                }
            }
        }
    }
}
