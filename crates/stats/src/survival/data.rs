use crate::rank::sort;
use crate::StatsError;

/// Validated right-censored survival data: finite, non-negative times and
/// 0/1 event indicators (1 = event, 0 = censored), of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    time: Vec<f64>,
    event: Vec<bool>,
    /// Indices in increasing time (stable), computed once.
    order: Vec<u32>,
    /// `time` and `event` in that order, so passes over the risk sets read
    /// memory sequentially instead of gathering through `order`.
    sorted_time: Vec<f64>,
    sorted_event: Vec<bool>,
}

impl SurvivalData {
    /// Validates `time` and `event` (given as 0.0 / 1.0).
    ///
    /// # Errors
    /// [`StatsError::Empty`] for no observations, [`StatsError::LengthMismatch`],
    /// [`StatsError::NonFinite`] for a missing or infinite time or event,
    /// [`StatsError::OutOfRange`] for a negative time or an event code other
    /// than 0 or 1.
    pub fn new(time: &[f64], event: &[f64]) -> Result<Self, StatsError> {
        let (time, event) = Self::validate(time, event)?;
        // Sort (time key, index | event bit) pairs: the sorted times and
        // events come out of the pairs, with no gather through the order.
        let mut pairs: Vec<(u64, u32)> = time
            .iter()
            .zip(&event)
            .enumerate()
            .map(|(i, (&t, &e))| (sort::key(t), i as u32 | (u32::from(e) << 31)))
            .collect();
        sort::radix_sort_pairs(&mut pairs);
        let mut order = Vec::with_capacity(pairs.len());
        let mut sorted_time = Vec::with_capacity(pairs.len());
        let mut sorted_event = Vec::with_capacity(pairs.len());
        for (k, p) in pairs {
            order.push(p & !(1 << 31));
            sorted_time.push(sort::value(k));
            sorted_event.push(p >> 31 == 1);
        }
        Ok(SurvivalData {
            time,
            event,
            order,
            sorted_time,
            sorted_event,
        })
    }

    /// One data set per group code (0..k), given the code of each subject
    /// in time order. Walking the data in time order appends each subject
    /// to its group in time order, so each part is already sorted.
    fn split_sorted(&self, sorted_group: &[u32], k: usize) -> Vec<SurvivalData> {
        let mut sizes = vec![0usize; k];
        for &g in sorted_group {
            sizes[g as usize] += 1;
        }
        let mut cols: Vec<(Vec<f64>, Vec<bool>)> = sizes
            .iter()
            .map(|&n| (Vec::with_capacity(n), Vec::with_capacity(n)))
            .collect();
        for ((&g, &t), &e) in sorted_group
            .iter()
            .zip(&self.sorted_time)
            .zip(&self.sorted_event)
        {
            let c = &mut cols[g as usize];
            c.0.push(t);
            c.1.push(e);
        }
        cols.into_iter()
            .map(|(time, event)| SurvivalData {
                order: (0..time.len() as u32).collect(),
                sorted_time: time.clone(),
                sorted_event: event.clone(),
                time,
                event,
            })
            .collect()
    }

    /// Checks times and events; returns them with -0.0 as 0.0 and events
    /// as booleans.
    fn validate(time: &[f64], event: &[f64]) -> Result<(Vec<f64>, Vec<bool>), StatsError> {
        if time.len() >= 1 << 31 {
            return Err(StatsError::TooLarge {
                reason: format!("{} subjects; at most 2^31 - 1 are supported", time.len()),
            });
        }
        if time.is_empty() {
            return Err(StatsError::Empty {
                argument: "time".into(),
                needed: 1,
            });
        }
        crate::common::check_same_len("event", event.len(), "time", time.len())?;
        crate::common::check_finite("time", time)?;
        crate::common::check_finite("event", event)?;
        if let Some(i) = time.iter().position(|&t| t < 0.0) {
            return Err(StatsError::out_of_range(
                format!("time[{i}]"),
                time[i],
                "times must be non-negative",
            ));
        }
        let event = event
            .iter()
            .enumerate()
            .map(|(i, &e)| {
                if e == 0.0 {
                    Ok(false)
                } else if e == 1.0 {
                    Ok(true)
                } else {
                    Err(StatsError::out_of_range(
                        format!("event[{i}]"),
                        e,
                        "event codes must be 1 (event) or 0 (censored)",
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let time: Vec<f64> = time
            .iter()
            .map(|&t| if t == 0.0 { 0.0 } else { t })
            .collect();
        Ok((time, event))
    }

    /// Number of subjects.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether there are no subjects (never true for validated data).
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Times.
    pub fn time(&self) -> &[f64] {
        &self.time
    }

    /// Event indicators.
    pub fn event(&self) -> &[bool] {
        &self.event
    }

    /// Indices ordered by increasing time (stable).
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// Times in increasing order.
    pub fn sorted_time(&self) -> &[f64] {
        &self.sorted_time
    }

    /// Event indicators in the order of [`SurvivalData::sorted_time`].
    pub fn sorted_event(&self) -> &[bool] {
        &self.sorted_event
    }

    /// Splits the data by group label, keeping the time order (no new sort),
    /// groups in sorted label order.
    ///
    /// # Errors
    /// [`StatsError::LengthMismatch`] when `group` does not match the data.
    pub fn by_group<G: Ord + Clone>(
        &self,
        group: &[G],
    ) -> Result<Vec<(G, SurvivalData)>, StatsError> {
        crate::common::check_same_len("group", group.len(), "time", self.len())?;
        let mut labels: Vec<&G> = group.iter().collect();
        labels.sort();
        labels.dedup();
        // Group code of each subject in time order.
        let sorted_group: Vec<u32> = self
            .order
            .iter()
            .map(|&i| labels.binary_search(&&group[i as usize]).unwrap_or(0) as u32)
            .collect();
        let parts = self.split_sorted(&sorted_group, labels.len());
        Ok(labels.into_iter().cloned().zip(parts).collect())
    }
}

/// Survival data with a group label per subject, sorted together once: the
/// per-group curves and the k-sample log-rank test then read memory
/// sequentially (the fast path for millions of subjects).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedSurvival<G> {
    data: SurvivalData,
    labels: Vec<G>,
    /// Group index of each subject in time order.
    sorted_group: Vec<u32>,
}

impl<G: Ord + Clone> GroupedSurvival<G> {
    /// Validates the data as [`SurvivalData::new`] and sorts times, events
    /// and groups in one radix sort.
    ///
    /// # Errors
    /// As [`SurvivalData::new`]; [`StatsError::LengthMismatch`] for `group`.
    pub fn new(time: &[f64], event: &[f64], group: &[G]) -> Result<Self, StatsError> {
        // Validation (and a first sort) by the plain constructor would cost a
        // second sort; check here and sort once with the group in the payload.
        let plain = SurvivalData::validate(time, event)?;
        crate::common::check_same_len("group", group.len(), "time", time.len())?;
        let mut labels: Vec<G> = group.to_vec();
        labels.sort();
        labels.dedup();
        let mut pairs: Vec<(u64, u64)> = plain
            .0
            .iter()
            .zip(&plain.1)
            .zip(group)
            .enumerate()
            .map(|(i, ((&t, &e), g))| {
                let gi = labels.binary_search(g).unwrap_or(0) as u64;
                (sort::key(t), i as u64 | (u64::from(e) << 32) | (gi << 33))
            })
            .collect();
        sort::radix_sort_pairs(&mut pairs);
        let n = pairs.len();
        let (mut order, mut sorted_time, mut sorted_event, mut sorted_group) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (k, p) in pairs {
            order.push(p as u32);
            sorted_time.push(sort::value(k));
            sorted_event.push((p >> 32) & 1 == 1);
            sorted_group.push((p >> 33) as u32);
        }
        Ok(GroupedSurvival {
            data: SurvivalData {
                time: plain.0,
                event: plain.1,
                order,
                sorted_time,
                sorted_event,
            },
            labels,
            sorted_group,
        })
    }

    /// The pooled data.
    pub fn data(&self) -> &SurvivalData {
        &self.data
    }

    /// The group labels, sorted.
    pub fn labels(&self) -> &[G] {
        &self.labels
    }

    /// One data set per group (in label order), already in time order.
    pub fn split(&self) -> Vec<(G, SurvivalData)> {
        let parts = self
            .data
            .split_sorted(&self.sorted_group, self.labels.len());
        self.labels.iter().cloned().zip(parts).collect()
    }

    /// The unstratified k-sample G-rho test of the groups (as
    /// [`crate::survival::logrank()`], without gathering labels).
    ///
    /// # Errors
    /// As [`crate::survival::logrank()`].
    pub fn logrank(&self, opts: &super::LogrankOptions) -> Result<super::Logrank<G>, StatsError> {
        super::logrank::sorted_core(
            &self.data,
            &self.sorted_group,
            self.labels.clone(),
            None,
            opts,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survival::{kaplan_meier, logrank, KaplanMeierOptions, LogrankOptions};
    use proptest::prelude::*;

    proptest! {
        /// The one-sort fast path gives exactly what the general functions give.
        #[test]
        fn grouped_matches_general(t in prop::collection::vec(0u32..30, 2..80), e in prop::collection::vec(0u8..2, 80), g in prop::collection::vec(0u8..3, 80)) {
            let time: Vec<f64> = t.iter().map(|&v| f64::from(v)).collect();
            let n = time.len();
            let event: Vec<f64> = e[..n].iter().map(|&v| f64::from(v)).collect();
            let group = &g[..n];
            let grouped = GroupedSurvival::new(&time, &event, group).unwrap();
            let plain = SurvivalData::new(&time, &event).unwrap();
            prop_assert_eq!(grouped.data(), &plain);
            let a = grouped.split();
            let b = plain.by_group(group).unwrap();
            prop_assert_eq!(a.len(), b.len());
            for ((la, da), (lb, db)) in a.iter().zip(&b) {
                prop_assert_eq!(la, lb);
                let o = KaplanMeierOptions::default();
                prop_assert_eq!(kaplan_meier(da, &o).unwrap(), kaplan_meier(db, &o).unwrap());
            }
            let o = LogrankOptions::default();
            match (grouped.logrank(&o), logrank(&plain, group, None::<&[u8]>, &o)) {
                (Ok(x), Ok(y)) => prop_assert_eq!(x, y),
                (Err(_), Err(_)) => {}
                (x, y) => prop_assert!(false, "{x:?} vs {y:?}"),
            }
        }
    }
}
