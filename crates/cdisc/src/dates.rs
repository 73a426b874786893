//! SAS dates, datetimes and times <-> ISO 8601 text.
//!
//! SAS counts dates in days and datetimes in seconds from 1960-01-01
//! (midnight); times are seconds since midnight. Text is the extended ISO
//! 8601 form that Dataset-JSON and R haven use: `2014-01-02`,
//! `2014-01-02T10:20:30`, `10:20:30`. Only whole days and whole seconds are
//! written as text; anything else stays a number (see [`to_iso`]).

use crate::model::Temporal;

/// Days from 1970-01-01 (the civil-calendar algorithm's epoch) to
/// 1960-01-01.
const SAS_EPOCH_FROM_UNIX: i64 = -3653;

/// Days since 1970-01-01 of a proleptic Gregorian date.
///
/// Howard Hinnant's `days_from_civil` ("chrono-Compatible Low-Level Date
/// Algorithms", 2013): shift the year to start in March so that the leap day
/// is the last day of the year, then count 400-year eras.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`] (same source).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// The largest magnitude we convert: years 0000-9999 only, as ISO 8601's
/// basic four-digit year allows.
fn in_year_range(y: i64) -> bool {
    (0..=9999).contains(&y)
}

fn date_text(days: i64) -> Option<String> {
    let (y, m, d) = civil_from_days(days + SAS_EPOCH_FROM_UNIX);
    in_year_range(y).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn time_text(secs: i64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// The ISO 8601 text of a SAS value, or `None` when the value is not a
/// whole day (dates) or whole second (datetimes, times), lies outside years
/// 0-9999, or is a negative time: such values are written as plain numbers
/// so that nothing is lost.
pub fn to_iso(value: f64, temporal: Temporal) -> Option<String> {
    if !value.is_finite() || value.fract() != 0.0 || value.abs() > 4e14 {
        return None;
    }
    // In range and integral, so the cast is exact.
    let v = value as i64;
    match temporal {
        Temporal::None => None,
        Temporal::Date => date_text(v),
        Temporal::DateTime => {
            let days = v.div_euclid(86_400);
            let secs = v.rem_euclid(86_400);
            Some(format!("{}T{}", date_text(days)?, time_text(secs)))
        }
        Temporal::Time => (v >= 0).then(|| time_text(v)),
    }
}

fn two(b: &[u8]) -> Option<u32> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(c - b'0'))
        }
        _ => None,
    }
}

fn parse_date(b: &[u8]) -> Option<i64> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let y = b[..4]
        .iter()
        .fold(0i64, |a, d| a * 10 + i64::from(d - b'0'));
    let m = two(&b[5..7])?;
    let d = two(&b[8..10])?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d) - SAS_EPOCH_FROM_UNIX)
}

/// Parses `hh:mm:ss` with an optional fraction of a second.
fn parse_time(b: &[u8]) -> Option<f64> {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let h = two(&b[..2])?;
    let mi = two(&b[3..5])?;
    let s = two(&b[6..8])?;
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let mut secs = f64::from(h * 3600 + mi * 60 + s);
    let rest = &b[8..];
    if !rest.is_empty() {
        if rest[0] != b'.' || rest.len() < 2 || !rest[1..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let frac: f64 = std::str::from_utf8(&rest[1..])
            .ok()
            .and_then(|t| format!("0.{t}").parse().ok())?;
        secs += frac;
    }
    Some(secs)
}

/// Parses ISO 8601 text into the SAS value for `temporal`: `YYYY-MM-DD`
/// for dates, `YYYY-MM-DDThh:mm:ss[.fff]` for datetimes, `hh:mm:ss[.fff]`
/// for times. Returns `None` if the text is not such a value (including
/// impossible dates such as 2023-02-30).
pub fn from_iso(text: &str, temporal: Temporal) -> Option<f64> {
    let b = text.as_bytes();
    match temporal {
        Temporal::None => None,
        // Days are far below 2^53, so the conversion is exact.
        Temporal::Date => parse_date(b).map(|d| d as f64),
        Temporal::DateTime => {
            if b.len() < 19 || b[10] != b'T' {
                return None;
            }
            let days = parse_date(&b[..10])?;
            let secs = parse_time(&b[11..])?;
            Some(days as f64 * 86_400.0 + secs)
        }
        Temporal::Time => parse_time(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Source: SAS documentation, "SAS date value": 1960-01-01 is day 0,
    /// 1959-12-31 is -1; R `as.numeric(as.Date("2014-01-02") -
    /// as.Date("1960-01-01"))` = 19725.
    #[test]
    fn known_dates() {
        assert_eq!(to_iso(0.0, Temporal::Date).as_deref(), Some("1960-01-01"));
        assert_eq!(to_iso(-1.0, Temporal::Date).as_deref(), Some("1959-12-31"));
        assert_eq!(
            to_iso(19725.0, Temporal::Date).as_deref(),
            Some("2014-01-02")
        );
        assert_eq!(from_iso("2014-01-02", Temporal::Date), Some(19725.0));
        assert_eq!(from_iso("2000-02-29", Temporal::Date), Some(14669.0));
        assert_eq!(from_iso("2023-02-29", Temporal::Date), None);
        assert_eq!(from_iso("2023-13-01", Temporal::Date), None);
        assert_eq!(from_iso("2023-1-01", Temporal::Date), None);
        assert_eq!(to_iso(1.5, Temporal::Date), None);
    }

    /// 2014-01-02T10:20:30 = 19725 * 86400 + 37230 s.
    #[test]
    fn known_datetimes_and_times() {
        let v = 19725.0 * 86_400.0 + 37_230.0;
        assert_eq!(
            to_iso(v, Temporal::DateTime).as_deref(),
            Some("2014-01-02T10:20:30")
        );
        assert_eq!(from_iso("2014-01-02T10:20:30", Temporal::DateTime), Some(v));
        assert_eq!(
            to_iso(-1.0, Temporal::DateTime).as_deref(),
            Some("1959-12-31T23:59:59")
        );
        assert_eq!(
            to_iso(37_230.0, Temporal::Time).as_deref(),
            Some("10:20:30")
        );
        assert_eq!(from_iso("10:20:30.5", Temporal::Time), Some(37_230.5));
        assert_eq!(from_iso("24:00:00", Temporal::Time), None);
    }

    #[test]
    fn every_day_round_trips() {
        for d in -800_000..800_000i64 {
            let t = to_iso(d as f64, Temporal::Date);
            if let Some(t) = t {
                assert_eq!(from_iso(&t, Temporal::Date), Some(d as f64), "{t}");
            }
        }
    }
}
