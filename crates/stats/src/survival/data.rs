use std::sync::OnceLock;

use super::kaplan_meier::CurveBuilder;
use super::{KaplanMeier, KaplanMeierOptions};
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
        let ok = time.len() == event.len() && !time.is_empty() && time.len() < 1 << 31;
        // Four lanes of branch-free compares and selects, which the
        // compiler turns into vector instructions. Positive doubles order
        // as their bit patterns, so the extremes are found as numbers. NaN
        // fails `t >= 0.0` and is never selected; -0.0 counts as 0.
        const L: usize = 4;
        let mut good = [true; L];
        let mut min = [f64::INFINITY; L];
        let mut max = [0.0f64; L];
        let lane = |l: usize,
                    t: f64,
                    e: f64,
                    good: &mut [bool; L],
                    min: &mut [f64; L],
                    max: &mut [f64; L]| {
            good[l] &= (0.0..=f64::MAX).contains(&t) & ((e == 0.0) | (e == 1.0));
            let pos = if t > 0.0 { t } else { f64::INFINITY };
            min[l] = if pos < min[l] { pos } else { min[l] };
            max[l] = if t > max[l] { t } else { max[l] };
        };
        let (tc, ec) = (time.chunks_exact(L), event.chunks_exact(L));
        let (t_rest, e_rest) = (tc.remainder(), ec.remainder());
        for (t, e) in tc.zip(ec) {
            for l in 0..L {
                lane(l, t[l], e[l], &mut good, &mut min, &mut max);
            }
        }
        for (l, (&t, &e)) in t_rest.iter().zip(e_rest).enumerate() {
            lane(l, t, e, &mut good, &mut min, &mut max);
        }
        let ok = ok && good.iter().all(|&g| g);
        let min_pos = min.iter().copied().fold(f64::INFINITY, f64::min);
        let max = max.iter().copied().fold(0.0, f64::max);
        let min_pos = if min_pos.is_finite() {
            min_pos.to_bits()
        } else {
            u64::MAX
        };
        (ok, min_pos, if max > 0.0 { max.to_bits() } else { 0 })
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

/// How a subject is packed into one u64: the time as an offset from the
/// smallest positive time's bit pattern (0 for time 0) on top, then the
/// group code, then the event bit. Sorting the u64s sorts by time, then
/// group, then event.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Codec {
    /// Bit pattern of the smallest positive time, less 1.
    base: u64,
    /// Bits of the group code.
    group_bits: u32,
}

/// The subjects in increasing time (then group, then event).
#[derive(Debug, Clone, PartialEq)]
enum Rows {
    /// One sorted u64 per subject (see [`Codec`]).
    Packed { keys: Vec<u64>, codec: Codec },
    /// (time key of [`sort::key`], group code << 1 | event) pairs, when a
    /// packed u64 cannot hold the time range.
    Pairs(Vec<(u64, u32)>),
}

/// Read access to rows in increasing time with a group code each: what the
/// grouped passes need.
pub(crate) trait GroupRows {
    fn len(&self) -> usize;
    /// An integer with the order of the times, equal exactly when the
    /// times are.
    fn tkey(&self, i: usize) -> u64;
    /// The time of a `tkey`.
    fn time_of(&self, tkey: u64) -> f64;
    /// The group code of row `i`.
    fn group(&self, i: usize) -> usize;
    /// Whether row `i` is an event.
    fn event(&self, i: usize) -> bool;
    /// Whether rows `i` and `j` have the same time and group.
    fn same_run(&self, i: usize, j: usize) -> bool;
}

struct PackedRows<'a> {
    keys: &'a [u64],
    codec: Codec,
}

impl GroupRows for PackedRows<'_> {
    #[inline]
    fn len(&self) -> usize {
        self.keys.len()
    }
    #[inline]
    fn tkey(&self, i: usize) -> u64 {
        self.keys[i] >> (self.codec.group_bits + 1)
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
    fn group(&self, i: usize) -> usize {
        ((self.keys[i] >> 1) & ((1 << self.codec.group_bits) - 1)) as usize
    }
    #[inline]
    fn event(&self, i: usize) -> bool {
        self.keys[i] & 1 == 1
    }
    #[inline]
    fn same_run(&self, i: usize, j: usize) -> bool {
        self.keys[i] >> 1 == self.keys[j] >> 1
    }
}

impl GroupRows for [(u64, u32)] {
    #[inline]
    fn len(&self) -> usize {
        <[(u64, u32)]>::len(self)
    }
    #[inline]
    fn tkey(&self, i: usize) -> u64 {
        self[i].0
    }
    #[inline]
    fn time_of(&self, tkey: u64) -> f64 {
        sort::value(tkey)
    }
    #[inline]
    fn group(&self, i: usize) -> usize {
        (self[i].1 >> 1) as usize
    }
    #[inline]
    fn event(&self, i: usize) -> bool {
        self[i].1 & 1 == 1
    }
    #[inline]
    fn same_run(&self, i: usize, j: usize) -> bool {
        self[i].0 == self[j].0 && self[i].1 >> 1 == self[j].1 >> 1
    }
}

/// Evaluates `$body` with `$r` bound to the rows of either form as a
/// [`GroupRows`] (the passes are generic, so each form gets its own
/// compiled copy).
macro_rules! with_rows {
    ($rows:expr, $r:ident => $body:expr) => {
        match $rows {
            Rows::Packed { keys, codec } => {
                let $r = &PackedRows {
                    keys,
                    codec: *codec,
                };
                $body
            }
            Rows::Pairs(pairs) => {
                let $r = pairs.as_slice();
                $body
            }
        }
    };
}

/// Survival data with a group label per subject, sorted once by time (then
/// group): one pass over the rows gives every group's Kaplan-Meier curve,
/// another the k-sample log-rank test (the fast path for millions of
/// subjects). When the times span a range that fits (as a few binades of
/// doubles do), each subject is one u64 (time offset, group, event), so the
/// sort moves no more bytes than sorting the time column alone.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedSurvival<G> {
    labels: Vec<G>,
    /// Subjects per group.
    counts: Vec<usize>,
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
        let rows = if time_bits + group_bits < u64::BITS {
            let base = min_pos.wrapping_sub(1);
            let shift = group_bits + 1;
            // Few groups are counted in registers (an add per group and
            // row), not by incrementing memory at a random index.
            let mut few_counts = [0usize; 8];
            let mut keys: Vec<u64> = time
                .iter()
                .zip(event)
                .zip(group)
                .map(|((&t, &e), g)| {
                    let gi = code(g);
                    if few {
                        for (c, n) in few_counts.iter_mut().enumerate() {
                            *n += usize::from(gi == c);
                        }
                    } else {
                        counts[gi] += 1;
                    }
                    let offset = if t > 0.0 { t.to_bits() - base } else { 0 };
                    offset << shift | (gi as u64) << 1 | u64::from(e == 1.0)
                })
                .collect();
            if few {
                counts.copy_from_slice(&few_counts[..k]);
            }
            sort::radix_sort_u64(&mut keys);
            Rows::Packed {
                keys,
                codec: Codec { base, group_bits },
            }
        } else {
            let mut pairs: Vec<(u64, u32)> = time
                .iter()
                .zip(event)
                .zip(group)
                .map(|((&t, &e), g)| {
                    let gi = code(g);
                    counts[gi] += 1;
                    (sort::key(t), (gi as u32) << 1 | u32::from(e == 1.0))
                })
                .collect();
            sort::radix_sort_pairs(&mut pairs);
            // Within a time, by group and event (runs are short).
            let mut lo = 0;
            while lo < pairs.len() {
                let mut hi = lo + 1;
                while hi < pairs.len() && pairs[hi].0 == pairs[lo].0 {
                    hi += 1;
                }
                if hi - lo > 1 {
                    pairs[lo..hi].sort_unstable_by_key(|p| p.1);
                }
                lo = hi;
            }
            Rows::Pairs(pairs)
        };
        Ok(GroupedSurvival {
            labels,
            counts,
            rows,
        })
    }

    /// Number of subjects.
    pub fn len(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Whether there are no subjects (never true for validated data).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The group labels, sorted.
    pub fn labels(&self) -> &[G] {
        &self.labels
    }

    /// One data set per group (in label order), already in time order.
    pub fn split(&self) -> Vec<(G, SurvivalData)> {
        fn parts<R: GroupRows + ?Sized>(r: &R, counts: &[usize]) -> Vec<SurvivalData> {
            let mut cols: Vec<(Vec<f64>, Vec<bool>)> = counts
                .iter()
                .map(|&n| (Vec::with_capacity(n), Vec::with_capacity(n)))
                .collect();
            for i in 0..r.len() {
                let c = &mut cols[r.group(i)];
                c.0.push(r.time_of(r.tkey(i)));
                c.1.push(r.event(i));
            }
            cols.into_iter()
                .map(|(time, event)| SurvivalData::presorted(time, event))
                .collect()
        }
        let parts = with_rows!(&self.rows, r => parts(r, &self.counts));
        self.labels.iter().cloned().zip(parts).collect()
    }

    /// The Kaplan-Meier curve of each group (in label order), in one pass
    /// over the sorted rows: the same curves as
    /// [`crate::survival::kaplan_meier()`] on each part of
    /// [`GroupedSurvival::split`], without the copies.
    ///
    /// # Errors
    /// As [`crate::survival::kaplan_meier()`].
    pub fn kaplan_meier(
        &self,
        opts: &KaplanMeierOptions,
    ) -> Result<Vec<(G, KaplanMeier)>, StatsError> {
        fn pass<R: GroupRows + ?Sized>(
            r: &R,
            counts: &[usize],
            opts: &KaplanMeierOptions,
        ) -> Result<Vec<KaplanMeier>, StatsError> {
            let mut curves: Vec<CurveBuilder> = counts
                .iter()
                .map(|&n| CurveBuilder::new(n, opts))
                .collect::<Result<_, _>>()?;
            let n = r.len();
            let mut i = 0;
            while i < n {
                // One run of rows with the same time and group.
                let start = i;
                let mut d = u32::from(r.event(i));
                i += 1;
                while i < n && r.same_run(start, i) {
                    d += u32::from(r.event(i));
                    i += 1;
                }
                let time = r.time_of(r.tkey(start));
                curves[r.group(start)].push(time, d, (i - start) as u32 - d);
            }
            Ok(curves.into_iter().map(CurveBuilder::finish).collect())
        }
        let curves = with_rows!(&self.rows, r => pass(r, &self.counts, opts))?;
        Ok(self.labels.iter().cloned().zip(curves).collect())
    }

    /// The unstratified k-sample G-rho test of the groups (as
    /// [`crate::survival::logrank()`]), in one pass over the sorted rows.
    ///
    /// # Errors
    /// As [`crate::survival::logrank()`].
    pub fn logrank(&self, opts: &super::LogrankOptions) -> Result<super::Logrank<G>, StatsError> {
        use super::logrank::grouped_core;
        let labels = self.labels.clone();
        with_rows!(&self.rows, r => grouped_core(r, &self.counts, labels, opts))
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
