use statrs::function::factorial::ln_factorial;

use super::Table;
use crate::StatsError;

/// Fisher's exact test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct FisherExact {
    /// Two-sided p-value: the probability of the tables with the observed
    /// margins that are no more likely than the observed one.
    pub p_value: f64,
    /// 2 x 2 only: conditional maximum-likelihood odds ratio (`None` when
    /// infinite or the table is larger).
    pub odds_ratio: Option<f64>,
    /// 2 x 2 only: exact 95% confidence interval of the odds ratio (a limit
    /// is `None` when infinite).
    pub conf_int: Option<[Option<f64>; 2]>,
}

/// R's relative tolerance when comparing a table's probability with the
/// observed one: tables within it count as "as extreme".
pub(super) const REL_ERR: f64 = 1e-7;

/// Fisher's exact test of independence for any r x c table.
///
/// For 2 x 2 tables it also gives the conditional maximum-likelihood
/// estimate of the odds ratio and its exact 95% confidence interval (from the
/// noncentral hypergeometric distribution), as R does. Larger tables are
/// summed with a network algorithm (Mehta & Patel 1983; see the
/// `fisher_rxc` module: exact path bounds, decisions as partial tables are
/// made, a closed form for the last two columns, sums relative to the
/// observed table's probability).
///
/// # Errors
/// As [`Table::new`]; [`StatsError::OutOfRange`] for non-integer counts;
/// [`StatsError::TooLarge`] when the enumeration would exceed its work limit.
///
/// # References
/// Fisher (1935); Mehta & Patel (1983), JASA 78:427-434. Agrees with R 4.2.2
/// `stats::fisher.test` (p-value, conditional MLE and CI for 2 x 2).
///
/// # Example
/// ```
/// use rct_stats::contingency::{fisher_exact, Table};
/// let r = fisher_exact(&Table::new(&[vec![3.0, 1.0], vec![1.0, 3.0]])?)?;
/// assert!((r.p_value - 0.4857142857142858).abs() < 1e-12);
/// assert!((r.odds_ratio.unwrap() - 6.408319658199671).abs() < 1e-6);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn fisher_exact(table: &Table) -> Result<FisherExact, StatsError> {
    let cells = table.integer_cells()?;
    if table.rows() == 2 && table.cols() == 2 {
        return Ok(two_by_two(cells[0], cells[1], cells[2], cells[3]));
    }
    let counts: Vec<Vec<u64>> = (0..table.rows())
        .map(|i| cells[i * table.cols()..(i + 1) * table.cols()].to_vec())
        .collect();
    let p = super::fisher_rxc::p_value(&counts, RXC_WORK_LIMIT)?;
    Ok(FisherExact {
        p_value: p.min(1.0),
        odds_ratio: None,
        conf_int: None,
    })
}

/// Work limit of the r x c network (partial tables), about 5 s.
const RXC_WORK_LIMIT: u64 = 50_000_000;

/// 2 x 2: hypergeometric p-value, conditional MLE and exact CI.
fn two_by_two(a: u64, b: u64, c: u64, d: u64) -> FisherExact {
    let nc = Noncentral::new(a, b, c, d);
    let x = a as i64;
    let p_value = nc.p_value(x);
    let alpha = 0.025;
    let lower = if x == nc.lo {
        Some(0.0)
    } else {
        Some(nc.root(|t| nc.upper_tail(x, t) - alpha))
    };
    let upper = if x == nc.hi {
        None
    } else {
        Some(nc.root(|t| nc.lower_tail(x, t) - alpha))
    };
    let odds_ratio = if x == nc.lo {
        Some(0.0)
    } else if x == nc.hi {
        None
    } else {
        Some(nc.root(|t| nc.mean(t) - x as f64))
    };
    FisherExact {
        p_value,
        odds_ratio,
        conf_int: Some([lower, upper]),
    }
}

/// Terms below the largest by more than this (in log) are negligible.
const NEGLIGIBLE: f64 = 40.0;

/// The noncentral hypergeometric distribution of the (1,1) cell given the
/// margins, parametrized by log odds ratio. Its log weights are concave in
/// x, so each evaluation finds the mode by bisection and sums only the
/// terms within `NEGLIGIBLE` of it: O(log n + spread) rather than O(n).
struct Noncentral {
    lo: i64,
    hi: i64,
    /// log dhyper over the support.
    logd: Vec<f64>,
}

impl Noncentral {
    fn new(a: u64, b: u64, c: u64, d: u64) -> Self {
        let m = (a + c) as f64; // column 1 total
        let n = (b + d) as f64; // column 2 total
        let k = (a + b) as f64; // row 1 total
        let lo = 0.max((a + b) as i64 - (b + d) as i64);
        let hi = ((a + b) as i64).min((a + c) as i64);
        let lchoose = |n: f64, r: f64| {
            ln_factorial(n as u64) - ln_factorial(r as u64) - ln_factorial((n - r) as u64)
        };
        // Anchor at the mode with exact log-binomials, then walk outwards
        // with the ratio d(x+1)/d(x) = (m - x)(k - x) / ((x + 1)(n - k + x + 1)).
        let mode = (((k + 1.0) * (m + 1.0) / (m + n + 2.0)).floor() as i64).clamp(lo, hi);
        let len = (hi - lo + 1) as usize;
        let mut logd = vec![0.0; len];
        let at = |x: i64| (x - lo) as usize;
        let mf = mode as f64;
        logd[at(mode)] = lchoose(m, mf) + lchoose(n, k - mf) - lchoose(m + n, k);
        for x in mode..hi {
            let xf = x as f64;
            logd[at(x + 1)] =
                logd[at(x)] + ((m - xf) * (k - xf) / ((xf + 1.0) * (n - k + xf + 1.0))).ln();
        }
        for x in (lo + 1..=mode).rev() {
            let xf = (x - 1) as f64;
            logd[at(x - 1)] =
                logd[at(x)] - ((m - xf) * (k - xf) / ((xf + 1.0) * (n - k + xf + 1.0))).ln();
        }
        Noncentral { lo, hi, logd }
    }

    fn weight(&self, i: usize, theta: f64) -> f64 {
        self.logd[i] + theta * (self.lo + i as i64) as f64
    }

    /// Index of the largest weight at `theta` (weights are log-concave).
    fn mode(&self, theta: f64) -> usize {
        let (mut a, mut b) = (0usize, self.logd.len() - 1);
        while a < b {
            let mid = a + (b - a) / 2;
            if self.weight(mid + 1, theta) > self.weight(mid, theta) {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        a
    }

    /// The significant index range and the normalizing sum at `theta`.
    fn window(&self, theta: f64) -> (usize, usize, f64, f64) {
        let m = self.mode(theta);
        let top = self.weight(m, theta);
        let mut a = m;
        while a > 0 && self.weight(a - 1, theta) > top - NEGLIGIBLE {
            a -= 1;
        }
        let mut b = m;
        while b + 1 < self.logd.len() && self.weight(b + 1, theta) > top - NEGLIGIBLE {
            b += 1;
        }
        let total: f64 = (a..=b).map(|i| (self.weight(i, theta) - top).exp()).sum();
        (a, b, top, total)
    }

    fn mean(&self, theta: f64) -> f64 {
        let (a, b, top, total) = self.window(theta);
        (a..=b)
            .map(|i| (self.weight(i, theta) - top).exp() * (self.lo + i as i64) as f64)
            .sum::<f64>()
            / total
    }

    fn lower_tail(&self, x: i64, theta: f64) -> f64 {
        let (a, b, top, total) = self.window(theta);
        let end = ((x - self.lo) as usize).min(b);
        if end < a {
            return 0.0;
        }
        (a..=end)
            .map(|i| (self.weight(i, theta) - top).exp())
            .sum::<f64>()
            / total
    }

    fn upper_tail(&self, x: i64, theta: f64) -> f64 {
        let (a, b, top, total) = self.window(theta);
        let start = ((x - self.lo) as usize).max(a);
        if start > b {
            return 0.0;
        }
        (start..=b)
            .map(|i| (self.weight(i, theta) - top).exp())
            .sum::<f64>()
            / total
    }

    /// Two-sided p-value at odds ratio 1: the total probability of the
    /// values no more likely than the observed one (R's relative tolerance).
    /// The weights are unimodal, so those values form two tails; each tail is
    /// summed from its inner edge outwards until the terms no longer matter.
    fn p_value(&self, x: i64) -> f64 {
        let len = self.logd.len();
        let m = self.mode(0.0);
        let top = self.logd[m];
        let obs = self.logd[(x - self.lo) as usize] + REL_ERR.ln_1p();
        let (_, _, _, total) = self.window(0.0);
        // Left tail: indices below the mode with logd <= obs.
        let mut sum = 0.0;
        let left_edge = (0..m).rev().find(|&i| self.logd[i] <= obs);
        if let Some(e) = left_edge {
            for i in (0..=e).rev() {
                let t = (self.logd[i] - top).exp();
                sum += t;
                if t < sum * 1e-18 {
                    break;
                }
            }
        }
        let right_edge = (m..len).find(|&i| self.logd[i] <= obs);
        if let Some(e) = right_edge {
            let mut part = 0.0;
            for i in e..len {
                let t = (self.logd[i] - top).exp();
                part += t;
                if t < part * 1e-18 {
                    break;
                }
            }
            sum += part;
        }
        (sum / total).min(1.0)
    }

    /// The odds ratio where the monotone function `f` of log odds ratio
    /// crosses zero, found by bisection on the log scale to full precision.
    fn root(&self, f: impl Fn(f64) -> f64) -> f64 {
        let (mut a, mut b) = (-1.0, 1.0);
        let (mut fa, mut fb) = (f(a), f(b));
        let mut widen = 0;
        while fa.signum() == fb.signum() && widen < 60 {
            a *= 2.0;
            b *= 2.0;
            fa = f(a);
            fb = f(b);
            widen += 1;
        }
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            let fm = f(m);
            if fm == 0.0 {
                return m.exp();
            }
            if fm.signum() == fa.signum() {
                a = m;
                fa = fm;
            } else {
                b = m;
            }
            if (b - a).abs() < 1e-15 * (1.0 + a.abs()) {
                break;
            }
        }
        (0.5 * (a + b)).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lf(x: u32) -> f64 {
        ln_factorial(u64::from(x))
    }

    fn table(rows: &[&[f64]]) -> Table {
        Table::new(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    /// Source: R 4.2.2 `fisher.test(matrix(c(2,22,0,24,5,19), 3, byrow = TRUE))$p.value`
    /// = 0.06164290395578303 (validation case 3x2_ae_by_arm); transposing the
    /// table must not change it.
    #[test]
    fn transpose_invariant() {
        let a = fisher_exact(&table(&[&[2.0, 22.0], &[0.0, 24.0], &[5.0, 19.0]])).unwrap();
        let b = fisher_exact(&table(&[&[2.0, 0.0, 5.0], &[22.0, 24.0, 19.0]])).unwrap();
        assert!((a.p_value - 0.06164290395578303).abs() < 1e-12);
        assert!((a.p_value - b.p_value).abs() < 1e-12);
    }

    proptest! {
        /// A 2 x 3 table's p-value by the network equals brute-force enumeration.
        #[test]
        fn network_matches_brute_force(cells in prop::collection::vec(0u32..6, 6)) {
            let rows = vec![cells[..3].iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
                            cells[3..].iter().map(|&v| f64::from(v)).collect::<Vec<_>>()];
            let Ok(t) = Table::new(&rows) else { return Ok(()); };
            let got = fisher_exact(&t).unwrap().p_value;
            // brute force over the first row given margins
            let r0: u32 = cells[..3].iter().sum();
            let cs: Vec<u32> = (0..3).map(|j| cells[j] + cells[3 + j]).collect();
            let n: u32 = cs.iter().sum();
            let lp = |x: [u32; 3]| -> f64 {
                let y = [cs[0] - x[0], cs[1] - x[1], cs[2] - x[2]];
                lf(r0) + lf(n - r0) + cs.iter().map(|&c| lf(c)).sum::<f64>() - lf(n)
                    - x.iter().chain(&y).map(|&v| lf(v)).sum::<f64>()
            };
            let obs = lp([cells[0], cells[1], cells[2]]);
            let mut want = 0.0;
            for a in 0..=cs[0] { for b in 0..=cs[1] {
                if a + b > r0 { continue; }
                let c = r0 - a - b;
                if c > cs[2] { continue; }
                let v = lp([a, b, c]);
                if v <= obs + REL_ERR.ln_1p() { want += v.exp(); }
            }}
            prop_assert!((got - want.min(1.0)).abs() < 1e-10, "{got} vs {want}");
        }
    }
}
