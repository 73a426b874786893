use std::collections::BTreeMap;

use super::data::GroupRows;
use super::SurvivalData;
use crate::linalg::{Cholesky, Matrix};
use crate::{dist, Note, StatsError};

/// Options of the G-rho family of tests.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LogrankOptions {
    /// Weight exponent: each event time is weighted by S(t-)^rho, S the
    /// pooled Kaplan-Meier estimate within the stratum. 0 gives the log-rank
    /// test, 1 the Peto-Peto modification of the Gehan-Wilcoxon test.
    pub rho: f64,
}

/// A k-sample log-rank (G-rho) test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Logrank<G> {
    /// Chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom: groups with a positive expected count, minus 1.
    pub df: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Group labels, sorted.
    pub groups: Vec<G>,
    /// Observed (weighted when rho > 0) events per group, summed over strata.
    pub observed: Vec<f64>,
    /// Expected events per group under H0.
    pub expected: Vec<f64>,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// Tests that the survival (or time-to-response) distributions of k groups
/// are equal, optionally stratified (e.g. by site), with the G-rho family of
/// weights.
///
/// Within each stratum, at each event time, the observed minus expected
/// events and the hypergeometric covariance are accumulated; the statistic is
/// (O - E)' V^- (O - E) over the groups with a positive expected count,
/// leaving one out.
///
/// # Errors
/// [`StatsError::LengthMismatch`] when `group` or `strata` do not match the
/// data; [`StatsError::TooFew`] for fewer than two groups (or fewer than two
/// with a positive expected count); [`StatsError::Singular`] for a
/// degenerate variance; [`StatsError::OutOfRange`] for a negative or
/// non-finite `rho`.
///
/// # References
/// Mantel (1966); Peto & Peto (1972); Harrington & Fleming (1982). Agrees
/// with R 4.2.2 survival 3.5-3 `survdiff` (groups in sorted label order).
///
/// # Example
/// ```
/// use rct_stats::survival::{logrank, LogrankOptions, SurvivalData};
/// let time = [9.0, 13.0, 13.0, 18.0, 23.0, 28.0, 31.0, 34.0, 45.0, 48.0, 161.0,
///             5.0, 5.0, 8.0, 8.0, 12.0, 16.0, 23.0, 27.0, 30.0, 33.0, 43.0, 45.0];
/// let event = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0,
///              1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
/// let group: Vec<&str> = (0..23).map(|i| if i < 11 { "Maintained" } else { "Nonmaintained" }).collect();
/// let data = SurvivalData::new(&time, &event)?;
/// let r = logrank(&data, &group, None::<&[u8]>, &LogrankOptions::default())?;
/// assert!((r.statistic - 3.396388698977601).abs() < 1e-9);
/// assert!((r.p_value - 0.06533932204050513).abs() < 1e-12);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn logrank<G: Ord + Clone, S: Ord>(
    data: &SurvivalData,
    group: &[G],
    strata: Option<&[S]>,
    opts: &LogrankOptions,
) -> Result<Logrank<G>, StatsError> {
    let n = data.len();
    crate::common::check_same_len("group", group.len(), "time", n)?;
    if let Some(s) = strata {
        crate::common::check_same_len("strata", s.len(), "time", n)?;
    }
    if !(opts.rho.is_finite() && opts.rho >= 0.0) {
        return Err(StatsError::out_of_range(
            "rho",
            opts.rho,
            "must be finite and non-negative",
        ));
    }
    let labels: Vec<G> = super::data::distinct(group);
    let k = labels.len();
    if k < 2 {
        return Err(StatsError::TooFew {
            argument: "groups".into(),
            needed: 2,
            found: k,
        });
    }
    // Group index of each subject in time order (one gather, then
    // sequential reads).
    let order = data.order();
    let gidx: Vec<u32> = order
        .iter()
        .map(|&i| labels.binary_search(&group[i as usize]).unwrap_or(0) as u32)
        .collect();
    // Positions (in time order) of each stratum's subjects.
    let mut by_stratum: BTreeMap<&S, Vec<u32>> = BTreeMap::new();
    if let Some(s) = strata {
        for (pos, &i) in order.iter().enumerate() {
            by_stratum
                .entry(&s[i as usize])
                .or_default()
                .push(pos as u32);
        }
    }
    let lists: Option<Vec<&[u32]>> =
        strata.map(|_| by_stratum.values().map(Vec::as_slice).collect());
    sorted_core(data, &gidx, labels, lists.as_deref(), opts)
}

/// Sums of observed and expected events and their covariance over event
/// times (one place, so the pooled and the merged passes agree exactly).
struct Sums {
    k: usize,
    rho: f64,
    observed: Vec<f64>,
    expected: Vec<f64>,
    /// Upper triangle of the k x k covariance, row-major.
    var: Vec<f64>,
}

impl Sums {
    fn new(k: usize, rho: f64) -> Self {
        Sums {
            k,
            rho,
            observed: vec![0.0; k],
            expected: vec![0.0; k],
            var: vec![0.0; k * k],
        }
    }

    /// One event time: `d_tot` deaths, `deaths` per group, `risk` per group
    /// and `at_risk` in all just before it; `km` is the pooled S(t-),
    /// updated here (only the G-rho weights with rho > 0 read it).
    #[inline(always)]
    fn add(&mut self, km: &mut f64, d_tot: f64, at_risk: f64, risk: &[f64], deaths: &[f64]) {
        // 1/n and 1/(n - 1) from one division (divisions, not the
        // multiplications, bound this loop over millions of times).
        let (inv, inv_less_one) = if at_risk > 1.0 {
            let r = 1.0 / (at_risk * (at_risk - 1.0));
            ((at_risk - 1.0) * r, at_risk * r)
        } else {
            (1.0 / at_risk, 0.0)
        };
        let w = if self.rho == 0.0 {
            1.0
        } else {
            let w = km.powf(self.rho);
            *km *= 1.0 - d_tot * inv;
            w
        };
        let hyper = d_tot * (at_risk - d_tot) * inv_less_one;
        // Loop bounds from `risk`, whose length the fixed-size callers fix.
        let k = risk.len();
        let c = w * w * hyper;
        let (observed, expected) = (&mut self.observed[..k], &mut self.expected[..k]);
        for a in 0..k {
            // Share of the risk set in group a.
            let pa = risk[a] * inv;
            observed[a] += w * deaths[a];
            expected[a] += w * d_tot * pa;
            let cpa = c * pa;
            let row = &mut self.var[a * k..(a + 1) * k];
            row[a] += cpa * (1.0 - pa);
            for (v, &rb) in row.iter_mut().zip(risk).skip(a + 1) {
                *v -= cpa * (rb * inv);
            }
        }
    }

    /// The test of the accumulated sums.
    fn finish<G>(self, labels: Vec<G>) -> Result<Logrank<G>, StatsError> {
        let k = self.k;
        let mut var = Matrix::zeros(k, k);
        for a in 0..k {
            for b in a..k {
                var.set(a, b, self.var[a * k + b]);
            }
        }
        var.symmetrize_from_upper();
        let (observed, expected) = (self.observed, self.expected);
        // Groups with a positive expected count, leaving the first out.
        let keep: Vec<usize> = (0..k).filter(|&g| expected[g] > 0.0).collect();
        let mut notes = Vec::new();
        if keep.len() < 2 {
            return Err(StatsError::TooFew {
                argument: "groups with subjects at risk at an event time".into(),
                needed: 2,
                found: keep.len(),
            });
        }
        if keep.len() < k {
            notes.push(Note(format!(
                "{} group(s) had no expected events and were left out",
                k - keep.len()
            )));
        }
        let sub: Vec<usize> = keep[1..].to_vec();
        let v = var.select(&sub, &sub);
        let diff: Vec<f64> = sub.iter().map(|&g| observed[g] - expected[g]).collect();
        let chol = Cholesky::new(&v, "log-rank variance")?;
        let x = chol.solve(&diff);
        let statistic: f64 = x
            .iter()
            .zip(&diff)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            .max(0.0);
        let df = (keep.len() - 1) as f64;
        Ok(Logrank {
            statistic,
            df,
            p_value: dist::chi_square_sf(statistic, df),
            groups: labels,
            observed,
            expected,
            notes,
        })
    }
}

/// Checks the number of groups and rho.
fn check(k: usize, opts: &LogrankOptions) -> Result<(), StatsError> {
    if k < 2 {
        return Err(StatsError::TooFew {
            argument: "groups".into(),
            needed: 2,
            found: k,
        });
    }
    if !(opts.rho.is_finite() && opts.rho >= 0.0) {
        return Err(StatsError::out_of_range(
            "rho",
            opts.rho,
            "must be finite and non-negative",
        ));
    }
    Ok(())
}

/// The log-rank computation on data in time order: `gidx[pos]` is the group
/// of the subject at sorted position `pos`; `strata` lists the sorted
/// positions of each stratum (all positions when `None`).
fn sorted_core<G>(
    data: &SurvivalData,
    gidx: &[u32],
    labels: Vec<G>,
    strata: Option<&[&[u32]]>,
    opts: &LogrankOptions,
) -> Result<Logrank<G>, StatsError> {
    let n = data.len();
    let k = labels.len();
    check(k, opts)?;
    let all: Vec<u32>;
    let lists: Vec<&[u32]> = match strata {
        Some(l) => l.to_vec(),
        None => {
            all = (0..n as u32).collect();
            vec![all.as_slice()]
        }
    };
    let (time, event) = (data.sorted_time(), data.sorted_event());
    let mut sums = Sums::new(k, opts.rho);
    let mut risk = vec![0.0; k];
    let mut deaths = vec![0.0; k];
    let mut leaving = vec![0.0; k];
    for idx in lists {
        risk.iter_mut().for_each(|r| *r = 0.0);
        for &i in idx {
            risk[gidx[i as usize] as usize] += 1.0;
        }
        let mut at_risk = idx.len() as f64;
        let mut km: f64 = 1.0; // pooled S(t-) within the stratum
        let mut p = 0;
        while p < idx.len() {
            let t = time[idx[p] as usize];
            deaths.iter_mut().for_each(|d| *d = 0.0);
            leaving.iter_mut().for_each(|d| *d = 0.0);
            let mut d_tot = 0.0;
            while p < idx.len() && time[idx[p] as usize] == t {
                let i = idx[p] as usize;
                let g = gidx[i] as usize;
                if event[i] {
                    deaths[g] += 1.0;
                    d_tot += 1.0;
                }
                leaving[g] += 1.0;
                p += 1;
            }
            if d_tot > 0.0 {
                sums.add(&mut km, d_tot, at_risk, &risk, &deaths);
            }
            for (r, l) in risk.iter_mut().zip(&leaving) {
                *r -= l;
                at_risk -= l;
            }
        }
    }
    sums.finish(labels)
}

/// The unstratified test on rows in time order with a group code each
/// (the same sums, in the same order, as [`sorted_core`]).
pub(crate) fn grouped_core<G, R: GroupRows + ?Sized>(
    rows: &R,
    counts: &[usize],
    labels: Vec<G>,
    opts: &LogrankOptions,
) -> Result<Logrank<G>, StatsError> {
    let k = labels.len();
    check(k, opts)?;
    if counts.contains(&0) {
        return Err(StatsError::TooFew {
            argument: "subjects in a group".into(),
            needed: 1,
            found: 0,
        });
    }
    let mut sums = Sums::new(k, opts.rho);
    // Fixed-size state for the usual few arms: the loops over groups unroll.
    match k {
        2 => grouped_pass(rows, counts, &mut sums, [0.0; 2]),
        3 => grouped_pass(rows, counts, &mut sums, [0.0; 3]),
        4 => grouped_pass(rows, counts, &mut sums, [0.0; 4]),
        _ => grouped_pass(rows, counts, &mut sums, vec![0.0; k]),
    }
    sums.finish(labels)
}

/// The pass of [`grouped_core`], with per-group state in `F`, given zeroed
/// with one entry per group.
fn grouped_pass<R, F>(rows: &R, counts: &[usize], sums: &mut Sums, zeros: F)
where
    R: GroupRows + ?Sized,
    F: AsRef<[f64]> + AsMut<[f64]> + Clone,
{
    let (mut risk, mut deaths, mut leaving) = (zeros.clone(), zeros.clone(), zeros);
    for (r, &c) in risk.as_mut().iter_mut().zip(counts) {
        *r = c as f64;
    }
    let n = rows.len();
    let mut at_risk = n as f64;
    let mut km: f64 = 1.0;
    let mut i = 0;
    while i < n {
        let t = rows.tkey(i);
        deaths.as_mut().iter_mut().for_each(|d| *d = 0.0);
        leaving.as_mut().iter_mut().for_each(|d| *d = 0.0);
        let mut d_tot = 0.0;
        // The rows at t, added to their group without branching on it.
        while i < n && rows.tkey(i) == t {
            let g = rows.group(i);
            let e = f64::from(u8::from(rows.event(i)));
            deaths.as_mut()[g] += e;
            leaving.as_mut()[g] += 1.0;
            d_tot += e;
            i += 1;
        }
        if d_tot > 0.0 {
            sums.add(&mut km, d_tot, at_risk, risk.as_ref(), deaths.as_ref());
        }
        for (r, l) in risk.as_mut().iter_mut().zip(leaving.as_ref()) {
            *r -= l;
            at_risk -= l;
        }
    }
}
