//! Study-level decisions, made once from stream 0 of the seed before any
//! subject is simulated: sites and consent dates, who fails screening (and
//! why) or declines, the randomization list, and which randomized subjects
//! have adverse events or are lost. Counts are exact: subjects are chosen
//! at random for a fixed number of places.

use super::config::{DemoConfig, Ineligibility};
use super::DemoError;
use crate::rng::TrialRng;

/// What became of a screened subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    ScreenFailure(Ineligibility),
    Declined,
    /// Randomized to the arm with this index.
    Randomized(usize),
}

/// One screened subject's study-level facts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Planned {
    /// Site index (0-based).
    pub site: usize,
    /// Screening number within the site (1-based).
    pub number: usize,
    /// Informed consent date (SAS day number).
    pub consent: i32,
    pub fate: Fate,
    pub any_ae: bool,
    pub common_ae: bool,
    pub pre_dose_ae: bool,
    pub lost: bool,
}

pub(super) struct Plan {
    /// In USUBJID order (site, then screening number).
    pub subjects: Vec<Planned>,
    pub site_width: usize,
    pub number_width: usize,
}

/// `total` split over `parts` as evenly as possible, the first parts taking
/// the remainder.
fn even_split(total: usize, parts: usize) -> Vec<usize> {
    let base = total / parts;
    let extra = total % parts;
    (0..parts).map(|p| base + usize::from(p < extra)).collect()
}

/// `k` of `0..n` chosen at random (partial Fisher-Yates), as flags.
fn choose(rng: &mut TrialRng, n: usize, k: usize) -> Vec<bool> {
    let mut idx: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    let mut flags = vec![false; n];
    for &i in &idx[..k] {
        flags[i] = true;
    }
    flags
}

/// `round(share * n)`, the number of places for a share of `n` subjects.
fn places(share: f64, n: usize) -> usize {
    ((share * n as f64).round() as usize).min(n)
}

/// Largest-remainder apportionment of `total` over `weights`.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let quotas: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut counts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut left = total.saturating_sub(counts.iter().sum());
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; ties by position, so the result is
    // deterministic.
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

pub(super) fn plan(config: &DemoConfig, seed: u64, first_consent: i32) -> Result<Plan, DemoError> {
    let mut rng = TrialRng::new(seed, 0);
    let n_sites = config.sites;
    let screened = even_split(config.n_screened, n_sites);
    let randomized = even_split(config.n_randomized(), n_sites);
    let site_width = n_sites.to_string().len().max(2);
    let number_width = screened
        .iter()
        .max()
        .copied()
        .unwrap_or(0)
        .to_string()
        .len()
        .max(3);

    // Sites, consent dates (sorted, so screening numbers follow dates) and
    // who is randomized at each site.
    let mut subjects = Vec::with_capacity(config.n_screened);
    let mut offsets = Vec::new();
    for site in 0..n_sites {
        offsets.clear();
        offsets.extend(
            (0..screened[site]).map(|_| rng.between(0, i64::from(config.enrolment_days) - 1)),
        );
        offsets.sort_unstable();
        let not_randomized = choose(&mut rng, screened[site], screened[site] - randomized[site]);
        for (i, (&off, &out)) in offsets.iter().zip(&not_randomized).enumerate() {
            subjects.push(Planned {
                site,
                number: i + 1,
                consent: first_consent + off as i32,
                // Placeholder arm 0; set from the list below.
                fate: if out {
                    Fate::Declined
                } else {
                    Fate::Randomized(0)
                },
                any_ae: false,
                common_ae: false,
                pre_dose_ae: false,
                lost: false,
            });
        }
    }

    // Screen failures among those not randomized, reasons apportioned by
    // the configured weights and dealt out at random.
    let out: Vec<usize> = (0..subjects.len())
        .filter(|&i| subjects[i].fate == Fate::Declined)
        .collect();
    let failing = choose(&mut rng, out.len(), config.n_screen_failures);
    let weights: Vec<f64> = config.screen_failure_mix.iter().map(|(_, w)| *w).collect();
    let counts = apportion(config.n_screen_failures, &weights);
    let mut reasons: Vec<Ineligibility> = Vec::with_capacity(config.n_screen_failures);
    for ((reason, _), &c) in config.screen_failure_mix.iter().zip(&counts) {
        reasons.extend(std::iter::repeat_n(*reason, c));
    }
    for i in (1..reasons.len()).rev() {
        let j = rng.below(i + 1);
        reasons.swap(i, j);
    }
    let mut next_reason = reasons.into_iter();
    for (&i, &fail) in out.iter().zip(&failing) {
        if fail {
            if let Some(r) = next_reason.next() {
                subjects[i].fate = Fate::ScreenFailure(r);
            }
        }
    }

    // Permuted blocks stratified by site; each site's randomized subjects
    // take its list entries in consent order.
    let per_stratum = randomized.iter().max().copied().unwrap_or(0);
    if per_stratum > 0 {
        let levels: Vec<String> = (1..=n_sites).map(|s| format!("{s:0site_width$}")).collect();
        let strata = rct_design::Stratum::product(&[("site".to_string(), levels)])?;
        let scheme = rct_design::BlockScheme {
            arms: config.arms.iter().map(|a| a.code.clone()).collect(),
            ratio: vec![1; config.arms.len()],
            block_sizes: config.block_sizes.clone(),
            strata,
            per_stratum,
        };
        let list = rct_design::generate(&scheme, rng.next_u64())?;
        let mut cursor = vec![0usize; n_sites];
        for s in subjects.iter_mut() {
            if let Fate::Randomized(_) = s.fate {
                let entry = list.entries.get(s.site * per_stratum + cursor[s.site]);
                cursor[s.site] += 1;
                let arm = entry
                    .and_then(|e| config.arms.iter().position(|a| a.code == e.arm))
                    .ok_or_else(|| DemoError::Config {
                        field: "arms".into(),
                        problem: "randomization list does not match the arms".into(),
                    })?;
                s.fate = Fate::Randomized(arm);
            }
        }
    }

    // Exact numbers of subjects with adverse events and lost, per arm.
    let mut with_ae = Vec::new();
    for (a, arm) in config.arms.iter().enumerate() {
        let members: Vec<usize> = (0..subjects.len())
            .filter(|&i| subjects[i].fate == Fate::Randomized(a))
            .collect();
        let n = members.len();
        let any = choose(&mut rng, n, places(arm.any_ae, n));
        let n_any = any.iter().filter(|f| **f).count();
        let common = choose(&mut rng, n_any, places(arm.common_ae, n).min(n_any));
        let lost = choose(&mut rng, n, places(arm.lost, n));
        let mut k = 0;
        for (m, &i) in members.iter().enumerate() {
            subjects[i].lost = lost[m];
            if any[m] {
                subjects[i].any_ae = true;
                subjects[i].common_ae = common[k];
                k += 1;
                with_ae.push(i);
            }
        }
    }
    with_ae.sort_unstable();
    let pre = choose(
        &mut rng,
        with_ae.len(),
        places(config.pre_dose_ae, config.n_randomized()),
    );
    for (&i, &p) in with_ae.iter().zip(&pre) {
        subjects[i].pre_dose_ae = p;
    }

    Ok(Plan {
        subjects,
        site_width,
        number_width,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_split_gives_the_remainder_to_the_first_parts() {
        assert_eq!(even_split(10, 4), vec![3, 3, 2, 2]);
        assert_eq!(even_split(72, 4), vec![18; 4]);
    }

    #[test]
    fn apportion_hits_the_total() {
        let c = apportion(26, &[10.0, 3.0, 6.0, 4.0, 2.0, 1.0]);
        assert_eq!(c, vec![10, 3, 6, 4, 2, 1]);
        let c = apportion(7, &[1.0, 1.0, 1.0]);
        assert_eq!(c.iter().sum::<usize>(), 7);
        assert_eq!(c, vec![3, 2, 2]);
    }

    #[test]
    fn choose_picks_exactly_k() {
        let mut rng = TrialRng::new(1, 0);
        for (n, k) in [(10, 3), (5, 5), (4, 0), (3, 7)] {
            let f = choose(&mut rng, n, k);
            assert_eq!(f.len(), n);
            assert_eq!(f.iter().filter(|x| **x).count(), k.min(n));
        }
    }
}
