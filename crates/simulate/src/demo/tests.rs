//! Unit tests of the demo study's parts.

use super::subject::VisitRef;
use super::tables::{iso, number};
use super::*;

#[test]
fn seed_trial_config_is_valid() {
    assert!(DemoConfig::seed_trial().validate().is_ok());
    assert_eq!(DemoConfig::seed_trial().n_randomized(), 72);
}

#[test]
fn number_text_matches_the_standard_formatter() {
    let cases = [
        (0.0, 0),
        (183.0, 0),
        (0.286, 3),
        (0.3, 3),
        (1.0, 3),
        (12.5, 1),
        (170.0, 1),
        (68.25, 2),
        (-3.5, 1),
        (1234567.0, 0),
    ];
    for (x, d) in cases {
        assert_eq!(number(x, d), format!("{x:.d$}"), "{x} with {d} decimals");
    }
    // Every ratio a lab reports between 0 and 3.
    for k in 0..3000 {
        let x = f64::from(k) / 1000.0;
        assert_eq!(number(x, 3), format!("{x:.3}"));
    }
}

#[test]
fn iso_dates_match_rct_cdisc() {
    for day in (-30_000..30_000).step_by(7).chain([0, 59, 60, 366, 18_628]) {
        let want = rct_cdisc::to_iso(f64::from(day), rct_cdisc::Temporal::Date).unwrap();
        assert_eq!(iso(day), want, "day {day}");
    }
    assert_eq!(iso(0), "1960-01-01");
    let day = rct_cdisc::from_iso("2011-03-14", rct_cdisc::Temporal::Date).unwrap();
    assert_eq!(iso(day as i32), "2011-03-14");
}

#[test]
fn unscheduled_visit_numbers_print_as_written() {
    let v = VisitRef { num: 5, tenth: 1 };
    assert_eq!(v.visitnum().to_string(), "5.1");
    assert_eq!(v.visitnum(), 5.1);
    let v = VisitRef { num: 10, tenth: 2 };
    assert_eq!(v.visitnum().to_string(), "10.2");
}

#[test]
fn every_lab_test_and_adverse_event_term_is_complete() {
    for t in &terms::LAB_TESTS {
        assert!(!t.code.is_empty() && t.code.len() <= 8);
        assert!(!t.name.is_empty() && !t.category.is_empty() && !t.std_unit.is_empty());
    }
    for t in &terms::AE_TERMS {
        assert!(!t.verbatim.is_empty() && !t.decod.is_empty() && !t.bodsys.is_empty());
    }
}
