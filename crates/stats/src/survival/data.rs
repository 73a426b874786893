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
        if event.len() != time.len() {
            return Err(StatsError::LengthMismatch {
                argument: "event".into(),
                other: "time".into(),
                expected: time.len(),
                found: event.len(),
            });
        }
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
        if group.len() != self.len() {
            return Err(StatsError::LengthMismatch {
                argument: "group".into(),
                other: "time".into(),
                expected: self.len(),
                found: group.len(),
            });
        }
        let mut labels: Vec<&G> = group.iter().collect();
        labels.sort();
        labels.dedup();
        let gidx: Vec<usize> = group
            .iter()
            .map(|g| labels.binary_search(&g).unwrap_or(0))
            .collect();
        let mut sizes = vec![0usize; labels.len()];
        for &g in &gidx {
            sizes[g] += 1;
        }
        let mut cols: Vec<(Vec<f64>, Vec<bool>)> = sizes
            .iter()
            .map(|&n| (Vec::with_capacity(n), Vec::with_capacity(n)))
            .collect();
        // Walking the parent in time order appends each subject to its group
        // in time order, so each part is already sorted.
        for (k, &i) in self.order.iter().enumerate() {
            let part = &mut cols[gidx[i as usize]];
            part.0.push(self.sorted_time[k]);
            part.1.push(self.sorted_event[k]);
        }
        let parts: Vec<SurvivalData> = cols
            .into_iter()
            .map(|(time, event)| {
                let order = (0..time.len() as u32).collect();
                SurvivalData {
                    sorted_time: time.clone(),
                    sorted_event: event.clone(),
                    time,
                    event,
                    order,
                }
            })
            .collect();
        Ok(labels.into_iter().cloned().zip(parts).collect())
    }
}
