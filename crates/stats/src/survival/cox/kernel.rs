//! The log partial likelihood, its gradient and information, by one pass
//! over the subjects in decreasing time within each stratum (Therneau &
//! Grambsch 2000, section 3.3).

use super::{CoxData, Ties};
use crate::linalg::Matrix;

/// Value, score and information at one beta.
#[derive(Debug, Clone)]
pub(super) struct Evaluation {
    pub loglik: f64,
    pub score: Vec<f64>,
    pub information: Matrix,
}

/// The data in the order the pass needs, with centred covariates.
pub(super) struct Problem {
    ties: Ties,
    p: usize,
    /// Row-major centred covariates in pass order.
    x: Vec<f64>,
    event: Vec<bool>,
    /// Index where each tied-time block starts, and the end of the data.
    blocks: Vec<usize>,
    /// Whether a block starts a new stratum (risk sums reset).
    new_stratum: Vec<bool>,
    sds: Vec<f64>,
}

impl Problem {
    pub fn new(data: &CoxData, ties: Ties) -> Self {
        let n = data.surv.len();
        let p = data.names.len();
        let time = data.surv.time();
        // By stratum, then decreasing time: the data's radix-sorted order,
        // reversed, then split by stratum with a stable counting pass (no
        // comparison sort). The order within a tied time does not matter:
        // a block enters the risk set whole.
        let n_strata = data.strata.iter().copied().max().map_or(1, |m| m + 1);
        let mut starts = vec![0usize; n_strata + 1];
        for &s in &data.strata {
            starts[s + 1] += 1;
        }
        for k in 0..n_strata {
            starts[k + 1] += starts[k];
        }
        let mut order = vec![0usize; n];
        for &i in data.surv.order().iter().rev() {
            let s = data.strata[i as usize];
            order[starts[s]] = i as usize;
            starts[s] += 1;
        }
        let means: Vec<f64> = (0..p)
            .map(|j| (0..n).map(|i| data.x.get(i, j)).sum::<f64>() / n as f64)
            .collect();
        let sds: Vec<f64> = (0..p)
            .map(|j| {
                ((0..n)
                    .map(|i| (data.x.get(i, j) - means[j]).powi(2))
                    .sum::<f64>()
                    / n as f64)
                    .sqrt()
            })
            .collect();
        let mut x = Vec::with_capacity(n * p);
        let mut event = Vec::with_capacity(n);
        let mut blocks = Vec::new();
        let mut new_stratum = Vec::new();
        for (pos, &i) in order.iter().enumerate() {
            let starts = pos == 0
                || data.strata[order[pos - 1]] != data.strata[i]
                || time[order[pos - 1]] != time[i];
            if starts {
                blocks.push(pos);
                new_stratum.push(pos == 0 || data.strata[order[pos - 1]] != data.strata[i]);
            }
            x.extend((0..p).map(|j| data.x.get(i, j) - means[j]));
            event.push(data.surv.event()[i]);
        }
        blocks.push(n);
        Problem {
            ties,
            p,
            x,
            event,
            blocks,
            new_stratum,
            sds,
        }
    }

    pub fn sd(&self, j: usize) -> f64 {
        self.sds[j]
    }

    pub fn evaluate(&self, beta: &[f64]) -> Evaluation {
        let p = self.p;
        let mut loglik = 0.0;
        let mut score = vec![0.0; p];
        let mut info = Matrix::zeros(p, p);
        // Risk-set sums.
        let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        // Sums over the events of a block.
        let (mut a1, mut a2) = (vec![0.0; p], vec![0.0; p * p]);
        let mut mean = vec![0.0; p];
        for b in 0..self.blocks.len() - 1 {
            if self.new_stratum[b] {
                s0 = 0.0;
                s1.iter_mut().for_each(|v| *v = 0.0);
                s2.iter_mut().for_each(|v| *v = 0.0);
            }
            let (lo, hi) = (self.blocks[b], self.blocks[b + 1]);
            let mut d = 0usize;
            let mut a0 = 0.0;
            a1.iter_mut().for_each(|v| *v = 0.0);
            a2.iter_mut().for_each(|v| *v = 0.0);
            for i in lo..hi {
                let xi = &self.x[i * p..(i + 1) * p];
                let eta: f64 = xi.iter().zip(beta).map(|(x, b)| x * b).sum();
                let r = eta.exp();
                s0 += r;
                for j in 0..p {
                    s1[j] += r * xi[j];
                    for k in j..p {
                        s2[j * p + k] += r * xi[j] * xi[k];
                    }
                }
                if self.event[i] {
                    d += 1;
                    loglik += eta;
                    for (sc, xv) in score.iter_mut().zip(xi) {
                        *sc += xv;
                    }
                    if self.ties == Ties::Efron {
                        a0 += r;
                        for j in 0..p {
                            a1[j] += r * xi[j];
                            for k in j..p {
                                a2[j * p + k] += r * xi[j] * xi[k];
                            }
                        }
                    }
                }
            }
            if d == 0 {
                continue;
            }
            // Breslow: every death sees the full risk set. Efron: the r-th
            // of d tied deaths sees the risk set less r/d of the deaths.
            let steps = d;
            for r in 0..steps {
                let f = match self.ties {
                    Ties::Breslow => 0.0,
                    Ties::Efron => r as f64 / d as f64,
                };
                let t0 = s0 - f * a0;
                loglik -= t0.ln();
                for j in 0..p {
                    mean[j] = (s1[j] - f * a1[j]) / t0;
                    score[j] -= mean[j];
                }
                for j in 0..p {
                    for k in j..p {
                        let t2 = (s2[j * p + k] - f * a2[j * p + k]) / t0;
                        info.add_to(j, k, t2 - mean[j] * mean[k]);
                    }
                }
            }
        }
        info.symmetrize_from_upper();
        Evaluation {
            loglik,
            score,
            information: info,
        }
    }
}
