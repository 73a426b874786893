use std::str::FromStr;

use super::data::TimeRows;
use super::SurvivalData;
use crate::{dist, StatsError};

/// Confidence interval transform of a Kaplan-Meier curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ConfType {
    /// On log S (R survfit's default).
    #[default]
    #[serde(rename = "log")]
    Log,
    /// On log(-log S) (SAS PROC LIFETEST's default).
    #[serde(rename = "log-log")]
    LogLog,
    /// On S itself, clipped to [0, 1].
    #[serde(rename = "plain")]
    Plain,
}

impl ConfType {
    /// A label for footnotes.
    pub fn label(self) -> &'static str {
        match self {
            ConfType::Log => "log transform (R default)",
            ConfType::LogLog => "log-log transform (SAS default)",
            ConfType::Plain => "linear (plain)",
        }
    }
}

impl FromStr for ConfType {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s {
            "log" => Ok(ConfType::Log),
            "log-log" | "loglog" | "log_log" => Ok(ConfType::LogLog),
            "plain" | "linear" => Ok(ConfType::Plain),
            _ => Err(StatsError::UnknownOption {
                what: "confidence interval transform".into(),
                name: s.into(),
                expected: "log, log-log, plain".into(),
            }),
        }
    }
}

/// Options of [`kaplan_meier`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KaplanMeierOptions {
    /// Transform for the pointwise confidence intervals.
    pub conf_type: ConfType,
    /// Confidence level, in (0, 1).
    pub conf_level: f64,
}

impl Default for KaplanMeierOptions {
    fn default() -> Self {
        KaplanMeierOptions {
            conf_type: ConfType::Log,
            conf_level: 0.95,
        }
    }
}

/// A Kaplan-Meier curve, one row per distinct time (events or censorings).
///
/// The pointwise confidence limits are derived on demand from `survival`
/// and `std_err` ([`KaplanMeier::lower`], [`KaplanMeier::upper`]) rather than
/// stored: a curve over ten million subjects then writes three columns less.
/// They are serialized as `lower` and `upper` like the other fields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct KaplanMeier {
    /// Distinct times.
    pub time: Vec<f64>,
    /// Number at risk just before each time.
    pub n_risk: Vec<u32>,
    /// Events at each time.
    pub n_event: Vec<u32>,
    /// Censorings at each time.
    pub n_censor: Vec<u32>,
    /// S(t).
    pub survival: Vec<f64>,
    /// Greenwood's variance of log S(t), whose square root times S(t) is
    /// the standard error ([`KaplanMeier::std_err`]): kept instead of the
    /// standard errors so a row is 8 bytes smaller and needs no square root.
    var_log: Vec<f64>,
    /// Median survival (`None` when not reached).
    pub median: Option<f64>,
    /// Lower confidence limit of the median.
    pub median_lower: Option<f64>,
    /// Upper confidence limit of the median.
    pub median_upper: Option<f64>,
    /// The interval transform.
    pub conf_type: ConfType,
    /// The confidence level.
    pub conf_level: f64,
    /// The normal quantile of the confidence level.
    z: f64,
}

impl serde::Serialize for KaplanMeier {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("KaplanMeier", 15)?;
        st.serialize_field("time", &self.time)?;
        st.serialize_field("n_risk", &self.n_risk)?;
        st.serialize_field("n_event", &self.n_event)?;
        st.serialize_field("n_censor", &self.n_censor)?;
        st.serialize_field("survival", &self.survival)?;
        st.serialize_field("std_err", &self.std_err())?;
        st.serialize_field("lower", &self.lower())?;
        st.serialize_field("upper", &self.upper())?;
        st.serialize_field("median", &self.median)?;
        st.serialize_field("median_lower", &self.median_lower)?;
        st.serialize_field("median_upper", &self.median_upper)?;
        st.serialize_field("conf_type", &self.conf_type)?;
        st.serialize_field("conf_level", &self.conf_level)?;
        st.end()
    }
}

/// The Kaplan-Meier estimate of the survival function with Greenwood
/// standard errors, pointwise confidence intervals and the median with its
/// confidence interval.
///
/// The median is the first time the curve reaches 0.5 or below; when the
/// curve equals 0.5 (within `sqrt(eps)`) it is the midpoint between that
/// time and the next time the curve drops. Its limits are read the same way
/// off the lower and upper confidence curves (Brookmeyer & Crowley 1982, as
/// R does).
///
/// # Errors
/// As [`SurvivalData::new`] (applied by the caller); [`StatsError::OutOfRange`]
/// for a confidence level outside (0, 1).
///
/// # References
/// Kaplan & Meier (1958); Greenwood (1926); Brookmeyer & Crowley (1982).
/// Agrees with R 4.2.2 survival 3.5-3 `survfit` and `quantile.survfit`.
///
/// # Example
/// ```
/// use rct_stats::survival::{kaplan_meier, KaplanMeierOptions, SurvivalData};
/// let data = SurvivalData::new(&[9.0, 13.0, 13.0, 18.0, 23.0], &[1.0, 1.0, 0.0, 1.0, 1.0])?;
/// let km = kaplan_meier(&data, &KaplanMeierOptions::default())?;
/// assert_eq!(km.time, vec![9.0, 13.0, 18.0, 23.0]);
/// assert!((km.survival[2] - 0.3).abs() < 1e-12); // (4/5)(3/4)(1/2)
/// assert_eq!(km.median, Some(18.0));
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn kaplan_meier(
    data: &SurvivalData,
    opts: &KaplanMeierOptions,
) -> Result<KaplanMeier, StatsError> {
    km_core(&data.rows(), opts)
}

/// The curve of rows in time order.
pub(crate) fn km_core<R: TimeRows>(
    rows: &R,
    opts: &KaplanMeierOptions,
) -> Result<KaplanMeier, StatsError> {
    let n = rows.len();
    let mut curve = CurveBuilder::new(n, opts)?;
    let mut i = 0;
    while i < n {
        let key = rows.tkey(i);
        let start = i;
        let mut d = 0u32;
        while i < n && rows.tkey(i) == key {
            d += u32::from(rows.event(i));
            i += 1;
        }
        curve.push(rows.time_of(key), d, (i - start) as u32 - d);
    }
    Ok(curve.finish())
}

/// A Kaplan-Meier curve built one distinct time at a time, in increasing
/// time: the one step shared by [`kaplan_meier()`] and the grouped pass of
/// [`crate::survival::GroupedSurvival::kaplan_meier`].
pub(crate) struct CurveBuilder {
    out: KaplanMeier,
    s: f64,
    /// sum d / (n (n - d)): the variance of log S.
    greenwood: f64,
    at_risk: u32,
}

impl CurveBuilder {
    /// A curve over `n` subjects (all at risk at the start).
    pub fn new(n: usize, opts: &KaplanMeierOptions) -> Result<Self, StatsError> {
        crate::common::check_open_unit("conf_level", opts.conf_level)?;
        let z = dist::normal_upper_quantile((1.0 - opts.conf_level) / 2.0);
        // Capacity for one row per subject (an upper bound on distinct
        // times): untouched capacity costs nothing, regrowth would copy
        // every column.
        Ok(CurveBuilder {
            out: KaplanMeier {
                time: Vec::with_capacity(n),
                n_risk: Vec::with_capacity(n),
                n_event: Vec::with_capacity(n),
                n_censor: Vec::with_capacity(n),
                survival: Vec::with_capacity(n),
                var_log: Vec::with_capacity(n),
                median: None,
                median_lower: None,
                median_upper: None,
                conf_type: opts.conf_type,
                conf_level: opts.conf_level,
                z,
            },
            s: 1.0,
            greenwood: 0.0,
            // Counts are whole numbers below 2^31 (checked by the
            // constructors of the data).
            at_risk: n as u32,
        })
    }

    /// The row of one distinct time with `d` events and `c` censorings
    /// (`d + c` at least 1 and at most the number still at risk).
    #[inline(always)]
    pub fn push(&mut self, time: f64, d: u32, c: u32) {
        // Without branching on d (events and censorings alternate at
        // random).
        // One division per row: with r = 1 / (n (n - d)), 1/n is (n - d) r
        // and the Greenwood term d r. With d = 0 the factor is exactly 1,
        // so S changes only at events.
        let (df, nf) = (f64::from(d), f64::from(self.at_risk));
        let (factor, term) = if self.at_risk > d {
            let left = nf - df;
            let r = 1.0 / (nf * left);
            (1.0 - df * (left * r), df * r)
        } else {
            (0.0, 0.0)
        };
        self.s *= factor;
        self.greenwood += term;
        let out = &mut self.out;
        out.time.push(time);
        out.n_risk.push(self.at_risk);
        out.n_event.push(d);
        out.n_censor.push(c);
        out.survival.push(self.s);
        out.var_log.push(self.greenwood);
        self.at_risk -= d + c;
    }

    /// The curve with its median and the median's limits.
    pub fn finish(self) -> KaplanMeier {
        let mut out = self.out;
        out.median = crossing(&out.time, out.survival.iter().map(|&v| Some(v)));
        out.median_lower = crossing(&out.time, out.side_curve(false));
        out.median_upper = crossing(&out.time, out.side_curve(true));
        out
    }
}

/// The lower (`upper = false`) or upper pointwise limit of S with `se_log`
/// the standard error of log S.
fn limit(s: f64, se_log: f64, z: f64, conf_type: ConfType, upper: bool) -> Option<f64> {
    match conf_type {
        ConfType::Log => Some(if upper {
            (s * (z * se_log).exp()).min(1.0)
        } else {
            s * (-z * se_log).exp()
        }),
        ConfType::LogLog => {
            if s >= 1.0 {
                return None;
            }
            // eta = log(-log S) has standard error se_log / |log S|.
            let se_eta = se_log / -s.ln();
            Some(if upper {
                s.powf((-z * se_eta).exp())
            } else {
                s.powf((z * se_eta).exp())
            })
        }
        ConfType::Plain => Some(if upper {
            (s + z * s * se_log).min(1.0)
        } else {
            (s - z * s * se_log).max(0.0)
        }),
    }
}

/// The first time a step curve reaches 0.5 or below, with the midpoint rule
/// when it equals 0.5: `(t_i + t_next) / 2` with `t_next` the next time the
/// curve changes; missing values never count as reached.
fn crossing(time: &[f64], curve: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let tol = f64::EPSILON.sqrt();
    // Only the first time of each distinct value counts, as R drops
    // duplicated values; scan without building that list.
    let mut last: Option<Option<f64>> = None;
    let mut hit: Option<f64> = None; // time where 0.5 was reached exactly
    for (&t, v) in time.iter().zip(curve) {
        if last == Some(v) {
            continue;
        }
        last = Some(v);
        if let Some(t_hit) = hit {
            // The next change after an exact 0.5: the midpoint.
            return Some((t_hit + t) / 2.0);
        }
        if let Some(v) = v {
            if v <= 0.5 + tol {
                if (v - 0.5).abs() < tol {
                    hit = Some(t);
                } else {
                    return Some(t);
                }
            }
        }
    }
    hit
}

impl KaplanMeier {
    /// The pointwise confidence limits at row `i` (`None` where undefined:
    /// every limit where S = 0, log-log limits where S = 1).
    ///
    /// # Panics
    /// If `i` is not a row of the curve.
    pub fn limits(&self, i: usize) -> (Option<f64>, Option<f64>) {
        (self.limit_at(i, false), self.limit_at(i, true))
    }

    /// One pointwise limit at row `i`.
    fn limit_at(&self, i: usize, upper: bool) -> Option<f64> {
        let s = self.survival[i];
        (s > 0.0)
            .then(|| limit(s, self.var_log[i].sqrt(), self.z, self.conf_type, upper))
            .flatten()
    }

    /// The Greenwood standard error of S(t) at row `i` (`None` where S(t)
    /// = 0).
    ///
    /// # Panics
    /// If `i` is not a row of the curve.
    pub fn std_err_at(&self, i: usize) -> Option<f64> {
        let s = self.survival[i];
        (s > 0.0).then(|| s * self.var_log[i].sqrt())
    }

    /// The Greenwood standard errors of S(t), one per row (`None` where
    /// S(t) = 0).
    pub fn std_err(&self) -> Vec<Option<f64>> {
        (0..self.time.len()).map(|i| self.std_err_at(i)).collect()
    }

    /// One pointwise limit per row, for [`crossing`]: computed again only
    /// where S or its standard error changed (at event times), and replaced
    /// by infinity where a cheap bound shows it is above 0.5 (which
    /// [`crossing`] treats alike: never reached, and a change after an
    /// exact 0.5).
    fn side_curve(&self, upper: bool) -> impl Iterator<Item = Option<f64>> + '_ {
        let above = 0.5 + 2.0 * f64::EPSILON.sqrt();
        let mut prev: Option<(f64, f64, Option<f64>)> = None;
        (0..self.time.len()).map(move |i| {
            let (s, v) = (self.survival[i], self.var_log[i]);
            // Upper limits are at least S; log and plain lower limits at
            // least S - z se (exp(-x) >= 1 - x), with se = S sqrt(v):
            // compared squared, without the root.
            let surely_above = if upper {
                s > above
            } else {
                let gap = s - above;
                self.conf_type != ConfType::LogLog
                    && gap > 0.0
                    && gap * gap > self.z * self.z * s * s * v
            };
            if surely_above {
                return Some(f64::INFINITY);
            }
            match prev {
                Some((ps, pv, limit)) if ps == s && pv == v => limit,
                _ => {
                    let limit = self.limit_at(i, upper);
                    prev = Some((s, v, limit));
                    limit
                }
            }
        })
    }

    /// Lower confidence limits, one per row.
    pub fn lower(&self) -> Vec<Option<f64>> {
        (0..self.time.len()).map(|i| self.limits(i).0).collect()
    }

    /// Upper confidence limits, one per row.
    pub fn upper(&self) -> Vec<Option<f64>> {
        (0..self.time.len()).map(|i| self.limits(i).1).collect()
    }

    /// Whether this curve and `other` cross: over their common follow-up
    /// (up to the earlier of their last times), S(t) of one is above the
    /// other's at some time and below it at another (by more than 1e-12).
    /// This is the rule by which a plan chooses the two-stage test for
    /// crossing hazards over the log-rank test for a pair of arms.
    ///
    /// # Example
    /// ```
    /// use rct_stats::survival::{kaplan_meier, KaplanMeierOptions, SurvivalData};
    /// let o = KaplanMeierOptions::default();
    /// // Early deaths in a, late deaths in b: a starts below b, ends above.
    /// let a = kaplan_meier(&SurvivalData::new(&[1.0, 2.0, 9.0, 9.0], &[1.0, 1.0, 0.0, 0.0])?, &o)?;
    /// let b = kaplan_meier(&SurvivalData::new(&[3.0, 6.0, 7.0, 8.0], &[1.0, 1.0, 1.0, 1.0])?, &o)?;
    /// assert!(a.crosses(&b));
    /// assert!(!a.crosses(&a));
    /// # Ok::<(), rct_stats::StatsError>(())
    /// ```
    pub fn crosses(&self, other: &KaplanMeier) -> bool {
        const TOL: f64 = 1e-12;
        let end = match (self.time.last(), other.time.last()) {
            (Some(&a), Some(&b)) => a.min(b),
            _ => return false,
        };
        let (mut above, mut below) = (false, false);
        // Walk the union of the times, holding each curve's current value.
        let (mut i, mut j) = (0, 0);
        let (mut sa, mut sb) = (1.0, 1.0);
        loop {
            let ta = self.time.get(i).copied().unwrap_or(f64::INFINITY);
            let tb = other.time.get(j).copied().unwrap_or(f64::INFINITY);
            let t = ta.min(tb);
            if t > end {
                break;
            }
            if ta == t {
                sa = self.survival[i];
                i += 1;
            }
            if tb == t {
                sb = other.survival[j];
                j += 1;
            }
            above |= sa - sb > TOL;
            below |= sb - sa > TOL;
            if above && below {
                return true;
            }
        }
        false
    }

    /// S(t) at the requested times (the step function, right-continuous;
    /// 1 before the first time).
    pub fn survival_at(&self, times: &[f64]) -> Vec<f64> {
        times
            .iter()
            .map(|&t| {
                let k = self.time.partition_point(|&x| x <= t);
                if k == 0 {
                    1.0
                } else {
                    self.survival[k - 1]
                }
            })
            .collect()
    }

    /// The cumulative incidence 1 - S(t) with its limits (1 - upper, 1 -
    /// lower), for "time to response" displays.
    pub fn cumulative_incidence(&self) -> (Vec<f64>, Vec<Option<f64>>, Vec<Option<f64>>) {
        (
            self.survival.iter().map(|s| 1.0 - s).collect(),
            self.upper().iter().map(|u| u.map(|u| 1.0 - u)).collect(),
            self.lower().iter().map(|l| l.map(|l| 1.0 - l)).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn curve(t: &[f64], e: &[f64]) -> KaplanMeier {
        let data = SurvivalData::new(t, e).unwrap();
        kaplan_meier(&data, &KaplanMeierOptions::default()).unwrap()
    }

    #[test]
    fn crossing_needs_both_orders_within_common_follow_up() {
        // a is below b throughout: no crossing, in either direction.
        let a = curve(&[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0, 1.0, 1.0]);
        let b = curve(&[5.0, 6.0, 7.0, 8.0], &[1.0, 1.0, 1.0, 0.0]);
        assert!(!a.crosses(&b) && !b.crosses(&a));
        // g falls below f only after f's last time (3): outside the common
        // follow-up, so not a crossing.
        let f = curve(&[1.0, 3.0, 3.0, 3.0], &[1.0, 0.0, 0.0, 0.0]);
        let g = curve(&[3.5, 3.6, 3.7, 3.8], &[1.0, 1.0, 1.0, 1.0]);
        assert!(g.survival[3] < f.survival[1]);
        assert!(!g.crosses(&f));
        // d starts below b and ends above it.
        let d = curve(&[0.5, 20.0, 20.0, 20.0], &[1.0, 0.0, 0.0, 0.0]);
        assert!(d.crosses(&b) && b.crosses(&d));
        // Equal curves touch but do not cross.
        assert!(!b.crosses(&b.clone()));
    }

    proptest! {
        #[test]
        fn never_increases_and_limits_bracket(t in prop::collection::vec(0u32..50, 1..60), e in prop::collection::vec(0u8..2, 60)) {
            let time: Vec<f64> = t.iter().map(|&v| f64::from(v)).collect();
            let event: Vec<f64> = e[..time.len()].iter().map(|&v| f64::from(v)).collect();
            let data = SurvivalData::new(&time, &event).unwrap();
            for ct in [ConfType::Log, ConfType::LogLog, ConfType::Plain] {
                let km = kaplan_meier(&data, &KaplanMeierOptions { conf_type: ct, conf_level: 0.95 }).unwrap();
                for w in km.survival.windows(2) { prop_assert!(w[1] <= w[0]); }
                for ((s, lo), hi) in km.survival.iter().zip(&km.lower()).zip(&km.upper()) {
                    if let (Some(lo), Some(hi)) = (lo, hi) { prop_assert!(*lo <= *s + 1e-12 && *s <= *hi + 1e-12); }
                }
                // The shortcuts of the median limits change nothing.
                prop_assert_eq!(km.median_lower, crossing(&km.time, km.lower().into_iter()));
                prop_assert_eq!(km.median_upper, crossing(&km.time, km.upper().into_iter()));
            }
        }
    }
}
