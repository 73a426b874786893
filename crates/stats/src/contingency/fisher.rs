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
    if rows > MAX_ROWS || n > (1 << 20) || row_sums.iter().any(|&x| u128::from(x) > ROW_MASK) {
        return Err(too_large());
    }
    let p =
        Network::new(col_sums, rows, log_const, n).p_value(row_sums, observed + REL_ERR.ln())?;
    Ok(FisherExact {
        p_value: p.min(1.0),
        odds_ratio: None,
        conf_int: None,
    })
}

fn lf(x: u32) -> f64 {
    ln_factorial(u64::from(x))
}

/// A multiset of remaining row totals, sorted ascending, 16 bits a row.
type State = u128;

const ROW_BITS: u32 = 16;
const ROW_MASK: u128 = (1 << ROW_BITS) - 1;

fn encode(rows: &mut [u32]) -> State {
    // Insertion sort: states have a handful of rows, and the general slice
    // sort's setup dominated the run time.
    for i in 1..rows.len() {
        let mut j = i;
        while j > 0 && rows[j - 1] > rows[j] {
            rows.swap(j - 1, j);
            j -= 1;
        }
    }
    rows.iter()
        .rev()
        .fold(0, |acc, &r| (acc << ROW_BITS) | u128::from(r))
}

fn decode(state: State, n: usize, out: &mut Vec<u32>) {
    out.clear();
    out.extend((0..n).map(|i| ((state >> (ROW_BITS * i as u32)) & ROW_MASK) as u32));
}

/// A fast hasher for the integer states (the default SipHash dominates the
/// run time of small tables).
#[derive(Default, Clone, Copy)]
struct StateHasher(u64);

impl std::hash::Hasher for StateHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type Fast = std::hash::BuildHasherDefault<StateHasher>;

/// The column-by-column enumeration with bounds.
struct Network {
    /// Column totals, largest first (order does not change the sum).
    cols: Vec<u32>,
    nrows: usize,
    log_const: f64,
    /// ln k! for k = 0..=N, looked up in the inner loops.
    lf: Vec<f64>,
    /// (column index, state) -> (max, min) log of the rest.
    bounds: HashMap<(usize, State), (f64, f64), Fast>,
    work: u64,
}

const MAX_WORK: u64 = 400_000_000;
const MAX_ROWS: usize = 8;

fn too_large() -> StatsError {
    StatsError::TooLarge {
        reason: "Fisher's exact test on this table would take too long; use the chi-square test or simulation".into(),
    }
}

/// One filling of a column: what is left in each row after it, the log of
/// its column factor `C! / prod n_i!`, and `-sum ln(left_i)!` (the last
/// column's factor but for its `C!`, used when only two columns remain).
struct Filling<'a> {
    left: &'a [u32],
    weight: f64,
    last: f64,
}

impl Network {
    fn new(mut cols: Vec<u32>, nrows: usize, log_const: f64, n: u32) -> Self {
        cols.sort_unstable_by(|a, b| b.cmp(a));
        let mut lf = Vec::with_capacity(n as usize + 1);
        let mut acc = 0.0;
        lf.push(0.0);
        for k in 1..=n {
            acc += f64::from(k).ln();
            lf.push(acc);
        }
        // Exact values where the running sum could drift.
        for (k, v) in lf.iter_mut().enumerate().step_by(64) {
            *v = ln_factorial(k as u64);
        }
        Network {
            cols,
            nrows,
            log_const,
            lf,
            bounds: HashMap::default(),
            work: 0,
        }
    }

    fn lf(&self, k: u32) -> f64 {
        self.lf[k as usize]
    }

    /// Calls `f` for every way to fill a column of total `total` under the
    /// row caps `rows`.
    fn fillings(&self, rows: &[u32], total: u32, f: &mut impl FnMut(&Filling<'_>)) {
        struct Walk<'n> {
            net: &'n Network,
            rows: &'n [u32],
            left: [u32; MAX_ROWS],
        }
        fn rec(
            w: &mut Walk<'_>,
            i: usize,
            remaining: u32,
            cap_after: u32,
            acc: f64,
            last: f64,
            f: &mut impl FnMut(&Filling<'_>),
        ) {
            let r = w.rows.len();
            if i + 1 == r {
                // The last row takes what is left, if it fits.
                let v = remaining;
                if v <= w.rows[i] {
                    w.left[i] = w.rows[i] - v;
                    let fill = Filling {
                        left: &w.left[..r],
                        weight: acc - w.net.lf(v),
                        last: last - w.net.lf(w.left[i]),
                    };
                    f(&fill);
                }
                return;
            }
            let cap_rest = cap_after - w.rows[i];
            let lo = remaining.saturating_sub(cap_rest);
            let hi = w.rows[i].min(remaining);
            for v in lo..=hi {
                let l = w.rows[i] - v;
                w.left[i] = l;
                rec(
                    w,
                    i + 1,
                    remaining - v,
                    cap_rest,
                    acc - w.net.lf(v),
                    last - w.net.lf(l),
                    f,
                );
            }
        }
        let cap: u32 = rows.iter().sum();
        let mut walk = Walk {
            net: self,
            rows,
            left: [0; MAX_ROWS],
        };
        rec(&mut walk, 0, total, cap, self.lf(total), 0.0, f);
    }

    fn child(left: &[u32]) -> State {
        let mut a = [0u32; MAX_ROWS];
        let a = &mut a[..left.len()];
        a.copy_from_slice(left);
        encode(a)
    }

    /// Max and min over completions from column `j` of the log product of
    /// column factors. With two columns left the max is exact (a separable
    /// concave allocation, solved greedily) and the min is the sum of the
    /// rows' separate minima (a valid, cheaper lower bound); before that the
    /// bounds come from the children's.
    fn bound(&mut self, j: usize, state: State) -> Result<(f64, f64), StatsError> {
        if let Some(&b) = self.bounds.get(&(j, state)) {
            return Ok(b);
        }
        let mut buf = Vec::with_capacity(self.nrows);
        decode(state, self.nrows, &mut buf);
        let ncols = self.cols.len();
        let b = if j + 1 == ncols {
            let v = self.lf(self.cols[j]) - buf.iter().map(|&x| self.lf(x)).sum::<f64>();
            (v, v)
        } else if j + 2 == ncols {
            self.last_pair_bounds(&buf, self.cols[j], self.cols[j + 1])
        } else {
            let mut children: Vec<(State, f64)> = Vec::new();
            self.fillings(&buf, self.cols[j], &mut |f| {
                children.push((Self::child(f.left), f.weight))
            });
            self.work += children.len() as u64;
            if self.work > MAX_WORK {
                return Err(too_large());
            }
            let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
            for (child, w) in children {
                let (h, l) = self.bound(j + 1, child)?;
                hi = hi.max(w + h);
                lo = lo.min(w + l);
            }
            (hi, lo)
        };
        self.bounds.insert((j, state), b);
        Ok(b)
    }

    /// Bounds of `ln C1! + ln C2! - sum_i [ln v_i! + ln (s_i - v_i)!]` over
    /// `sum v_i = C1`, `0 <= v_i <= s_i`.
    fn last_pair_bounds(&self, s: &[u32], c1: u32, c2: u32) -> (f64, f64) {
        let g = |i: usize, v: u32| -(self.lf(v) + self.lf(s[i] - v));
        // Max: each g_i is concave, so adding units one at a time to the row
        // with the largest marginal gain is optimal. Start from the
        // proportional allocation rounded down, then fill the rest greedily.
        let total: u32 = s.iter().sum();
        let mut v: Vec<u32> = s
            .iter()
            .map(|&si| ((u64::from(si) * u64::from(c1)) / u64::from(total.max(1))) as u32)
            .collect();
        let mut placed: u32 = v.iter().sum();
        while placed < c1 {
            let mut best = None;
            for i in 0..s.len() {
                if v[i] < s[i] {
                    let gain = g(i, v[i] + 1) - g(i, v[i]);
                    if best.is_none_or(|(_, b)| gain > b) {
                        best = Some((i, gain));
                    }
                }
            }
            match best {
                Some((i, _)) => v[i] += 1,
                None => break,
            }
            placed += 1;
        }
        let base = self.lf(c1) + self.lf(c2);
        let hi = base + (0..s.len()).map(|i| g(i, v[i])).sum::<f64>();
        // Min: each g_i is smallest at an end of its feasible range.
        let lo = base
            + (0..s.len())
                .map(|i| {
                    let others: u32 = total - s[i];
                    let lo_v = c1.saturating_sub(others);
                    let hi_v = s[i].min(c1);
                    g(i, lo_v).min(g(i, hi_v))
                })
                .sum::<f64>();
        (hi, lo.min(hi))
    }

    /// log of the sum over completions of the column factors: the
    /// multinomial identity gives M! / prod R_i! with M the remaining total.
    fn log_total(&self, buf: &[u32]) -> f64 {
        let m: u32 = buf.iter().sum();
        self.lf(m) - buf.iter().map(|&x| self.lf(x)).sum::<f64>()
    }

    fn p_value(mut self, mut rows: Vec<u32>, threshold: f64) -> Result<f64, StatsError> {
        let ncols = self.cols.len();
        let mut buf = Vec::new();
        // Pasts at each node: log of the product of the column factors so far,
        // with the number of paths that share it.
        let mut level: HashMap<State, Vec<(f64, f64)>, Fast> = HashMap::default();
        level.insert(encode(&mut rows), vec![(0.0, 1.0)]);
        let mut p = 0.0;
        let mut done: Vec<f64> = Vec::new();
        let mut prefix: Vec<f64> = Vec::new();
        for j in 0..ncols - 1 {
            let last_pair = j + 2 == ncols;
            let mut next: HashMap<State, Vec<(f64, f64)>, Fast> = HashMap::default();
            for (state, pasts) in level {
                let (hi, lo) = self.bound(j, state)?;
                decode(state, self.nrows, &mut buf);
                let total = self.log_total(&buf);
                let mut expand = Vec::new();
                for (past, count) in pasts {
                    let base = self.log_const + past;
                    if base + hi <= threshold {
                        p += count * (base + total).exp();
                    } else if base + lo <= threshold {
                        expand.push((past, count));
                    }
                }
                if expand.is_empty() {
                    continue;
                }
                if last_pair {
                    // Every filling of this column fixes the last one, so
                    // sort the completions once and answer each past by
                    // binary search on prefix sums.
                    done.clear();
                    let cols_last = self.lf(self.cols[ncols - 1]);
                    self.fillings(&buf, self.cols[j], &mut |f| {
                        done.push(f.weight + cols_last + f.last)
                    });
                    self.work += done.len() as u64;
                    if self.work > MAX_WORK {
                        return Err(too_large());
                    }
                    done.sort_unstable_by(f64::total_cmp);
                    let top = done.last().copied().unwrap_or(0.0);
                    prefix.clear();
                    prefix.push(0.0);
                    let mut acc = 0.0;
                    for &f in &done {
                        acc += (f - top).exp();
                        prefix.push(acc);
                    }
                    for (past, count) in expand {
                        let base = self.log_const + past;
                        let cut = done.partition_point(|&f| base + f <= threshold);
                        p += count * (base + top).exp() * prefix[cut];
                    }
                    continue;
                }
                let mut children: Vec<(State, f64)> = Vec::new();
                self.fillings(&buf, self.cols[j], &mut |f| {
                    children.push((Self::child(f.left), f.weight))
                });
                self.work += (children.len() * expand.len()) as u64;
                if self.work > MAX_WORK {
                    return Err(too_large());
                }
                for (child, w) in children {
                    let slot = next.entry(child).or_default();
                    slot.extend(expand.iter().map(|&(past, count)| (past + w, count)));
                }
            }
            // Merge equal pasts at each node (paths through the same node
            // with the same probability so far behave identically). Before
            // the last pair it does not pay: each past there costs one
            // binary search.
            let merge = j + 3 != ncols;
            for pasts in next.values_mut().filter(|_| merge) {
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
        let obs = self.logd[(x - self.lo) as usize] + REL_ERR.ln();
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
