use crate::StatsError;

/// Validated right-censored survival data: finite, non-negative times and
/// 0/1 event indicators (1 = event, 0 = censored), of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    time: Vec<f64>,
    event: Vec<bool>,
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
        Ok(SurvivalData {
            time: time
                .iter()
                .map(|&t| if t == 0.0 { 0.0 } else { t })
                .collect(),
            event,
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
    pub(crate) fn order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.len()).collect();
        idx.sort_by(|&a, &b| self.time[a].total_cmp(&self.time[b]));
        idx
    }
}
