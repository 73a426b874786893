//! The studentized range distribution with infinite degrees of freedom (the
//! range of k independent standard normals), for Nemenyi's tests.
//!
//! Written here because statrs has none and R's `ptukey` (Copenhaver &
//! Holland 1988) is accurate to about 1e-8 absolute only, with no relative
//! accuracy in the upper tail.

use super::normal_cdf;

/// `P(Q > q)` for the range Q of `k` independent standard normal variables.
///
/// P(Q <= q) = k int phi(z) [Phi(z) - Phi(z - q)]^(k-1) dz, and since
/// k int phi(z) Phi(z)^(k-1) dz = 1, the upper tail is
/// k int phi(z) [a^(k-1) - (a - c)^(k-1)] dz with a = Phi(z), c = Phi(z - q).
/// The difference is expanded as c sum_i a^i (a - c)^(k-2-i), a sum of
/// positive terms, so the tail keeps its relative accuracy far out. The
/// integral runs over [-9, q + 9] in panels of width 1/4 with 16-point
/// Gauss-Legendre quadrature.
///
/// Returns 1 for q <= 0 and NaN for k < 2.
pub fn studentized_range_sf(q: f64, k: usize) -> f64 {
    if k < 2 || q.is_nan() {
        return f64::NAN;
    }
    if q <= 0.0 {
        return 1.0;
    }
    if q.is_infinite() {
        return 0.0;
    }
    let m = k - 1;
    let integrand = |z: f64| -> f64 {
        let a = normal_cdf(z);
        let c = normal_cdf(z - q);
        let b = (a - c).max(0.0);
        // a^m - b^m = c * sum_{i=0}^{m-1} a^i b^(m-1-i)
        let mut sum = 0.0;
        let mut ai = 1.0;
        for i in 0..m {
            sum += ai * b.powi((m - 1 - i) as i32);
            ai *= a;
        }
        let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        phi * c * sum
    };
    let (lo, hi) = (-9.0, q + 9.0);
    let panels = ((hi - lo) / 0.25).ceil() as usize;
    let width = (hi - lo) / panels as f64;
    let mut total = 0.0;
    for p in 0..panels {
        let a = lo + p as f64 * width;
        let mid = a + 0.5 * width;
        let half = 0.5 * width;
        let mut s = 0.0;
        for (x, w) in GL16 {
            s += w * (integrand(mid - half * x) + integrand(mid + half * x));
        }
        total += half * s;
    }
    (k as f64 * total).clamp(0.0, 1.0)
}

/// 16-point Gauss-Legendre nodes (positive half) and weights.
const GL16: [(f64, f64); 8] = [
    (0.095_012_509_837_637_44, 0.189_450_610_455_068_5),
    (0.281_603_550_779_258_9, 0.182_603_415_044_923_6),
    (0.458_016_777_657_227_4, 0.169_156_519_395_002_5),
    (0.617_876_244_402_643_7, 0.149_595_988_816_576_7),
    (0.755_404_408_355_003, 0.124_628_971_255_533_9),
    (0.865_631_202_387_831_7, 0.095_158_511_682_492_78),
    (0.944_575_023_073_232_6, 0.062_253_523_938_647_89),
    (0.989_400_934_991_649_9, 0.027_152_459_411_754_09),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// With k = 2 the range is |Z1 - Z2| ~ sqrt(2) |N(0, 1)|, so
    /// P(Q > q) = 2 (1 - Phi(q / sqrt 2)) exactly.
    #[test]
    fn two_groups_is_a_folded_normal() {
        for q in [0.1, 1.0, 2.77, 6.0, 20.0] {
            let want = 2.0 * crate::dist::normal_sf(q / std::f64::consts::SQRT_2);
            let got = studentized_range_sf(q, 2);
            assert!((got / want - 1.0).abs() < 1e-9, "q = {q}: {got} vs {want}");
        }
    }

    /// Source: R 4.2.2 `ptukey(3.314, 3, Inf, lower.tail = FALSE)` = 0.05 (the
    /// tabled 5% critical value of the range of 3 normals is 3.314).
    #[test]
    fn three_groups_critical_value() {
        assert!((studentized_range_sf(3.314, 3) - 0.05).abs() < 1e-4);
    }
}
