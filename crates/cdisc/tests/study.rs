//! Integration tests of the study reader, the typed SDTM domains and the
//! ADaM derivations: hand-written fixtures with hand-computed expectations,
//! and the CDISC pilot study.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::PathBuf;

use rct_cdisc::adam::{derive_adae, derive_adsl, derive_all, AdamConfig};
use rct_cdisc::sdtm::Sdtm;
use rct_cdisc::study::Study;
use rct_cdisc::{xport, Column, Dataset};

fn text<'a>(ds: &'a Dataset, var: &str) -> &'a [String] {
    ds.get(var).unwrap().1.as_character().unwrap()
}

/// A cell as text (numbers in Rust's shortest form, missing as "").
fn cell(ds: &Dataset, var: &str, row: usize) -> String {
    match ds.get(var).unwrap_or_else(|| panic!("{var}")).1 {
        Column::Character(c) => c[row].clone(),
        Column::Numeric(c) => c.get(row).map_or(String::new(), |x| x.to_string()),
    }
}

/// The pilot study folder: `$RCT_CDISC_PILOT`, else `../shared/cdisc-pilot`
/// beside the workspace root; `None`, with a notice, when absent.
fn pilot() -> Option<PathBuf> {
    let dir = match std::env::var_os("RCT_CDISC_PILOT") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cdisc-pilot"),
    };
    if dir.join("sdtm/dm.xpt").is_file() {
        Some(dir)
    } else {
        eprintln!("notice: {} not found; pilot tests skipped", dir.display());
        None
    }
}

#[test]
fn pilot_sdtm_reads() {
    let Some(dir) = pilot() else { return };
    let study = Study::read_dir(dir.join("sdtm")).unwrap();
    assert_eq!(study.paths().len(), 18);
    let sdtm = Sdtm::from_study(&study).unwrap();
    assert_eq!(sdtm.dm.len(), 306);
}

fn pilot_config() -> AdamConfig {
    AdamConfig::with_arms(
        vec![
            ("Pbo".into(), "Placebo".into()),
            ("Xan_Lo".into(), "Xanomeline Low Dose".into()),
            ("Xan_Hi".into(), "Xanomeline High Dose".into()),
        ],
        3.0,
    )
}

fn count(ds: &Dataset, var: &str, value: &str) -> usize {
    (0..ds.n_rows())
        .filter(|&r| cell(ds, var, r) == value)
        .count()
}

/// ADSL from the pilot SDTM against the pilot's own ADSL.
///
/// Source: ../shared/cdisc-pilot/adam/adsl.xpt (254 subjects, 86 placebo,
/// 84 low dose, 84 high dose by TRT01P) and sdtm/ds.xpt (110 COMPLETED,
/// 52 SCREEN FAILURE among 306 disposition events).
/// Known, explained differences:
/// - TRT01A: the pilot sets TRT01A = TRT01P; we follow DM's ACTARMCD, which
///   puts 12 planned high-dose subjects on low dose.
/// - TRTEDT: for 5 subjects whose last EX record has no EXENDTC the pilot
///   takes RFENDTC; we take the last EXSTDTC.
#[test]
fn pilot_adsl_matches_the_pilot() {
    let Some(dir) = pilot() else { return };
    let study = Study::read_dir(dir.join("sdtm")).unwrap();
    let sdtm = Sdtm::from_study(&study).unwrap();
    let adsl = derive_adsl(&sdtm, &pilot_config()).unwrap();
    assert_eq!(
        adsl.n_rows(),
        306,
        "every DM subject, screen failures included"
    );
    assert_eq!(count(&adsl, "ITTFL", "Y"), 254);
    assert_eq!(count(&adsl, "RANDFL", "Y"), 254);
    assert_eq!(count(&adsl, "SAFFL", "Y"), 254);
    assert_eq!(count(&adsl, "SCRNFFL", "Y"), 52);
    assert_eq!(count(&adsl, "TRT01P", "Placebo"), 86);
    assert_eq!(count(&adsl, "TRT01P", "Xanomeline Low Dose"), 84);
    assert_eq!(count(&adsl, "TRT01P", "Xanomeline High Dose"), 84);
    assert_eq!(count(&adsl, "TRT01PN", "1"), 86);
    assert_eq!(count(&adsl, "EOSSTT", "COMPLETED"), 110);
    assert_eq!(count(&adsl, "COMPLFL", "Y"), 110);
    assert_eq!(count(&adsl, "EOSSTT", "SCREEN FAILURE"), 52);
    assert_eq!(count(&adsl, "EOSSTT", "DISCONTINUED"), 144);

    let want = xport::read_path(dir.join("adam/adsl.xpt"))
        .unwrap()
        .remove(0);
    let ids = text(&want, "USUBJID");
    let got_ids = text(&adsl, "USUBJID");
    let mut mismatches = std::collections::BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let j = got_ids.iter().position(|g| g == id).unwrap();
        for var in [
            "TRT01P", "TRT01A", "SAFFL", "ITTFL", "TRTSDT", "TRTEDT", "AGE", "SEX", "RACE",
            "SITEID",
        ] {
            if cell(&adsl, var, j) != cell(&want, var, i) {
                *mismatches.entry(var).or_insert(0) += 1;
            }
        }
        // The pilot's DCDECOD is our DCSREAS for discontinued subjects.
        let reason = cell(&want, "DCDECOD", i);
        if reason == "COMPLETED" {
            assert_eq!(cell(&adsl, "EOSSTT", j), "COMPLETED", "{id}");
        } else {
            assert_eq!(cell(&adsl, "DCSREAS", j), reason, "{id}");
        }
    }
    assert_eq!(
        mismatches,
        [("TRT01A", 12), ("TRTEDT", 5)].into_iter().collect(),
        "only the documented differences"
    );
}

/// ADAE from the pilot SDTM against the pilot's ADAE, on the records with a
/// complete start date (the pilot imputes partial dates; we do not).
#[test]
fn pilot_adae_matches_on_complete_dates() {
    let Some(dir) = pilot() else { return };
    let study = Study::read_dir(dir.join("sdtm")).unwrap();
    let sdtm = Sdtm::from_study(&study).unwrap();
    let adae = derive_adae(&sdtm, &pilot_config()).unwrap();
    assert_eq!(adae.n_rows(), 1191);
    let want = xport::read_path(dir.join("adam/adae.xpt"))
        .unwrap()
        .remove(0);
    let key = |ds: &Dataset, r: usize| (cell(ds, "USUBJID", r), cell(ds, "AESEQ", r));
    let got: std::collections::HashMap<_, _> =
        (0..adae.n_rows()).map(|r| (key(&adae, r), r)).collect();
    let mut compared = 0;
    for i in 0..want.n_rows() {
        if !cell(&want, "ASTDTF", i).is_empty() || cell(&want, "ASTDT", i).is_empty() {
            continue;
        }
        let j = got[&key(&want, i)];
        assert_eq!(cell(&adae, "ASTDT", j), cell(&want, "ASTDT", i));
        assert_eq!(cell(&adae, "ASTDY", j), cell(&want, "ASTDY", i));
        let emergent = cell(&want, "TRTEMFL", i) == "Y";
        assert_eq!(
            cell(&adae, "TRTEMFL", j) == "Y",
            emergent,
            "{:?}",
            key(&want, i)
        );
        compared += 1;
    }
    assert!(compared > 1100, "{compared}");
}

/// The pilot has no LB: ADLB says so.
#[test]
fn pilot_without_lb_names_the_missing_domain() {
    let Some(dir) = pilot() else { return };
    let sdtm = Sdtm::from_study(&Study::read_dir(dir.join("sdtm")).unwrap()).unwrap();
    let err = derive_all(&sdtm, &pilot_config()).unwrap_err().to_string();
    assert_eq!(err, "ADLB needs the LB domain, which the study lacks");
}
