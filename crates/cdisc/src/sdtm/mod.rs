//! Typed SDTM domains for what rct uses: DM, SUPPDM (pivoted to one map per
//! subject), VS, LB, AE, DS, EX, SV and TV.
//!
//! [`Sdtm::from_study`] reads them out of a [`Study`] and validates them as a
//! whole: required variables, numbers, ISO 8601 dates, controlled terms,
//! unique subjects in DM, every record's subject in DM, every scheduled
//! VISITNUM in TV (a fractional VISITNUM is an unscheduled visit and is
//! allowed), no duplicate records or sequence numbers. Every problem found
//! (up to [`MAX_PROBLEMS`]) comes back in one [`SdtmError::Invalid`] naming
//! domain, row and variable; nothing is returned partially.
//!
//! Only DM is required; the other domains are `None` when the study lacks
//! them, and the derivations that need one say so.

mod cells;
mod date;

use std::borrow::Cow;
use std::collections::BTreeMap;

// Keys here are the study's own identifiers, read from local files: the
// fast non-cryptographic hash fits (SipHash was an eighth of SDTM checking).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fmt;

use crate::study::Study;

pub use cells::{Problem, MAX_PROBLEMS};
pub use date::{Date, Dtc};

use cells::{Problems, Table};

/// What is wrong with a study's SDTM data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SdtmError {
    /// The study has no DM domain (every derivation needs it).
    #[error("the study has no DM domain (demographics); add dm.xpt, dm.csv or dm.json")]
    MissingDm,
    /// The data break one or more rules; all problems found are listed.
    #[error("{}", list_problems(problems, *more))]
    Invalid {
        /// The problems, in the order found (domain by domain).
        problems: Vec<Problem>,
        /// How many further problems were found but not listed.
        more: usize,
    },
}

fn list_problems(problems: &[Problem], more: usize) -> String {
    let total = problems.len() + more;
    let mut s = format!(
        "{total} problem{} in the SDTM data:",
        if total == 1 { "" } else { "s" }
    );
    for p in problems {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    if more > 0 {
        s.push_str(&format!("\n  ... and {more} more"));
    }
    s
}

/// Sex (CDISC codelist SEX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `M`
    Male,
    /// `F`
    Female,
    /// `U`
    Unknown,
    /// `UNDIFFERENTIATED`
    Undifferentiated,
}

impl Sex {
    /// The submission value (`M`, `F`, `U`, `UNDIFFERENTIATED`).
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unknown => "U",
            Sex::Undifferentiated => "UNDIFFERENTIATED",
        }
    }

    fn parse(t: &str) -> Option<Sex> {
        match t {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            "U" => Some(Sex::Unknown),
            "UNDIFFERENTIATED" => Some(Sex::Undifferentiated),
            _ => None,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Severity of an adverse event (CDISC codelist AESEV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// `MILD`
    Mild,
    /// `MODERATE`
    Moderate,
    /// `SEVERE`
    Severe,
}

impl Severity {
    /// The submission value.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Mild => "MILD",
            Severity::Moderate => "MODERATE",
            Severity::Severe => "SEVERE",
        }
    }

    fn parse(t: &str) -> Option<Severity> {
        match t {
            "MILD" => Some(Severity::Mild),
            "MODERATE" => Some(Severity::Moderate),
            "SEVERE" => Some(Severity::Severe),
            _ => None,
        }
    }
}

/// Category of a disposition record (CDISC codelist DSCAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DsCategory {
    /// `DISPOSITION EVENT`: how the subject left an epoch (one per subject
    /// and study end).
    DispositionEvent,
    /// `PROTOCOL MILESTONE`: informed consent, randomization.
    ProtocolMilestone,
    /// `OTHER EVENT`.
    OtherEvent,
}

impl DsCategory {
    /// The submission value.
    pub fn code(self) -> &'static str {
        match self {
            DsCategory::DispositionEvent => "DISPOSITION EVENT",
            DsCategory::ProtocolMilestone => "PROTOCOL MILESTONE",
            DsCategory::OtherEvent => "OTHER EVENT",
        }
    }

    fn parse(t: &str) -> Option<DsCategory> {
        match t {
            "DISPOSITION EVENT" => Some(DsCategory::DispositionEvent),
            "PROTOCOL MILESTONE" => Some(DsCategory::ProtocolMilestone),
            "OTHER EVENT" => Some(DsCategory::OtherEvent),
            _ => None,
        }
    }
}

/// One DM record (one screened subject).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Dm<'a> {
    /// STUDYID.
    pub studyid: Cow<'a, str>,
    /// USUBJID.
    pub usubjid: Cow<'a, str>,
    /// SUBJID.
    pub subjid: Cow<'a, str>,
    /// SITEID.
    pub siteid: Cow<'a, str>,
    /// RFICDTC: informed consent.
    pub rficdtc: Option<Dtc>,
    /// RFSTDTC: first dose (blank if never dosed).
    pub rfstdtc: Option<Dtc>,
    /// RFENDTC: last dose.
    pub rfendtc: Option<Dtc>,
    /// RFPENDTC: end of participation.
    pub rfpendtc: Option<Dtc>,
    /// AGE.
    pub age: Option<f64>,
    /// AGEU.
    pub ageu: Cow<'a, str>,
    /// SEX.
    pub sex: Sex,
    /// RACE.
    pub race: Cow<'a, str>,
    /// COUNTRY.
    pub country: Cow<'a, str>,
    /// ARMCD: planned arm code.
    pub armcd: Cow<'a, str>,
    /// ARM: planned arm.
    pub arm: Cow<'a, str>,
    /// ACTARMCD: actual arm code.
    pub actarmcd: Cow<'a, str>,
    /// ACTARM: actual arm.
    pub actarm: Cow<'a, str>,
}

/// SUPPDM pivoted: one map of QNAM -> QVAL per subject.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct SuppDm<'a> {
    /// The qualifiers (QNAM, QLABEL) in order of first appearance.
    pub qualifiers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// USUBJID -> QNAM -> QVAL.
    pub values: BTreeMap<Cow<'a, str>, BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
}

impl SuppDm<'_> {
    /// The value of qualifier `qnam` for `usubjid`, if given.
    pub fn value(&self, usubjid: &str, qnam: &str) -> Option<&str> {
        self.values.get(usubjid)?.get(qnam).map(|v| v.as_ref())
    }
}

/// One VS record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Vs<'a> {
    /// USUBJID.
    pub usubjid: Cow<'a, str>,
    /// VSSEQ.
    pub seq: i64,
    /// VSTESTCD (`HEIGHT`, `WEIGHT`).
    pub testcd: Cow<'a, str>,
    /// VSTEST.
    pub test: Cow<'a, str>,
    /// VSSTRESC.
    pub stresc: Cow<'a, str>,
    /// VSSTRESN.
    pub stresn: Option<f64>,
    /// VSSTRESU.
    pub stresu: Cow<'a, str>,
    /// VSBLFL = "Y".
    pub baseline: bool,
    /// VISITNUM.
    pub visitnum: Option<f64>,
    /// VISIT.
    pub visit: Cow<'a, str>,
    /// VSDTC.
    pub dtc: Option<Dtc>,
}

/// One LB record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Lb<'a> {
    /// USUBJID.
    pub usubjid: Cow<'a, str>,
    /// LBSEQ.
    pub seq: i64,
    /// LBTESTCD.
    pub testcd: Cow<'a, str>,
    /// LBTEST.
    pub test: Cow<'a, str>,
    /// LBCAT.
    pub cat: Cow<'a, str>,
    /// LBORRES.
    pub orres: Cow<'a, str>,
    /// LBORRESU.
    pub orresu: Cow<'a, str>,
    /// LBSTRESC (`<20` for a result below the limit of quantification).
    pub stresc: Cow<'a, str>,
    /// LBSTRESN (missing when the result is not a number).
    pub stresn: Option<f64>,
    /// LBSTRESU.
    pub stresu: Cow<'a, str>,
    /// LBSTNRLO.
    pub stnrlo: Option<f64>,
    /// LBSTNRHI.
    pub stnrhi: Option<f64>,
    /// LBNRIND (`LOW`, `NORMAL`, `HIGH`, ...).
    pub nrind: Cow<'a, str>,
    /// LBSTAT = "NOT DONE".
    pub not_done: bool,
    /// LBREASND.
    pub reasnd: Cow<'a, str>,
    /// LBBLFL = "Y".
    pub baseline: bool,
    /// VISITNUM.
    pub visitnum: Option<f64>,
    /// VISIT.
    pub visit: Cow<'a, str>,
    /// LBDTC.
    pub dtc: Option<Dtc>,
    /// LBDY.
    pub dy: Option<f64>,
}

impl Lb<'_> {
    /// Whether the record carries a result (numeric or text).
    pub fn has_result(&self) -> bool {
        !self.not_done && (self.stresn.is_some() || !self.stresc.is_empty())
    }
}

/// One AE record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Ae<'a> {
    /// USUBJID.
    pub usubjid: Cow<'a, str>,
    /// AESEQ.
    pub seq: i64,
    /// AETERM.
    pub term: Cow<'a, str>,
    /// AEDECOD (MedDRA preferred term).
    pub decod: Cow<'a, str>,
    /// AEBODSYS (MedDRA system organ class).
    pub bodsys: Cow<'a, str>,
    /// AESEV.
    pub sev: Option<Severity>,
    /// AETOXGR as a grade 1 to 5.
    pub toxgr: Option<u8>,
    /// AESER.
    pub ser: Option<bool>,
    /// AEREL (sponsor terms: `RELATED`, `POSSIBLY RELATED`, ...).
    pub rel: Cow<'a, str>,
    /// AEOUT.
    pub out: Cow<'a, str>,
    /// AESTDTC.
    pub stdtc: Option<Dtc>,
    /// AEENDTC.
    pub endtc: Option<Dtc>,
    /// AESTDY.
    pub stdy: Option<f64>,
}

/// One DS record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Ds<'a> {
    /// USUBJID.
    pub usubjid: Cow<'a, str>,
    /// DSSEQ.
    pub seq: i64,
    /// DSTERM (verbatim; the reason of a screen failure).
    pub term: Cow<'a, str>,
    /// DSDECOD.
    pub decod: Cow<'a, str>,
    /// DSCAT.
    pub cat: Option<DsCategory>,
    /// EPOCH.
    pub epoch: Cow<'a, str>,
    /// DSSTDTC.
    pub stdtc: Option<Dtc>,
}

/// One EX record (one administration).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Ex<'a> {
    /// USUBJID.
    pub usubjid: Cow<'a, str>,
    /// EXSEQ.
    pub seq: i64,
    /// EXTRT.
    pub trt: Cow<'a, str>,
    /// EXDOSE.
    pub dose: Option<f64>,
    /// EXDOSU.
    pub dosu: Cow<'a, str>,
    /// EXDOSFRM.
    pub dosfrm: Cow<'a, str>,
    /// EXROUTE.
    pub route: Cow<'a, str>,
    /// VISITNUM.
    pub visitnum: Option<f64>,
    /// VISIT.
    pub visit: Cow<'a, str>,
    /// EXSTDTC.
    pub stdtc: Option<Dtc>,
    /// EXENDTC.
    pub endtc: Option<Dtc>,
}

/// One SV record (a visit attended).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Sv<'a> {
    /// USUBJID.
    pub usubjid: Cow<'a, str>,
    /// VISITNUM.
    pub visitnum: f64,
    /// VISIT.
    pub visit: Cow<'a, str>,
    /// SVSTDTC.
    pub stdtc: Option<Dtc>,
    /// SVENDTC.
    pub endtc: Option<Dtc>,
}

/// One TV record (a planned visit).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Tv<'a> {
    /// VISITNUM.
    pub visitnum: f64,
    /// VISIT.
    pub visit: Cow<'a, str>,
    /// VISITDY: the planned study day.
    pub visitdy: Option<f64>,
    /// TVSTRL: the start rule.
    pub tvstrl: Cow<'a, str>,
}

/// The typed SDTM domains of a study.
///
/// The records borrow their text from the [`Study`] they were read from:
/// each text field is a trimmed slice of the dataset's column, owned only
/// when the column is numeric and the value had to be formatted as text.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Sdtm<'a> {
    /// DM, in file order.
    pub dm: Vec<Dm<'a>>,
    /// SUPPDM (empty when absent).
    pub suppdm: SuppDm<'a>,
    /// VS.
    pub vs: Option<Vec<Vs<'a>>>,
    /// LB.
    pub lb: Option<Vec<Lb<'a>>>,
    /// AE.
    pub ae: Option<Vec<Ae<'a>>>,
    /// DS.
    pub ds: Option<Vec<Ds<'a>>>,
    /// EX.
    pub ex: Option<Vec<Ex<'a>>>,
    /// SV.
    pub sv: Option<Vec<Sv<'a>>>,
    /// TV.
    pub tv: Option<Vec<Tv<'a>>>,
}

impl<'a> Sdtm<'a> {
    /// Reads and validates the domains rct uses from `study` (other domains
    /// are ignored).
    ///
    /// # Errors
    /// [`SdtmError::MissingDm`] without DM; [`SdtmError::Invalid`] listing
    /// every problem found (see the module docs).
    pub fn from_study(study: &'a Study) -> Result<Sdtm<'a>, SdtmError> {
        let dm_ds = study.get("DM").ok_or(SdtmError::MissingDm)?;
        let mut p = Problems::default();
        let tv = study
            .get("TV")
            .map(|ds| read_tv(&Table { domain: "TV", ds }, &mut p));
        let dm = read_dm(
            &Table {
                domain: "DM",
                ds: dm_ds,
            },
            &mut p,
        );
        let subjects: HashSet<&str> = dm.iter().map(|d| d.usubjid.as_ref()).collect();
        let planned: Option<Vec<f64>> = tv
            .as_ref()
            .map(|tv| tv.iter().map(|t| t.visitnum).collect());
        let ctx = Context {
            subjects: (!dm.is_empty()).then_some(&subjects),
            planned: planned.as_deref(),
        };
        let suppdm = match study.get("SUPPDM") {
            Some(ds) => read_suppdm(
                &Table {
                    domain: "SUPPDM",
                    ds,
                },
                &ctx,
                &mut p,
            ),
            None => SuppDm::default(),
        };
        let vs = study
            .get("VS")
            .map(|ds| read_vs(&Table { domain: "VS", ds }, &ctx, &mut p));
        let lb = study
            .get("LB")
            .map(|ds| read_lb(&Table { domain: "LB", ds }, &ctx, &mut p));
        let ae = study
            .get("AE")
            .map(|ds| read_ae(&Table { domain: "AE", ds }, &ctx, &mut p));
        let ds = study
            .get("DS")
            .map(|ds| read_ds(&Table { domain: "DS", ds }, &ctx, &mut p));
        let ex = study
            .get("EX")
            .map(|ds| read_ex(&Table { domain: "EX", ds }, &ctx, &mut p));
        let sv = study
            .get("SV")
            .map(|ds| read_sv(&Table { domain: "SV", ds }, &ctx, &mut p));
        if !p.is_empty() {
            return Err(SdtmError::Invalid {
                problems: p.list,
                more: p.more,
            });
        }
        Ok(Sdtm {
            dm,
            suppdm,
            vs,
            lb,
            ae,
            ds,
            ex,
            sv,
            tv,
        })
    }

    /// The STUDYID of the first DM record ("" when DM is empty).
    pub fn studyid(&self) -> &str {
        self.dm.first().map_or("", |d| d.studyid.as_ref())
    }
}

/// What the record-level checks of the non-DM domains compare with.
struct Context<'a> {
    /// The subjects of DM (`None` when DM could not be read).
    subjects: Option<&'a HashSet<&'a str>>,
    /// The VISITNUMs of TV (`None` without TV).
    planned: Option<&'a [f64]>,
}

impl Context<'_> {
    fn check_subject(&self, f: &cells::Field<'_>, row: usize, id: &str, p: &mut Problems) {
        if let Some(s) = self.subjects {
            if !id.is_empty() && !s.contains(id) {
                f.report(row, p, format!("subject {id:?} is not in DM"));
            }
        }
    }

    fn check_visit(
        &self,
        f: &cells::Field<'_>,
        row: usize,
        visitnum: Option<f64>,
        p: &mut Problems,
    ) {
        let (Some(planned), Some(v)) = (self.planned, visitnum) else {
            return;
        };
        if v.fract() == 0.0 && !planned.contains(&v) {
            f.report(
                row,
                p,
                format!("VISITNUM {v} is not a visit of TV (unscheduled visits take a fractional VISITNUM)"),
            );
        }
    }
}

/// Reports the second and later rows sharing a key.
struct Dups<K> {
    seen: HashMap<K, usize>,
}

impl<K: std::hash::Hash + Eq> Dups<K> {
    fn new() -> Self {
        Dups {
            seen: HashMap::default(),
        }
    }

    /// The 1-based row that had `key` first, when `row` repeats it.
    fn first(&mut self, key: K, row: usize) -> Option<usize> {
        match self.seen.get(&key) {
            Some(&first) => Some(first + 1),
            None => {
                self.seen.insert(key, row);
                None
            }
        }
    }
}

/// The bits of a VISITNUM, so that it can be part of a hash key.
fn visit_key(v: Option<f64>) -> Option<u64> {
    v.map(f64::to_bits)
}

fn read_tv<'a>(t: &Table<'a>, p: &mut Problems) -> Vec<Tv<'a>> {
    t.optional("DOMAIN").expect_value("TV", p, t.rows());
    let visitnum = t.required("VISITNUM", p);
    let visit = t.required("VISIT", p);
    let visitdy = t.optional("VISITDY");
    let tvstrl = t.optional("TVSTRL");
    let armcd = t.optional("ARMCD");
    let mut dups = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let Some(v) = visitnum.num_req(row, p) else {
            continue;
        };
        if let Some(first) = dups.first((v.to_bits(), armcd.text(row)), row) {
            visitnum.report(row, p, format!("VISITNUM {v} repeats row {first}"));
        }
        // A visit planned for several arms (TV rows by ARMCD) is one visit.
        if out.iter().any(|x: &Tv| x.visitnum == v) {
            continue;
        }
        out.push(Tv {
            visitnum: v,
            visit: visit.text_req(row, p),
            visitdy: visitdy.num(row, p),
            tvstrl: tvstrl.text(row),
        });
    }
    out
}

fn read_dm<'a>(t: &Table<'a>, p: &mut Problems) -> Vec<Dm<'a>> {
    t.optional("DOMAIN").expect_value("DM", p, t.rows());
    let studyid = t.required("STUDYID", p);
    let usubjid = t.required("USUBJID", p);
    let subjid = t.required("SUBJID", p);
    let siteid = t.required("SITEID", p);
    let sex = t.required("SEX", p);
    let armcd = t.required("ARMCD", p);
    let arm = t.required("ARM", p);
    let actarmcd = t.required("ACTARMCD", p);
    let actarm = t.required("ACTARM", p);
    let rficdtc = t.optional("RFICDTC");
    let rfstdtc = t.optional("RFSTDTC");
    let rfendtc = t.optional("RFENDTC");
    let rfpendtc = t.optional("RFPENDTC");
    let age = t.optional("AGE");
    let ageu = t.optional("AGEU");
    let race = t.optional("RACE");
    let country = t.optional("COUNTRY");
    let mut dups = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        if !id.is_empty() {
            if let Some(first) = dups.first(id.clone(), row) {
                usubjid.report(
                    row,
                    p,
                    format!("duplicate subject {id:?} (also row {first})"),
                );
            }
        }
        let sex_value = sex.term(row, p, &["M", "F", "U", "UNDIFFERENTIATED"], Sex::parse);
        if sex_value.is_none() && sex.present() && sex.text(row).is_empty() {
            sex.report(row, p, "required value is blank".into());
        }
        out.push(Dm {
            studyid: studyid.text_req(row, p),
            usubjid: id,
            subjid: subjid.text_req(row, p),
            siteid: siteid.text_req(row, p),
            rficdtc: rficdtc.dtc(row, p),
            rfstdtc: rfstdtc.dtc(row, p),
            rfendtc: rfendtc.dtc(row, p),
            rfpendtc: rfpendtc.dtc(row, p),
            age: age.num(row, p),
            ageu: ageu.text(row),
            sex: sex_value.unwrap_or(Sex::Unknown),
            race: race.text(row),
            country: country.text(row),
            armcd: armcd.text_req(row, p),
            arm: arm.text(row),
            actarmcd: actarmcd.text(row),
            actarm: actarm.text(row),
        });
    }
    out
}

fn read_suppdm<'a>(t: &Table<'a>, ctx: &Context<'_>, p: &mut Problems) -> SuppDm<'a> {
    t.optional("RDOMAIN").expect_value("DM", p, t.rows());
    let usubjid = t.required("USUBJID", p);
    let qnam = t.required("QNAM", p);
    let qlabel = t.optional("QLABEL");
    let qval = t.required("QVAL", p);
    let mut out = SuppDm::default();
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        ctx.check_subject(&usubjid, row, &id, p);
        let name = qnam.text_req(row, p);
        if name.is_empty() {
            continue;
        }
        if !out.qualifiers.iter().any(|(q, _)| *q == name) {
            out.qualifiers.push((name.clone(), qlabel.text(row)));
        }
        let value = qval.text(row);
        let slot = out.values.entry(id.clone()).or_default();
        if slot.insert(name.clone(), value).is_some() {
            qnam.report(
                row,
                p,
                format!("QNAM {name:?} is given twice for subject {id:?}"),
            );
        }
    }
    out
}

fn read_vs<'a>(t: &Table<'a>, ctx: &Context<'_>, p: &mut Problems) -> Vec<Vs<'a>> {
    t.optional("DOMAIN").expect_value("VS", p, t.rows());
    let usubjid = t.required("USUBJID", p);
    let seq = t.required("VSSEQ", p);
    let testcd = t.required("VSTESTCD", p);
    let test = t.optional("VSTEST");
    let stresc = t.optional("VSSTRESC");
    let stresn = t.required("VSSTRESN", p);
    let stresu = t.optional("VSSTRESU");
    let blfl = t.optional("VSBLFL");
    let visitnum = t.required("VISITNUM", p);
    let visit = t.optional("VISIT");
    let dtc = t.optional("VSDTC");
    let mut dup_seq = Dups::new();
    let mut dup_rec = Dups::new();
    let mut dup_bl = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        ctx.check_subject(&usubjid, row, &id, p);
        let vn = visitnum.num(row, p);
        ctx.check_visit(&visitnum, row, vn, p);
        let r = Vs {
            seq: seq.seq(row, p),
            testcd: testcd.text_req(row, p),
            test: test.text(row),
            stresc: stresc.text(row),
            stresn: stresn.num(row, p),
            stresu: stresu.text(row),
            baseline: blfl.flag(row, p),
            visitnum: vn,
            visit: visit.text(row),
            dtc: dtc.dtc(row, p),
            usubjid: id,
        };
        if let Some(first) = dup_seq
            .first((r.usubjid.clone(), r.seq), row)
            .filter(|_| seq.present())
        {
            seq.report(
                row,
                p,
                format!(
                    "VSSEQ {} repeats row {first} of subject {:?}",
                    r.seq, r.usubjid
                ),
            );
        }
        let key = (
            r.usubjid.clone(),
            r.testcd.clone(),
            visit_key(vn),
            r.dtc.as_ref().map(|d| dtc.share(row, d.text())),
        );
        let keyed = usubjid.present() && testcd.present();
        if let Some(first) = dup_rec.first(key, row).filter(|_| keyed) {
            testcd.report(
                row,
                p,
                format!(
                    "duplicate record: same USUBJID, VSTESTCD, VISITNUM and VSDTC as row {first}"
                ),
            );
        }
        if r.baseline && keyed {
            if let Some(first) = dup_bl.first((r.usubjid.clone(), r.testcd.clone()), row) {
                blfl.report(
                    row,
                    p,
                    format!(
                        "a second baseline record for {} (first: row {first})",
                        r.testcd
                    ),
                );
            }
        }
        out.push(r);
    }
    out
}

fn read_lb<'a>(t: &Table<'a>, ctx: &Context<'_>, p: &mut Problems) -> Vec<Lb<'a>> {
    t.optional("DOMAIN").expect_value("LB", p, t.rows());
    let usubjid = t.required("USUBJID", p);
    let seq = t.required("LBSEQ", p);
    let testcd = t.required("LBTESTCD", p);
    let test = t.optional("LBTEST");
    let cat = t.optional("LBCAT");
    let orres = t.optional("LBORRES");
    let orresu = t.optional("LBORRESU");
    let stresc = t.required("LBSTRESC", p);
    let stresn = t.required("LBSTRESN", p);
    let stresu = t.optional("LBSTRESU");
    let stnrlo = t.optional("LBSTNRLO");
    let stnrhi = t.optional("LBSTNRHI");
    let nrind = t.optional("LBNRIND");
    let stat = t.optional("LBSTAT");
    let reasnd = t.optional("LBREASND");
    let blfl = t.optional("LBBLFL");
    let visitnum = t.required("VISITNUM", p);
    let visit = t.optional("VISIT");
    let dtc = t.optional("LBDTC");
    let dy = t.optional("LBDY");
    let mut dup_seq = Dups::new();
    let mut dup_rec = Dups::new();
    let mut dup_bl = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        ctx.check_subject(&usubjid, row, &id, p);
        let vn = visitnum.num(row, p);
        ctx.check_visit(&visitnum, row, vn, p);
        let not_done = match &*stat.text(row) {
            "" => false,
            "NOT DONE" => true,
            other => {
                stat.report(
                    row,
                    p,
                    format!("value {other:?} is not \"NOT DONE\" or blank"),
                );
                false
            }
        };
        let r = Lb {
            seq: seq.seq(row, p),
            testcd: testcd.text_req(row, p),
            test: test.text(row),
            cat: cat.text(row),
            orres: orres.text(row),
            orresu: orresu.text(row),
            stresc: stresc.text(row),
            stresn: stresn.num(row, p),
            stresu: stresu.text(row),
            stnrlo: stnrlo.num(row, p),
            stnrhi: stnrhi.num(row, p),
            nrind: nrind.text(row),
            not_done,
            reasnd: reasnd.text(row),
            baseline: blfl.flag(row, p),
            visitnum: vn,
            visit: visit.text(row),
            dtc: dtc.dtc(row, p),
            dy: dy.num(row, p),
            usubjid: id,
        };
        if r.not_done && (r.stresn.is_some() || !r.stresc.is_empty()) {
            stat.report(
                row,
                p,
                "LBSTAT is \"NOT DONE\" but the record has a result".into(),
            );
        }
        if let Some(first) = dup_seq
            .first((r.usubjid.clone(), r.seq), row)
            .filter(|_| seq.present())
        {
            seq.report(
                row,
                p,
                format!(
                    "LBSEQ {} repeats row {first} of subject {:?}",
                    r.seq, r.usubjid
                ),
            );
        }
        let key = (
            r.usubjid.clone(),
            r.testcd.clone(),
            visit_key(vn),
            r.dtc.as_ref().map(|d| dtc.share(row, d.text())),
        );
        let keyed = usubjid.present() && testcd.present();
        if let Some(first) = dup_rec.first(key, row).filter(|_| keyed) {
            testcd.report(
                row,
                p,
                format!(
                    "duplicate record: same USUBJID, LBTESTCD, VISITNUM and LBDTC as row {first}"
                ),
            );
        }
        if r.baseline && keyed {
            if let Some(first) = dup_bl.first((r.usubjid.clone(), r.testcd.clone()), row) {
                blfl.report(
                    row,
                    p,
                    format!(
                        "a second baseline record for {} (first: row {first})",
                        r.testcd
                    ),
                );
            }
        }
        out.push(r);
    }
    out
}

fn read_ae<'a>(t: &Table<'a>, ctx: &Context<'_>, p: &mut Problems) -> Vec<Ae<'a>> {
    t.optional("DOMAIN").expect_value("AE", p, t.rows());
    let usubjid = t.required("USUBJID", p);
    let seq = t.required("AESEQ", p);
    let term = t.required("AETERM", p);
    let decod = t.required("AEDECOD", p);
    let bodsys = t.optional("AEBODSYS");
    let sev = t.optional("AESEV");
    let toxgr = t.optional("AETOXGR");
    let ser = t.optional("AESER");
    let rel = t.optional("AEREL");
    let out_ = t.optional("AEOUT");
    let stdtc = t.required("AESTDTC", p);
    let endtc = t.optional("AEENDTC");
    let stdy = t.optional("AESTDY");
    let mut dup_seq = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        ctx.check_subject(&usubjid, row, &id, p);
        let grade = toxgr.term(row, p, &["1", "2", "3", "4", "5"], |g| {
            g.parse::<u8>().ok().filter(|g| (1..=5).contains(g))
        });
        let r = Ae {
            seq: seq.seq(row, p),
            term: term.text_req(row, p),
            decod: decod.text(row),
            bodsys: bodsys.text(row),
            sev: sev.term(row, p, &["MILD", "MODERATE", "SEVERE"], Severity::parse),
            toxgr: grade,
            ser: ser.yes_no(row, p),
            rel: rel.text(row),
            out: out_.text(row),
            stdtc: stdtc.dtc(row, p),
            endtc: endtc.dtc(row, p),
            stdy: stdy.num(row, p),
            usubjid: id,
        };
        if let Some(first) = dup_seq
            .first((r.usubjid.clone(), r.seq), row)
            .filter(|_| seq.present())
        {
            seq.report(
                row,
                p,
                format!(
                    "AESEQ {} repeats row {first} of subject {:?}",
                    r.seq, r.usubjid
                ),
            );
        }
        out.push(r);
    }
    out
}

fn read_ds<'a>(t: &Table<'a>, ctx: &Context<'_>, p: &mut Problems) -> Vec<Ds<'a>> {
    t.optional("DOMAIN").expect_value("DS", p, t.rows());
    let usubjid = t.required("USUBJID", p);
    let seq = t.required("DSSEQ", p);
    let term = t.required("DSTERM", p);
    let decod = t.required("DSDECOD", p);
    let cat = t.optional("DSCAT");
    let epoch = t.optional("EPOCH");
    let stdtc = t.required("DSSTDTC", p);
    let visitnum = t.optional("VISITNUM");
    let mut dup_seq = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        ctx.check_subject(&usubjid, row, &id, p);
        let vn = visitnum.num(row, p);
        ctx.check_visit(&visitnum, row, vn, p);
        let r = Ds {
            seq: seq.seq(row, p),
            term: term.text(row),
            decod: decod.text_req(row, p),
            cat: cat.term(
                row,
                p,
                &["DISPOSITION EVENT", "PROTOCOL MILESTONE", "OTHER EVENT"],
                DsCategory::parse,
            ),
            epoch: epoch.text(row),
            stdtc: stdtc.dtc(row, p),
            usubjid: id,
        };
        if let Some(first) = dup_seq
            .first((r.usubjid.clone(), r.seq), row)
            .filter(|_| seq.present())
        {
            seq.report(
                row,
                p,
                format!(
                    "DSSEQ {} repeats row {first} of subject {:?}",
                    r.seq, r.usubjid
                ),
            );
        }
        out.push(r);
    }
    out
}

fn read_ex<'a>(t: &Table<'a>, ctx: &Context<'_>, p: &mut Problems) -> Vec<Ex<'a>> {
    t.optional("DOMAIN").expect_value("EX", p, t.rows());
    let usubjid = t.required("USUBJID", p);
    let seq = t.required("EXSEQ", p);
    let trt = t.required("EXTRT", p);
    let dose = t.required("EXDOSE", p);
    let dosu = t.optional("EXDOSU");
    let dosfrm = t.optional("EXDOSFRM");
    let route = t.optional("EXROUTE");
    let visitnum = t.optional("VISITNUM");
    let visit = t.optional("VISIT");
    let stdtc = t.required("EXSTDTC", p);
    let endtc = t.optional("EXENDTC");
    let mut dup_seq = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        ctx.check_subject(&usubjid, row, &id, p);
        let vn = visitnum.num(row, p);
        ctx.check_visit(&visitnum, row, vn, p);
        let r = Ex {
            seq: seq.seq(row, p),
            trt: trt.text_req(row, p),
            dose: dose.num(row, p),
            dosu: dosu.text(row),
            dosfrm: dosfrm.text(row),
            route: route.text(row),
            visitnum: vn,
            visit: visit.text(row),
            stdtc: stdtc.dtc(row, p),
            endtc: endtc.dtc(row, p),
            usubjid: id,
        };
        if stdtc.present() && stdtc.text(row).is_empty() {
            stdtc.report(row, p, "required value is blank".into());
        }
        if let Some(first) = dup_seq
            .first((r.usubjid.clone(), r.seq), row)
            .filter(|_| seq.present())
        {
            seq.report(
                row,
                p,
                format!(
                    "EXSEQ {} repeats row {first} of subject {:?}",
                    r.seq, r.usubjid
                ),
            );
        }
        out.push(r);
    }
    out
}

fn read_sv<'a>(t: &Table<'a>, ctx: &Context<'_>, p: &mut Problems) -> Vec<Sv<'a>> {
    t.optional("DOMAIN").expect_value("SV", p, t.rows());
    let usubjid = t.required("USUBJID", p);
    let visitnum = t.required("VISITNUM", p);
    let visit = t.optional("VISIT");
    let stdtc = t.optional("SVSTDTC");
    let endtc = t.optional("SVENDTC");
    let mut dups = Dups::new();
    let mut out = Vec::with_capacity(t.rows());
    for row in 0..t.rows() {
        let id = usubjid.text_req(row, p);
        ctx.check_subject(&usubjid, row, &id, p);
        let vn = visitnum.num_req(row, p);
        ctx.check_visit(&visitnum, row, vn, p);
        let Some(v) = vn else { continue };
        let start = stdtc.dtc(row, p);
        let key = (
            id.clone(),
            v.to_bits(),
            start.as_ref().map(|d| stdtc.share(row, d.text())),
        );
        if let Some(first) = dups.first(key, row) {
            visitnum.report(
                row,
                p,
                format!("duplicate record: subject {id:?} has VISITNUM {v} on the same SVSTDTC as row {first}"),
            );
        }
        out.push(Sv {
            visitnum: v,
            visit: visit.text(row),
            stdtc: start,
            endtc: endtc.dtc(row, p),
            usubjid: id,
        });
    }
    out
}
