use std::sync::OnceLock;

use super::{kaplan_meier::km_core, KaplanMeier, KaplanMeierOptions};
use crate::rank::sort;
use crate::StatsError;

/// Validated right-censored survival data: finite, non-negative times and
/// 0/1 event indicators (1 = event, 0 = censored), of equal length.
///
/// Two values are equal when their times and events are (the time order and
/// the sorted copies are derived from them).
#[derive(Debug, Clone)]
pub struct SurvivalData {
    time: Vec<f64>,
    event: Vec<bool>,
    /// `time` and `event` in increasing time, so passes over the risk sets
    /// read memory sequentially instead of gathering through the order;
    /// `None` when `time` already is in that order (the parts of a split).
    sorted: Option<(Vec<f64>, Vec<bool>)>,
    /// Indices in increasing time (stable): made by the constructor's sort,
    /// or on first use.
    order: OnceLock<Vec<u32>>,
}

impl PartialEq for SurvivalData {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.event == other.event
    }
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
            sorted: Some((sorted_time, sorted_event)),
            order: OnceLock::from(order),
        })
    }

    /// Data whose times are already in increasing order (validated upstream).
    fn presorted(time: Vec<f64>, event: Vec<bool>) -> Self {
        SurvivalData {
            time,
            event,
            sorted: None,
            order: OnceLock::new(),
        }
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
            .zip(self.sorted_time())
            .zip(self.sorted_event())
        {
            let c = &mut cols[g as usize];
            c.0.push(t);
            c.1.push(e);
        }
        cols.into_iter()
            .map(|(time, event)| SurvivalData::presorted(time, event))
            .collect()
    }

    /// Whether `time` and `event` pass [`SurvivalData::validate`], in one
    /// pass without allocating; also the bit patterns of the smallest
    /// positive time and of the largest time (0 when there is none).
    fn scan(time: &[f64], event: &[f64]) -> (bool, u64, u64) {
        let mut ok = time.len() == event.len() && !time.is_empty() && time.len() < 1 << 31;
        let (mut min_pos, mut max) = (u64::MAX, 0u64);
        for (&t, &e) in time.iter().zip(event) {
            // NaN fails `t >= 0.0`; -0.0 counts as 0. No short circuits:
            // the loop has no branches.
            ok &= (t >= 0.0) & t.is_finite() & ((e == 0.0) | (e == 1.0));
            let bits = if t > 0.0 { t.to_bits() } else { 0 };
            max = max.max(bits);
            min_pos = min_pos.min(if bits > 0 { bits } else { u64::MAX });
        }
        (ok, min_pos, max)
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
        self.order.get_or_init(|| match self.sorted {
            None => (0..self.time.len() as u32).collect(),
            Some(_) => {
                let mut pairs: Vec<(u64, u32)> = self
                    .time
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| (sort::key(t), i as u32))
                    .collect();
                sort::radix_sort_pairs(&mut pairs);
                pairs.into_iter().map(|(_, i)| i).collect()
            }
        })
    }

    /// Times in increasing order.
    pub fn sorted_time(&self) -> &[f64] {
        self.sorted.as_ref().map_or(&self.time, |s| &s.0)
    }

    /// Event indicators in the order of [`SurvivalData::sorted_time`].
    pub fn sorted_event(&self) -> &[bool] {
        self.sorted.as_ref().map_or(&self.event, |s| &s.1)
    }

    /// The rows in time order, for the passes over risk sets.
    pub(crate) fn rows(&self) -> SortedSlices<'_> {
        SortedSlices {
            time: self.sorted_time(),
            event: self.sorted_event(),
        }
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
        let labels = distinct(group);
        // Group code of each subject in time order.
        let sorted_group: Vec<u32> = self
            .order()
            .iter()
            .map(|&i| labels.binary_search(&group[i as usize]).unwrap_or(0) as u32)
            .collect();
        let parts = self.split_sorted(&sorted_group, labels.len());
        Ok(labels.into_iter().zip(parts).collect())
    }
}

/// The distinct values of `group`, sorted. Labels repeat in runs and are
/// few, so a sorted list with a check of the previous value does; many
/// labels fall back to sorting a copy.
pub(crate) fn distinct<G: Ord + Clone>(group: &[G]) -> Vec<G> {
    let mut labels: Vec<G> = Vec::new();
    let mut last: Option<&G> = None;
    for g in group {
        if last == Some(g) {
            continue;
        }
        last = Some(g);
        if let Err(pos) = labels.binary_search(g) {
            if labels.len() >= 64 {
                let mut all = group.to_vec();
                all.sort();
                all.dedup();
                return all;
            }
            labels.insert(pos, g.clone());
        }
    }
    labels
}

/// Read access to rows in increasing time: what a pass over risk sets needs.
pub(crate) trait TimeRows {
    /// Number of rows.
    fn len(&self) -> usize;
    /// An integer with the order of the times, equal exactly when the
    /// times are, and below `u64::MAX`.
    fn tkey(&self, i: usize) -> u64;
    /// The time of a `tkey`.
    fn time_of(&self, tkey: u64) -> f64;
    /// Whether row `i` is an event.
    fn event(&self, i: usize) -> bool;
}

/// Validated times (non-negative, no -0.0, so their bit patterns have
/// their order) and events, in time order.
pub(crate) struct SortedSlices<'a> {
    time: &'a [f64],
    event: &'a [bool],
}

impl TimeRows for SortedSlices<'_> {
    #[inline]
    fn len(&self) -> usize {
        self.time.len()
    }
    #[inline]
    fn tkey(&self, i: usize) -> u64 {
        self.time[i].to_bits()
    }
    #[inline]
    fn time_of(&self, tkey: u64) -> f64 {
        f64::from_bits(tkey)
    }
    #[inline]
    fn event(&self, i: usize) -> bool {
        self.event[i]
    }
}

/// How a subject is packed into one u64: group code on top, then the time
/// as an offset from the smallest positive time's bit pattern (0 for time
/// 0), then the event bit. Sorting the u64s sorts by group, then time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Codec {
    /// Bit pattern of the smallest positive time, less 1.
    base: u64,
    /// Mask of the time offset (after dropping the event bit).
    mask: u64,
}

/// One group's packed rows.
pub(crate) struct PackedRows<'a> {
    keys: &'a [u64],
    codec: Codec,
}

impl TimeRows for PackedRows<'_> {
    #[inline]
    fn len(&self) -> usize {
        self.keys.len()
    }
    #[inline]
    fn tkey(&self, i: usize) -> u64 {
        (self.keys[i] >> 1) & self.codec.mask
    }
    #[inline]
    fn time_of(&self, tkey: u64) -> f64 {
        if tkey == 0 {
            0.0
        } else {
            f64::from_bits(self.codec.base + tkey)
        }
    }
    #[inline]
    fn event(&self, i: usize) -> bool {
        self.keys[i] & 1 == 1
    }
}

/// The subjects, by group and then time.
#[derive(Debug, Clone, PartialEq)]
enum Rows {
    /// One sorted u64 per subject (see [`Codec`]).
    Packed { keys: Vec<u64>, codec: Codec },
    /// Times and events (when a packed u64 cannot hold the time range).
    Columns { time: Vec<f64>, event: Vec<bool> },
}

/// Survival data with a group label per subject, sorted once by group and
/// time: the per-group curves are contiguous runs, and the k-sample
/// log-rank test merges the runs (the fast path for millions of subjects).
/// When the times span a range that fits (as a few binades of doubles do),
/// each subject is one u64 (group, time offset, event), so the sort moves
/// no more bytes than sorting the time column alone.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedSurvival<G> {
    labels: Vec<G>,
    /// Where each group's rows start, and the end.
    starts: Vec<usize>,
    rows: Rows,
}

impl<G: Ord + Clone> GroupedSurvival<G> {
    /// Validates the data as [`SurvivalData::new`] and sorts times, events
    /// and groups in one radix sort.
    ///
    /// # Errors
    /// As [`SurvivalData::new`]; [`StatsError::LengthMismatch`] for `group`.
    pub fn new(time: &[f64], event: &[f64], group: &[G]) -> Result<Self, StatsError> {
        let (ok, min_pos, max) = SurvivalData::scan(time, event);
        if !ok {
            // The precise error (the scan only says that there is one).
            SurvivalData::validate(time, event)?;
        }
        crate::common::check_same_len("group", group.len(), "time", time.len())?;
        let labels = distinct(group);
        let k = labels.len();
        // A label's code is the number of labels below it: for a few labels
        // counting them does not branch on the (random) label.
        let few = k <= 8;
        let code = |g: &G| {
            if few {
                labels.iter().map(|l| usize::from(l < g)).sum()
            } else {
                labels.binary_search(g).unwrap_or(0)
            }
        };
        let group_bits = u64::BITS - (k.saturating_sub(1) as u64).leading_zeros();
        // Offsets 1.. for positive times, 0 for time 0.
        let max_offset = if max == 0 { 0 } else { max - min_pos + 1 };
        let time_bits = u64::BITS - max_offset.leading_zeros();
        let mut counts = vec![0usize; k];
        let rows = if time_bits + 1 + group_bits <= u64::BITS {
            let base = min_pos.wrapping_sub(1);
            let shift = time_bits + 1;
            let mut keys: Vec<u64> = time
                .iter()
                .zip(event)
                .zip(group)
                .map(|((&t, &e), g)| {
                    let gi = code(g);
                    counts[gi] += 1;
                    let offset = if t > 0.0 { t.to_bits() - base } else { 0 };
                    let top = if group_bits == 0 {
                        0
                    } else {
                        (gi as u64) << shift
                    };
                    top | offset << 1 | u64::from(e == 1.0)
                })
                .collect();
            sort::radix_sort_u64(&mut keys);
            Rows::Packed {
                keys,
                codec: Codec {
                    base,
                    mask: (1u64 << time_bits) - 1,
                },
            }
        } else {
            // Per group, (time key, event) pairs sorted by time.
            let codes: Vec<usize> = group.iter().map(code).collect();
            for &c in &codes {
                counts[c] += 1;
            }
            let mut parts: Vec<Vec<(u64, bool)>> =
                counts.iter().map(|&c| Vec::with_capacity(c)).collect();
            for ((&t, &e), &c) in time.iter().zip(event).zip(&codes) {
                parts[c].push((sort::key(t), e == 1.0));
            }
            let (mut times, mut events) = (
                Vec::with_capacity(time.len()),
                Vec::with_capacity(time.len()),
            );
            for mut part in parts {
                sort::radix_sort_pairs(&mut part);
                for (key, e) in part {
                    times.push(sort::value(key));
                    events.push(e);
                }
            }
            Rows::Columns {
                time: times,
                event: events,
            }
        };
        let mut starts = Vec::with_capacity(k + 1);
        starts.push(0);
        for c in counts {
            starts.push(starts[starts.len() - 1] + c);
        }
        Ok(GroupedSurvival {
            labels,
            starts,
            rows,
        })
    }

    /// Number of subjects.
    pub fn len(&self) -> usize {
        self.starts[self.starts.len() - 1]
    }

    /// Whether there are no subjects (never true for validated data).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The group labels, sorted.
    pub fn labels(&self) -> &[G] {
        &self.labels
    }

    /// Each group's packed rows (or `None` for the column form).
    fn packed_runs(&self) -> Option<Vec<PackedRows<'_>>> {
        match &self.rows {
            Rows::Packed { keys, codec } => Some(
                self.starts
                    .windows(2)
                    .map(|w| PackedRows {
                        keys: &keys[w[0]..w[1]],
                        codec: *codec,
                    })
                    .collect(),
            ),
            Rows::Columns { .. } => None,
        }
    }

    /// Each group's rows in the column form (empty for the packed form).
    fn column_runs(&self) -> Vec<SortedSlices<'_>> {
        match &self.rows {
            Rows::Packed { .. } => Vec::new(),
            Rows::Columns { time, event } => self
                .starts
                .windows(2)
                .map(|w| SortedSlices {
                    time: &time[w[0]..w[1]],
                    event: &event[w[0]..w[1]],
                })
                .collect(),
        }
    }

    /// One data set per group (in label order), already in time order.
    pub fn split(&self) -> Vec<(G, SurvivalData)> {
        fn part<R: TimeRows>(r: &R) -> SurvivalData {
            let n = r.len();
            SurvivalData::presorted(
                (0..n).map(|i| r.time_of(r.tkey(i))).collect(),
                (0..n).map(|i| r.event(i)).collect(),
            )
        }
        let parts: Vec<SurvivalData> = match self.packed_runs() {
            Some(runs) => runs.iter().map(part).collect(),
            None => self.column_runs().iter().map(part).collect(),
        };
        self.labels.iter().cloned().zip(parts).collect()
    }

    /// The Kaplan-Meier curve of each group (in label order), read straight
    /// off the sorted rows: the same curves as [`crate::survival::kaplan_meier()`]
    /// on each part of [`GroupedSurvival::split`], without the copies.
    ///
    /// # Errors
    /// As [`crate::survival::kaplan_meier()`].
    pub fn kaplan_meier(
        &self,
        opts: &KaplanMeierOptions,
    ) -> Result<Vec<(G, KaplanMeier)>, StatsError> {
        let curves: Vec<KaplanMeier> = match self.packed_runs() {
            Some(runs) => runs
                .iter()
                .map(|r| km_core(r, opts))
                .collect::<Result<_, _>>()?,
            None => self
                .column_runs()
                .iter()
                .map(|r| km_core(r, opts))
                .collect::<Result<_, _>>()?,
        };
        Ok(self.labels.iter().cloned().zip(curves).collect())
    }

    /// The unstratified k-sample G-rho test of the groups (as
    /// [`crate::survival::logrank()`]), merging the groups' sorted runs.
    ///
    /// # Errors
    /// As [`crate::survival::logrank()`].
    pub fn logrank(&self, opts: &super::LogrankOptions) -> Result<super::Logrank<G>, StatsError> {
        match self.packed_runs() {
            Some(runs) => super::logrank::merged_core(&runs, self.labels.clone(), opts),
            None => super::logrank::merged_core(&self.column_runs(), self.labels.clone(), opts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survival::{kaplan_meier, logrank, KaplanMeierOptions, LogrankOptions};
    use proptest::prelude::*;

    /// The fast path against the general functions on the same data.
    fn check_grouped<G: Ord + Clone + std::fmt::Debug>(
        time: &[f64],
        event: &[f64],
        group: &[G],
        packed: bool,
    ) -> Result<(), TestCaseError> {
        let grouped = GroupedSurvival::new(time, event, group).unwrap();
        prop_assert_eq!(matches!(grouped.rows, Rows::Packed { .. }), packed);
        let plain = SurvivalData::new(time, event).unwrap();
        prop_assert_eq!(grouped.len(), plain.len());
        let a = grouped.split();
        let b = plain.by_group(group).unwrap();
        let o = KaplanMeierOptions::default();
        let curves = grouped.kaplan_meier(&o).unwrap();
        prop_assert_eq!(a.len(), b.len());
        prop_assert_eq!(curves.len(), b.len());
        for (((la, da), (lb, db)), (lc, kc)) in a.iter().zip(&b).zip(&curves) {
            prop_assert_eq!(la, lb);
            prop_assert_eq!(la, lc);
            prop_assert_eq!(da.sorted_time(), db.sorted_time());
            let kb = kaplan_meier(db, &o).unwrap();
            prop_assert_eq!(&kaplan_meier(da, &o).unwrap(), &kb);
            prop_assert_eq!(kc, &kb);
        }
        let o = LogrankOptions::default();
        match (
            grouped.logrank(&o),
            logrank(&plain, group, None::<&[u8]>, &o),
        ) {
            (Ok(x), Ok(y)) => prop_assert_eq!(x, y),
            (Err(_), Err(_)) => {}
            (x, y) => prop_assert!(false, "{x:?} vs {y:?}"),
        }
        Ok(())
    }

    proptest! {
        /// The one-sort fast path gives exactly what the general functions give.
        #[test]
        fn grouped_matches_general(t in prop::collection::vec(0u32..30, 2..80), e in prop::collection::vec(0u8..2, 80), g in prop::collection::vec(0u8..3, 80)) {
            let time: Vec<f64> = t.iter().map(|&v| f64::from(v)).collect();
            let n = time.len();
            let event: Vec<f64> = e[..n].iter().map(|&v| f64::from(v)).collect();
            check_grouped(&time, &event, &g[..n], true)?;
        }

        /// Times over too wide a range for one u64 per subject (the column
        /// form), with zeros, and more than 256 subjects (the radix sorts).
        #[test]
        fn grouped_wide_range(t in prop::collection::vec((0u32..4, -300i32..300), 300..600), e in prop::collection::vec(0u8..2, 600), g in prop::collection::vec(0u8..5, 600)) {
            let mut time: Vec<f64> = t.iter().map(|&(m, x)| f64::from(m) * 10f64.powi(x)).collect();
            time[0] = 1e-300;
            time[1] = 1e300;
            let n = time.len();
            let event: Vec<f64> = e[..n].iter().map(|&v| f64::from(v)).collect();
            check_grouped(&time, &event, &g[..n], false)?;
        }

        /// Many groups and many subjects, times with zeros.
        #[test]
        fn grouped_many(t in prop::collection::vec(0u32..200, 300..2000), e in prop::collection::vec(0u8..2, 2000), g in prop::collection::vec(0u16..90, 2000)) {
            let time: Vec<f64> = t.iter().map(|&v| f64::from(v) / 8.0).collect();
            let n = time.len();
            let event: Vec<f64> = e[..n].iter().map(|&v| f64::from(v)).collect();
            check_grouped(&time, &event, &g[..n], true)?;
        }
    }

    #[test]
    fn grouped_errors_as_plain() {
        let g = [0u8, 1, 0];
        let cases: [(&[f64], &[f64]); 6] = [
            (&[], &[]),
            (&[1.0, 2.0], &[1.0, 0.0, 1.0]),
            (&[1.0, f64::NAN, 2.0], &[1.0, 0.0, 1.0]),
            (&[1.0, -1.0, 2.0], &[1.0, 0.0, 1.0]),
            (&[1.0, 3.0, 2.0], &[1.0, 2.0, 1.0]),
            (&[1.0, 3.0, 2.0], &[1.0, f64::INFINITY, 1.0]),
        ];
        for (t, e) in cases {
            let plain = SurvivalData::new(t, e).unwrap_err();
            let grouped = GroupedSurvival::new(t, e, &g[..t.len()]).unwrap_err();
            assert_eq!(plain, grouped, "{t:?} {e:?}");
        }
        let err = GroupedSurvival::new(&[1.0, 2.0], &[1.0, 0.0], &g).unwrap_err();
        assert!(matches!(err, StatsError::LengthMismatch { .. }), "{err:?}");
    }

    #[test]
    fn zero_and_negative_zero_times_tie() {
        let t = [0.0, -0.0, 2.0, 0.0, 5.0];
        let e = [1.0, 1.0, 0.0, 1.0, 1.0];
        let g = ["a", "b", "a", "b", "a"];
        let grouped = GroupedSurvival::new(&t, &e, &g).unwrap();
        let parts = grouped.split();
        assert_eq!(parts[0].1.sorted_time(), &[0.0, 2.0, 5.0]);
        assert_eq!(parts[1].1.sorted_time(), &[0.0, 0.0]);
        assert!(parts[1].1.sorted_time()[0].is_sign_positive());
        assert_eq!(parts[1].1.order(), &[0, 1]);
    }
}
