//! Distribution tails used by the tests.
//!
//! Upper tails are computed directly (`erfc`, the upper regularized incomplete
//! gamma, the regularized incomplete beta with swapped arguments), never as
//! `1 - cdf`, so p-values stay accurate far into the tail (down to about
//! 1e-300 where the statistic supports it).

mod tukey;

pub use tukey::studentized_range_sf;

use statrs::function::{beta, erf, gamma};

/// Standard normal lower tail `P(Z <= z)`.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal upper tail `P(Z > z)`, accurate for large `z`.
///
/// `erfc` comes from the `libm` crate (a port of FreeBSD's msun, within an
/// ulp or two): statrs 0.18's `erfc` is off by up to about 1e-10 relative for
/// arguments between 0.5 and 3 (erfc(0.5) = 0.479500122236 against the true
/// 0.479500122187), which would leak into every z-test p-value.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// Two-sided normal p-value `P(|Z| >= |z|)`.
pub fn normal_two_sided(z: f64) -> f64 {
    (2.0 * normal_sf(z.abs())).min(1.0)
}

/// Standard normal quantile: the `z` with `P(Z <= z) = p`, for `p` in (0, 1).
pub fn normal_quantile(p: f64) -> f64 {
    // Phi^-1(p) = -sqrt(2) erfc^-1(2p); erfc_inv keeps full relative accuracy
    // for small p, which the upper quantile 1 - alpha/2 of a tiny alpha needs.
    -std::f64::consts::SQRT_2 * erf::erfc_inv(2.0 * p)
}

/// Standard normal upper quantile: the `z` with `P(Z > z) = p`.
pub fn normal_upper_quantile(p: f64) -> f64 {
    std::f64::consts::SQRT_2 * erf::erfc_inv(2.0 * p)
}

/// Chi-square upper tail `P(X > x)` with `df` degrees of freedom (df > 0).
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    gamma::gamma_ur(df / 2.0, x / 2.0)
}

/// Student t upper tail `P(T > t)` with `df` degrees of freedom.
pub fn t_sf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 0.0 } else { 1.0 };
    }
    if df.is_infinite() {
        return normal_sf(t);
    }
    // P(|T| > |t|) = I_{df / (df + t^2)}(df/2, 1/2)
    let x = df / (df + t * t);
    let two_sided = beta::beta_reg(df / 2.0, 0.5, x);
    if t > 0.0 {
        0.5 * two_sided
    } else {
        1.0 - 0.5 * two_sided
    }
}

/// Two-sided Student t p-value `P(|T| >= |t|)`.
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    (2.0 * t_sf(t.abs(), df)).min(1.0)
}

/// F upper tail `P(F > f)` with `df1`, `df2` degrees of freedom.
pub fn f_sf(f: f64, df1: f64, df2: f64) -> f64 {
    if f.is_nan() || df1.is_nan() || df2.is_nan() || df1 <= 0.0 || df2 <= 0.0 {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    if f.is_infinite() {
        return 0.0;
    }
    if df2.is_infinite() {
        return chi_square_sf(f * df1, df1);
    }
    // P(F > f) = I_{df2 / (df2 + df1 f)}(df2/2, df1/2)
    let x = df2 / (df2 + df1 * f);
    beta::beta_reg(df2 / 2.0, df1 / 2.0, x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Source: scipy 1.x `norm.sf(37)` = 5.7255712225239266e-300.
    #[test]
    fn normal_far_tail_keeps_relative_accuracy() {
        let got = normal_sf(37.0);
        assert!((got / 5.725571222524e-300 - 1.0).abs() < 1e-9, "{got}");
    }

    /// Source: scipy 1.x `chi2.sf(1400, 2)` = exp(-700) = 9.85967654375939e-305.
    #[test]
    fn chi_square_far_tail() {
        let got = chi_square_sf(1400.0, 2.0);
        assert!((got / 9.85967654375939e-305 - 1.0).abs() < 1e-9, "{got}");
    }

    /// Source: scipy 1.x `t.sf(2.5, 10)` = 0.01572342211830441, `f.sf(3, 2, 20)` = 0.07253815028640571.
    #[test]
    fn t_and_f_tails() {
        assert!((t_sf(2.5, 10.0) / 0.015_723_422_118_304_41 - 1.0).abs() < 1e-12);
        assert!((f_sf(3.0, 2.0, 20.0) / 0.072_538_150_286_405_71 - 1.0).abs() < 1e-12);
    }

    /// Source: Python 3.11 `math.erfc(0.5)` = 0.4795001221869535 and
    /// `math.erfc(2.0)` = 0.004677734981047265 (C libm, correctly rounded here).
    #[test]
    fn normal_tails_are_accurate_in_the_middle() {
        let sqrt2 = std::f64::consts::SQRT_2;
        assert!((normal_sf(0.5 * sqrt2) / (0.5 * 0.4795001221869535) - 1.0).abs() < 1e-15);
        assert!((normal_sf(2.0 * sqrt2) / (0.5 * 0.004677734981047265) - 1.0).abs() < 1e-15);
    }

    /// Source: R 4.2.2 `qnorm(0.975)` = 1.959963984540054.
    #[test]
    fn normal_quantile_matches_r() {
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-13);
        assert!((normal_upper_quantile(0.025) - 1.959_963_984_540_054).abs() < 1e-13);
    }
}
