use std::str::FromStr;

use super::{ceil_tolerant, z_alpha, z_beta, Sides};
use crate::common::check_open_unit;
use crate::StatsError;

/// Formula for the number of events of a log-rank test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogrankMethod {
    /// Schoenfeld (1983): D = (z_a + z_b)^2 / (p (1 - p) log(HR)^2).
    Schoenfeld,
    /// Freedman (1982): D = (z_a + z_b)^2 (p HR + 1 - p)^2 / (p (1 - p) (HR - 1)^2).
    Freedman,
}

impl FromStr for LogrankMethod {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s.to_ascii_lowercase().as_str() {
            "schoenfeld" => Ok(LogrankMethod::Schoenfeld),
            "freedman" => Ok(LogrankMethod::Freedman),
            _ => Err(StatsError::UnknownOption {
                what: "log-rank sample-size method".into(),
                name: s.into(),
                expected: "schoenfeld, freedman".into(),
            }),
        }
    }
}

/// Required number of events.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct LogrankEvents {
    /// The real-valued number of events.
    pub events: f64,
    /// Rounded up.
    pub events_ceiling: u64,
    /// The formula.
    pub method: LogrankMethod,
}

/// Number of events for a two-sided log-rank test of hazard ratio
/// `hazard_ratio` (arm 1 over arm 2) with `allocation` the fraction of
/// patients in arm 1.
///
/// # Errors
/// [`StatsError::OutOfRange`] for a non-positive hazard ratio, a hazard ratio
/// of 1, or alpha, power or allocation outside (0, 1).
///
/// # References
/// Schoenfeld (1983), Biometrics 39:499-503; Freedman (1982), Stat Med
/// 1:121-129.
///
/// # Example
/// ```
/// use rct_stats::power::{sample_size_logrank, LogrankMethod};
/// let d = sample_size_logrank(0.7, 0.05, 0.8, 0.5, LogrankMethod::Schoenfeld)?;
/// assert_eq!(d.events_ceiling, 247);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn sample_size_logrank(
    hazard_ratio: f64,
    alpha: f64,
    power: f64,
    allocation: f64,
    method: LogrankMethod,
) -> Result<LogrankEvents, StatsError> {
    if !(hazard_ratio.is_finite() && hazard_ratio > 0.0) || hazard_ratio == 1.0 {
        return Err(StatsError::out_of_range(
            "hazard_ratio",
            hazard_ratio,
            "must be positive and differ from 1",
        ));
    }
    check_open_unit("allocation", allocation)?;
    let z = z_alpha(alpha, Sides::Two)? + z_beta(power)?;
    let p = allocation;
    let events = match method {
        LogrankMethod::Schoenfeld => z * z / (p * (1.0 - p) * hazard_ratio.ln().powi(2)),
        LogrankMethod::Freedman => {
            z * z * (p * hazard_ratio + 1.0 - p).powi(2)
                / (p * (1.0 - p) * (hazard_ratio - 1.0).powi(2))
        }
    };
    Ok(LogrankEvents {
        events,
        events_ceiling: ceil_tolerant(events),
        method,
    })
}
