//! The demo study against the study data contract (`STUDY-SPEC`) and the
//! seed paper's counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use rct_cdisc::{Column, Dataset, TextColumn};
use rct_simulate::demo::{simulate_study, simulate_study_with_progress, DemoConfig, DemoStudy};

const SEED: u64 = 2021;

fn seed_study(seed: u64) -> DemoStudy {
    simulate_study(&DemoConfig::seed_trial(), seed).unwrap()
}

fn ds<'a>(study: &'a DemoStudy, name: &str) -> &'a Dataset {
    study
        .get(name)
        .unwrap_or_else(|| panic!("no dataset {name}"))
}

fn text<'a>(d: &'a Dataset, var: &str) -> &'a TextColumn {
    d.get(var)
        .and_then(|(_, c)| c.as_character())
        .unwrap_or_else(|| panic!("{}.{var} is not a character variable", d.name()))
}

fn num(d: &Dataset, var: &str) -> Vec<Option<f64>> {
    match d.get(var) {
        Some((_, Column::Numeric(c))) => c.values().to_vec(),
        _ => panic!("{}.{var} is not a numeric variable", d.name()),
    }
}

fn names(d: &Dataset) -> Vec<&str> {
    d.variables().iter().map(|v| v.name.as_str()).collect()
}

/// USUBJID -> ARMCD.
fn arms(study: &DemoStudy) -> BTreeMap<String, String> {
    let dm = ds(study, "DM");
    text(dm, "USUBJID")
        .iter()
        .map(str::to_owned)
        .zip(text(dm, "ARMCD").iter().map(str::to_owned))
        .collect()
}

fn count<'a>(values: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut m = BTreeMap::new();
    for v in values {
        *m.entry(v).or_default() += 1;
    }
    m
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    assert!(n > 0);
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[test]
fn datasets_have_the_contract_variables() {
    let study = seed_study(SEED);
    let want: [(&str, &[&str]); 9] = [
        (
            "DM",
            &[
                "STUDYID", "DOMAIN", "USUBJID", "SUBJID", "SITEID", "RFICDTC", "RFSTDTC",
                "RFENDTC", "RFPENDTC", "AGE", "AGEU", "SEX", "RACE", "COUNTRY", "ARMCD", "ARM",
                "ACTARMCD", "ACTARM",
            ],
        ),
        (
            "SUPPDM",
            &[
                "STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QVAL",
                "QORIG",
            ],
        ),
        (
            "VS",
            &[
                "STUDYID", "DOMAIN", "USUBJID", "VSSEQ", "VSTESTCD", "VSTEST", "VSORRES",
                "VSORRESU", "VSSTRESC", "VSSTRESN", "VSSTRESU", "VSBLFL", "VISITNUM", "VISIT",
                "VSDTC",
            ],
        ),
        (
            "LB",
            &[
                "STUDYID", "DOMAIN", "USUBJID", "LBSEQ", "LBTESTCD", "LBTEST", "LBCAT", "LBORRES",
                "LBORRESU", "LBSTRESC", "LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI", "LBNRIND",
                "LBSTAT", "LBREASND", "LBBLFL", "VISITNUM", "VISIT", "LBDTC", "LBDY",
            ],
        ),
        (
            "TV",
            &[
                "STUDYID", "DOMAIN", "VISITNUM", "VISIT", "VISITDY", "TVSTRL",
            ],
        ),
        (
            "SV",
            &[
                "STUDYID", "DOMAIN", "USUBJID", "VISITNUM", "VISIT", "SVSTDTC", "SVENDTC",
            ],
        ),
        (
            "EX",
            &[
                "STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXDOSFRM",
                "EXROUTE", "VISITNUM", "VISIT", "EXSTDTC", "EXENDTC",
            ],
        ),
        (
            "AE",
            &[
                "STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AEDECOD", "AEBODSYS", "AESEV",
                "AETOXGR", "AESER", "AEREL", "AEOUT", "AESTDTC", "AEENDTC", "AESTDY",
            ],
        ),
        (
            "DS",
            &[
                "STUDYID", "DOMAIN", "USUBJID", "DSSEQ", "DSTERM", "DSDECOD", "DSCAT", "EPOCH",
                "DSSTDTC",
            ],
        ),
    ];
    let got: Vec<&str> = study.datasets.iter().map(Dataset::name).collect();
    assert_eq!(
        got,
        ["DM", "SUPPDM", "VS", "LB", "TV", "SV", "EX", "AE", "DS"]
    );
    for (name, vars) in want {
        let d = ds(&study, name);
        assert_eq!(names(d), vars, "{name}");
        assert!(d.n_rows() > 0, "{name} is empty");
        if let Some((_, c)) = d.get("STUDYID") {
            assert!(c.as_character().unwrap().iter().all(|s| s == "RCT-DEMO-01"));
        }
        if let Some((_, c)) = d.get("DOMAIN") {
            assert!(c.as_character().unwrap().iter().all(|s| s == name));
        }
    }
}

#[test]
fn seed_trial_counts_match_the_paper() {
    let study = seed_study(SEED);
    let dm = ds(&study, "DM");
    assert_eq!(dm.n_rows(), 100);
    let by_arm = count(text(dm, "ARMCD"));
    let want: BTreeMap<&str, usize> = [
        ("HIGH", 24),
        ("LOW", 24),
        ("PLACEBO", 24),
        ("SCRNFAIL", 26),
        ("NOTASSGN", 2),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_arm, want);
    assert_eq!(text(dm, "ARMCD"), text(dm, "ACTARMCD"));
    // Consent from the configured first day over the enrolment period.
    for date in text(dm, "RFICDTC") {
        assert!(("2011-03-14".."2012-01-09").contains(&date), "{date}");
    }
    assert_eq!(count(text(dm, "SITEID")).len(), 4);
    // Every site randomizes 18, 6 per arm (blocks of 3 and 6 fill 18).
    let mut per_site: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (s, a) in text(dm, "SITEID").iter().zip(text(dm, "ARMCD")) {
        *per_site.entry((s, a)).or_default() += 1;
    }
    for ((_, arm), n) in &per_site {
        if ["HIGH", "LOW", "PLACEBO"].contains(arm) {
            assert_eq!(*n, 6);
        }
    }
    // Never-dosed subjects have no reference start.
    for ((a, st), en) in text(dm, "ARMCD")
        .iter()
        .zip(text(dm, "RFSTDTC"))
        .zip(text(dm, "RFENDTC"))
    {
        let randomized = ["HIGH", "LOW", "PLACEBO"].contains(&a);
        assert_eq!(!st.is_empty(), randomized);
        assert_eq!(!en.is_empty(), randomized);
    }

    let d = ds(&study, "DS");
    let arm = arms(&study);
    let mut events: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (u, decod) in text(d, "USUBJID").iter().zip(text(d, "DSDECOD")) {
        *events.entry((arm[u].as_str(), decod)).or_default() += 1;
    }
    let get = |a: &str, e: &str| events.get(&(a, e)).copied().unwrap_or(0);
    assert_eq!(get("SCRNFAIL", "SCREEN FAILURE"), 26);
    assert_eq!(get("NOTASSGN", "WITHDRAWAL BY SUBJECT"), 2);
    for (a, lost) in [("HIGH", 0), ("LOW", 5), ("PLACEBO", 4)] {
        assert_eq!(get(a, "RANDOMIZED"), 24, "{a}");
        assert_eq!(get(a, "LOST TO FOLLOW-UP"), lost, "{a}");
        assert_eq!(get(a, "COMPLETED"), 24 - lost, "{a}");
    }
    assert_eq!(count(text(d, "DSDECOD"))["INFORMED CONSENT OBTAINED"], 100);
    // Screening-epoch withdrawals; every subject one disposition event.
    let mut disposition: BTreeMap<&str, usize> = BTreeMap::new();
    for ((u, cat), (decod, epoch)) in text(d, "USUBJID")
        .iter()
        .zip(text(d, "DSCAT"))
        .zip(text(d, "DSDECOD").iter().zip(text(d, "EPOCH")))
    {
        if cat == "DISPOSITION EVENT" {
            *disposition.entry(u).or_default() += 1;
        }
        if decod == "WITHDRAWAL BY SUBJECT" || decod == "SCREEN FAILURE" {
            assert_eq!(epoch, "SCREENING");
        }
    }
    assert_eq!(disposition.len(), 100);
    assert!(disposition.values().all(|n| *n == 1));
}

#[test]
fn adverse_event_subjects_are_exact() {
    for seed in [SEED, 5] {
        let study = seed_study(seed);
        let arm = arms(&study);
        let ae = ds(&study, "AE");
        let mut any: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut common: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (u, decod) in text(ae, "USUBJID").iter().zip(text(ae, "AEDECOD")) {
            let a = arm[u].as_str();
            any.entry(a).or_default().insert(u);
            if ["Pyrexia", "Fatigue", "Insomnia"].contains(&decod) {
                common.entry(a).or_default().insert(u);
            }
        }
        let n = |m: &BTreeMap<&str, BTreeSet<&str>>, a: &str| m.get(a).map_or(0, BTreeSet::len);
        assert_eq!(
            [n(&any, "HIGH"), n(&any, "LOW"), n(&any, "PLACEBO")],
            [12, 8, 11]
        );
        assert_eq!(
            [n(&common, "HIGH"), n(&common, "LOW"), n(&common, "PLACEBO")],
            [6, 3, 5]
        );
        assert_eq!(any.len(), 3, "only randomized subjects have adverse events");
        // Grade 1-2, none serious; system organ classes as MedDRA names them.
        assert!(text(ae, "AETOXGR").iter().all(|g| g == "1" || g == "2"));
        assert!(text(ae, "AESER").iter().all(|s| s == "N"));
        for ((decod, soc), (sev, grade)) in text(ae, "AEDECOD")
            .iter()
            .zip(text(ae, "AEBODSYS"))
            .zip(text(ae, "AESEV").iter().zip(text(ae, "AETOXGR")))
        {
            assert_eq!(sev == "MILD", grade == "1");
            match decod {
                "Pyrexia" | "Fatigue" => {
                    assert_eq!(soc, "General disorders and administration site conditions")
                }
                "Insomnia" => assert_eq!(soc, "Psychiatric disorders"),
                _ => assert!(!soc.is_empty()),
            }
        }
        // A couple of events start before the first dose.
        let before: Vec<f64> = num(ae, "AESTDY")
            .into_iter()
            .flatten()
            .filter(|d| *d < 1.0)
            .collect();
        assert_eq!(before.len(), 2, "seed {seed}");
    }
}

#[test]
fn records_follow_the_subject_and_visit_keys() {
    let study = seed_study(SEED);
    let arm = arms(&study);
    let tv = ds(&study, "TV");
    let planned: BTreeMap<i64, String> = num(tv, "VISITNUM")
        .into_iter()
        .map(|v| v.unwrap() as i64)
        .zip(text(tv, "VISIT").iter().map(str::to_owned))
        .collect();
    assert_eq!(planned.len(), 11);
    assert_eq!(
        num(tv, "VISITDY").into_iter().flatten().collect::<Vec<_>>(),
        [-28.0, 1.0, 29.0, 85.0, 169.0, 253.0, 337.0, 421.0, 505.0, 589.0, 673.0]
    );
    let mut unscheduled = 0;
    for name in ["SUPPDM", "VS", "LB", "SV", "EX", "AE", "DS"] {
        let d = ds(&study, name);
        for u in text(d, "USUBJID") {
            assert!(arm.contains_key(u), "{name} subject {u} is not in DM");
        }
        if d.get("VISITNUM").is_none() {
            continue;
        }
        for (v, visit) in num(d, "VISITNUM").iter().zip(text(d, "VISIT")) {
            let v = v.unwrap();
            if v.fract() == 0.0 {
                assert_eq!(
                    planned.get(&(v as i64)).map(String::as_str),
                    Some(visit),
                    "{name}"
                );
            } else {
                unscheduled += 1;
                assert!(planned.contains_key(&(v.trunc() as i64)));
                assert_eq!(*visit, format!("UNSCHEDULED {v}"), "{name}");
            }
        }
    }
    assert!(unscheduled > 0, "no unscheduled visits");

    // Sequence numbers run 1, 2, ... within each subject.
    for (name, seq) in [
        ("LB", "LBSEQ"),
        ("VS", "VSSEQ"),
        ("EX", "EXSEQ"),
        ("AE", "AESEQ"),
    ] {
        let d = ds(&study, name);
        let mut last: BTreeMap<&str, f64> = BTreeMap::new();
        for (u, s) in text(d, "USUBJID").iter().zip(num(d, seq)) {
            let prev = last.insert(u, s.unwrap()).unwrap_or(0.0);
            assert_eq!(s.unwrap(), prev + 1.0, "{name} {u}");
        }
    }
}

#[test]
fn lost_subjects_have_no_records_after_their_last_visit() {
    let study = seed_study(SEED);
    let dm = ds(&study, "DM");
    let end: BTreeMap<&str, &str> = text(dm, "USUBJID")
        .iter()
        .zip(text(dm, "RFPENDTC").iter())
        .collect();
    let sv = ds(&study, "SV");
    let mut last_visit: BTreeMap<&str, (&str, f64)> = BTreeMap::new();
    for ((u, date), v) in text(sv, "USUBJID")
        .iter()
        .zip(text(sv, "SVSTDTC"))
        .zip(num(sv, "VISITNUM"))
    {
        let e = last_visit.entry(u).or_insert((date, 0.0));
        if date >= e.0 {
            *e = (date, v.unwrap());
        }
    }
    let arm = arms(&study);
    let d = ds(&study, "DS");
    let lost: BTreeSet<&str> = text(d, "USUBJID")
        .iter()
        .zip(text(d, "DSDECOD"))
        .filter(|(_, e)| *e == "LOST TO FOLLOW-UP")
        .map(|(u, _)| u)
        .collect();
    assert_eq!(lost.len(), 9);
    for (u, (date, v)) in &last_visit {
        if ["HIGH", "LOW", "PLACEBO"].contains(&arm[*u].as_str()) {
            assert_eq!(end[u], *date, "{u}: RFPENDTC is the last visit");
            if lost.contains(u) {
                assert!((8.0..11.0).contains(v), "{u} lost at visit {v}");
            } else {
                assert_eq!(*v, 11.0, "{u} completed");
            }
        }
    }
    for (name, date_var) in [
        ("LB", "LBDTC"),
        ("VS", "VSDTC"),
        ("EX", "EXSTDTC"),
        ("AE", "AESTDTC"),
        ("DS", "DSSTDTC"),
    ] {
        let d = ds(&study, name);
        for (u, date) in text(d, "USUBJID").iter().zip(text(d, date_var)) {
            assert!(date <= end[u], "{name} {u} {date}");
        }
    }
}

#[test]
fn doses_follow_the_arm_and_the_weight_at_the_visit() {
    let study = seed_study(SEED);
    let arm = arms(&study);
    let tv = ds(&study, "TV");
    let vs = ds(&study, "VS");
    let mut weight: BTreeMap<(&str, i64), f64> = BTreeMap::new();
    for ((u, t), (v, x)) in text(vs, "USUBJID")
        .iter()
        .zip(text(vs, "VSTESTCD"))
        .zip(num(vs, "VISITNUM").into_iter().zip(num(vs, "VSSTRESN")))
    {
        if t == "WEIGHT" {
            let x = x.unwrap();
            assert!((35.0..=120.0).contains(&x), "weight {x}");
            weight.insert((u, v.unwrap() as i64), x);
        }
    }
    let ex = ds(&study, "EX");
    let mut n: BTreeMap<&str, usize> = BTreeMap::new();
    for (((u, trt), dose), v) in text(ex, "USUBJID")
        .iter()
        .zip(text(ex, "EXTRT"))
        .zip(num(ex, "EXDOSE"))
        .zip(num(ex, "VISITNUM"))
    {
        let v = v.unwrap();
        let (want_trt, want_dose) = match arm[u].as_str() {
            "HIGH" => ("hUC-MSC", 1.5),
            "LOW" => ("hUC-MSC", 0.5),
            "PLACEBO" => ("SALINE", 0.0),
            other => panic!("{u} of arm {other} was dosed"),
        };
        assert_eq!((trt, dose.unwrap()), (want_trt, want_dose));
        // The dose (EXDOSE x 10^6 cells per kg) is by the weight measured
        // at the same visit, which must exist.
        assert!(weight.contains_key(&(u, v as i64)), "{u} visit {v}");
        assert!([2.0, 3.0, 4.0, 5.0, 6.0, 7.0].contains(&v));
        *n.entry(u).or_default() += 1;
    }
    assert_eq!(n.len(), 72);
    assert!(n.values().all(|k| *k == 6), "six infusions each");
    assert_eq!(
        text(ex, "EXDOSU")
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
        ["10^6 cells/kg"]
    );
    assert_eq!(tv.n_rows(), 11);
}

#[test]
fn labs_show_eligibility_and_are_consistent() {
    let study = seed_study(SEED);
    let arm = arms(&study);
    let d = ds(&study, "DS");
    let reason: BTreeMap<&str, &str> = text(d, "USUBJID")
        .iter()
        .zip(text(d, "DSDECOD").iter().zip(text(d, "DSTERM")))
        .filter(|(_, (decod, _))| *decod == "SCREEN FAILURE")
        .map(|(u, (_, term))| (u, term))
        .collect();
    let lb = ds(&study, "LB");
    let (u, test, visit) = (
        text(lb, "USUBJID"),
        text(lb, "LBTESTCD"),
        num(lb, "VISITNUM"),
    );
    let (orres, stresc, stresn) = (
        text(lb, "LBORRES"),
        text(lb, "LBSTRESC"),
        num(lb, "LBSTRESN"),
    );
    let (stat, reasnd, blfl) = (text(lb, "LBSTAT"), text(lb, "LBREASND"), text(lb, "LBBLFL"));
    let mut screening: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    let mut by_visit: BTreeMap<(&str, i64), BTreeMap<&str, f64>> = BTreeMap::new();
    let mut not_done = 0;
    for i in 0..lb.n_rows() {
        let v = visit[i].unwrap();
        if &stat[i] == "NOT DONE" {
            not_done += 1;
            assert!(!reasnd[i].is_empty() && orres[i].is_empty() && stresn[i].is_none());
            assert!(v > 2.0, "baseline and screening labs are always done");
            continue;
        }
        assert!(stat[i].is_empty() && reasnd[i].is_empty());
        assert_eq!(orres[i], stresc[i]);
        if v == 1.0 {
            screening
                .entry(&u[i])
                .or_default()
                .insert(&test[i], &stresc[i]);
        }
        assert_eq!(&blfl[i] == "Y", v == 2.0, "baseline is WEEK 0");
        match &test[i] {
            "HIV1RNA" => {
                if &stresc[i] == "<20" {
                    assert!(stresn[i].is_none());
                } else {
                    assert_eq!(stresn[i].unwrap().to_string(), stresc[i]);
                }
                let x = stresn[i].unwrap_or(0.0);
                let failed_on_rna = reason.get(&u[i]).is_some_and(|r| r.contains("RNA"));
                assert_eq!(x >= 50.0, failed_on_rna && v == 1.0, "no viral rebound");
            }
            "CD4CD8" => {
                let x = stresn[i].unwrap();
                assert_eq!(format!("{x:.3}"), stresc[i]);
            }
            _ => {
                let x = stresn[i].unwrap();
                assert_eq!(x.fract(), 0.0, "counts and enzymes are integers");
                assert_eq!(x.to_string(), stresc[i]);
            }
        }
        if v.fract() == 0.0 {
            by_visit
                .entry((&u[i], v as i64))
                .or_default()
                .insert(&test[i], stresn[i].unwrap_or(f64::NAN));
        }
    }
    assert!(not_done > 0, "no lab is NOT DONE");
    // The ratio is the reported counts' ratio to 3 decimals.
    for values in by_visit.values() {
        if let (Some(c4), Some(c8), Some(r)) =
            (values.get("CD4"), values.get("CD8"), values.get("CD4CD8"))
        {
            assert_eq!(((c4 / c8) * 1000.0).round() / 1000.0, *r);
        }
    }
    // Every screened subject has screening labs, and they show the reason.
    assert_eq!(screening.len(), 100);
    for (subject, tests) in &screening {
        assert_eq!(tests.len(), 6, "{subject}");
        let cd4: f64 = tests["CD4"].parse().unwrap();
        match reason.get(subject) {
            Some(r) if r.starts_with("CD4 count >= 250") => assert!(cd4 >= 250.0),
            Some(r) if r.starts_with("CD4 count <= 50") => assert!(cd4 <= 50.0),
            _ => assert!(cd4 > 50.0 && cd4 < 250.0, "{subject} {cd4}"),
        }
        if arm[*subject] != "SCRNFAIL" {
            assert!(!reason.contains_key(subject));
        }
    }
    // ART duration: at least 24 months for all but those failing on it.
    let supp = ds(&study, "SUPPDM");
    for ((subject, q), val) in text(supp, "USUBJID")
        .iter()
        .zip(text(supp, "QNAM"))
        .zip(text(supp, "QVAL"))
    {
        if q == "ARTDURMO" {
            let months: f64 = val.parse().unwrap();
            let short = reason.get(subject) == Some(&"ART duration < 24 months");
            assert_eq!(months < 24.0, short, "{subject}");
        }
    }
    assert_eq!(supp.n_rows(), 700);
}

#[test]
fn cd4_medians_lie_near_the_paper() {
    // Paper: baseline medians 179-181; week 48 HIGH 232, LOW 192, PLACEBO
    // 191. The bands allow for the sampling error of 24 subjects an arm.
    for seed in [SEED, 1, 42] {
        let study = seed_study(seed);
        let arm = arms(&study);
        let lb = ds(&study, "LB");
        let mut values: BTreeMap<(&str, i64), Vec<f64>> = BTreeMap::new();
        for ((u, t), (v, x)) in text(lb, "USUBJID")
            .iter()
            .zip(text(lb, "LBTESTCD"))
            .zip(num(lb, "VISITNUM").into_iter().zip(num(lb, "LBSTRESN")))
        {
            let v = v.unwrap();
            if let (true, 0.0, Some(x)) = (t == "CD4", v.fract(), x) {
                values
                    .entry((arm[u].as_str(), v as i64))
                    .or_default()
                    .push(x);
            }
        }
        for a in ["HIGH", "LOW", "PLACEBO"] {
            let week0 = median(values[&(a, 2)].clone());
            let week48 = median(values[&(a, 7)].clone());
            assert!(
                (145.0..=220.0).contains(&week0),
                "seed {seed} {a} week 0: {week0}"
            );
            let band = match a {
                "PLACEBO" => 150.0..=250.0,
                _ => 170.0..=290.0,
            };
            assert!(band.contains(&week48), "seed {seed} {a} week 48: {week48}");
        }
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let a = seed_study(SEED);
    let b = seed_study(SEED);
    assert_eq!(a, b);
    for (x, y) in a.datasets.iter().zip(&b.datasets) {
        assert_eq!(
            rct_cdisc::csv::to_bytes(x).unwrap(),
            rct_cdisc::csv::to_bytes(y).unwrap()
        );
    }
    let c = seed_study(SEED + 1);
    assert_ne!(ds(&a, "LB"), ds(&c, "LB"));
    assert_ne!(ds(&a, "DM"), ds(&c, "DM"));
    // The trial design does not depend on the seed.
    assert_eq!(ds(&a, "TV"), ds(&c, "TV"));
}

#[test]
fn round_trips_through_csv_and_xport() {
    let study = seed_study(SEED);
    let dir = tempfile::tempdir().unwrap();
    for d in &study.datasets {
        let path = dir.path().join(format!("{}.csv", d.name().to_lowercase()));
        rct_cdisc::csv::write_path(&path, d).unwrap();
        let options = rct_cdisc::csv::ReadOptions::default()
            .with_name(d.name())
            .with_label(d.label())
            .with_schema(d.variables().to_vec());
        let back = rct_cdisc::csv::read_path(&path, &options).unwrap();
        assert_eq!(&back, d, "{} through CSV", d.name());
    }
    let path = dir.path().join("demo.xpt");
    rct_cdisc::xport::write_path(
        &path,
        &study.datasets,
        &rct_cdisc::xport::WriteOptions::default(),
    )
    .unwrap();
    let back = rct_cdisc::xport::read_path(&path).unwrap();
    assert_eq!(back, study.datasets, "through XPORT");
}

#[test]
fn scaled_keeps_the_proportions() {
    let config = DemoConfig::scaled(720);
    assert_eq!(
        (
            config.n_screened,
            config.n_screen_failures,
            config.n_declined,
            config.sites
        ),
        (1000, 260, 20, 40)
    );
    let mut calls = Vec::new();
    let study = simulate_study_with_progress(&config, 3, &mut |done, total| {
        calls.push((done, total));
    })
    .unwrap();
    assert_eq!(calls.last(), Some(&(1000, 1000)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    let arm = arms(&study);
    let by_arm = count(arm.values().map(String::as_str));
    assert_eq!(by_arm["HIGH"], 240);
    assert_eq!(by_arm["LOW"], 240);
    assert_eq!(by_arm["PLACEBO"], 240);
    assert_eq!(by_arm["SCRNFAIL"], 260);
    assert_eq!(by_arm["NOTASSGN"], 20);
    let ae = ds(&study, "AE");
    let mut any: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for u in text(ae, "USUBJID") {
        any.entry(arm[u].as_str()).or_default().insert(u);
    }
    assert_eq!(
        [any["HIGH"].len(), any["LOW"].len(), any["PLACEBO"].len()],
        [120, 80, 110]
    );
    let d = ds(&study, "DS");
    let lost = text(d, "DSDECOD")
        .iter()
        .filter(|e| *e == "LOST TO FOLLOW-UP")
        .count();
    assert_eq!(lost, 90);
    // The seed trial is `scaled(72)`.
    assert_eq!(DemoConfig::scaled(72), DemoConfig::seed_trial());
}

#[test]
fn invalid_configs_are_refused() {
    let mut c = DemoConfig::seed_trial();
    c.arms.truncate(1);
    let e = simulate_study(&c, 1).unwrap_err().to_string();
    assert!(e.contains("`arms`"), "{e}");

    let mut c = DemoConfig::seed_trial();
    c.n_screen_failures = 99;
    let e = simulate_study(&c, 1).unwrap_err().to_string();
    assert!(e.contains("`n_screened`"), "{e}");

    let mut c = DemoConfig::seed_trial();
    c.arms[1].cd4_ratio.pop();
    let e = simulate_study(&c, 1).unwrap_err().to_string();
    assert!(e.contains("`arms[1]`") && e.contains("cd4_ratio"), "{e}");

    let mut c = DemoConfig::seed_trial();
    c.first_consent = "2011-13-01".into();
    assert!(simulate_study(&c, 1).is_err());
}
