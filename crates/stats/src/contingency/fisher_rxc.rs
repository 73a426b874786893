//! Exact p-value of Fisher's test for an r x c table: a network algorithm.
//!
//! # The network
//!
//! Given the margins, a table has probability
//! `P(T) = K exp(L(T))` with the constant `K = prod R_i! prod C_j! / N!` and
//! `L(T) = -sum_ij ln x_ij!`. Filling the table one column at a time, the
//! state after `k` columns is the vector of row totals still to be filled;
//! because rows are exchangeable for everything that follows, the state is
//! kept sorted (a multiset), which merges many partial tables into one node
//! (Mehta & Patel 1983). The last column is determined by the state.
//!
//! A partial table reaching a node carries its "past" `L_past`; its
//! completions carry a "future" `L_future`. Two facts about the future of
//! a node `s` at stage `k`, both exact:
//!
//! - the total `sum exp(L_future)` over all completions has the closed form
//!   `n_k! / (prod s_i! prod_{j >= k} C_j!)` (the multivariate hypergeometric
//!   probabilities of the sub-table sum to one);
//! - the largest and smallest `L_future` (the longest and shortest paths
//!   through the rest of the network) come from a memoised recursion over
//!   the same network, which ends in a closed form for the last two columns
//!   (see `two_column_bounds`).
//!
//! So a partial table whose `L_past + max L_future` is at most the observed
//! `L_obs` (plus R's relative tolerance 1e-7) contributes all its completions
//! at once; one whose `L_past + min L_future` exceeds it contributes nothing;
//! only the rest is kept for the next stage. The decision is taken as soon
//! as a partial table is created, so decided ones are never stored. Partial
//! tables that reach the same node with the same past (to 2^-32 in `L`) are
//! merged with a multiplicity. At the last free column each node's pasts are sorted, so
//! every filling of that column adds a prefix of them through one binary
//! search and a cumulative log-sum-exp.
//!
//! All sums are kept relative to `exp(L_obs)`, so the p-value keeps its
//! relative accuracy however small it is.
//!
//! # References
//! Mehta, C. R. & Patel, N. R. (1983). A network algorithm for performing
//! Fisher's exact test in r x c contingency tables. JASA 78, 427-434.
//! Mehta & Patel (1986), ACM TOMS 12, 154-161 (FEXACT, used by R's
//! `fisher.test`). This implementation follows the idea, not their code.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use statrs::function::factorial::ln_factorial;

use super::fisher::REL_ERR;
use crate::StatsError;

/// Grid on which past log-weights are merged.
const QUANTUM: f64 = 1.0 / 4_294_967_296.0; // 2^-32
/// Largest grand total accepted (the table of ln k! has this many entries).
const MAX_TOTAL: u64 = 1_000_000;
/// Largest number of partial tables held at one stage (32 bytes each).
const MAX_ENTRIES: usize = 8_000_000;
/// Most rows (of the shorter side) the node keys can hold.
const MAX_ROWS: usize = 64;

/// A multiplicative hash for the packed node keys (SipHash is needlessly
/// slow for integers that are not attacker-controlled).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u128(&mut self, v: u128) {
        let x = (v as u64) ^ ((v >> 64) as u64).rotate_left(31);
        self.0 = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

type KeyMap<V> = HashMap<u128, V, BuildHasherDefault<KeyHasher>>;

/// A next node of a forward step, with the bounds of its future.
struct Successor {
    key: u128,
    /// Log-weight of the column filling that leads there, and on the grid.
    w: f64,
    dq: i64,
    max: f64,
    min: f64,
    ln_total: f64,
}

/// A partial table (or a bundle of `count` of them with the same past)
/// waiting at a node.
#[derive(Clone, Copy)]
struct Entry {
    key: u128,
    /// `L_past` on the grid `QUANTUM`.
    q: i64,
    count: f64,
}

fn too_large(reason: String) -> StatsError {
    StatsError::TooLarge { reason }
}

/// The network of one table: margins, ln k!, key packing and the work budget.
struct Network {
    /// Column totals in processing order (ascending, so the largest column
    /// is the determined last one and is never enumerated).
    cols: Vec<u32>,
    /// `suffix_cols[k] = ln(prod_{j >= k} C_j!)`.
    ln_cols_from: Vec<f64>,
    lf: Vec<f64>,
    bits: u32,
    rows: usize,
    work: u64,
    work_limit: u64,
    /// Memoised `(max, min)` future log-weight per stage and node.
    bounds: Vec<KeyMap<(f64, f64)>>,
}

impl Network {
    fn pack(&self, state: &[u32]) -> u128 {
        state
            .iter()
            .fold(0u128, |k, &v| (k << self.bits) | u128::from(v))
    }

    fn unpack(&self, key: u128, out: &mut [u32]) {
        let mask = (1u128 << self.bits) - 1;
        let mut k = key;
        for v in out.iter_mut().rev() {
            // Each field holds at most the grand total, which fits u32.
            *v = (k & mask) as u32;
            k >>= self.bits;
        }
    }

    /// `-sum ln s_i!`: the log-weight of the determined last column.
    fn last_column(&self, state: &[u32]) -> f64 {
        -state.iter().map(|&v| self.lf[v as usize]).sum::<f64>()
    }

    /// `ln sum exp(L_future)` over all completions of node `state` at stage `k`.
    fn ln_total(&self, state: &[u32], k: usize) -> f64 {
        let n: u32 = state.iter().sum();
        self.lf[n as usize] + self.last_column(state) - self.ln_cols_from[k]
    }

    fn charge(&mut self, units: u64) -> Result<(), StatsError> {
        self.work = self.work.saturating_add(units);
        if self.work > self.work_limit {
            Err(too_large(format!(
                "the exact r x c test needs more than {} steps; use the chi-square test or a Monte Carlo p-value",
                self.work_limit
            )))
        } else {
            Ok(())
        }
    }

    /// Every filling of column `k` from the row totals `state` (sorted in
    /// decreasing order): calls `f(remaining, w)` with the remaining totals
    /// (not sorted) and the filling's log-weight `w = -sum ln x_i!`.
    /// Returns the number of fillings, stopping early past the work budget.
    fn fillings<F: FnMut(&[u32], f64)>(&self, state: &[u32], k: usize, f: &mut F) -> u64 {
        let r = state.len().min(MAX_ROWS);
        let mut suffix = [0u32; MAX_ROWS + 1];
        for i in (0..r).rev() {
            suffix[i] = suffix[i + 1] + state[i];
        }
        let mut rem = [0u32; MAX_ROWS];
        rem[..r].copy_from_slice(&state[..r]);
        let budget = self.work_limit.saturating_sub(self.work);
        let mut count = 0u64;
        let total = self.cols.get(k).copied().unwrap_or(0);
        fill_rec(
            &FillCtx {
                state: &state[..r],
                suffix: &suffix[..=r],
                lf: &self.lf,
                budget,
            },
            0,
            total,
            0.0,
            &mut rem[..r],
            &mut count,
            f,
        );
        count
    }

    /// Fillings of column `k` as (sorted, packed) next nodes with weights.
    fn successors(&mut self, state: &[u32], k: usize) -> Result<Vec<(u128, f64)>, StatsError> {
        let mut out = Vec::new();
        let mut sorted = [0u32; MAX_ROWS];
        let r = state.len().min(MAX_ROWS);
        let count = self.fillings(state, k, &mut |rem, w| {
            let sorted = &mut sorted[..r];
            sorted.copy_from_slice(rem);
            sort_desc(sorted);
            out.push((self.pack(sorted), w));
        });
        self.charge(count)?;
        Ok(out)
    }

    /// The successors of `state` at stage `k` with what the forward pass
    /// needs to decide a partial table there: the bounds and total of the
    /// future at stage `k + 1`.
    fn successors_with_bounds(
        &mut self,
        state: &[u32],
        k: usize,
    ) -> Result<Vec<Successor>, StatsError> {
        let next = self.successors(state, k)?;
        let mut buf = [0u32; MAX_ROWS];
        let buf = &mut buf[..state.len().min(MAX_ROWS)];
        let mut out = Vec::with_capacity(next.len());
        for (key, w) in next {
            self.unpack(key, buf);
            let (max, min) = self.future_bounds(buf, k + 1)?;
            out.push(Successor {
                key,
                w,
                dq: (w / QUANTUM).round() as i64,
                max,
                min,
                ln_total: self.ln_total(buf, k + 1),
            });
        }
        Ok(out)
    }

    /// `(max, min)` of `L_future` over the completions of `state` at stage
    /// `k` (columns `k..` still to fill), memoised.
    fn future_bounds(&mut self, state: &[u32], k: usize) -> Result<(f64, f64), StatsError> {
        let last = self.cols.len() - 1;
        if k >= last {
            let w = self.last_column(state);
            return Ok((w, w));
        }
        let key = self.pack(state);
        if let Some(&b) = self.bounds[k].get(&key) {
            return Ok(b);
        }
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        if k + 1 == last {
            // Two columns left: closed-form bounds, no enumeration.
            let total = self.cols.get(k).copied().unwrap_or(0);
            self.charge(u64::from(total) * state.len() as u64)?;
            (hi, lo) = two_column_bounds(state, total, &self.lf);
        } else {
            let next = self.successors(state, k)?;
            let mut buf = vec![0u32; state.len()];
            for (key, w) in next {
                self.unpack(key, &mut buf);
                let (h, l) = self.future_bounds(&buf, k + 1)?;
                hi = hi.max(w + h);
                lo = lo.min(w + l);
            }
        }
        self.bounds[k].insert(key, (hi, lo));
        Ok((hi, lo))
    }
}

/// Exact `(max, min)` of `-sum_i [ln x_i! + ln (s_i - x_i)!]` over integer
/// `0 <= x_i <= s_i` with `sum x_i = c`: the log-weight of the last two
/// columns of a table with row totals `s` and first-column total `c`.
///
/// Each term `g_i(x) = -ln x! - ln (s_i - x)!` is concave in `x` (its
/// increments `ln (s_i - x) - ln (x + 1)` decrease), so
/// - the maximum of the separable concave sum under one budget constraint is
///   reached greedily, one unit at a time to the largest increment;
/// - the minimum of a concave function over the polytope is at a vertex,
///   where every `x_i` but one sits at 0 or `s_i`. Both ends give the same
///   term `-ln s_i!`, and the partial row `j` gives `-ln s_j! + ln C(s_j,
///   x_j)`, so the minimum is `-sum ln s_i! + min ln C(s_j, x_j)` over the
///   choice of full rows and of the partial row: a subset enumeration, done
///   for up to 12 rows (beyond, `-sum ln s_i!` is a valid, looser bound).
fn two_column_bounds(s: &[u32], c: u32, lf: &[f64]) -> (f64, f64) {
    let r = s.len().min(MAX_ROWS);
    let lfu = |v: u32| lf.get(v as usize).copied().unwrap_or(0.0);
    let ln_choose = |n: u32, k: u32| lfu(n) - lfu(k) - lfu(n - k);
    // Maximum. The increment of g_i at x is ln(s_i - x) - ln(x + 1), which
    // decreases in x; an allocation is optimal exactly when no unit moved
    // from one row to another raises the sum. Start from the proportional
    // allocation floor(c s_i / S) (close to the optimum, the mode of the
    // multivariate hypergeometric), add the few missing units greedily, then
    // exchange units while that helps (a handful of moves).
    let ln = |v: u32| {
        let v = v as usize;
        lf.get(v)
            .zip(v.checked_sub(1).and_then(|u| lf.get(u)))
            .map_or(0.0, |(p, q)| p - q)
    };
    let gain = |s: u32, x: u32| ln(s - x) - ln(x + 1); // for x < s
    let big_s: u64 = s[..r].iter().map(|&v| u64::from(v)).sum();
    let mut x = [0u32; MAX_ROWS];
    let mut placed = 0u32;
    for i in 0..r {
        // floor(c s_i / S) <= s_i (c <= S), so it fits u32; S = 0 leaves 0.
        let share = (u64::from(c) * u64::from(s[i])).checked_div(big_s);
        x[i] = share.unwrap_or(0) as u32;
        placed += x[i];
    }
    for _ in placed..c {
        let best = (0..r)
            .filter(|&i| x[i] < s[i])
            .max_by(|&i, &j| gain(s[i], x[i]).total_cmp(&gain(s[j], x[j])));
        match best.and_then(|i| x.get_mut(i)) {
            Some(v) => *v += 1,
            None => break, // cannot happen: c <= S
        }
    }
    for _ in 0..(c as usize + r) {
        let add = (0..r)
            .filter(|&i| x[i] < s[i])
            .max_by(|&i, &j| gain(s[i], x[i]).total_cmp(&gain(s[j], x[j])));
        let remove = (0..r)
            .filter(|&i| x[i] > 0)
            .min_by(|&i, &j| gain(s[i], x[i] - 1).total_cmp(&gain(s[j], x[j] - 1)));
        match (add, remove) {
            (Some(j), Some(i)) if i != j && gain(s[j], x[j]) > gain(s[i], x[i] - 1) + 1e-12 => {
                x[j] += 1;
                x[i] -= 1;
            }
            _ => break,
        }
    }
    let max = -(0..r).map(|i| lfu(x[i]) + lfu(s[i] - x[i])).sum::<f64>();
    let base = -s[..r].iter().map(|&v| lfu(v)).sum::<f64>();
    // Minimum: vertices of the polytope.
    let least = if r <= 12 {
        let mut least = f64::INFINITY; // smallest ln C(s_j, x_j) found
        for mask in 0u32..(1u32 << r) {
            let full: u64 = (0..r)
                .filter(|&i| mask & (1 << i) != 0)
                .map(|i| u64::from(s[i]))
                .sum();
            if full > u64::from(c) {
                continue;
            }
            let partial = u64::from(c) - full;
            if partial == 0 {
                least = 0.0;
                break;
            }
            for j in (0..r).filter(|&j| mask & (1 << j) == 0) {
                if partial <= u64::from(s[j]) {
                    // partial <= s[j] fits u32.
                    least = least.min(ln_choose(s[j], partial as u32));
                }
            }
        }
        least
    } else {
        f64::INFINITY
    };
    // Beyond 12 rows, ln C >= 0 gives the valid, looser bound `base`.
    let least = if least.is_finite() { least } else { 0.0 };
    (max, base + least)
}

struct FillCtx<'a> {
    state: &'a [u32],
    suffix: &'a [u32],
    lf: &'a [f64],
    budget: u64,
}

/// Row `i` onwards of a column filling with `left` still to place.
fn fill_rec<F: FnMut(&[u32], f64)>(
    ctx: &FillCtx<'_>,
    i: usize,
    left: u32,
    w: f64,
    rem: &mut [u32],
    count: &mut u64,
    f: &mut F,
) {
    let r = ctx.state.len();
    if *count > ctx.budget {
        return;
    }
    if i + 1 == r {
        // The last row takes what is left; the bounds below guarantee
        // left <= state[i].
        rem[i] = ctx.state[i] - left;
        *count += 1;
        f(rem, w - ctx.lf[left as usize]);
        return;
    }
    let lo = left.saturating_sub(ctx.suffix[i + 1]);
    let hi = left.min(ctx.state[i]);
    for x in lo..=hi {
        rem[i] = ctx.state[i] - x;
        fill_rec(ctx, i + 1, left - x, w - ctx.lf[x as usize], rem, count, f);
    }
    rem[i] = ctx.state[i];
}

/// Insertion sort in decreasing order (states have a handful of rows).
fn sort_desc(v: &mut [u32]) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] < x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Sorts entries by (node, past) and merges equal ones, adding counts.
fn merge(entries: &mut Vec<Entry>) {
    entries.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.q.cmp(&b.q)));
    entries.dedup_by(|b, a| {
        if a.key == b.key && a.q == b.q {
            a.count += b.count;
            true
        } else {
            false
        }
    });
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    hi + (lo - hi).exp().ln_1p()
}

/// Two-sided exact p-value of Fisher's test for the table `counts` (by
/// rows, rectangular, at least 2 x 2, no zero margin).
pub(crate) fn p_value(counts: &[Vec<u64>], work_limit: u64) -> Result<f64, StatsError> {
    let nr = counts.len();
    let nc = counts.first().map_or(0, Vec::len);
    // Orient so that the state (one entry per row) is the shorter side.
    let cell = |i: usize, j: usize| -> u64 {
        counts
            .get(i)
            .and_then(|row| row.get(j))
            .copied()
            .unwrap_or(0)
    };
    let transpose = nr > nc;
    let (rows, cols) = if transpose { (nc, nr) } else { (nr, nc) };
    let get = |i: usize, j: usize| if transpose { cell(j, i) } else { cell(i, j) };
    let n: u64 = (0..rows)
        .flat_map(|i| (0..cols).map(move |j| (i, j)))
        .map(|(i, j)| get(i, j))
        .sum();
    if n > MAX_TOTAL {
        return Err(too_large(format!(
            "the grand total {n} exceeds {MAX_TOTAL} for the exact r x c test"
        )));
    }
    let bits = 64 - n.leading_zeros();
    if bits as usize * rows > 128 || rows > MAX_ROWS {
        return Err(too_large(format!(
            "a {rows} x {cols} table with total {n} is beyond the exact r x c test"
        )));
    }
    let lf: Vec<f64> = (0..=n).map(ln_factorial).collect();
    let lfu = |v: u64| lf.get(v as usize).copied().unwrap_or(f64::NAN);

    // Values fit u32: each is at most n <= MAX_TOTAL.
    let row_totals: Vec<u32> = (0..rows)
        .map(|i| (0..cols).map(|j| get(i, j)).sum::<u64>() as u32)
        .collect();
    let mut col_totals: Vec<u32> = (0..cols)
        .map(|j| (0..rows).map(|i| get(i, j)).sum::<u64>() as u32)
        .collect();
    col_totals.sort_unstable();

    let l_obs: f64 = -(0..rows)
        .flat_map(|i| (0..cols).map(move |j| (i, j)))
        .map(|(i, j)| lfu(get(i, j)))
        .sum::<f64>();
    let log_k: f64 = row_totals.iter().map(|&v| lfu(u64::from(v))).sum::<f64>()
        + col_totals.iter().map(|&v| lfu(u64::from(v))).sum::<f64>()
        - lfu(n);
    let thresh = l_obs + REL_ERR.ln_1p();

    let mut ln_cols_from = vec![0.0; cols + 1];
    for k in (0..cols).rev() {
        ln_cols_from[k] = ln_cols_from[k + 1] + lf[col_totals[k] as usize];
    }
    let mut net = Network {
        cols: col_totals,
        ln_cols_from,
        lf,
        bits,
        rows,
        work: 0,
        work_limit,
        bounds: (0..cols).map(|_| KeyMap::default()).collect(),
    };

    let mut start = row_totals;
    start.sort_unstable_by(|a, b| b.cmp(a));
    let mut entries = vec![Entry {
        key: net.pack(&start),
        q: 0,
        count: 1.0,
    }];
    // sum over counted tables of exp(L(T) - L_obs)
    let mut sum = 0.0;
    let mut state = vec![0u32; net.rows];
    let last_free = cols - 2;

    // The start node: if even its most probable completion is no more
    // probable than the observed table, every table counts (p = 1).
    let (max0, _) = net.future_bounds(&start, 0)?;
    if max0 <= thresh {
        return Ok(1.0);
    }
    for k in 0..last_free {
        // Every entry here is undecided at its node: it was decided eagerly
        // when it was created otherwise.
        merge(&mut entries);
        let mut next: Vec<Entry> = Vec::new();
        let mut i = 0;
        while i < entries.len() {
            let key = entries[i].key;
            let end = i + entries[i..].iter().take_while(|e| e.key == key).count();
            net.unpack(key, &mut state);
            let succ = net.successors_with_bounds(&state, k)?;
            net.charge((succ.len() * (end - i)) as u64)?;
            for e in &entries[i..end] {
                let l = e.q as f64 * QUANTUM;
                for s in &succ {
                    let l2 = l + s.w;
                    if l2 + s.max <= thresh {
                        sum += e.count * (l2 + s.ln_total - l_obs).exp();
                    } else if l2 + s.min <= thresh {
                        next.push(Entry {
                            key: s.key,
                            q: e.q + s.dq,
                            count: e.count,
                        });
                    }
                }
            }
            if next.len() > MAX_ENTRIES / 2 {
                merge(&mut next);
                if next.len() > MAX_ENTRIES / 2 {
                    return Err(too_large(format!(
                        "the exact r x c test would hold more than {} partial tables",
                        MAX_ENTRIES / 2
                    )));
                }
            }
            i = end;
        }
        entries = next;
    }

    // Last free column: every filling fixes the table.
    merge(&mut entries);
    let mut cum: Vec<f64> = Vec::new();
    let mut pasts: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let key = entries[i].key;
        let end = i + entries[i..].iter().take_while(|e| e.key == key).count();
        net.unpack(key, &mut state);
        // Entries of a node are sorted by past; cum[j] = ln sum_{<= j} count exp(l).
        pasts.clear();
        cum.clear();
        let mut acc = f64::NEG_INFINITY;
        for e in &entries[i..end] {
            let l = e.q as f64 * QUANTUM;
            acc = log_add(acc, e.count.ln() + l);
            pasts.push(l);
            cum.push(acc);
        }
        let lf = &net.lf;
        let count = net.fillings(&state, last_free, &mut |rem, w| {
            let fw = w - rem.iter().map(|&x| lf[x as usize]).sum::<f64>();
            let cut = thresh - fw;
            let j = pasts.partition_point(|&l| l <= cut);
            if let Some(&c) = j.checked_sub(1).and_then(|j| cum.get(j)) {
                sum += (c + fw - l_obs).exp();
            }
        });
        net.charge(count)?;
        i = end;
    }
    if sum <= 0.0 {
        // Cannot happen (the observed table counts itself); guard the log.
        return Ok(0.0);
    }
    Ok((log_k + l_obs + sum.ln()).exp().min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Brute force: every 3 x 3 table with the margins of `t`.
    fn brute_3x3(t: &[Vec<u64>]) -> f64 {
        let r: Vec<u64> = t.iter().map(|row| row.iter().sum()).collect();
        let c: Vec<u64> = (0..3).map(|j| t.iter().map(|row| row[j]).sum()).collect();
        let n: u64 = r.iter().sum();
        let lf = |v: u64| ln_factorial(v);
        let k =
            r.iter().map(|&v| lf(v)).sum::<f64>() + c.iter().map(|&v| lf(v)).sum::<f64>() - lf(n);
        let logp = |x: &[u64; 9]| k - x.iter().map(|&v| lf(v)).sum::<f64>();
        let obs = logp(&[
            t[0][0], t[0][1], t[0][2], t[1][0], t[1][1], t[1][2], t[2][0], t[2][1], t[2][2],
        ]);
        let mut p = 0.0;
        for a in 0..=r[0].min(c[0]) {
            for b in 0..=(r[0] - a).min(c[1]) {
                let cc = r[0] - a - b;
                if cc > c[2] {
                    continue;
                }
                for d in 0..=r[1].min(c[0] - a) {
                    for e in 0..=(r[1] - d).min(c[1] - b) {
                        let f = r[1] - d - e;
                        if f > c[2] - cc {
                            continue;
                        }
                        let (g, h, i) = (c[0] - a - d, c[1] - b - e, c[2] - cc - f);
                        let lp = logp(&[a, b, cc, d, e, f, g, h, i]);
                        if lp <= obs + REL_ERR.ln_1p() {
                            p += lp.exp();
                        }
                    }
                }
            }
        }
        p
    }

    proptest! {
        /// The network algorithm agrees with brute-force enumeration.
        #[test]
        fn network_matches_brute_force_3x3(cells in proptest::collection::vec(0u64..7, 9)) {
            let t: Vec<Vec<u64>> = cells.chunks_exact(3).map(<[u64]>::to_vec).collect();
            let rows_ok = t.iter().all(|row| row.iter().sum::<u64>() > 0);
            let cols_ok = (0..3).all(|j| t.iter().map(|row| row[j]).sum::<u64>() > 0);
            if rows_ok && cols_ok {
                let got = p_value(&t, u64::MAX).unwrap();
                let want = brute_3x3(&t);
                prop_assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
            }
        }

        /// The closed-form two-column bounds equal brute-force enumeration.
        #[test]
        fn two_column_bounds_are_exact(s in proptest::collection::vec(0u32..12, 2..5), frac in 0.0f64..1.0) {
            let total: u32 = s.iter().sum();
            let c = (f64::from(total) * frac).floor() as u32;
            let lf: Vec<f64> = (0..=u64::from(total)).map(ln_factorial).collect();
            let (max, min) = two_column_bounds(&s, c, &lf);
            let (mut bmax, mut bmin) = (f64::NEG_INFINITY, f64::INFINITY);
            let mut x = vec![0u32; s.len()];
            loop {
                if x.iter().sum::<u32>() == c {
                    let v = -x.iter().zip(&s).map(|(&xi, &si)| lf[xi as usize] + lf[(si - xi) as usize]).sum::<f64>();
                    bmax = bmax.max(v);
                    bmin = bmin.min(v);
                }
                // odometer over 0..=s_i
                let mut i = 0;
                while i < x.len() && x[i] == s[i] { x[i] = 0; i += 1; }
                if i == x.len() { break; }
                x[i] += 1;
            }
            prop_assert!((max - bmax).abs() < 1e-9, "max {max} vs {bmax}");
            prop_assert!((min - bmin).abs() < 1e-9, "min {min} vs {bmin}");
        }
    }

    fn p(rows: &[&[u64]]) -> f64 {
        let t: Vec<Vec<u64>> = rows.iter().map(|r| r.to_vec()).collect();
        p_value(&t, u64::MAX).unwrap()
    }

    /// Source: R 4.2.2 `fisher.test(matrix(c(0,2,5, 3,0,0, 0,0,1, 1,4,0), 3), workspace = 2e8)`:
    /// p = 0.001989676989676996.
    #[test]
    fn sparse_3x4_matches_r() {
        let got = p(&[&[0, 3, 0, 1], &[2, 0, 0, 4], &[5, 0, 1, 0]]);
        assert!((got / 0.001989676989676996 - 1.0).abs() < 1e-9, "{got}");
    }

    /// Source: R 4.2.2 `fisher.test(matrix(c(2,0,5, 22,24,19), 3))`: p = 0.06164290395578303.
    #[test]
    fn three_by_two_matches_r() {
        let got = p(&[&[2, 22], &[0, 24], &[5, 19]]);
        assert!((got / 0.06164290395578303 - 1.0).abs() < 1e-9, "{got}");
    }

    /// Source: R 4.2.2 `fisher.test(matrix(c(48,42, 52,50, 50,58), 2))`: p = 0.59699112744568528;
    /// `fisher.test(matrix(c(12,9,10, 8,11,10, 10,12,7, 10,8,13), 3))`: p = 0.75719550196445695;
    /// `fisher.test(matrix(c(20,60, 30,40, 50,100), 2))`: p = 0.067690901851238425.
    #[test]
    fn benchmark_tables_match_r() {
        let got = p(&[&[48, 52, 50], &[42, 50, 58]]);
        assert!((got / 0.596_991_127_445_685_3 - 1.0).abs() < 1e-9, "{got}");
        let got = p(&[&[12, 8, 10, 10], &[9, 11, 12, 8], &[10, 10, 7, 13]]);
        assert!((got / 0.757_195_501_964_457 - 1.0).abs() < 1e-9, "{got}");
        let got = p(&[&[20, 30, 50], &[60, 40, 100]]);
        assert!((got / 0.067_690_901_851_238_43 - 1.0).abs() < 1e-9, "{got}");
    }
}
