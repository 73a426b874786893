//! From compact rows to `rct_cdisc::Dataset`s: one column per variable,
//! the columns of a dataset built in parallel, each cell's text made once.

use rayon::prelude::*;
use rct_cdisc::{Column, Dataset, NumericColumn, TextColumn, Variable};

use super::config::DemoConfig;
use super::subject::*;
use super::terms::*;
use super::DemoError;

/// What every column needs besides its row: the configuration and the
/// subject identifiers (by subject index).
pub(super) struct Ctx<'a> {
    pub config: &'a DemoConfig,
    pub usubjid: Vec<String>,
    pub subjid: Vec<String>,
    pub siteid: Vec<String>,
}

type TextFn<R> = fn(&R, &Ctx) -> String;
type NumFn<R> = fn(&R, &Ctx) -> Option<f64>;

/// A variable of a dataset and how to get its value from a row.
enum Col<R> {
    Text(&'static str, &'static str, TextFn<R>),
    Num(&'static str, &'static str, NumFn<R>),
}

/// ISO 8601 text of a SAS date (days since 1960-01-01), written directly
/// (the civil-from-days algorithm of H. Hinnant, "chrono-compatible
/// low-level date algorithms"): this runs once per date cell, millions of
/// times at scale. Years outside 0-9999 give an empty string.
pub(super) fn iso(day: i32) -> String {
    // 1960-01-01 is 3653 days before 1970-01-01; the algorithm counts
    // from 0000-03-01, 719 468 days before 1970-01-01.
    let z = i64::from(day) - 3653 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    if !(0..=9999).contains(&y) {
        return String::new();
    }
    let digit = |v: i64| char::from(b'0' + (v % 10) as u8);
    let mut s = String::with_capacity(10);
    for v in [y / 1000, y / 100, y / 10, y] {
        s.push(digit(v));
    }
    s.push('-');
    s.push(digit(m / 10));
    s.push(digit(m));
    s.push('-');
    s.push(digit(d / 10));
    s.push(digit(d));
    s
}

fn iso_opt(day: Option<i32>) -> String {
    day.map(iso).unwrap_or_default()
}

/// `x` with `decimals` (0 to 3) decimals, as `format!("{x:.decimals$}")`
/// writes it for a value already rounded to that many decimals, without
/// the general float formatter (a hot path at scale).
pub(super) fn number(x: f64, decimals: usize) -> String {
    let decimals = decimals.min(3);
    let scaled = (x * [1.0, 10.0, 100.0, 1000.0][decimals]).round();
    if !scaled.is_finite() || scaled.abs() >= 1e15 {
        return format!("{x:.decimals$}");
    }
    // Digits from the right into a stack buffer, then one exact allocation.
    let mut buf = [0u8; 24];
    let mut at = buf.len();
    let mut k = (scaled as i64).unsigned_abs();
    let mut written = 0;
    while written <= decimals || k > 0 {
        if written == decimals && decimals > 0 {
            at -= 1;
            buf[at] = b'.';
        }
        at -= 1;
        buf[at] = b'0' + (k % 10) as u8;
        k /= 10;
        written += 1;
    }
    if scaled < 0.0 {
        at -= 1;
        buf[at] = b'-';
    }
    buf[at..].iter().map(|&b| char::from(b)).collect()
}

fn visit_name(v: VisitRef, c: &DemoConfig) -> String {
    if v.tenth == 0 {
        c.visits
            .get(usize::from(v.num).saturating_sub(1))
            .map(|x| x.name.clone())
            .unwrap_or_default()
    } else {
        format!("UNSCHEDULED {}.{}", v.num, v.tenth)
    }
}

fn flag(yes: bool) -> String {
    if yes {
        "Y".into()
    } else {
        String::new()
    }
}

fn build<R: Sync>(
    name: &str,
    label: &str,
    rows: &[R],
    ctx: &Ctx,
    cols: &[Col<R>],
) -> Result<Dataset, DemoError> {
    let built: Vec<(Variable, Column)> = cols
        .par_iter()
        .map(|col| match col {
            Col::Text(name, label, get) => {
                let mut values = TextColumn::with_capacity(rows.len(), 0);
                for r in rows {
                    values.push(&get(r, ctx));
                }
                let length = values.max_len().max(1);
                (
                    Variable::character(*name, length).with_label(*label),
                    Column::Character(values),
                )
            }
            Col::Num(name, label, get) => {
                let values = rows.iter().map(|r| get(r, ctx)).collect();
                (
                    Variable::numeric(*name).with_label(*label),
                    Column::Numeric(NumericColumn::from_values(values)),
                )
            }
        })
        .collect();
    let (variables, columns) = built.into_iter().unzip();
    Ok(Dataset::new(name, label, variables, columns)?)
}

fn studyid<R>(_: &R, c: &Ctx) -> String {
    c.config.study_id.clone()
}

macro_rules! domain {
    ($code:literal) => {
        |_, _| $code.to_string()
    };
}

fn arm_code(a: ArmRef, c: &DemoConfig) -> String {
    match a {
        ArmRef::Arm(i) => c
            .arms
            .get(usize::from(i))
            .map(|x| x.code.clone())
            .unwrap_or_default(),
        ArmRef::ScreenFailure => "SCRNFAIL".into(),
        ArmRef::NotAssigned => "NOTASSGN".into(),
    }
}

fn arm_label(a: ArmRef, c: &DemoConfig) -> String {
    match a {
        ArmRef::Arm(i) => c
            .arms
            .get(usize::from(i))
            .map(|x| x.label.clone())
            .unwrap_or_default(),
        ArmRef::ScreenFailure => "Screen Failure".into(),
        ArmRef::NotAssigned => "Not Assigned".into(),
    }
}

pub(super) fn dm(rows: &[DmRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    let cols: [Col<DmRow>; 18] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("DM")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Text("SUBJID", "Subject Identifier for the Study", |r, c| {
            c.subjid[r.subj as usize].clone()
        }),
        Col::Text("SITEID", "Study Site Identifier", |r, c| {
            c.siteid[r.subj as usize].clone()
        }),
        Col::Text("RFICDTC", "Date/Time of Informed Consent", |r, _| {
            iso(r.consent)
        }),
        Col::Text("RFSTDTC", "Subject Reference Start Date/Time", |r, _| {
            iso_opt(r.first_dose)
        }),
        Col::Text("RFENDTC", "Subject Reference End Date/Time", |r, _| {
            iso_opt(r.last_dose)
        }),
        Col::Text("RFPENDTC", "Date/Time of End of Participation", |r, _| {
            iso(r.end)
        }),
        Col::Num("AGE", "Age", |r, _| Some(f64::from(r.age))),
        Col::Text("AGEU", "Age Units", |_, _| "YEARS".into()),
        Col::Text("SEX", "Sex", |r, _| if r.female { "F" } else { "M" }.into()),
        Col::Text("RACE", "Race", |_, _| "ASIAN".into()),
        Col::Text("COUNTRY", "Country", |_, _| "CHN".into()),
        Col::Text("ARMCD", "Planned Arm Code", |r, c| {
            arm_code(r.arm, c.config)
        }),
        Col::Text("ARM", "Description of Planned Arm", |r, c| {
            arm_label(r.arm, c.config)
        }),
        Col::Text("ACTARMCD", "Actual Arm Code", |r, c| match r.arm {
            ArmRef::Arm(_) if !r.treated => "NOTTRT".into(),
            a => arm_code(a, c.config),
        }),
        Col::Text("ACTARM", "Description of Actual Arm", |r, c| match r.arm {
            ArmRef::Arm(_) if !r.treated => "Not Treated".into(),
            a => arm_label(a, c.config),
        }),
    ];
    build("DM", "Demographics", rows, ctx, &cols)
}

pub(super) fn suppdm(rows: &[SuppRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    let cols: [Col<SuppRow>; 9] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("RDOMAIN", "Related Domain Abbreviation", domain!("DM")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Text("IDVAR", "Identifying Variable", |_, _| String::new()),
        Col::Text("IDVARVAL", "Identifying Variable Value", |_, _| {
            String::new()
        }),
        Col::Text("QNAM", "Qualifier Variable Name", |r, _| {
            SUPP_QUALIFIERS[usize::from(r.qualifier)].0.into()
        }),
        Col::Text("QLABEL", "Qualifier Variable Label", |r, _| {
            SUPP_QUALIFIERS[usize::from(r.qualifier)].1.into()
        }),
        Col::Text("QVAL", "Data Value", |r, _| match r.value {
            SuppValue::Int(v) => v.to_string(),
            SuppValue::Text(t) => t.into(),
        }),
        Col::Text("QORIG", "Origin", |_, _| "CRF".into()),
    ];
    build("SUPPDM", "Supplemental Qualifiers for DM", rows, ctx, &cols)
}

pub(super) fn vs(rows: &[VsRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    const TESTS: [(&str, &str, &str); 2] = [("HEIGHT", "Height", "cm"), ("WEIGHT", "Weight", "kg")];
    let cols: [Col<VsRow>; 15] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("VS")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Num("VSSEQ", "Sequence Number", |r, _| Some(f64::from(r.seq))),
        Col::Text("VSTESTCD", "Vital Signs Test Short Name", |r, _| {
            TESTS[usize::from(r.test)].0.into()
        }),
        Col::Text("VSTEST", "Vital Signs Test Name", |r, _| {
            TESTS[usize::from(r.test)].1.into()
        }),
        Col::Text("VSORRES", "Result or Finding in Original Units", |r, _| {
            number(r.value, 1)
        }),
        Col::Text("VSORRESU", "Original Units", |r, _| {
            TESTS[usize::from(r.test)].2.into()
        }),
        Col::Text(
            "VSSTRESC",
            "Character Result/Finding in Std Format",
            |r, _| number(r.value, 1),
        ),
        Col::Num(
            "VSSTRESN",
            "Numeric Result/Finding in Standard Units",
            |r, _| Some(r.value),
        ),
        Col::Text("VSSTRESU", "Standard Units", |r, _| {
            TESTS[usize::from(r.test)].2.into()
        }),
        Col::Text("VSBLFL", "Baseline Flag", |r, _| flag(r.baseline)),
        Col::Num("VISITNUM", "Visit Number", |r, _| Some(r.visit.visitnum())),
        Col::Text("VISIT", "Visit Name", |r, c| visit_name(r.visit, c.config)),
        Col::Text("VSDTC", "Date/Time of Measurements", |r, _| iso(r.date)),
    ];
    build("VS", "Vital Signs", rows, ctx, &cols)
}

fn lab(r: &LbRow) -> &'static LabTest {
    &LAB_TESTS[usize::from(r.test)]
}

fn lab_text(r: &LbRow) -> String {
    match r.result {
        LabResult::Value(x) => number(x, lab(r).decimals),
        LabResult::BelowLloq => "<20".into(),
        LabResult::NotDone(_) => String::new(),
    }
}

fn lab_range(r: &LbRow) -> Option<(f64, f64)> {
    match r.result {
        LabResult::NotDone(_) => None,
        _ => reference_range(r.test, r.female),
    }
}

pub(super) fn lb(rows: &[LbRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    let cols: [Col<LbRow>; 22] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("LB")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Num("LBSEQ", "Sequence Number", |r, _| Some(f64::from(r.seq))),
        Col::Text("LBTESTCD", "Lab Test or Examination Short Name", |r, _| {
            lab(r).code.into()
        }),
        Col::Text("LBTEST", "Lab Test or Examination Name", |r, _| {
            lab(r).name.into()
        }),
        Col::Text("LBCAT", "Category for Lab Test", |r, _| {
            lab(r).category.into()
        }),
        Col::Text("LBORRES", "Result or Finding in Original Units", |r, _| {
            lab_text(r)
        }),
        Col::Text("LBORRESU", "Original Units", |r, _| match r.result {
            LabResult::NotDone(_) => String::new(),
            _ => lab(r).orig_unit.into(),
        }),
        Col::Text(
            "LBSTRESC",
            "Character Result/Finding in Std Format",
            |r, _| lab_text(r),
        ),
        Col::Num(
            "LBSTRESN",
            "Numeric Result/Finding in Standard Units",
            |r, _| match r.result {
                LabResult::Value(x) => Some(x),
                _ => None,
            },
        ),
        Col::Text("LBSTRESU", "Standard Units", |r, _| match r.result {
            LabResult::NotDone(_) => String::new(),
            _ => lab(r).std_unit.into(),
        }),
        Col::Num("LBSTNRLO", "Normal Range Lower Limit-Std Units", |r, _| {
            lab_range(r).map(|x| x.0)
        }),
        Col::Num("LBSTNRHI", "Normal Range Upper Limit-Std Units", |r, _| {
            lab_range(r).map(|x| x.1)
        }),
        Col::Text("LBNRIND", "Reference Range Indicator", |r, _| {
            match (r.result, lab_range(r)) {
                (LabResult::Value(x), Some((lo, hi))) => if x < lo {
                    "LOW"
                } else if x > hi {
                    "HIGH"
                } else {
                    "NORMAL"
                }
                .into(),
                _ => String::new(),
            }
        }),
        Col::Text("LBSTAT", "Completion Status", |r, _| match r.result {
            LabResult::NotDone(_) => "NOT DONE".into(),
            _ => String::new(),
        }),
        Col::Text("LBREASND", "Reason Test Not Done", |r, _| match r.result {
            LabResult::NotDone(i) => NOT_DONE_REASONS[usize::from(i)].into(),
            _ => String::new(),
        }),
        Col::Text("LBBLFL", "Baseline Flag", |r, _| flag(r.baseline)),
        Col::Num("VISITNUM", "Visit Number", |r, _| Some(r.visit.visitnum())),
        Col::Text("VISIT", "Visit Name", |r, c| visit_name(r.visit, c.config)),
        Col::Text("LBDTC", "Date/Time of Specimen Collection", |r, _| {
            iso(r.date)
        }),
        Col::Num("LBDY", "Study Day of Specimen Collection", |r, _| {
            r.study_day.map(f64::from)
        }),
    ];
    build("LB", "Laboratory Test Results", rows, ctx, &cols)
}

pub(super) fn tv(config: &DemoConfig, ctx: &Ctx) -> Result<Dataset, DemoError> {
    let cols: [Col<super::config::VisitConfig>; 6] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("TV")),
        Col::Num("VISITNUM", "Visit Number", |v, _| {
            Some(f64::from(v.visitnum))
        }),
        Col::Text("VISIT", "Visit Name", |v, _| v.name.clone()),
        Col::Num("VISITDY", "Planned Study Day of Visit", |v, _| {
            Some(f64::from(v.day))
        }),
        Col::Text("TVSTRL", "Visit Start Rule", |v, _| v.rule.clone()),
    ];
    build("TV", "Trial Visits", &config.visits, ctx, &cols)
}

pub(super) fn sv(rows: &[SvRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    let cols: [Col<SvRow>; 7] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("SV")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Num("VISITNUM", "Visit Number", |r, _| Some(r.visit.visitnum())),
        Col::Text("VISIT", "Visit Name", |r, c| visit_name(r.visit, c.config)),
        Col::Text("SVSTDTC", "Start Date/Time of Visit", |r, _| iso(r.date)),
        Col::Text("SVENDTC", "End Date/Time of Visit", |r, _| iso(r.date)),
    ];
    build("SV", "Subject Visits", rows, ctx, &cols)
}

pub(super) fn ex(rows: &[ExRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    fn arm<'c>(r: &ExRow, c: &'c Ctx) -> Option<&'c super::config::ArmConfig> {
        c.config.arms.get(usize::from(r.arm))
    }
    let cols: [Col<ExRow>; 13] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("EX")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Num("EXSEQ", "Sequence Number", |r, _| Some(f64::from(r.seq))),
        Col::Text("EXTRT", "Name of Treatment", |r, c| {
            arm(r, c).map(|a| a.treatment.clone()).unwrap_or_default()
        }),
        Col::Num("EXDOSE", "Dose", |r, c| arm(r, c).map(|a| a.dose)),
        Col::Text("EXDOSU", "Dose Units", |_, _| "10^6 cells/kg".into()),
        Col::Text("EXDOSFRM", "Dose Form", |_, _| "SUSPENSION".into()),
        Col::Text("EXROUTE", "Route of Administration", |_, _| {
            "INTRAVENOUS".into()
        }),
        Col::Num("VISITNUM", "Visit Number", |r, _| Some(r.visit.visitnum())),
        Col::Text("VISIT", "Visit Name", |r, c| visit_name(r.visit, c.config)),
        Col::Text(
            "EXSTDTC",
            "Start Date/Time of Treatment",
            |r, _| iso(r.date),
        ),
        Col::Text("EXENDTC", "End Date/Time of Treatment", |r, _| iso(r.date)),
    ];
    build("EX", "Exposure", rows, ctx, &cols)
}

fn ae_term(r: &AeRow) -> &'static AeTerm {
    &AE_TERMS[usize::from(r.term)]
}

pub(super) fn ae(rows: &[AeRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    let cols: [Col<AeRow>; 15] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("AE")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Num("AESEQ", "Sequence Number", |r, _| Some(f64::from(r.seq))),
        Col::Text("AETERM", "Reported Term for the Adverse Event", |r, _| {
            ae_term(r)
                .verbatim
                .get(usize::from(r.verbatim))
                .copied()
                .unwrap_or_default()
                .into()
        }),
        Col::Text("AEDECOD", "Dictionary-Derived Term", |r, _| {
            ae_term(r).decod.into()
        }),
        Col::Text("AEBODSYS", "Body System or Organ Class", |r, _| {
            ae_term(r).bodsys.into()
        }),
        Col::Text("AESEV", "Severity/Intensity", |r, _| {
            if r.grade >= 2 { "MODERATE" } else { "MILD" }.into()
        }),
        Col::Text("AETOXGR", "Standard Toxicity Grade", |r, _| {
            r.grade.to_string()
        }),
        Col::Text("AESER", "Serious Event", |_, _| "N".into()),
        Col::Text("AEREL", "Causality", |r, _| {
            REL_TERMS[usize::from(r.relation)].into()
        }),
        Col::Text("AEOUT", "Outcome of Adverse Event", |_, _| {
            "RECOVERED/RESOLVED".into()
        }),
        Col::Text("AESTDTC", "Start Date/Time of Adverse Event", |r, _| {
            iso(r.start)
        }),
        Col::Text("AEENDTC", "End Date/Time of Adverse Event", |r, _| {
            iso(r.end)
        }),
        Col::Num("AESTDY", "Study Day of Start of Adverse Event", |r, _| {
            Some(f64::from(r.study_day))
        }),
    ];
    build("AE", "Adverse Events", rows, ctx, &cols)
}

pub(super) fn ds(rows: &[DsRow], ctx: &Ctx) -> Result<Dataset, DemoError> {
    fn decod(e: DsEvent) -> &'static str {
        match e {
            DsEvent::Consent => "INFORMED CONSENT OBTAINED",
            DsEvent::Randomized => "RANDOMIZED",
            DsEvent::ScreenFailure(_) => "SCREEN FAILURE",
            DsEvent::Declined => "WITHDRAWAL BY SUBJECT",
            DsEvent::Completed => "COMPLETED",
            DsEvent::Lost => "LOST TO FOLLOW-UP",
        }
    }
    let cols: [Col<DsRow>; 9] = [
        Col::Text("STUDYID", "Study Identifier", studyid),
        Col::Text("DOMAIN", "Domain Abbreviation", domain!("DS")),
        Col::Text("USUBJID", "Unique Subject Identifier", |r, c| {
            c.usubjid[r.subj as usize].clone()
        }),
        Col::Num("DSSEQ", "Sequence Number", |r, _| Some(f64::from(r.seq))),
        Col::Text(
            "DSTERM",
            "Reported Term for the Disposition Event",
            |r, _| match r.event {
                DsEvent::ScreenFailure(reason) => reason.term().into(),
                DsEvent::Declined => "Subject declined to take part before randomization".into(),
                e => decod(e).into(),
            },
        ),
        Col::Text("DSDECOD", "Standardized Disposition Term", |r, _| {
            decod(r.event).into()
        }),
        Col::Text("DSCAT", "Category for Disposition Event", |r, _| {
            match r.event {
                DsEvent::Consent | DsEvent::Randomized => "PROTOCOL MILESTONE",
                _ => "DISPOSITION EVENT",
            }
            .into()
        }),
        Col::Text("EPOCH", "Epoch", |r, _| EPOCHS[usize::from(r.epoch)].into()),
        Col::Text("DSSTDTC", "Start Date/Time of Disposition Event", |r, _| {
            iso(r.date)
        }),
    ];
    build("DS", "Disposition", rows, ctx, &cols)
}
