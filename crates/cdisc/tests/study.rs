//! Integration tests of the study reader, the typed SDTM domains and the
//! ADaM derivations: hand-written fixtures with hand-computed expectations,
//! and the CDISC pilot study.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::PathBuf;

use rct_cdisc::adam::{
    derive_adae, derive_adlb, derive_adsl, derive_adtte, derive_all, AdamConfig, AdamError, Visits,
};
use rct_cdisc::sdtm::{Sdtm, SdtmError};
use rct_cdisc::study::Study;
use rct_cdisc::{csv, xport, Column, Dataset, Format, VarKind, Variable};

fn text(ds: &Dataset, var: &str) -> Vec<String> {
    ds.get(var).unwrap().1.as_character().unwrap().to_vec()
}

/// A cell as text (numbers in Rust's shortest form, missing as "").
fn cell(ds: &Dataset, var: &str, row: usize) -> String {
    match ds.get(var).unwrap_or_else(|| panic!("{var}")).1 {
        Column::Character(c) => c[row].to_owned(),
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
    let study = Study::read_dir(dir.join("sdtm")).unwrap();
    let sdtm = Sdtm::from_study(&study).unwrap();
    let err = derive_all(&sdtm, &pilot_config()).unwrap_err().to_string();
    assert_eq!(err, "ADLB needs the LB domain, which the study lacks");
}

// ---------------------------------------------------------------------------
// A hand-written seed-trial study: five subjects.
//
// 001 HIGH, dosed 6 times from 2020-01-01 (SAS day 21915), completes.
//     CD4: screening 180; WEEK 0 200 (LBBLFL=Y); WEEK 4 250 (+50, +25%);
//     WEEK 12 270 (+70, +35%: first PCHG > 30, day 84); UNSCHEDULED 4.1 320
//     (+120, ignored by ADTTE); WEEK 24 310 (+110: first CHG > 100 at a
//     scheduled visit, day 168); nothing later: LOCF WEEK 36..96 from WEEK 24.
//     HIV-1 RNA "<20" at WEEK 0. Height 170 cm, weight 65 kg.
//     AEs: before the first dose (grade 1), day 2 (grade 3), partial date
//     2020-03 (grade 2).
// 002 PLACEBO, dosed 4 times from 2020-02-01 (day 21946), lost to follow-up.
//     CD4: WEEK 0 300 (no flag: baseline by visit); WEEK 4 330; WEEK 12 NOT
//     DONE (LOCF from WEEK 4); WEEK 24 320 (2020-07-18, day 168); LOCF after.
// 003 SCRNFAIL (CD4 >= 250 at screening); an AE (not in ADAE).
// 004 NOTASSGN, withdrew before randomization.
// 005 LOW, randomized 2020-03-01 (day 21975), never dosed, screening lab only.
// ---------------------------------------------------------------------------

const STUDY: &str = "RCT-DEMO-01";

const DM: &str = "\
STUDYID,DOMAIN,USUBJID,SUBJID,SITEID,RFICDTC,RFSTDTC,RFENDTC,RFPENDTC,AGE,AGEU,SEX,RACE,COUNTRY,ARMCD,ARM,ACTARMCD,ACTARM
RCT-DEMO-01,DM,RCT-DEMO-01-01-001,001,01,2019-12-01,2020-01-01,2020-12-02,2021-10-27,34,YEARS,M,ASIAN,CHN,HIGH,hUC-MSC 1.5x10^6 cells/kg,HIGH,hUC-MSC 1.5x10^6 cells/kg
RCT-DEMO-01,DM,RCT-DEMO-01-01-002,002,01,2020-01-02,2020-02-01,2020-07-18,2020-08-01,45,YEARS,F,ASIAN,CHN,PLACEBO,Placebo (saline),PLACEBO,Placebo (saline)
RCT-DEMO-01,DM,RCT-DEMO-01-02-003,003,02,2020-01-05,,,2020-01-20,29,YEARS,M,ASIAN,CHN,SCRNFAIL,Screen Failure,SCRNFAIL,Screen Failure
RCT-DEMO-01,DM,RCT-DEMO-01-02-004,004,02,2020-01-06,,,2020-01-25,51,YEARS,M,ASIAN,CHN,NOTASSGN,Not Assigned,NOTASSGN,Not Assigned
RCT-DEMO-01,DM,RCT-DEMO-01-03-005,005,03,2020-02-10,,,2020-03-15,38,YEARS,F,ASIAN,CHN,LOW,hUC-MSC 0.5x10^6 cells/kg,NOTTRT,Not Treated
";

const SUPPDM: &str = "\
STUDYID,RDOMAIN,USUBJID,IDVAR,IDVARVAL,QNAM,QLABEL,QVAL,QORIG
RCT-DEMO-01,DM,RCT-DEMO-01-01-001,,,HIVDXMO,Time Since HIV Diagnosis (months),36,CRF
RCT-DEMO-01,DM,RCT-DEMO-01-01-001,,,HIVROUTE,HIV Infection Route,SEXUAL,CRF
RCT-DEMO-01,DM,RCT-DEMO-01-01-002,,,HIVDXMO,Time Since HIV Diagnosis (months),120,CRF
RCT-DEMO-01,DM,RCT-DEMO-01-01-002,,,HIVROUTE,HIV Infection Route,BLOOD,CRF
RCT-DEMO-01,DM,RCT-DEMO-01-03-005,,,HIVDXMO,Time Since HIV Diagnosis (months),60.5,CRF
";

const TV: &str = "\
STUDYID,DOMAIN,VISITNUM,VISIT,VISITDY,TVSTRL
RCT-DEMO-01,TV,1,SCREENING,-28,Screening
RCT-DEMO-01,TV,2,WEEK 0,1,Infusion 1
RCT-DEMO-01,TV,3,WEEK 4,29,Infusion 2
RCT-DEMO-01,TV,4,WEEK 12,85,Infusion 3
RCT-DEMO-01,TV,5,WEEK 24,169,Infusion 4
RCT-DEMO-01,TV,6,WEEK 36,253,Infusion 5
RCT-DEMO-01,TV,7,WEEK 48,337,Infusion 6
RCT-DEMO-01,TV,8,WEEK 60,421,Follow-up
RCT-DEMO-01,TV,9,WEEK 72,505,Follow-up
RCT-DEMO-01,TV,10,WEEK 84,589,Follow-up
RCT-DEMO-01,TV,11,WEEK 96,673,End of study
";

const SV: &str = "\
STUDYID,DOMAIN,USUBJID,VISITNUM,VISIT,SVSTDTC,SVENDTC
RCT-DEMO-01,SV,RCT-DEMO-01-01-001,1,SCREENING,2019-12-04,2019-12-04
RCT-DEMO-01,SV,RCT-DEMO-01-01-001,2,WEEK 0,2020-01-01,2020-01-01
RCT-DEMO-01,SV,RCT-DEMO-01-01-001,3,WEEK 4,2020-01-29,2020-01-29
RCT-DEMO-01,SV,RCT-DEMO-01-01-001,4,WEEK 12,2020-03-25,2020-03-25
RCT-DEMO-01,SV,RCT-DEMO-01-01-001,4.1,UNSCHEDULED 4.1,2020-04-15,2020-04-15
RCT-DEMO-01,SV,RCT-DEMO-01-01-001,5,WEEK 24,2020-06-17,2020-06-17
RCT-DEMO-01,SV,RCT-DEMO-01-01-001,11,WEEK 96,2021-10-27,2021-10-27
RCT-DEMO-01,SV,RCT-DEMO-01-01-002,1,SCREENING,2020-01-04,2020-01-04
RCT-DEMO-01,SV,RCT-DEMO-01-01-002,2,WEEK 0,2020-02-01,2020-02-01
RCT-DEMO-01,SV,RCT-DEMO-01-01-002,3,WEEK 4,2020-02-29,2020-02-29
RCT-DEMO-01,SV,RCT-DEMO-01-01-002,4,WEEK 12,2020-04-25,2020-04-25
RCT-DEMO-01,SV,RCT-DEMO-01-01-002,5,WEEK 24,2020-07-18,2020-07-18
RCT-DEMO-01,SV,RCT-DEMO-01-02-003,1,SCREENING,2020-01-06,2020-01-06
RCT-DEMO-01,SV,RCT-DEMO-01-02-004,1,SCREENING,2020-01-07,2020-01-07
RCT-DEMO-01,SV,RCT-DEMO-01-03-005,1,SCREENING,2020-02-12,2020-02-12
";

const VS: &str = "\
STUDYID,DOMAIN,USUBJID,VSSEQ,VSTESTCD,VSTEST,VSORRES,VSORRESU,VSSTRESC,VSSTRESN,VSSTRESU,VSBLFL,VISITNUM,VISIT,VSDTC
RCT-DEMO-01,VS,RCT-DEMO-01-01-001,1,HEIGHT,Height,170,cm,170,170,cm,Y,2,WEEK 0,2020-01-01
RCT-DEMO-01,VS,RCT-DEMO-01-01-001,2,WEEK_PLACEHOLDER
RCT-DEMO-01,VS,RCT-DEMO-01-01-001,3,WEIGHT,Weight,66,kg,66,66,kg,,3,WEEK 4,2020-01-29
RCT-DEMO-01,VS,RCT-DEMO-01-01-002,1,HEIGHT,Height,160,cm,160,160,cm,,2,WEEK 0,2020-02-01
RCT-DEMO-01,VS,RCT-DEMO-01-01-002,2,WEIGHT,Weight,50,kg,50,50,kg,,2,WEEK 0,2020-02-01
";

/// One LB line: subject suffix, LBSEQ, test, result text, status, baseline flag,
/// VISITNUM, VISIT, date.
type LbSpec<'a> = (
    &'a str,
    u32,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

fn lb_line(spec: LbSpec<'_>) -> String {
    let (subject, seq, testcd, result, stat, blfl, visitnum, visit, date) = spec;
    let number = if result.parse::<f64>().is_ok() {
        result
    } else {
        ""
    };
    let (unit, lo, hi) = match testcd {
        "CD4" => ("cells/uL", "500", "1500"),
        _ => ("copies/mL", "", ""),
    };
    let nrind = match number.parse::<f64>() {
        Ok(x) if x < 500.0 && testcd == "CD4" => "LOW",
        Ok(_) => "NORMAL",
        Err(_) => "",
    };
    let reason = if stat.is_empty() { "" } else { "SAMPLE LOST" };
    let (unit_shown, lo, hi) = if stat.is_empty() {
        (unit, lo, hi)
    } else {
        ("", "", "")
    };
    format!(
        "{STUDY},LB,{STUDY}-{subject},{seq},{testcd},{testcd} test,IMMUNOLOGY,{result},{unit_shown},\
         {result},{number},{unit_shown},{lo},{hi},{nrind},{stat},{reason},{blfl},{visitnum},{visit},{date}\n"
    )
}

fn lb_csv() -> String {
    let mut s = String::from(
        "STUDYID,DOMAIN,USUBJID,LBSEQ,LBTESTCD,LBTEST,LBCAT,LBORRES,LBORRESU,LBSTRESC,LBSTRESN,\
         LBSTRESU,LBSTNRLO,LBSTNRHI,LBNRIND,LBSTAT,LBREASND,LBBLFL,VISITNUM,VISIT,LBDTC\n",
    );
    // Row numbers (1-based) matter to the validation tests.
    #[rustfmt::skip]
    let rows: [LbSpec<'_>; 13] = [
        ("01-001", 1, "CD4", "180", "", "", "1", "SCREENING", "2019-12-04"),
        ("01-001", 2, "CD4", "200", "", "Y", "2", "WEEK 0", "2020-01-01"),
        ("01-001", 3, "CD4", "250", "", "", "3", "WEEK 4", "2020-01-29"),
        ("01-001", 4, "CD4", "270", "", "", "4", "WEEK 12", "2020-03-25"),
        ("01-001", 5, "CD4", "320", "", "", "4.1", "UNSCHEDULED 4.1", "2020-04-15"),
        ("01-001", 6, "CD4", "310", "", "", "5", "WEEK 24", "2020-06-17"),
        ("01-001", 7, "HIV1RNA", "<20", "", "Y", "2", "WEEK 0", "2020-01-01"),
        ("01-002", 1, "CD4", "300", "", "", "2", "WEEK 0", "2020-02-01"),
        ("01-002", 2, "CD4", "330", "", "", "3", "WEEK 4", "2020-02-29"),
        ("01-002", 3, "CD4", "", "NOT DONE", "", "4", "WEEK 12", "2020-04-25"),
        ("01-002", 4, "CD4", "320", "", "", "5", "WEEK 24", "2020-07-18"),
        ("02-003", 1, "CD4", "400", "", "", "1", "SCREENING", "2020-01-06"),
        ("03-005", 1, "CD4", "150", "", "", "1", "SCREENING", "2020-02-12"),
    ];
    for spec in rows {
        s.push_str(&lb_line(spec));
    }
    s
}

const EX: &str = "\
STUDYID,DOMAIN,USUBJID,EXSEQ,EXTRT,EXDOSE,EXDOSU,EXDOSFRM,EXROUTE,VISITNUM,VISIT,EXSTDTC,EXENDTC
RCT-DEMO-01,EX,RCT-DEMO-01-01-001,1,hUC-MSC,1.5,10^6 cells/kg,SUSPENSION,INTRAVENOUS,2,WEEK 0,2020-01-01,2020-01-01
RCT-DEMO-01,EX,RCT-DEMO-01-01-001,2,hUC-MSC,1.5,10^6 cells/kg,SUSPENSION,INTRAVENOUS,3,WEEK 4,2020-01-29,2020-01-29
RCT-DEMO-01,EX,RCT-DEMO-01-01-001,3,hUC-MSC,1.5,10^6 cells/kg,SUSPENSION,INTRAVENOUS,4,WEEK 12,2020-03-25,2020-03-25
RCT-DEMO-01,EX,RCT-DEMO-01-01-001,4,hUC-MSC,1.5,10^6 cells/kg,SUSPENSION,INTRAVENOUS,5,WEEK 24,2020-06-17,2020-06-17
RCT-DEMO-01,EX,RCT-DEMO-01-01-001,5,hUC-MSC,1.5,10^6 cells/kg,SUSPENSION,INTRAVENOUS,6,WEEK 36,2020-09-09,2020-09-09
RCT-DEMO-01,EX,RCT-DEMO-01-01-001,6,hUC-MSC,1.5,10^6 cells/kg,SUSPENSION,INTRAVENOUS,7,WEEK 48,2020-12-02,2020-12-02
RCT-DEMO-01,EX,RCT-DEMO-01-01-002,1,SALINE,0,10^6 cells/kg,SUSPENSION,INTRAVENOUS,2,WEEK 0,2020-02-01,2020-02-01
RCT-DEMO-01,EX,RCT-DEMO-01-01-002,2,SALINE,0,10^6 cells/kg,SUSPENSION,INTRAVENOUS,3,WEEK 4,2020-02-29,2020-02-29
RCT-DEMO-01,EX,RCT-DEMO-01-01-002,3,SALINE,0,10^6 cells/kg,SUSPENSION,INTRAVENOUS,4,WEEK 12,2020-04-25,2020-04-25
RCT-DEMO-01,EX,RCT-DEMO-01-01-002,4,SALINE,0,10^6 cells/kg,SUSPENSION,INTRAVENOUS,5,WEEK 24,2020-07-18,2020-07-18
";

const AE: &str = "\
STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AEDECOD,AEBODSYS,AESEV,AETOXGR,AESER,AEREL,AEOUT,AESTDTC,AEENDTC
RCT-DEMO-01,AE,RCT-DEMO-01-01-001,1,headache,HEADACHE,NERVOUS SYSTEM DISORDERS,MILD,1,N,NOT RELATED,RECOVERED/RESOLVED,2019-12-20,2019-12-22
RCT-DEMO-01,AE,RCT-DEMO-01-01-001,2,fever after infusion,PYREXIA,GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS,SEVERE,3,N,RELATED,RECOVERED/RESOLVED,2020-01-02,2020-01-04
RCT-DEMO-01,AE,RCT-DEMO-01-01-001,3,rash,RASH,SKIN AND SUBCUTANEOUS TISSUE DISORDERS,MODERATE,2,N,POSSIBLY RELATED,NOT RECOVERED/NOT RESOLVED,2020-03,
RCT-DEMO-01,AE,RCT-DEMO-01-01-002,1,nausea,NAUSEA,GASTROINTESTINAL DISORDERS,MILD,1,N,NOT RELATED,RECOVERED/RESOLVED,2020-02-03,2020-02-04
RCT-DEMO-01,AE,RCT-DEMO-01-02-003,1,cough,COUGH,RESPIRATORY DISORDERS,MILD,1,N,NOT RELATED,RECOVERED/RESOLVED,2020-01-10,2020-01-12
";

const DS: &str = "\
STUDYID,DOMAIN,USUBJID,DSSEQ,DSTERM,DSDECOD,DSCAT,EPOCH,DSSTDTC
RCT-DEMO-01,DS,RCT-DEMO-01-01-001,1,INFORMED CONSENT OBTAINED,INFORMED CONSENT OBTAINED,PROTOCOL MILESTONE,SCREENING,2019-12-01
RCT-DEMO-01,DS,RCT-DEMO-01-01-001,2,RANDOMIZED,RANDOMIZED,PROTOCOL MILESTONE,SCREENING,2019-12-30
RCT-DEMO-01,DS,RCT-DEMO-01-01-001,3,COMPLETED,COMPLETED,DISPOSITION EVENT,FOLLOW-UP,2021-10-27
RCT-DEMO-01,DS,RCT-DEMO-01-01-002,1,INFORMED CONSENT OBTAINED,INFORMED CONSENT OBTAINED,PROTOCOL MILESTONE,SCREENING,2020-01-02
RCT-DEMO-01,DS,RCT-DEMO-01-01-002,2,RANDOMIZED,RANDOMIZED,PROTOCOL MILESTONE,SCREENING,2020-01-30
RCT-DEMO-01,DS,RCT-DEMO-01-01-002,3,moved away,LOST TO FOLLOW-UP,DISPOSITION EVENT,TREATMENT,2020-08-01
RCT-DEMO-01,DS,RCT-DEMO-01-02-003,1,INFORMED CONSENT OBTAINED,INFORMED CONSENT OBTAINED,PROTOCOL MILESTONE,SCREENING,2020-01-05
RCT-DEMO-01,DS,RCT-DEMO-01-02-003,2,CD4 count >= 250 cells/uL at screening,SCREEN FAILURE,DISPOSITION EVENT,SCREENING,2020-01-20
RCT-DEMO-01,DS,RCT-DEMO-01-02-004,1,INFORMED CONSENT OBTAINED,INFORMED CONSENT OBTAINED,PROTOCOL MILESTONE,SCREENING,2020-01-06
RCT-DEMO-01,DS,RCT-DEMO-01-02-004,2,declined participation,WITHDRAWAL BY SUBJECT,DISPOSITION EVENT,SCREENING,2020-01-25
RCT-DEMO-01,DS,RCT-DEMO-01-03-005,1,INFORMED CONSENT OBTAINED,INFORMED CONSENT OBTAINED,PROTOCOL MILESTONE,SCREENING,2020-02-10
RCT-DEMO-01,DS,RCT-DEMO-01-03-005,2,RANDOMIZED,RANDOMIZED,PROTOCOL MILESTONE,SCREENING,2020-03-01
RCT-DEMO-01,DS,RCT-DEMO-01-03-005,3,withdrew consent,WITHDRAWAL BY SUBJECT,DISPOSITION EVENT,TREATMENT,2020-03-15
";

/// The fixture's domains as CSV text, in a form tests can edit.
fn fixture() -> Vec<(&'static str, String)> {
    vec![
        ("DM", DM.to_owned()),
        ("SUPPDM", SUPPDM.to_owned()),
        ("TV", TV.to_owned()),
        ("SV", SV.to_owned()),
        (
            "VS",
            VS.replace(
                "2,WEEK_PLACEHOLDER",
                "2,WEIGHT,Weight,65,kg,65,65,kg,Y,2,WEEK 0,2020-01-01",
            ),
        ),
        ("LB", lb_csv()),
        ("EX", EX.to_owned()),
        ("AE", AE.to_owned()),
        ("DS", DS.to_owned()),
    ]
}

/// A dataset from CSV text with every column as text (as `Study::read_dir`
/// reads CSV).
fn table(name: &str, text: &str) -> Dataset {
    let header = text.lines().next().unwrap();
    let schema = header
        .split(',')
        .map(|n| Variable::character(n, 500))
        .collect();
    let options = csv::ReadOptions::default()
        .with_name(name)
        .with_schema(schema);
    csv::from_bytes(text.as_bytes(), &options).unwrap()
}

fn study_of(tables: &[(&str, String)]) -> Study {
    Study::from_datasets(tables.iter().map(|(n, t)| table(n, t)).collect()).unwrap()
}

/// The seed fixture's study, read once and shared by the tests (the
/// typed records borrow from it).
fn seed_study() -> &'static Study {
    static STUDY: std::sync::OnceLock<Study> = std::sync::OnceLock::new();
    STUDY.get_or_init(|| study_of(&fixture()))
}

fn seed_sdtm() -> Sdtm<'static> {
    Sdtm::from_study(seed_study()).unwrap()
}

/// The rows of `ds` where `var` equals `value`.
fn rows_where(ds: &Dataset, var: &str, value: &str) -> Vec<usize> {
    (0..ds.n_rows())
        .filter(|&r| cell(ds, var, r) == value)
        .collect()
}

/// The row of `ds` for a subject (by USUBJID suffix).
fn subject_row(ds: &Dataset, suffix: &str) -> usize {
    rows_where(ds, "USUBJID", &format!("{STUDY}-{suffix}"))[0]
}

#[test]
fn adsl_of_the_fixture() {
    let sdtm = seed_sdtm();
    let adsl = derive_adsl(&sdtm, &AdamConfig::seed_trial()).unwrap();
    assert_eq!(adsl.n_rows(), 5);
    let s1 = subject_row(&adsl, "01-001");
    let s2 = subject_row(&adsl, "01-002");
    let s3 = subject_row(&adsl, "02-003");
    let s4 = subject_row(&adsl, "02-004");
    let s5 = subject_row(&adsl, "03-005");
    let c = |var: &str, row: usize| cell(&adsl, var, row);

    // Arms: TRT01PN by the configured order; ACTARMCD NOTTRT has no TRT01A.
    assert_eq!(c("TRT01P", s1), "hUC-MSC 1.5x10^6 cells/kg");
    assert_eq!(
        (c("TRT01PN", s1), c("TRT01PN", s2), c("TRT01PN", s5)),
        ("1".into(), "3".into(), "2".into())
    );
    assert_eq!(
        (c("TRT01PN", s3), c("TRT01P", s4)),
        (String::new(), String::new())
    );
    assert_eq!(
        (c("TRT01A", s5), c("TRT01AN", s5)),
        (String::new(), String::new())
    );
    assert_eq!(c("SITEID", s1), "01", "CSV text keeps the leading zero");

    // BMI = 65 / 1.70^2 (flagged records) and 50 / 1.60^2 (by visit).
    assert_eq!(c("HEIGHTBL", s1), "170");
    assert_eq!(
        c("WEIGHTBL", s1),
        "65",
        "the flagged WEEK 0 weight, not WEEK 4's 66"
    );
    let bmi = |row| {
        adsl.get("BMIBL")
            .unwrap()
            .1
            .as_numeric()
            .unwrap()
            .get(row)
            .unwrap()
    };
    assert!((bmi(s1) - 65.0 / (1.7 * 1.7)).abs() < 1e-12);
    assert!((bmi(s2) - 19.53125).abs() < 1e-12);
    assert_eq!(c("BMIBL", s3), "");

    // SUPPDM: HIVDXMO all numbers -> numeric; HIVROUTE text.
    let (v, _) = adsl.get("HIVDXMO").unwrap();
    assert_eq!(v.kind, VarKind::Numeric);
    assert_eq!(v.label, "Time Since HIV Diagnosis (months)");
    assert_eq!(
        (c("HIVDXMO", s1), c("HIVDXMO", s5), c("HIVDXMO", s3)),
        ("36".into(), "60.5".into(), String::new())
    );
    assert_eq!(adsl.get("HIVROUTE").unwrap().0.kind, VarKind::Character);
    assert_eq!(c("HIVROUTE", s2), "BLOOD");

    // Baseline labs: the flagged WEEK 0 record, not screening's 180; by
    // visit for 002; "<20" is text only.
    assert_eq!(
        (c("CD4BL", s1), c("CD4BL", s2), c("CD4BL", s5)),
        ("200".into(), "300".into(), String::new())
    );
    assert_eq!(
        (c("HIVRNABL", s1), c("HIVRNBLC", s1)),
        (String::new(), "<20".into())
    );

    // Flags and disposition.
    let flags = |row| {
        ["RANDFL", "ITTFL", "SAFFL", "SCRNFFL", "COMPLFL"]
            .map(|v| c(v, row))
            .join("")
    };
    assert_eq!(flags(s1), "YYYNY");
    assert_eq!(flags(s2), "YYYNN");
    assert_eq!(flags(s3), "NNNYN");
    assert_eq!(flags(s4), "NNNNN");
    assert_eq!(flags(s5), "YYNNN");
    assert_eq!(c("EOSSTT", s1), "COMPLETED");
    assert_eq!(
        (c("EOSSTT", s2), c("DCSREAS", s2), c("DCSDT", s2)),
        (
            "DISCONTINUED".into(),
            "LOST TO FOLLOW-UP".into(),
            "22128".into()
        )
    );
    assert_eq!(
        (c("EOSSTT", s3), c("DCSREAS", s3)),
        (
            "SCREEN FAILURE".into(),
            "CD4 count >= 250 cells/uL at screening".into()
        )
    );
    assert_eq!(
        (c("EOSSTT", s4), c("DCSREAS", s4)),
        ("NOT RANDOMIZED".into(), "WITHDRAWAL BY SUBJECT".into())
    );
    assert_eq!(c("EOSSTT", s5), "DISCONTINUED");

    // Exposure: 2020-01-01 = SAS day 21915; the sixth infusion 2020-12-02.
    assert_eq!(
        (c("TRTSDT", s1), c("TRTEDT", s1), c("NINFUS", s1)),
        ("21915".into(), "22251".into(), "6".into())
    );
    assert_eq!(
        (c("TRTSDT", s5), c("NINFUS", s5)),
        (String::new(), "0".into())
    );
    assert_eq!(
        (c("LSTVISN", s1), c("LSTVISN", s2), c("LSTVISN", s5)),
        ("11".into(), "5".into(), "1".into())
    );

    // Metadata: dates are DATE9. numerics.
    let (trtsdt, _) = adsl.get("TRTSDT").unwrap();
    assert_eq!(trtsdt.format, Some(Format::new("DATE", 9, 0)));
    assert_eq!(trtsdt.label, "Date of First Exposure to Treatment");
    assert_eq!(adsl.name(), "ADSL");
}

/// One ADLB row in short: AVISIT|AVISITN|AVAL|AVALC|BASE|CHG|PCHG|ABLFL|DTYPE|ANL01FL|SRCSEQ|ADY.
fn adlb_rows(adlb: &Dataset, subject: &str, paramcd: &str) -> Vec<String> {
    let id = format!("{STUDY}-{subject}");
    (0..adlb.n_rows())
        .filter(|&r| cell(adlb, "USUBJID", r) == id && cell(adlb, "PARAMCD", r) == paramcd)
        .map(|r| {
            [
                "AVISIT", "AVISITN", "AVAL", "AVALC", "BASE", "CHG", "PCHG", "ABLFL", "DTYPE",
                "ANL01FL", "SRCSEQ", "ADY",
            ]
            .map(|v| cell(adlb, v, r))
            .join("|")
        })
        .collect()
}

/// Hand-computed: BASE is the flagged WEEK 0 value; CHG = AVAL - BASE and
/// PCHG = 100 * CHG / BASE on post-baseline records only; the unscheduled
/// 4.1 record keeps AVISIT UNSCHEDULED, no AVISITN, no ANL01FL; LOCF fills
/// WEEK 36..96 from WEEK 24 (SRCSEQ 6, its date: ADY 169).
#[test]
fn adlb_baseline_changes_unscheduled_and_locf() {
    let sdtm = seed_sdtm();
    let adlb = derive_adlb(&sdtm, &AdamConfig::seed_trial()).unwrap();
    let mut want = vec![
        "SCREENING|-4|180|180|200|||||Y|1|-28".to_owned(),
        "WEEK 0|0|200|200|200|||Y||Y|2|1".to_owned(),
        "WEEK 4|4|250|250|200|50|25|||Y|3|29".to_owned(),
        "WEEK 12|12|270|270|200|70|35|||Y|4|85".to_owned(),
        "UNSCHEDULED||320|320|200|120|60||||5|106".to_owned(),
        "WEEK 24|24|310|310|200|110|55|||Y|6|169".to_owned(),
    ];
    for (visit, week) in [(36, 36), (48, 48), (60, 60), (72, 72), (84, 84), (96, 96)] {
        want.push(format!(
            "WEEK {visit}|{week}|310|310|200|110|55||LOCF|Y|6|169"
        ));
    }
    assert_eq!(adlb_rows(&adlb, "01-001", "CD4"), want);

    // 002: no flag, so baseline by visit; WEEK 12 not done -> LOCF from
    // WEEK 4 (a visit missed in between); LOCF after WEEK 24.
    let mut want = vec![
        "WEEK 0|0|300|300|300|||Y||Y|1|1".to_owned(),
        "WEEK 4|4|330|330|300|30|10|||Y|2|29".to_owned(),
        "WEEK 12|12|330|330|300|30|10||LOCF|Y|2|29".to_owned(),
        "WEEK 24|24|320|320|300|20|6.666666666666667|||Y|4|169".to_owned(),
    ];
    for week in [36, 48, 60, 72, 84, 96] {
        want.push(format!(
            "WEEK {week}|{week}|320|320|300|20|6.666666666666667||LOCF|Y|4|169"
        ));
    }
    assert_eq!(adlb_rows(&adlb, "01-002", "CD4"), want);

    // Below the limit of quantification: AVAL missing, AVALC "<20", carried
    // as text.
    let hiv = adlb_rows(&adlb, "01-001", "HIV1RNA");
    assert_eq!(hiv.len(), 10);
    assert_eq!(hiv[0], "WEEK 0|0||<20||||Y||Y|7|1");
    assert_eq!(hiv[9], "WEEK 96|96||<20|||||LOCF|Y|7|1");

    // 005 (randomized, never dosed): screening only, no baseline, no LOCF,
    // no study day without a first dose. Screen failures are not in ADLB.
    assert_eq!(
        adlb_rows(&adlb, "03-005", "CD4"),
        vec!["SCREENING|-4|150|150||||||Y|1|"]
    );
    assert!(adlb_rows(&adlb, "02-003", "CD4").is_empty());
    assert_eq!(adlb.n_rows(), 12 + 10 + 10 + 1);

    // The treatment and parameter columns.
    let r = rows_where(&adlb, "USUBJID", &format!("{STUDY}-01-002"))[0];
    assert_eq!(cell(&adlb, "TRT01P", r), "Placebo (saline)");
    assert_eq!(cell(&adlb, "TRT01PN", r), "3");
    assert_eq!(cell(&adlb, "PARAM", r), "CD4 Lymphocytes (cells/uL)");
    assert_eq!(cell(&adlb, "PARAMN", r), "1");
    assert_eq!(cell(&adlb, "ANRLO", r), "500");
    assert_eq!(cell(&adlb, "ANRIND", r), "LOW");
    assert_eq!(
        adlb.get("ADT").unwrap().0.format,
        Some(Format::new("DATE", 9, 0))
    );

    // Without LOCF: only observed records.
    let mut config = AdamConfig::seed_trial();
    config.locf = false;
    let observed = derive_adlb(&sdtm, &config).unwrap();
    assert_eq!(observed.n_rows(), 6 + 1 + 3 + 1);
    assert!(rows_where(&observed, "DTYPE", "LOCF").is_empty());
}

/// One ADTTE row in short: STARTDT|ADT|AVAL|CNSR|EVNTDESC|CNSDTDSC.
fn adtte_row(adtte: &Dataset, subject: &str, paramcd: &str) -> String {
    let id = format!("{STUDY}-{subject}");
    let r = (0..adtte.n_rows())
        .find(|&r| cell(adtte, "USUBJID", r) == id && cell(adtte, "PARAMCD", r) == paramcd)
        .unwrap();
    ["STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"]
        .map(|v| cell(adtte, v, r))
        .join("|")
}

/// Hand-computed from the fixture (2020-01-01 = SAS day 21915):
/// 001 RESP30: first PCHG > 30 at WEEK 12 (2020-03-25, day 21999): 84 days.
/// 001 RESP100: first CHG > 100 at a scheduled visit: WEEK 24 (2020-06-17,
///     22083): 168 days; the unscheduled +120 on 2020-04-15 does not count.
/// 002: never responds; censored at WEEK 24 (2020-07-18, 22114), 168 days
///     after 2020-02-01; the LOCF records do not extend follow-up.
/// 005: never dosed, no assessment: origin = randomization (2020-03-01,
///     21975), censored at day 0.
#[test]
fn adtte_events_and_censoring() {
    let sdtm = seed_sdtm();
    let adtte = derive_adtte(&sdtm, &AdamConfig::seed_trial()).unwrap();
    assert_eq!(adtte.n_rows(), 6, "3 randomized subjects x 2 parameters");
    assert_eq!(
        adtte_row(&adtte, "01-001", "RESP30"),
        "21915|21999|84|0|CD4 PERCENT CHANGE FROM BASELINE > 30%|"
    );
    assert_eq!(
        adtte_row(&adtte, "01-001", "RESP100"),
        "21915|22083|168|0|CD4 CHANGE FROM BASELINE > 100|"
    );
    for p in ["RESP30", "RESP100"] {
        assert_eq!(
            adtte_row(&adtte, "01-002", p),
            "21946|22114|168|1||LAST POST-BASELINE ASSESSMENT"
        );
        assert_eq!(
            adtte_row(&adtte, "03-005", p),
            "21975|21975|0|1||NO POST-BASELINE ASSESSMENT"
        );
    }
    assert_eq!(count(&adtte, "AVALU", "DAYS"), 6);
    let r = rows_where(&adtte, "PARAMCD", "RESP100")[0];
    assert_eq!(
        cell(&adtte, "PARAM", r),
        "Time to CD4 Increase > 100 cells/uL from Baseline (days)"
    );
}

/// Hand-computed: 001's headache starts 2019-12-20, 12 days before the
/// first dose (ASTDY -12, not treatment-emergent); the fever starts the
/// day after (ASTDY 2, TRTEMFL Y, grade 3); the rash has a partial date
/// (no ASTDT, so no TRTEMFL). The screen failure's AE is left out.
#[test]
fn adae_treatment_emergence_and_grades() {
    let sdtm = seed_sdtm();
    let adae = derive_adae(&sdtm, &AdamConfig::seed_trial()).unwrap();
    let rows: Vec<String> = (0..adae.n_rows())
        .map(|r| {
            [
                "USUBJID", "AESEQ", "ASTDT", "ASTDY", "AENDT", "TRTEMFL", "AETOXGR", "ATOXGRN",
            ]
            .map(|v| cell(&adae, v, r))
            .join("|")
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            format!("{STUDY}-01-001|1|21903|-12|21905||1|1"),
            format!("{STUDY}-01-001|2|21916|2|21918|Y|3|3"),
            format!("{STUDY}-01-001|3|||||2|2"),
            format!("{STUDY}-01-002|1|21948|3|21949|Y|1|1"),
        ]
    );
    assert_eq!(cell(&adae, "TRT01A", 0), "hUC-MSC 1.5x10^6 cells/kg");
    assert_eq!(cell(&adae, "AESEV", 1), "SEVERE");
    assert_eq!(cell(&adae, "AESER", 1), "N");

    // The worst treatment-emergent grade of 001 is 3; with the
    // pre-treatment and undated events it would still be 3, and without
    // TRTEMFL the grade-1 headache would count for nothing more.
    let grade = adae.get("ATOXGRN").unwrap().1.as_numeric().unwrap();
    let worst = (0..adae.n_rows())
        .filter(|&r| cell(&adae, "USUBJID", r).ends_with("001") && cell(&adae, "TRTEMFL", r) == "Y")
        .filter_map(|r| grade.get(r))
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(worst, 3.0);
}

#[test]
fn derive_all_gives_the_four_datasets() {
    let adam = derive_all(&seed_sdtm(), &AdamConfig::seed_trial()).unwrap();
    let names = [&adam.adsl, &adam.adlb, &adam.adtte, &adam.adae].map(|d| d.name().to_owned());
    assert_eq!(names, ["ADSL", "ADLB", "ADTTE", "ADAE"]);
    let vars: Vec<&str> = adam
        .adtte
        .variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(
        vars,
        [
            "STUDYID", "USUBJID", "SITEID", "TRT01P", "TRT01PN", "ITTFL", "PARAMCD", "PARAM",
            "STARTDT", "ADT", "AVAL", "AVALU", "CNSR", "EVNTDESC", "CNSDTDSC"
        ]
    );
    let vars: Vec<&str> = adam
        .adlb
        .variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(
        vars,
        [
            "STUDYID", "USUBJID", "SITEID", "TRT01P", "TRT01PN", "TRT01A", "TRT01AN", "ITTFL",
            "SAFFL", "PARAMCD", "PARAM", "PARAMN", "AVISIT", "AVISITN", "ADT", "ADY", "AVAL",
            "AVALC", "BASE", "CHG", "PCHG", "ABLFL", "DTYPE", "ANL01FL", "SRCSEQ", "ANRLO",
            "ANRHI", "ANRIND"
        ]
    );
    // The same result from the planned visits of TV.
    let mut config = AdamConfig::seed_trial();
    config.visits = Visits::FromTv;
    let from_tv = derive_all(&seed_sdtm(), &config).unwrap();
    assert_eq!(from_tv, adam);
}

// ---------------------------------------------------------------------------
// Validation: each broken rule gives a message naming domain, row and
// variable; all problems come back together.
// ---------------------------------------------------------------------------

/// Sets field `var` of data row `row` (1-based) of `domain`'s CSV text.
fn set(tables: &mut [(&str, String)], domain: &str, row: usize, var: &str, value: &str) {
    let (_, text) = tables.iter_mut().find(|(d, _)| *d == domain).unwrap();
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let col = lines[0].iter().position(|h| h == var).unwrap();
    lines[row][col] = value.to_owned();
    *text = lines.iter().map(|l| l.join(",") + "\n").collect();
}

/// Removes column `var` of `domain`.
fn drop_column(tables: &mut [(&str, String)], domain: &str, var: &str) {
    let (_, text) = tables.iter_mut().find(|(d, _)| *d == domain).unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let col = lines[0].iter().position(|h| *h == var).unwrap();
    *text = lines
        .iter()
        .map(|l| {
            let mut l = l.clone();
            l.remove(col);
            l.join(",") + "\n"
        })
        .collect();
}

/// The problems reading the edited fixture.
fn problems(tables: &[(&str, String)]) -> (Vec<String>, usize, String) {
    match Sdtm::from_study(&study_of(tables)) {
        Err(e @ SdtmError::Invalid { .. }) => {
            let text = e.to_string();
            let SdtmError::Invalid { problems, more } = e else {
                unreachable!()
            };
            (
                problems.iter().map(ToString::to_string).collect(),
                more,
                text,
            )
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the edited fixture was accepted"),
    }
}

/// The single problem of an edited fixture.
fn one_problem(tables: &[(&str, String)]) -> String {
    let (list, more, _) = problems(tables);
    assert_eq!((list.len(), more), (1, 0), "{list:#?}");
    list[0].clone()
}

#[test]
fn the_fixture_is_valid() {
    let sdtm = seed_sdtm();
    assert_eq!(sdtm.dm.len(), 5);
    assert_eq!(sdtm.lb.as_ref().unwrap().len(), 13);
    assert_eq!(
        sdtm.suppdm.value("RCT-DEMO-01-01-001", "HIVDXMO"),
        Some("36")
    );
    assert_eq!(sdtm.studyid(), STUDY);
    // The unscheduled 4.1 (fractional) passes the TV check.
    assert!(sdtm.sv.as_ref().unwrap().iter().any(|s| s.visitnum == 4.1));
}

#[test]
fn a_required_variable_missing() {
    let mut t = fixture();
    drop_column(&mut t, "LB", "LBTESTCD");
    assert_eq!(
        one_problem(&t),
        "LB, variable `LBTESTCD`: required variable is missing"
    );
}

#[test]
fn a_numeric_variable_holding_text() {
    let mut t = fixture();
    set(&mut t, "LB", 3, "LBSTRESN", "25O");
    assert_eq!(
        one_problem(&t),
        "LB row 3, variable `LBSTRESN`: value \"25O\" is not a number (a numeric variable holds text)"
    );
}

#[test]
fn a_bad_iso_date() {
    let mut t = fixture();
    set(&mut t, "LB", 4, "LBDTC", "2020-02-30");
    let p = one_problem(&t);
    assert!(
        p.starts_with("LB row 4, variable `LBDTC`: value \"2020-02-30\" is not an ISO 8601 date"),
        "{p}"
    );
    let mut t = fixture();
    set(&mut t, "DM", 2, "RFSTDTC", "01/02/2020");
    assert!(one_problem(&t).starts_with("DM row 2, variable `RFSTDTC`: value \"01/02/2020\""));
}

#[test]
fn a_duplicate_subject_in_dm() {
    let mut t = fixture();
    set(&mut t, "DM", 4, "USUBJID", "RCT-DEMO-01-02-003");
    let (list, _, _) = problems(&t);
    assert_eq!(
        list[0],
        "DM row 4, variable `USUBJID`: duplicate subject \"RCT-DEMO-01-02-003\" (also row 3)"
    );
    // 004's records in other domains now name a subject DM lacks.
    assert!(list
        .iter()
        .any(|p| p.starts_with("SV row 14, variable `USUBJID`: subject")));
}

#[test]
fn a_subject_not_in_dm() {
    let mut t = fixture();
    set(&mut t, "AE", 5, "USUBJID", "RCT-DEMO-01-09-999");
    assert_eq!(
        one_problem(&t),
        "AE row 5, variable `USUBJID`: subject \"RCT-DEMO-01-09-999\" is not in DM"
    );
}

#[test]
fn a_visit_not_in_tv() {
    let mut t = fixture();
    set(&mut t, "LB", 6, "VISITNUM", "12");
    let p = one_problem(&t);
    assert!(
        p.starts_with("LB row 6, variable `VISITNUM`: VISITNUM 12 is not a visit of TV"),
        "{p}"
    );
    // Without TV there is nothing to check against.
    t.retain(|(d, _)| *d != "TV");
    assert!(Sdtm::from_study(&study_of(&t)).is_ok());
}

#[test]
fn a_duplicate_record() {
    let mut t = fixture();
    set(&mut t, "LB", 3, "VISITNUM", "2");
    set(&mut t, "LB", 3, "LBDTC", "2020-01-01");
    assert_eq!(
        one_problem(&t),
        "LB row 3, variable `LBTESTCD`: duplicate record: same USUBJID, LBTESTCD, VISITNUM and \
         LBDTC as row 2"
    );
    let mut t = fixture();
    set(&mut t, "AE", 2, "AESEQ", "1");
    assert_eq!(
        one_problem(&t),
        "AE row 2, variable `AESEQ`: AESEQ 1 repeats row 1 of subject \"RCT-DEMO-01-01-001\""
    );
}

#[test]
fn a_term_outside_its_codelist() {
    let mut t = fixture();
    set(&mut t, "DM", 1, "SEX", "MALE");
    assert_eq!(
        one_problem(&t),
        "DM row 1, variable `SEX`: value \"MALE\" is not a controlled term here (expected one \
         of M, F, U, UNDIFFERENTIATED)"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut t = fixture();
    set(&mut t, "LB", 3, "LBSTRESN", "n/a");
    set(&mut t, "AE", 1, "AESTDTC", "2019-13-01");
    set(&mut t, "EX", 2, "EXDOSE", "high");
    let (list, more, text) = problems(&t);
    assert_eq!((list.len(), more), (3, 0), "{list:#?}");
    assert!(text.starts_with("3 problems in the SDTM data:\n  LB row 3, variable `LBSTRESN`"));
    assert!(text.contains("\n  AE row 1, variable `AESTDTC`"));
    assert!(text.contains("\n  EX row 2, variable `EXDOSE`"));
}

#[test]
fn problems_are_capped() {
    let mut t = fixture();
    let (_, lb) = t.iter_mut().find(|(d, _)| *d == "LB").unwrap();
    for seq in 100..160 {
        lb.push_str(&lb_line((
            "01-001",
            seq,
            "CD8",
            "x",
            "",
            "",
            "3",
            "WEEK 4",
            "2020-01-29",
        )));
    }
    let (list, more, text) = problems(&t);
    // Every line after the first CD8 line repeats its record key: 59
    // problems, 50 listed.
    assert_eq!((list.len(), more), (50, 9));
    assert!(text.starts_with("59 problems in the SDTM data:"));
    assert!(list[49].starts_with("LB row 64, variable `LBTESTCD`: duplicate record"));
    assert!(text.ends_with("\n  ... and 9 more"));
}

#[test]
fn dm_is_required() {
    let mut t = fixture();
    t.retain(|(d, _)| *d != "DM");
    let err = Sdtm::from_study(&study_of(&t)).unwrap_err();
    assert!(matches!(err, SdtmError::MissingDm));
}

#[test]
fn optional_domains_are_named_when_needed() {
    let mut t = fixture();
    t.retain(|(d, _)| !["LB", "AE", "DS", "VS", "EX", "SV", "SUPPDM"].contains(d));
    let study = study_of(&t);
    let sdtm = Sdtm::from_study(&study).unwrap();
    let config = AdamConfig::seed_trial();
    let err = |e: AdamError| e.to_string();
    assert_eq!(
        err(derive_adsl(&sdtm, &config).unwrap_err()),
        "ADSL needs the DS domain, which the study lacks"
    );
    let mut with_ds = t.clone();
    with_ds.push(("DS", DS.to_owned()));
    let study = study_of(&with_ds);
    let sdtm = Sdtm::from_study(&study).unwrap();
    // ADSL without EX, VS, LB: exposure from DM's reference dates.
    let adsl = derive_adsl(&sdtm, &config).unwrap();
    assert_eq!(cell(&adsl, "TRTSDT", 0), "21915");
    assert_eq!(cell(&adsl, "NINFUS", 0), "");
    assert_eq!(cell(&adsl, "HEIGHTBL", 0), "");
    assert_eq!(
        err(derive_adae(&sdtm, &config).unwrap_err()),
        "ADAE needs the AE domain, which the study lacks"
    );
    assert_eq!(
        err(derive_adtte(&sdtm, &config).unwrap_err()),
        "ADLB needs the LB domain, which the study lacks"
    );
}

#[test]
fn config_errors() {
    let sdtm = seed_sdtm();
    let mut config = AdamConfig::seed_trial();
    config.baseline_visitnum = 2.5;
    assert_eq!(
        derive_adsl(&sdtm, &config).unwrap_err().to_string(),
        "invalid ADaM configuration: the baseline VISITNUM 2.5 is not a planned visit"
    );
    let mut config = AdamConfig::seed_trial();
    config.responses[0].testcd = "CD3".into();
    assert!(derive_all(&sdtm, &config)
        .unwrap_err()
        .to_string()
        .contains("response \"RESP30\" reads test \"CD3\", which is not a lab parameter"));
    // A SUPPDM qualifier named like an ADSL variable.
    let mut t = fixture();
    set(&mut t, "SUPPDM", 2, "QNAM", "AGE");
    let study = study_of(&t);
    let sdtm = Sdtm::from_study(&study).unwrap();
    assert_eq!(
        derive_adsl(&sdtm, &AdamConfig::seed_trial())
            .unwrap_err()
            .to_string(),
        "SUPPDM, variable `QNAM`: qualifier \"AGE\" has the name of an ADSL variable; rename it"
    );
}

// ---------------------------------------------------------------------------
// Study::read_dir
// ---------------------------------------------------------------------------

/// A fresh folder under the system temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rct-study-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn read_dir_reads_one_file_per_domain() {
    let dir = temp_dir("fixture");
    for (domain, text) in fixture() {
        std::fs::write(dir.join(format!("{}.csv", domain.to_lowercase())), text).unwrap();
    }
    std::fs::write(dir.join("README.md"), "not a dataset").unwrap();
    std::fs::write(dir.join(".dm.csv.123.tmp"), "hidden").unwrap();
    let study = Study::read_dir(&dir).unwrap();
    assert_eq!(study.paths().len(), 9);
    assert_eq!(
        study.domains().collect::<Vec<_>>(),
        ["AE", "DM", "DS", "EX", "LB", "SUPPDM", "SV", "TV", "VS"]
    );
    // The same derivations as from memory.
    let from_files = derive_all(
        &Sdtm::from_study(&study).unwrap(),
        &AdamConfig::seed_trial(),
    );
    let from_memory = derive_all(&seed_sdtm(), &AdamConfig::seed_trial());
    assert_eq!(from_files.unwrap(), from_memory.unwrap());

    // A second file of one domain is refused.
    std::fs::write(dir.join("dm.ndjson"), "{}").unwrap();
    let err = Study::read_dir(&dir).unwrap_err().to_string();
    assert!(err.starts_with("domain DM is given twice: `"), "{err}");
    assert!(err.contains("dm.csv` and `") && err.ends_with("dm.ndjson`; keep one file per domain"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn read_dir_names_the_file_that_fails() {
    let dir = temp_dir("bad");
    std::fs::write(dir.join("dm.csv"), "USUBJID,AGE\n\"unclosed,1\n").unwrap();
    let err = Study::read_dir(&dir).unwrap_err().to_string();
    assert!(err.contains("dm.csv"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(Study::read_dir(&dir).is_err(), "a missing folder");
}
