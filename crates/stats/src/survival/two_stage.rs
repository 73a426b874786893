//! The two-stage test of Qiu & Sheng (2008) for hazard rates that may cross.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use super::SurvivalData;
use crate::{dist, Note, StatsError};

/// Options of [`two_stage_crossing`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoStageOptions {
    /// Bootstrap replicates for the stage-2 p-value.
    pub nboot: usize,
    /// Trimming fraction of the change-point search, in (0, 1).
    pub eps: f64,
    /// Overall significance level, in (0, 1).
    pub alpha: f64,
    /// Seed of the ChaCha20 generator that drives the bootstrap.
    pub seed: u64,
}

impl Default for TwoStageOptions {
    fn default() -> Self {
        TwoStageOptions {
            nboot: 2000,
            eps: 0.1,
            alpha: 0.05,
            seed: 20080101,
        }
    }
}

/// Result of the two-stage test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct TwoStage {
    /// Signed log-rank Z for group 1 (observed minus expected over its SD).
    pub logrank_statistic: f64,
    /// Two-sided log-rank p-value.
    pub logrank_p_value: f64,
    /// Signed stage-2 statistic of the observed data.
    pub stage2_statistic: f64,
    /// First event time receiving the positive stage-2 weight.
    pub stage2_change_time: f64,
    /// Bootstrap p-value of stage 2.
    pub stage2_p_value: f64,
    /// Overall two-stage p-value.
    pub p_value: f64,
    /// Per-stage level 1 - sqrt(1 - alpha).
    pub alpha1: f64,
    /// Whether H0 is rejected at `alpha`.
    pub reject: bool,
    /// Replicates used (non-degenerate).
    pub nboot_used: usize,
    /// The seed.
    pub seed: u64,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// One record: time, event, group 1.
type Record = (f64, bool, bool);

/// Stage 1 and stage 2 statistics of records sorted by time.
struct Stats {
    z: Option<f64>,
    v: Option<(f64, f64)>,
}

fn statistics(records: &[Record], eps: f64) -> Stats {
    let n = records.len() as f64;
    let n1_total = records.iter().filter(|r| r.2).count() as f64;
    // Life table rows at event times: (time, e_j, v_j, a_j).
    let mut rows: Vec<(f64, f64, f64, f64)> = Vec::new();
    let (mut removed, mut removed1) = (0.0, 0.0);
    let mut cens_since = 0.0;
    let (mut s, mut g) = (1.0, 1.0);
    let mut prev_risk: Option<f64> = None;
    let mut i = 0;
    while i < records.len() {
        let t = records[i].0;
        let (mut d, mut d1, mut c, mut size, mut size1) = (0.0, 0.0, 0.0, 0.0, 0.0);
        while i < records.len() && records[i].0 == t {
            let (_, ev, g1) = records[i];
            size += 1.0;
            if g1 {
                size1 += 1.0;
            }
            if ev {
                d += 1.0;
                if g1 {
                    d1 += 1.0;
                }
            } else {
                c += 1.0;
            }
            i += 1;
        }
        if d > 0.0 {
            let nj = n - removed;
            let n1j = n1_total - removed1;
            let e = d1 - n1j * d / nj;
            let v = if nj > 1.0 {
                (n1j / nj) * (1.0 - n1j / nj) * d * (nj - d) / (nj - 1.0)
            } else {
                0.0
            };
            // Censoring factor as TSHRC forms it (see the method note, 5.2).
            g *= match prev_risk {
                None => 1.0 - cens_since / n,
                Some(r) => 1.0 - cens_since / r,
            };
            let s_new = s * (1.0 - d / nj);
            rows.push((t, e, v, g * (s_new - s)));
            s = s_new;
            prev_risk = Some(nj);
            cens_since = c;
        } else {
            cens_since += c;
        }
        removed += size;
        removed1 += size1;
    }
    let (sum_e, sum_v): (f64, f64) = rows.iter().fold((0.0, 0.0), |(a, b), r| (a + r.1, b + r.2));
    let z = (sum_v > 0.0).then(|| sum_e / sum_v.sqrt());
    let dn = rows.len();
    let d_eps = ((dn as f64 * eps).floor() as usize).max(3);
    if dn < 2 * d_eps {
        return Stats { z, v: None };
    }
    let total_a: f64 = rows.iter().map(|r| r.3).sum();
    let (mut a_lo, mut e_lo, mut v_lo) = (0.0, 0.0, 0.0);
    let mut best: Option<(f64, f64)> = None; // (W, change time)
    for k in 1..=dn - d_eps {
        // Index k (1-based) is rows[k - 1]: it takes the late weight but its
        // a_k is counted early (TSHRC's off-by-one, note 10.2).
        let row = rows[k - 1];
        let a_k = a_lo + row.3;
        if k >= d_eps {
            let b_k = total_a - a_k;
            let c_k = a_k / b_k;
            let e_hi = sum_e - e_lo;
            let v_hi = sum_v - v_lo;
            let den = (v_lo + c_k * c_k * v_hi).sqrt();
            let w = (c_k * e_hi - e_lo) / den;
            if w.is_finite() && best.is_none_or(|(bw, _)| w.abs() > bw.abs()) {
                best = Some((w, row.0));
            }
        }
        a_lo = a_k;
        e_lo += row.1;
        v_lo += row.2;
    }
    Stats { z, v: best }
}

/// Uniform index in 0..size (Lemire's multiply-and-reject, unbiased).
fn index(rng: &mut ChaCha20Rng, size: usize) -> usize {
    let s = size as u64;
    let threshold = s.wrapping_neg() % s;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(s);
        if (m as u64) >= threshold {
            return (m >> 64) as usize;
        }
    }
}

/// The two-stage test for equal hazards against any difference, including
/// crossing hazards (Qiu & Sheng 2008), as R TSHRC 0.1-6 `twostage`.
///
/// Stage 1 is the log-rank test at level alpha1 = 1 - sqrt(1 - alpha).
/// Stage 2 is a weighted log-rank statistic whose weights change sign at a
/// data-chosen change point and are built to be asymptotically independent
/// of stage 1; its p-value comes from TSHRC's time-block bootstrap, seeded,
/// so results are reproducible. Overall p = p_LR if p_LR <= alpha1, else
/// alpha1 + (1 - alpha1) p_2. The second sorted label is group 1.
///
/// # Errors
/// [`StatsError::LengthMismatch`]; [`StatsError::TooFew`] unless exactly two
/// groups, each non-empty; [`StatsError::Degenerate`] without events or
/// without an admissible change point, or when every replicate is
/// degenerate; [`StatsError::OutOfRange`] for nboot = 0, eps or alpha
/// outside (0, 1).
///
/// # References
/// Qiu & Sheng (2008), JRSS B 70:191-208; Sheng, Qiu & Geyer, R package
/// TSHRC 0.1-6. See `shared/methods/two-stage-crossing-hazards.md`.
///
/// # Example
/// ```
/// use rct_stats::survival::{two_stage_crossing, SurvivalData, TwoStageOptions};
/// let time = [9.0, 13.0, 13.0, 18.0, 23.0, 28.0, 31.0, 34.0, 45.0, 48.0, 161.0,
///             5.0, 5.0, 8.0, 8.0, 12.0, 16.0, 23.0, 27.0, 30.0, 33.0, 43.0, 45.0];
/// let event = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0,
///              1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
/// let group: Vec<u8> = (0..23).map(|i| u8::from(i >= 11)).collect();
/// let r = two_stage_crossing(&SurvivalData::new(&time, &event)?, &group, &TwoStageOptions::default())?;
/// assert!((r.logrank_statistic - 1.84292937981291).abs() < 1e-9);
/// assert!((r.stage2_statistic + 1.16512839138579).abs() < 1e-9);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn two_stage_crossing<G: Ord + Clone>(
    data: &SurvivalData,
    group: &[G],
    opts: &TwoStageOptions,
) -> Result<TwoStage, StatsError> {
    let n = data.len();
    crate::common::check_same_len("group", group.len(), "time", n)?;
    if opts.nboot == 0 {
        return Err(StatsError::out_of_range(
            "nboot",
            0.0,
            "must be a positive integer",
        ));
    }
    crate::common::check_open_unit("eps", opts.eps)?;
    crate::common::check_open_unit("alpha", opts.alpha)?;
    let mut labels: Vec<&G> = group.iter().collect();
    labels.sort();
    labels.dedup();
    if labels.len() != 2 {
        return Err(StatsError::TooFew {
            argument: "groups (exactly two are compared)".into(),
            needed: 2,
            found: labels.len(),
        });
    }
    let second = labels[1].clone();
    let mut records: Vec<Record> = (0..n)
        .map(|i| (data.time()[i], data.event()[i], group[i] == second))
        .collect();
    if !records.iter().any(|r| r.1) {
        return Err(StatsError::degenerate("there are no events"));
    }
    // Time ascending, events before censorings, group 0 before group 1.
    records.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let observed = statistics(&records, opts.eps);
    let z = observed
        .z
        .ok_or_else(|| StatsError::degenerate("the log-rank variance is zero"))?;
    let (v, change_time) = observed.v.ok_or_else(|| {
        StatsError::degenerate(format!(
            "no admissible change point: fewer than 2 x max(3, floor(D eps)) distinct event times (eps = {})",
            opts.eps
        ))
    })?;
    // Bootstrap on time-ordered blocks of sizes m (group 1) and n - m.
    let m = records.iter().filter(|r| r.2).count();
    let mut rng = ChaCha20Rng::seed_from_u64(opts.seed);
    let (mut minus, mut plus) = (0usize, 0usize);
    let mut counts = vec![0u32; n];
    let mut sample: Vec<Record> = Vec::with_capacity(n);
    for _ in 0..opts.nboot {
        counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..m {
            counts[index(&mut rng, m)] += 1;
        }
        for _ in 0..n - m {
            counts[m + index(&mut rng, n - m)] += 1;
        }
        // The base records are sorted, so drawn positions in increasing order
        // are a sorted replicate (a counting sort).
        sample.clear();
        for (pos, &c) in counts.iter().enumerate() {
            for _ in 0..c {
                sample.push(records[pos]);
            }
        }
        match statistics(&sample, opts.eps).v {
            Some((w, _)) if w < 0.0 => minus += 1,
            Some(_) => plus += 1,
            None => {}
        }
    }
    let used = minus + plus;
    if used == 0 {
        return Err(StatsError::degenerate(
            "every bootstrap replicate was degenerate",
        ));
    }
    let mut notes = Vec::new();
    if used < opts.nboot {
        notes.push(Note(format!(
            "{} of {} bootstrap replicates had no admissible change point and were left out",
            opts.nboot - used,
            opts.nboot
        )));
    }
    let stage2_p_value = (2.0 * minus.min(plus) as f64 / used as f64).min(1.0);
    let logrank_p_value = dist::normal_two_sided(z);
    let alpha1 = 1.0 - (1.0 - opts.alpha).sqrt();
    let p_value = if logrank_p_value <= alpha1 {
        logrank_p_value
    } else {
        alpha1 + (1.0 - alpha1) * stage2_p_value
    };
    Ok(TwoStage {
        logrank_statistic: z,
        logrank_p_value,
        stage2_statistic: v,
        stage2_change_time: change_time,
        stage2_p_value,
        p_value,
        alpha1,
        reject: p_value <= opts.alpha,
        nboot_used: used,
        seed: opts.seed,
        notes,
    })
}
