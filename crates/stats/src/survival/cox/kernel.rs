//! The log partial likelihood, its gradient and information, by one pass
//! over the subjects in decreasing time within each stratum (Therneau &
//! Grambsch 2000, section 3.3).
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
/// time), with centred covariates.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PassData {
    p: usize,
    /// Row-major centred covariates in pass order.
    x: Vec<f64>,
    /// 1.0 for an event, 0.0 for a censoring, in pass order: the pass adds
    /// an event's terms multiplied by it instead of branching on it.
    event: Vec<f64>,
    /// Index where each tied-time block starts, and the end of the data.
    blocks: Vec<usize>,
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
        // Pass position of each subject: the radix-sorted time order
        // reversed, then (with strata) split by stratum with a stable
        // counting pass. The order within a tied time does not matter: a
        // block enters the risk set whole.
        let order = surv.order();
        let mut rank = vec![0u32; n];
        match strata {
            None => {
                for (pos, &i) in order.iter().rev().enumerate() {
                    rank[i as usize] = pos as u32;
                }
            }
            Some(strata) => {
                let n_strata = strata.iter().copied().max().map_or(1, |m| m + 1);
                let mut starts = vec![0usize; n_strata + 1];
                for &s in strata {
                    starts[s + 1] += 1;
                }
                for k in 0..n_strata {
                    starts[k + 1] += starts[k];
                }
                for &i in order.iter().rev() {
                    let s = strata[i as usize];
                    rank[i as usize] = starts[s] as u32;
                    starts[s] += 1;
                }
            }
        }
        // Read the inputs in their order and write each subject to its pass
        // position (scattered writes cost less than gathered reads).
        let mut x = vec![0.0; n * p];
        let mut event = vec![0.0; n];
        let ev = surv.event();
        for (i, &pos) in rank.iter().enumerate() {
            let pos = pos as usize;
            for (j, (c, m)) in columns.iter().zip(&means).enumerate() {
                x[pos * p + j] = c[i] - m;
            }
            event[pos] = f64::from(u8::from(ev[i]));
        }
        // Blocks of tied times within strata, from the (stratum, time) of
        // each pass position.
        let mut blocks = Vec::new();
        let mut new_stratum = Vec::new();
        let mut add = |key: &mut Option<(usize, f64)>, pos: usize, next: (usize, f64)| {
            if *key != Some(next) {
                new_stratum.push(key.is_none_or(|k| k.0 != next.0));
                blocks.push(pos);
                *key = Some(next);
            }
        };
        let mut key = None;
        match strata {
            // One stratum: the sorted times reversed, read in order.
            None => {
                for (pos, &t) in surv.sorted_time().iter().rev().enumerate() {
                    add(&mut key, pos, (0, t));
                }
            }
            Some(strata) => {
                let mut keys = vec![(0usize, 0.0f64); n];
                for ((&pos, &s), &t) in rank.iter().zip(strata).zip(surv.time()) {
                    keys[pos as usize] = (s, t);
                }
                for (pos, &k) in keys.iter().enumerate() {
                    add(&mut key, pos, k);
                }
            }
        }
        blocks.push(n);
        PassData {
            p,
            x,
            event,
            blocks,
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
        let mut loglik = 0.0;
        let mut score = V::zeros(p);
        let mut info = M::zeros(p);
        // Risk-set sums: of r = exp(eta), r x and r x x' (upper triangle).
        let (mut s0, mut s1, mut s2) = (0.0, V::zeros(p), M::zeros(p));
        // The same over the events of a block (Efron).
        let (mut a1, mut a2) = (V::zeros(p), M::zeros(p));
        let mut mean = V::zeros(p);
        let mut xbuf = V::zeros(p);
        for blk in 0..data.blocks.len() - 1 {
            if data.new_stratum[blk] {
                s0 = 0.0;
                s1 = V::zeros(p);
                s2 = M::zeros(p);
            }
            let (lo, hi) = (data.blocks[blk], data.blocks[blk + 1]);
            let mut d = 0.0;
            let mut a0 = 0.0;
            if EFRON {
                a1 = V::zeros(p);
                a2 = M::zeros(p);
            }
            let rows = data.x[lo * p..hi * p].chunks_exact(p);
            for (row, &e) in rows.zip(&data.event[lo..hi]) {
                // A copy of the row whose length the compiler knows (p).
                xbuf.as_mut().copy_from_slice(row);
                let xi = xbuf.as_ref();
                let eta: f64 = xi.iter().zip(b).map(|(x, b)| x * b).sum();
                let r = eta.exp();
                s0 += r;
                d += e;
                loglik += e * eta;
                let re = r * e;
                a0 += re;
                let (s1, sc, a1) = (s1.as_mut(), score.as_mut(), a1.as_mut());
                for j in 0..xi.len() {
                    let rx = r * xi[j];
                    s1[j] += rx;
                    sc[j] += e * xi[j];
                    let row = s2.row_mut(j);
                    for k in j..xi.len() {
                        row[k] += rx * xi[k];
                    }
                    if EFRON {
                        let rex = re * xi[j];
                        a1[j] += rex;
                        let row = a2.row_mut(j);
                        for k in j..xi.len() {
                            row[k] += rex * xi[k];
                        }
                    }
                }
            }
            if d == 0.0 {
                continue;
            }
            let (s1, a1, mean) = (s1.as_ref(), a1.as_ref(), mean.as_mut());
            let sc = score.as_mut();
            if EFRON {
                // The r-th of d tied deaths sees the risk set less r/d of
                // the deaths.
                let deaths = d as usize;
                for r in 0..deaths {
                    let f = r as f64 / d;
                    let t0 = s0 - f * a0;
                    loglik -= t0.ln();
                    let inv = 1.0 / t0;
                    for j in 0..mean.len() {
                        mean[j] = (s1[j] - f * a1[j]) * inv;
                        sc[j] -= mean[j];
                    }
                    for j in 0..mean.len() {
                        let (s2r, a2r, ir) = (s2.row(j), a2.row(j), info.row_mut(j));
                        for k in j..mean.len() {
                            ir[k] += (s2r[k] - f * a2r[k]) * inv - mean[j] * mean[k];
                        }
                    }
                }
            } else {
                // Breslow: every death sees the full risk set.
                loglik -= d * s0.ln();
                let inv = 1.0 / s0;
                for j in 0..mean.len() {
                    mean[j] = s1[j] * inv;
                    sc[j] -= d * mean[j];
                }
                for j in 0..mean.len() {
                    let (s2r, ir) = (s2.row(j), info.row_mut(j));
                    for k in j..mean.len() {
                        ir[k] += d * (s2r[k] * inv - mean[j] * mean[k]);
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
    fn row(&self, j: usize) -> &[f64];
    fn row_mut(&mut self, j: usize) -> &mut [f64];
}

impl<const P: usize> Square<[f64; P]> for [[f64; P]; P] {
    #[inline]
    fn zeros(_: usize) -> Self {
        [[0.0; P]; P]
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
    fn row(&self, j: usize) -> &[f64] {
        &self[j]
    }
    fn row_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self[j]
    }
}
