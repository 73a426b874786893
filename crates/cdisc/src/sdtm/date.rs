//! Calendar dates of SDTM `--DTC` variables.

use std::fmt;

use crate::dates::{from_iso, to_iso};
use crate::model::Temporal;

/// A calendar date held as a SAS date: days since 1960-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// The date `days` after 1960-01-01 (negative: before).
    pub fn from_sas_day(days: i32) -> Self {
        Date(days)
    }

    /// Days since 1960-01-01, the value ADaM stores with format `DATE9.`.
    pub fn sas_day(self) -> i32 {
        self.0
    }

    /// Parses a complete `YYYY-MM-DD` date (nothing before or after it).
    ///
    /// # Example
    /// ```
    /// use rct_cdisc::sdtm::Date;
    /// assert_eq!(Date::parse("2014-01-02").map(Date::sas_day), Some(19725));
    /// assert_eq!(Date::parse("2014-02-30"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Date> {
        let days = from_iso(text, Temporal::Date)?;
        // Four-digit years keep the day count far inside i32.
        Some(Date(days as i32))
    }

    /// Days from `self` to `later` (`later - self`).
    pub fn days_until(self, later: Date) -> i32 {
        later.0 - self.0
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match to_iso(f64::from(self.0), Temporal::Date) {
            Some(t) => f.write_str(&t),
            None => write!(f, "SAS day {}", self.0),
        }
    }
}

/// The value of an SDTM `--DTC` variable: ISO 8601 text that may be partial
/// (`2014`, `2014-03`) or carry a time (`2014-03-01T10:30`). [`Dtc::date`]
/// is the calendar date when the text gives a complete one; partial dates are
/// valid SDTM but have no date (ADaM derivations leave them missing rather
/// than impute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dtc {
    text: String,
    date: Option<Date>,
}

impl Dtc {
    /// Parses ISO 8601 date text as SDTM uses it: `YYYY`, `YYYY-MM`,
    /// `YYYY-MM-DD`, optionally followed by `Thh`, `Thh:mm`, `Thh:mm:ss`
    /// (with a fraction) and a zone (`Z`, `+hh`, `+hh:mm`). Returns `None`
    /// for anything else, including impossible dates.
    ///
    /// # Example
    /// ```
    /// use rct_cdisc::sdtm::Dtc;
    /// let d = Dtc::parse("2014-07-02T11:45").unwrap();
    /// assert_eq!(d.date().map(|d| d.sas_day()), Some(19906));
    /// assert_eq!(Dtc::parse("2014-03").unwrap().date(), None);
    /// assert!(Dtc::parse("2014-13").is_none());
    /// assert!(Dtc::parse("02/07/2014").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<Dtc> {
        let t = text.trim();
        if !t.is_ascii() {
            return None;
        }
        let b = t.as_bytes();
        let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
        let date = match b.len() {
            4 if digits(b) => None,
            7 if digits(&b[..4]) && b[4] == b'-' && digits(&b[5..]) => {
                let m: u32 = t[5..].parse().ok()?;
                if !(1..=12).contains(&m) {
                    return None;
                }
                None
            }
            n if n >= 10 => {
                let date = Date::parse(&t[..10])?;
                if n > 10 && (b[10] != b'T' || !valid_time(&t[11..])) {
                    return None;
                }
                Some(date)
            }
            _ => return None,
        };
        Some(Dtc {
            text: t.to_owned(),
            date,
        })
    }

    /// A `Dtc` for a complete date.
    pub fn from_date(date: Date) -> Self {
        Dtc {
            text: date.to_string(),
            date: Some(date),
        }
    }

    /// The ISO 8601 text as given (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The calendar date, when the text gives a complete one.
    pub fn date(&self) -> Option<Date> {
        self.date
    }
}

impl fmt::Display for Dtc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `hh`, `hh:mm`, `hh:mm:ss[.f+]`, then an optional zone `Z`, `±hh`,
/// `±hh:mm`.
fn valid_time(t: &str) -> bool {
    let (clock, zone) = match t.find(['Z', '+', '-']) {
        Some(i) => (&t[..i], Some(&t[i..])),
        None => (t, None),
    };
    let two = |s: &str, max: u32| {
        s.len() == 2
            && s.bytes().all(|c| c.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|v| v <= max)
    };
    let mut parts = clock.split(':');
    let ok_clock = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), None, None, None) => two(h, 23),
        (Some(h), Some(m), None, None) => two(h, 23) && two(m, 59),
        (Some(h), Some(m), Some(s), None) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
            two(h, 23)
                && two(m, 59)
                && two(whole, 59)
                && !frac.is_empty()
                && frac.bytes().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    let ok_zone = match zone {
        None | Some("Z") => true,
        Some(z) => {
            let z = &z[1..];
            match z.split_once(':') {
                Some((h, m)) => two(h, 14) && two(m, 59),
                None => two(z, 14),
            }
        }
    };
    ok_clock && ok_zone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        for ok in [
            "2014",
            "2014-03",
            "2014-03-01",
            "2014-03-01T10",
            "2014-03-01T10:30",
            "2014-03-01T10:30:15",
            "2014-03-01T10:30:15.25",
            "2014-03-01T10:30Z",
            "2014-03-01T10:30+08:00",
            "2014-03-01T10:30-05",
        ] {
            assert!(Dtc::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "14",
            "2014-3",
            "2014-00",
            "2014-02-30",
            "2014-03-01 10:30",
            "2014-03-01T25:00",
            "2014-03-01T10:61",
            "2014-03-01T10:30:15.",
            "2014-03-01T10:30+8",
            "01MAR2014",
        ] {
            assert!(Dtc::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(Dtc::parse("2014").and_then(|d| d.date()), None);
        assert_eq!(
            Dtc::parse(" 2014-01-02T23:59 ").and_then(|d| d.date()),
            Some(Date(19725))
        );
    }

    #[test]
    fn dates_display_and_count() {
        let a = Date::from_sas_day(19725);
        assert_eq!(a.to_string(), "2014-01-02");
        assert_eq!(a.days_until(Date::from_sas_day(19730)), 5);
    }
}
