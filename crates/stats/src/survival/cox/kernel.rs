//! The log partial likelihood, its gradient and information, by one pass
//! over the subjects in decreasing time within each stratum (Therneau &
//! Grambsch 2000, section 3.3).
//!
//! Within a block of tied times the events come first, so the pass sums the
//! event rows and the censored rows in two loops without testing each row.
//! Efron's correction is applied per block through six scalar sums over the
//! tied deaths (see [`efron_sums`]), so its cost per death does not grow
//! with the number of covariates.
//!
//! The pass is compiled for each covariate count up to [`MAX_FIXED`] with
//! the running sums in fixed-size arrays (kept in registers, loops
//! unrolled); larger models use the same pass over vectors.

use super::Ties;
use crate::linalg::Matrix;
use crate::survival::SurvivalData;

/// The largest covariate count with a fixed-size pass.
const MAX_FIXED: usize = 4;

/// Value, score and information at one beta.
#[derive(Debug, Clone)]
pub(super) struct Evaluation {
    pub loglik: f64,
    pub score: Vec<f64>,
    pub information: Matrix,
}

/// The data in the order the pass needs (by stratum, then decreasing
/// time, events first within a time), with centred covariates.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PassData {
    p: usize,
    /// Row-major centred covariates in pass order.
    x: Vec<f64>,
    /// Index where each tied-time block starts, and the end of the data.
    blocks: Vec<usize>,
    /// The number of events of each block (its first rows).
    deaths: Vec<u32>,
    /// Whether a block starts a new stratum (risk sums reset).
    new_stratum: Vec<bool>,
    sds: Vec<f64>,
}

impl PassData {
    /// `columns` are the validated covariates (each of the data's length),
    /// `strata` the stratum codes 0.. of the subjects.
    pub fn new(surv: &SurvivalData, columns: &[&[f64]], strata: Option<&[usize]>) -> Self {
        let n = surv.len();
        let p = columns.len();
        let means: Vec<f64> = columns
            .iter()
            .map(|c| c.iter().sum::<f64>() / n as f64)
            .collect();
        let sds: Vec<f64> = columns
            .iter()
            .zip(&means)
            .map(|(c, m)| (c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64).sqrt())
            .collect();
        // The subjects in pass order: the radix-sorted time order reversed,
        // then (with strata) split by stratum with a stable counting pass.
        let order = surv.order();
        let seq: Vec<u32> = match strata {
            None => order.iter().rev().copied().collect(),
            Some(strata) => {
                let n_strata = strata.iter().copied().max().map_or(1, |m| m + 1);
                let mut starts = vec![0usize; n_strata + 1];
                for &s in strata {
                    starts[s + 1] += 1;
                }
                for k in 0..n_strata {
                    starts[k + 1] += starts[k];
                }
                let mut seq = vec![0u32; n];
                for &i in order.iter().rev() {
                    let s = strata[i as usize];
                    seq[starts[s]] = i;
                    starts[s] += 1;
                }
                seq
            }
        };
        // Time and event of each pass position (read in order when there
        // are no strata).
        let (time, event): (Vec<f64>, Vec<bool>) = match strata {
            None => (
                surv.sorted_time().iter().rev().copied().collect(),
                surv.sorted_event().iter().rev().copied().collect(),
            ),
            Some(_) => (
                seq.iter().map(|&i| surv.time()[i as usize]).collect(),
                seq.iter().map(|&i| surv.event()[i as usize]).collect(),
            ),
        };
        let stratum = |pos: usize| strata.map_or(0, |s| s[seq[pos] as usize]);
        // Blocks of tied (stratum, time), and each subject's pass position
        // with the block's events first.
        let mut rank = vec![0u32; n];
        let mut blocks = Vec::new();
        let mut deaths = Vec::new();
        let mut new_stratum = Vec::new();
        let mut lo = 0;
        while lo < n {
            let key = (stratum(lo), time[lo]);
            let mut hi = lo + 1;
            while hi < n && time[hi] == key.1 && stratum(hi) == key.0 {
                hi += 1;
            }
            let d = event[lo..hi].iter().filter(|&&e| e).count();
            let (mut next_event, mut next_censored) = (lo, lo + d);
            for pos in lo..hi {
                let slot = if event[pos] {
                    &mut next_event
                } else {
                    &mut next_censored
                };
                rank[seq[pos] as usize] = *slot as u32;
                *slot += 1;
            }
            new_stratum.push(lo == 0 || stratum(lo - 1) != key.0);
            blocks.push(lo);
            deaths.push(d as u32);
            lo = hi;
        }
        blocks.push(n);
        // Read the inputs in their order and write each subject to its pass
        // position (scattered writes cost less than gathered reads).
        let mut x = vec![0.0; n * p];
        for (i, &pos) in rank.iter().enumerate() {
            let pos = pos as usize;
            for (j, (c, m)) in columns.iter().zip(&means).enumerate() {
                x[pos * p + j] = c[i] - m;
            }
        }
        PassData {
            p,
            x,
            blocks,
            deaths,
            new_stratum,
            sds,
        }
    }

    /// The standard deviation of covariate `j`.
    pub fn sd(&self, j: usize) -> f64 {
        self.sds[j]
    }
}

/// The likelihood of the data under a tie handling.
pub(super) struct Problem<'a> {
    ties: Ties,
    data: &'a PassData,
}

/// Sums over the d tied deaths of a block for Efron's approximation, where
/// the r-th death (r = 0..d) sees the risk set less the fraction f = r/d of
/// the deaths: `t_r = s0 - f a0`. With `u_k = sum f^k / t_r` and
/// `w_k = sum f^k / t_r^2` the block adds
/// - to the log likelihood `-sum ln t_r`,
/// - to the score `-(s1 u0 - a1 u1)`,
/// - to the information `s2 u0 - a2 u1 - (s1 s1' w0 - (s1 a1' + a1 s1') w1 + a1 a1' w2)`,
///
/// which is the sum over r of the per-death terms with the means
/// `(s1 - f a1) / t_r` multiplied out.
#[derive(Debug, Clone, Copy)]
struct EfronSums {
    log_sum: f64,
    u0: f64,
    u1: f64,
    w0: f64,
    w1: f64,
    w2: f64,
}

fn efron_sums(s0: f64, a0: f64, d: u32) -> EfronSums {
    let inv_d = 1.0 / f64::from(d);
    let mut sums = EfronSums {
        log_sum: 0.0,
        u0: 0.0,
        u1: 0.0,
        w0: 0.0,
        w1: 0.0,
        w2: 0.0,
    };
    // The logarithms are taken of a running product held as mantissa and
    // binary exponent: one `ln` per block instead of one per death.
    let mut mantissa = 1.0f64;
    let mut exponent = 0i64;
    let mut normal = true;
    for r in 0..d {
        let f = f64::from(r) * inv_d;
        let t = s0 - f * a0;
        let inv = 1.0 / t;
        let inv2 = inv * inv;
        sums.u0 += inv;
        sums.u1 += f * inv;
        sums.w0 += inv2;
        sums.w1 += f * inv2;
        sums.w2 += f * f * inv2;
        mantissa *= t;
        let bits = mantissa.to_bits();
        let field = ((bits >> 52) & 0x7ff) as i64;
        normal &= field != 0 && field != 0x7ff;
        exponent += field - 1023;
        mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52));
    }
    sums.log_sum = if normal {
        exponent as f64 * std::f64::consts::LN_2 + mantissa.ln()
    } else {
        // Risk sums so small or large that the product left the normal
        // range: the logarithms one by one.
        (0..d).map(|r| (s0 - f64::from(r) * inv_d * a0).ln()).sum()
    };
    sums
}

impl<'a> Problem<'a> {
    pub fn new(data: &'a PassData, ties: Ties) -> Self {
        Problem { ties, data }
    }

    pub fn evaluate(&self, beta: &[f64]) -> Evaluation {
        let efron = self.ties == Ties::Efron;
        match (self.data.p, efron) {
            (1, true) => self.pass::<[f64; 1], [[f64; 1]; 1], true>(beta),
            (1, false) => self.pass::<[f64; 1], [[f64; 1]; 1], false>(beta),
            (2, true) => self.pass::<[f64; 2], [[f64; 2]; 2], true>(beta),
            (2, false) => self.pass::<[f64; 2], [[f64; 2]; 2], false>(beta),
            (3, true) => self.pass::<[f64; 3], [[f64; 3]; 3], true>(beta),
            (3, false) => self.pass::<[f64; 3], [[f64; 3]; 3], false>(beta),
            (4, true) => self.pass::<[f64; MAX_FIXED], [[f64; 4]; 4], true>(beta),
            (4, false) => self.pass::<[f64; MAX_FIXED], [[f64; 4]; 4], false>(beta),
            (_, true) => self.pass::<Vec<f64>, Vec<Vec<f64>>, true>(beta),
            (_, false) => self.pass::<Vec<f64>, Vec<Vec<f64>>, false>(beta),
        }
    }

    /// The pass with vectors of type `V` and matrices of type `M` (arrays
    /// of a fixed size p, or vectors); `EFRON` selects the tie handling.
    fn pass<V: Vector, M: Square<V>, const EFRON: bool>(&self, beta: &[f64]) -> Evaluation {
        let data = self.data;
        let p = data.p;
        let mut b = V::zeros(p);
        b.as_mut().copy_from_slice(beta);
        let b = b.as_ref();
        // At beta = 0 (the start of every fit) every risk score is 1.
        let zero = beta.iter().all(|&v| v == 0.0);
        let mut loglik = 0.0;
        let mut score = V::zeros(p);
        let mut info = M::zeros(p);
        // Risk-set sums: of r = exp(eta), r x and r x x' (upper triangle).
        let (mut s0, mut s1, mut s2) = (0.0, V::zeros(p), M::zeros(p));
        let mut xbuf = V::zeros(p);
        // Adds the rows' r, r x and r x x' to the sums; returns the sum of
        // their eta and of their x (for the event rows).
        let mut add_rows = |x: &[f64], r0: &mut f64, r1: &mut V, r2: &mut M, ex: &mut V| {
            let mut eta_sum = 0.0;
            for row in x.chunks_exact(p) {
                // A copy of the row whose length the compiler knows (p).
                xbuf.as_mut().copy_from_slice(row);
                let xi = xbuf.as_ref();
                let eta: f64 = xi.iter().zip(b).map(|(x, b)| x * b).sum();
                let r = if zero { 1.0 } else { eta.exp() };
                eta_sum += eta;
                *r0 += r;
                let (r1, ex) = (r1.as_mut(), ex.as_mut());
                for j in 0..xi.len() {
                    let rx = r * xi[j];
                    r1[j] += rx;
                    ex[j] += xi[j];
                    let row = r2.row_mut(j);
                    for k in j..xi.len() {
                        row[k] += rx * xi[k];
                    }
                }
            }
            eta_sum
        };
        let mut scratch = V::zeros(p);
        // The events' own sums (a) for Efron, their x for the score.
        let (mut a1, mut a2, mut x_events) = (V::zeros(p), M::zeros(p), V::zeros(p));
        for blk in 0..data.deaths.len() {
            if data.new_stratum[blk] {
                s0 = 0.0;
                s1 = V::zeros(p);
                s2 = M::zeros(p);
            }
            let (lo, hi) = (data.blocks[blk], data.blocks[blk + 1]);
            let d = data.deaths[blk];
            let mid = lo + d as usize;
            let mut a0 = 0.0;
            a1.as_mut().fill(0.0);
            a2.clear();
            x_events.as_mut().fill(0.0);
            loglik += add_rows(
                &data.x[lo * p..mid * p],
                &mut a0,
                &mut a1,
                &mut a2,
                &mut x_events,
            );
            // The censored rows join the risk set directly.
            add_rows(
                &data.x[mid * p..hi * p],
                &mut s0,
                &mut s1,
                &mut s2,
                &mut scratch,
            );
            s0 += a0;
            for j in 0..p {
                s1.as_mut()[j] += a1.as_ref()[j];
                for k in j..p {
                    s2.row_mut(j)[k] += a2.row(j)[k];
                }
            }
            if d == 0 {
                continue;
            }
            let (s1r, a1r) = (s1.as_ref(), a1.as_ref());
            let sc = score.as_mut();
            for (v, x) in sc.iter_mut().zip(x_events.as_ref()) {
                *v += x;
            }
            if EFRON && d > 1 {
                let e = efron_sums(s0, a0, d);
                loglik -= e.log_sum;
                for j in 0..p {
                    sc[j] -= s1r[j] * e.u0 - a1r[j] * e.u1;
                    let (s2r, a2r, ir) = (s2.row(j), a2.row(j), info.row_mut(j));
                    for k in j..p {
                        let means = s1r[j] * s1r[k] * e.w0
                            - (s1r[j] * a1r[k] + a1r[j] * s1r[k]) * e.w1
                            + a1r[j] * a1r[k] * e.w2;
                        ir[k] += s2r[k] * e.u0 - a2r[k] * e.u1 - means;
                    }
                }
            } else {
                // Breslow (and Efron with one death): every death sees the
                // full risk set.
                let d = f64::from(d);
                loglik -= d * s0.ln();
                let inv = 1.0 / s0;
                for j in 0..p {
                    sc[j] -= d * s1r[j] * inv;
                    let (s2r, ir) = (s2.row(j), info.row_mut(j));
                    for k in j..p {
                        ir[k] += d * (s2r[k] * inv - s1r[j] * inv * s1r[k] * inv);
                    }
                }
            }
        }
        let mut information = Matrix::zeros(p, p);
        for j in 0..p {
            for k in j..p {
                information.set(j, k, info.row(j)[k]);
            }
        }
        information.symmetrize_from_upper();
        Evaluation {
            loglik,
            score: score.as_ref().to_vec(),
            information,
        }
    }
}

/// A vector of p covariate sums.
trait Vector: AsRef<[f64]> + AsMut<[f64]> {
    fn zeros(p: usize) -> Self;
}

impl<const P: usize> Vector for [f64; P] {
    #[inline]
    fn zeros(_: usize) -> Self {
        [0.0; P]
    }
}

impl Vector for Vec<f64> {
    fn zeros(p: usize) -> Self {
        vec![0.0; p]
    }
}

/// A p x p matrix of sums, by rows of type `V`.
trait Square<V> {
    fn zeros(p: usize) -> Self;
    fn clear(&mut self);
    fn row(&self, j: usize) -> &[f64];
    fn row_mut(&mut self, j: usize) -> &mut [f64];
}

impl<const P: usize> Square<[f64; P]> for [[f64; P]; P] {
    #[inline]
    fn zeros(_: usize) -> Self {
        [[0.0; P]; P]
    }
    #[inline]
    fn clear(&mut self) {
        *self = [[0.0; P]; P];
    }
    #[inline]
    fn row(&self, j: usize) -> &[f64] {
        &self[j]
    }
    #[inline]
    fn row_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self[j]
    }
}

impl Square<Vec<f64>> for Vec<Vec<f64>> {
    fn zeros(p: usize) -> Self {
        vec![vec![0.0; p]; p]
    }
    fn clear(&mut self) {
        for row in self.iter_mut() {
            row.fill(0.0);
        }
    }
    fn row(&self, j: usize) -> &[f64] {
        &self[j]
    }
    fn row_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self[j]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    /// The partial likelihood straight from its definition, one risk set
    /// at a time (quadratic in n): the check on the one-pass kernel.
    fn naive(
        time: &[f64],
        event: &[bool],
        x: &[Vec<f64>],
        strata: &[usize],
        beta: &[f64],
        efron: bool,
    ) -> (f64, Vec<f64>, Vec<Vec<f64>>) {
        let (n, p) = (time.len(), beta.len());
        let eta: Vec<f64> = (0..n)
            .map(|i| (0..p).map(|j| x[j][i] * beta[j]).sum())
            .collect();
        let r: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
        let mut loglik = 0.0;
        let mut score = vec![0.0; p];
        let mut info = vec![vec![0.0; p]; p];
        let mut done: Vec<(usize, f64)> = Vec::new();
        for i in 0..n {
            let key = (strata[i], time[i]);
            if !event[i] || done.contains(&key) {
                continue;
            }
            done.push(key);
            let deaths: Vec<usize> = (0..n)
                .filter(|&k| event[k] && (strata[k], time[k]) == key)
                .collect();
            let risk: Vec<usize> = (0..n)
                .filter(|&k| strata[k] == key.0 && time[k] >= key.1)
                .collect();
            let d = deaths.len();
            for &k in &deaths {
                loglik += eta[k];
                for j in 0..p {
                    score[j] += x[j][k];
                }
            }
            for m in 0..d {
                let f = if efron { m as f64 / d as f64 } else { 0.0 };
                let sum = |set: &[usize], w: &dyn Fn(usize) -> f64| -> f64 {
                    set.iter().map(|&k| r[k] * w(k)).sum()
                };
                let t0 = sum(&risk, &|_| 1.0) - f * sum(&deaths, &|_| 1.0);
                loglik -= t0.ln();
                let t1: Vec<f64> = (0..p)
                    .map(|j| sum(&risk, &|k| x[j][k]) - f * sum(&deaths, &|k| x[j][k]))
                    .collect();
                for j in 0..p {
                    score[j] -= t1[j] / t0;
                    for l in 0..p {
                        let t2 = sum(&risk, &|k| x[j][k] * x[l][k])
                            - f * sum(&deaths, &|k| x[j][k] * x[l][k]);
                        info[j][l] += t2 / t0 - t1[j] * t1[l] / (t0 * t0);
                    }
                }
            }
        }
        (loglik, score, info)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    proptest! {
        /// The kernel (events first within blocks, Efron by block sums, the
        /// logarithms of a running product) against the definition, with
        /// heavy ties, strata and 1 to 6 covariates (both the fixed-size and
        /// the vector passes).
        #[test]
        fn kernel_matches_definition(
            rows in prop::collection::vec((0u8..6, 0u8..2, 0u8..3, prop::collection::vec(-2.0f64..2.0, 6)), 2..60),
            p in 1usize..7,
            beta in prop::collection::vec(-1.0f64..1.0, 6),
            stratified in any::<bool>(),
            efron in any::<bool>(),
        ) {
            let time: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let event: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
            let strata: Vec<usize> = rows.iter().map(|r| if stratified { usize::from(r.2) } else { 0 }).collect();
            let x: Vec<Vec<f64>> = (0..p).map(|j| rows.iter().map(|r| r.3[j]).collect()).collect();
            let surv = SurvivalData::new(&time, &event).unwrap();
            let cols: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
            let data = PassData::new(&surv, &cols, stratified.then_some(strata.as_slice()));
            let ties = if efron { Ties::Efron } else { Ties::Breslow };
            for b in [&vec![0.0; p][..], &beta[..p]] {
                let got = Problem::new(&data, ties).evaluate(b);
                let (loglik, score, info) = naive(&time, surv.event(), &x, &strata, b, efron);
                prop_assert!(close(got.loglik, loglik), "loglik {} vs {}", got.loglik, loglik);
                for j in 0..p {
                    prop_assert!(close(got.score[j], score[j]), "score {j}: {} vs {}", got.score[j], score[j]);
                    for (l, &want) in info[j].iter().enumerate() {
                        prop_assert!(close(got.information.get(j, l), want), "info {j},{l}");
                    }
                }
            }
        }
    }

    #[test]
    fn efron_sums_take_logs_of_tiny_and_huge_risk_sums() {
        for (s0, a0, d) in [
            (1e-300, 5e-301, 40),
            (1e-310, 5e-311, 5),
            (1e300, 1e299, 40),
            (3.0, 2.0, 7),
        ] {
            let e = efron_sums(s0, a0, d);
            let want: f64 = (0..d)
                .map(|r| (s0 - f64::from(r) / f64::from(d) * a0).ln())
                .sum();
            assert!(
                (e.log_sum - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{s0}: {} vs {want}",
                e.log_sum
            );
        }
    }
}
