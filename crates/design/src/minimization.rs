//! Pocock-Simon minimization with a random element, patient by patient.

use crate::rng::Rng;
use crate::DesignError;

/// A prognostic factor to balance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Factor {
    /// Name, e.g. `site`.
    pub name: String,
    /// Levels, e.g. `01`, `02`.
    pub levels: Vec<String>,
    /// Weight of its imbalance in the total.
    pub weight: f64,
}

/// Options of the minimizer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MinimizerOptions {
    /// Arm names.
    pub arms: Vec<String>,
    /// Allocation ratio (counts are divided by it before comparing).
    pub ratio: Vec<usize>,
    /// Factors to balance.
    pub factors: Vec<Factor>,
    /// Probability of assigning the arm that minimizes imbalance (the
    /// random element; Pocock & Simon suggest about 0.8). Other arms share
    /// the rest equally.
    pub p_best: f64,
}

/// The outcome for one patient.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Assignment {
    /// 1-based order of assignment.
    pub sequence: usize,
    /// The arm.
    pub arm: String,
    /// Total weighted imbalance had the patient gone to each arm.
    pub imbalance: Vec<f64>,
    /// Whether the arm was the (or a) minimizing one.
    pub chose_best: bool,
}

/// A minimization allocator; its state is the counts so far and the
/// generator's position, so replaying the same patients with the same seed
/// gives the same assignments.
#[derive(Debug)]
pub struct Minimizer {
    opts: MinimizerOptions,
    /// counts[f][level][arm]
    counts: Vec<Vec<Vec<f64>>>,
    rng: RngState,
    assigned: usize,
}

struct RngState(Rng);

impl std::fmt::Debug for RngState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChaCha20")
    }
}

impl Minimizer {
    /// A minimizer seeded with `seed`.
    ///
    /// # Errors
    /// [`DesignError`] for fewer than two arms, a ratio that does not match,
    /// no factors, a factor without levels or with a negative weight, or
    /// `p_best` outside [1/k, 1].
    pub fn new(opts: MinimizerOptions, seed: u64) -> Result<Self, DesignError> {
        let k = opts.arms.len();
        if k < 2 {
            return Err(DesignError::Arms("at least two arms are needed".into()));
        }
        if opts.ratio.len() != k || opts.ratio.contains(&0) {
            return Err(DesignError::Ratio(format!(
                "{} positive ratio parts are needed for {k} arms",
                k
            )));
        }
        if opts.factors.is_empty() {
            return Err(DesignError::Minimization(
                "at least one factor is needed".into(),
            ));
        }
        for f in &opts.factors {
            if f.levels.is_empty() {
                return Err(DesignError::Minimization(format!(
                    "factor `{}` has no levels",
                    f.name
                )));
            }
            if !(f.weight.is_finite() && f.weight >= 0.0) {
                return Err(DesignError::Minimization(format!(
                    "factor `{}` has weight {}",
                    f.name, f.weight
                )));
            }
        }
        if !(opts.p_best.is_finite() && opts.p_best >= 1.0 / k as f64 && opts.p_best <= 1.0) {
            return Err(DesignError::Minimization(format!(
                "p_best = {} must be in [1/{k}, 1]",
                opts.p_best
            )));
        }
        let counts = opts
            .factors
            .iter()
            .map(|f| vec![vec![0.0; k]; f.levels.len()])
            .collect();
        Ok(Minimizer {
            opts,
            counts,
            rng: RngState(Rng::new(seed)),
            assigned: 0,
        })
    }

    /// Assigns the next patient, whose level of each factor is given in
    /// factor order.
    ///
    /// # Errors
    /// [`DesignError::Minimization`] for a wrong number of levels or an
    /// unknown level.
    pub fn assign(&mut self, levels: &[&str]) -> Result<Assignment, DesignError> {
        let opts = &self.opts;
        if levels.len() != opts.factors.len() {
            return Err(DesignError::Minimization(format!(
                "{} levels given for {} factors",
                levels.len(),
                opts.factors.len()
            )));
        }
        let idx: Vec<usize> = opts
            .factors
            .iter()
            .zip(levels)
            .map(|(f, l)| {
                f.levels.iter().position(|x| x == l).ok_or_else(|| {
                    DesignError::Minimization(format!("unknown level `{l}` of factor `{}`", f.name))
                })
            })
            .collect::<Result<_, _>>()?;
        let k = opts.arms.len();
        let imbalance: Vec<f64> = (0..k)
            .map(|a| {
                opts.factors
                    .iter()
                    .zip(&idx)
                    .enumerate()
                    .map(|(fi, (f, &li))| {
                        let c = &self.counts[fi][li];
                        let scaled: Vec<f64> = (0..k)
                            .map(|b| (c[b] + f64::from(u8::from(a == b))) / opts.ratio[b] as f64)
                            .collect();
                        let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let min = scaled.iter().copied().fold(f64::INFINITY, f64::min);
                        f.weight * (max - min)
                    })
                    .sum()
            })
            .collect();
        let best = imbalance.iter().copied().fold(f64::INFINITY, f64::min);
        let best_arms: Vec<usize> = (0..k)
            .filter(|&a| (imbalance[a] - best).abs() <= 1e-12)
            .collect();
        let rng = &mut self.rng.0;
        let (arm, chose_best) = if best_arms.len() == k {
            // No preference: draw by the ratio.
            let total: usize = opts.ratio.iter().sum();
            let mut u = rng.below(total);
            let mut pick = 0;
            for (a, &r) in opts.ratio.iter().enumerate() {
                if u < r {
                    pick = a;
                    break;
                }
                u -= r;
            }
            (pick, true)
        } else if rng.unit() < opts.p_best {
            (best_arms[rng.below(best_arms.len())], true)
        } else {
            let others: Vec<usize> = (0..k).filter(|a| !best_arms.contains(a)).collect();
            (others[rng.below(others.len())], false)
        };
        for (fi, &li) in idx.iter().enumerate() {
            self.counts[fi][li][arm] += 1.0;
        }
        self.assigned += 1;
        Ok(Assignment {
            sequence: self.assigned,
            arm: opts.arms[arm].clone(),
            imbalance,
            chose_best,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> MinimizerOptions {
        MinimizerOptions {
            arms: vec!["HIGH".into(), "LOW".into(), "PLACEBO".into()],
            ratio: vec![1, 1, 1],
            factors: vec![
                Factor {
                    name: "site".into(),
                    levels: vec!["01".into(), "02".into(), "03".into(), "04".into()],
                    weight: 1.0,
                },
                Factor {
                    name: "cd4".into(),
                    levels: vec!["low".into(), "high".into()],
                    weight: 1.0,
                },
            ],
            p_best: 0.8,
        }
    }

    /// Minimization keeps every site's arms within a few patients of each
    /// other, far tighter than simple randomization would.
    #[test]
    fn balances_margins() {
        let mut m = Minimizer::new(opts(), 7).unwrap();
        let sites = ["01", "02", "03", "04"];
        let mut per_site = vec![[0usize; 3]; 4];
        for i in 0..240 {
            let s = i % 4;
            let cd4 = if (i / 4) % 3 == 0 { "low" } else { "high" };
            let a = m.assign(&[sites[s], cd4]).unwrap();
            let arm = ["HIGH", "LOW", "PLACEBO"]
                .iter()
                .position(|x| *x == a.arm)
                .unwrap();
            per_site[s][arm] += 1;
        }
        for c in per_site {
            let (max, min) = (c.iter().max().unwrap(), c.iter().min().unwrap());
            assert!(max - min <= 3, "{c:?}");
        }
    }

    #[test]
    fn same_seed_same_assignments_and_bad_input() {
        let mut a = Minimizer::new(opts(), 3).unwrap();
        let mut b = Minimizer::new(opts(), 3).unwrap();
        for _ in 0..20 {
            assert_eq!(
                a.assign(&["02", "low"]).unwrap(),
                b.assign(&["02", "low"]).unwrap()
            );
        }
        assert!(a.assign(&["09", "low"]).is_err());
        assert!(a.assign(&["01"]).is_err());
        let mut o = opts();
        o.p_best = 0.1;
        assert!(Minimizer::new(o, 1).is_err());
    }
}
