use std::collections::HashMap;

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
const REL_ERR: f64 = 1.0 + 1e-7;

/// Fisher's exact test of independence for any r x c table.
///
/// For 2 x 2 tables it also gives the conditional maximum-likelihood
/// estimate of the odds ratio and its exact 95% confidence interval (from the
/// noncentral hypergeometric distribution), as R does. Larger tables are
/// summed with a network algorithm: columns are filled one at a time, the
/// state is the multiset of remaining row totals, and at each node the
/// largest and smallest probability any completion can reach decide whether
/// all completions count, none do, or the node must be expanded
/// (Mehta & Patel 1983).
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
    if table.total() > f64::from(u32::MAX) {
        return Err(StatsError::TooLarge {
            reason: format!(
                "Fisher's exact test on a table of {} observations; use the chi-square test",
                table.total()
            ),
        });
    }
    // Put the smaller dimension on the rows: the state is a row vector.
    let (r, c) = (table.rows(), table.cols());
    let transpose = r > c;
    let (rows, cols) = if transpose { (c, r) } else { (r, c) };
    let get = |i: usize, j: usize| {
        if transpose {
            cells[j * c + i]
        } else {
            cells[i * c + j]
        }
    };
    let row_sums: Vec<u32> = (0..rows)
        .map(|i| (0..cols).map(|j| get(i, j)).sum::<u64>() as u32)
        .collect();
    let col_sums: Vec<u32> = (0..cols)
        .map(|j| (0..rows).map(|i| get(i, j)).sum::<u64>() as u32)
        .collect();
    let n: u32 = row_sums.iter().sum();
    // log P(observed) = sum ln R! + sum ln C! - ln N! - sum ln n_ij!
    let log_const = row_sums.iter().map(|&x| lf(x)).sum::<f64>() - lf(n);
    let mut observed = log_const;
    for (j, &cj) in col_sums.iter().enumerate() {
        observed += lf(cj) - (0..rows).map(|i| lf(get(i, j) as u32)).sum::<f64>();
    }
    let p = Network::new(col_sums, log_const).p_value(row_sums, observed + REL_ERR.ln())?;
    Ok(FisherExact {
        p_value: p.min(1.0),
        odds_ratio: None,
        conf_int: None,
    })
}

fn lf(x: u32) -> f64 {
    ln_factorial(u64::from(x))
}

/// The column-by-column enumeration with bounds.
struct Network {
    /// Column totals, largest first (order does not change the sum).
    cols: Vec<u32>,
    log_const: f64,
    /// (column index, sorted remaining rows) -> (max, min) log of the rest.
    bounds: HashMap<(usize, Vec<u32>), (f64, f64)>,
    work: u64,
}

const MAX_WORK: u64 = 200_000_000;

impl Network {
    fn new(mut cols: Vec<u32>, log_const: f64) -> Self {
        cols.sort_unstable_by(|a, b| b.cmp(a));
        Network {
            cols,
            log_const,
            bounds: HashMap::new(),
            work: 0,
        }
    }

    /// Every way to fill a column of total `total` under row caps `rows`,
    /// calling `f(filling, log(total! / prod n_i!))`.
    fn fillings(rows: &[u32], total: u32, f: &mut impl FnMut(&[u32], f64)) {
        fn rec(
            rows: &[u32],
            i: usize,
            left: u32,
            cap_after: u32,
            cur: &mut Vec<u32>,
            acc: f64,
            f: &mut impl FnMut(&[u32], f64),
        ) {
            if i == rows.len() {
                if left == 0 {
                    f(cur, acc);
                }
                return;
            }
            let cap_rest = cap_after - rows[i];
            // n_i must leave at most cap_rest for the rows after i.
            let lo = left.saturating_sub(cap_rest);
            let hi = rows[i].min(left);
            for v in lo..=hi {
                cur.push(v);
                rec(rows, i + 1, left - v, cap_rest, cur, acc - lf(v), f);
                cur.pop();
            }
        }
        let cap: u32 = rows.iter().sum();
        let mut cur = Vec::with_capacity(rows.len());
        rec(rows, 0, total, cap, &mut cur, lf(total), f);
    }

    fn next_state(rows: &[u32], fill: &[u32]) -> Vec<u32> {
        let mut s: Vec<u32> = rows.iter().zip(fill).map(|(r, v)| r - v).collect();
        s.sort_unstable();
        s
    }

    /// Max and min over completions from column `j` of the log product of
    /// column factors.
    fn bound(&mut self, j: usize, rows: &[u32]) -> Result<(f64, f64), StatsError> {
        if j + 1 == self.cols.len() {
            // The last column is forced: it equals the remaining rows.
            let v = lf(self.cols[j]) - rows.iter().map(|&x| lf(x)).sum::<f64>();
            return Ok((v, v));
        }
        let key = (j, rows.to_vec());
        if let Some(&b) = self.bounds.get(&key) {
            return Ok(b);
        }
        let mut children = Vec::new();
        Self::fillings(rows, self.cols[j], &mut |fill, w| {
            children.push((Self::next_state(rows, fill), w))
        });
        self.work += children.len() as u64;
        if self.work > MAX_WORK {
            return Err(StatsError::TooLarge {
                reason: "Fisher's exact test on this table would take too long; use the chi-square test or simulation".into(),
            });
        }
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        for (state, w) in children {
            let (h, l) = self.bound(j + 1, &state)?;
            hi = hi.max(w + h);
            lo = lo.min(w + l);
        }
        self.bounds.insert(key, (hi, lo));
        Ok((hi, lo))
    }

    /// log of the sum over completions from column `j` of the column factors:
    /// sum over tables of prod_j C_j! / prod n_ij! = M! / prod R_i!  with M
    /// the remaining total (the multinomial identity).
    fn log_total(rows: &[u32]) -> f64 {
        let m: u32 = rows.iter().sum();
        lf(m) - rows.iter().map(|&x| lf(x)).sum::<f64>()
    }

    fn p_value(mut self, rows: Vec<u32>, threshold: f64) -> Result<f64, StatsError> {
        let mut rows = rows;
        rows.sort_unstable();
        // Pasts at each node: log of the product of the column factors so far,
        // with the number of paths that share it.
        let mut level: HashMap<Vec<u32>, Vec<(f64, f64)>> = HashMap::new();
        level.insert(rows, vec![(0.0, 1.0)]);
        let mut p = 0.0;
        for j in 0..self.cols.len() {
            let mut next: HashMap<Vec<u32>, Vec<(f64, f64)>> = HashMap::new();
            for (state, pasts) in level {
                let (hi, lo) = self.bound(j, &state)?;
                let total = Self::log_total(&state);
                let mut expand = Vec::new();
                for (past, count) in pasts {
                    let base = self.log_const + past;
                    if base + hi <= threshold {
                        p += count * (base + total).exp();
                    } else if base + lo > threshold {
                        // no completion is as extreme
                    } else {
                        expand.push((past, count));
                    }
                }
                if expand.is_empty() {
                    continue;
                }
                let mut children = Vec::new();
                Self::fillings(&state, self.cols[j], &mut |fill, w| {
                    children.push((Self::next_state(&state, fill), w))
                });
                self.work += (children.len() * expand.len()) as u64;
                if self.work > MAX_WORK {
                    return Err(StatsError::TooLarge {
                        reason: "Fisher's exact test on this table would take too long; use the chi-square test or simulation".into(),
                    });
                }
                for (child, w) in children {
                    let slot = next.entry(child).or_default();
                    for &(past, count) in &expand {
                        slot.push((past + w, count));
                    }
                }
            }
            // Merge equal pasts at each node (paths through the same node
            // with the same probability so far behave identically).
            for pasts in next.values_mut() {
                pasts.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pasts.len());
                for &(v, c) in pasts.iter() {
                    match merged.last_mut() {
                        Some(last) if (v - last.0).abs() <= 1e-12 * v.abs().max(1.0) => last.1 += c,
                        _ => merged.push((v, c)),
                    }
                }
                *pasts = merged;
            }
            level = next;
        }
        Ok(p)
    }
}

/// 2 x 2: hypergeometric p-value, conditional MLE and exact CI.
fn two_by_two(a: u64, b: u64, c: u64, d: u64) -> FisherExact {
    let nc = Noncentral::new(a, b, c, d);
    let x = a as i64;
    let d1 = nc.pmf(0.0);
    let obs = d1[(x - nc.lo) as usize];
    let p_value: f64 = d1
        .iter()
        .filter(|&&v| v <= obs * REL_ERR)
        .sum::<f64>()
        .min(1.0);
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

/// The noncentral hypergeometric distribution of the (1,1) cell given the
/// margins, parametrized by log odds ratio.
struct Noncentral {
    lo: i64,
    hi: i64,
    /// log dhyper over the support.
    logd: Vec<f64>,
}

impl Noncentral {
    fn new(a: u64, b: u64, c: u64, d: u64) -> Self {
        let m = (a + c) as i64; // column 1 total
        let n = (b + d) as i64; // column 2 total
        let k = (a + b) as i64; // row 1 total
        let lo = 0.max(k - n);
        let hi = k.min(m);
        let lchoose = |n: i64, r: i64| {
            ln_factorial(n as u64) - ln_factorial(r as u64) - ln_factorial((n - r) as u64)
        };
        let logd = (lo..=hi)
            .map(|x| lchoose(m, x) + lchoose(n, k - x) - lchoose(m + n, k))
            .collect();
        Noncentral { lo, hi, logd }
    }

    /// Probabilities over the support at log odds ratio `theta`.
    fn pmf(&self, theta: f64) -> Vec<f64> {
        let w: Vec<f64> = self
            .logd
            .iter()
            .enumerate()
            .map(|(i, l)| l + theta * (self.lo + i as i64) as f64)
            .collect();
        let max = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = w.iter().map(|v| (v - max).exp()).collect();
        let s: f64 = e.iter().sum();
        e.into_iter().map(|v| v / s).collect()
    }

    fn mean(&self, theta: f64) -> f64 {
        self.pmf(theta)
            .iter()
            .enumerate()
            .map(|(i, p)| p * (self.lo + i as i64) as f64)
            .sum()
    }

    fn lower_tail(&self, x: i64, theta: f64) -> f64 {
        self.pmf(theta)
            .iter()
            .take((x - self.lo + 1) as usize)
            .sum()
    }

    fn upper_tail(&self, x: i64, theta: f64) -> f64 {
        self.pmf(theta).iter().skip((x - self.lo) as usize).sum()
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
                if v <= obs + REL_ERR.ln() { want += v.exp(); }
            }}
            prop_assert!((got - want.min(1.0)).abs() < 1e-10, "{got} vs {want}");
        }
    }
}
