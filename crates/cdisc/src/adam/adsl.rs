//! ADSL and the subject-level facts the other datasets share.

use rustc_hash::FxHashMap as HashMap;

use crate::model::Dataset;
use crate::sdtm::{Date, Dm, DsCategory, Sdtm};

use super::build::{yes_no, Builder};
use super::{AdamConfig, AdamError, PlannedVisit};

/// The subject-level facts of one DM subject.
pub(crate) struct Subject<'a> {
    pub(crate) dm: &'a Dm<'a>,
    /// The position of the planned arm in the configured arms.
    pub(crate) plan: Option<usize>,
    /// The position of the actual arm.
    pub(crate) actual: Option<usize>,
    /// The actual arm's treatment label (TRT01A), blank when not an arm.
    pub(crate) trt01a: String,
    pub(crate) trtsdt: Option<Date>,
    pub(crate) trtedt: Option<Date>,
    /// The time-to-event origin: TRTSDT, else the randomization date.
    pub(crate) start: Option<Date>,
    pub(crate) ninfus: Option<f64>,
    pub(crate) saffl: bool,
    pub(crate) scrnffl: bool,
    pub(crate) eosstt: &'static str,
    pub(crate) dcsreas: &'a str,
    pub(crate) dcsdt: Option<Date>,
    pub(crate) lstvisn: Option<f64>,
    pub(crate) heightbl: Option<f64>,
    pub(crate) weightbl: Option<f64>,
    /// Per lab parameter: the baseline value and its text.
    pub(crate) lab_bl: Vec<(Option<f64>, &'a str)>,
}

impl Subject<'_> {
    pub(crate) fn randomized(&self) -> bool {
        self.plan.is_some()
    }
}

/// What the baseline rule needs to know of a record.
pub(crate) struct Candidate {
    pub(crate) flagged: bool,
    pub(crate) visitnum: Option<f64>,
    pub(crate) date: Option<Date>,
    pub(crate) seq: i64,
}

/// The baseline among `candidates` (records with a result): the first
/// flagged one, else the latest (by date, then sequence number) at the
/// baseline visit.
pub(crate) fn baseline_index(candidates: &[Candidate], baseline_visitnum: f64) -> Option<usize> {
    if let Some(i) = candidates.iter().position(|c| c.flagged) {
        return Some(i);
    }
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.visitnum == Some(baseline_visitnum))
        .max_by_key(|(_, c)| (c.date, c.seq))
        .map(|(i, _)| i)
}

/// Groups records by subject.
pub(crate) fn by_subject<T>(records: Option<&[T]>, id: fn(&T) -> &str) -> HashMap<&str, Vec<&T>> {
    let mut map: HashMap<&str, Vec<&T>> = HashMap::default();
    for r in records.unwrap_or(&[]) {
        map.entry(id(r)).or_default().push(r);
    }
    map
}

/// The subject-level facts of every DM subject, in DM order.
pub(crate) fn subjects<'a>(
    sdtm: &'a Sdtm<'a>,
    config: &AdamConfig,
    visits: &[PlannedVisit],
) -> Result<Vec<Subject<'a>>, AdamError> {
    let Some(ds_all) = sdtm.ds.as_deref() else {
        return Err(AdamError::MissingDomain {
            domain: "DS",
            dataset: "ADSL",
        });
    };
    let ds = by_subject(Some(ds_all), |d| d.usubjid.as_ref());
    let ex = by_subject(sdtm.ex.as_deref(), |e| e.usubjid.as_ref());
    let vs = by_subject(sdtm.vs.as_deref(), |v| v.usubjid.as_ref());
    let lb = by_subject(sdtm.lb.as_deref(), |l| l.usubjid.as_ref());
    let sv = by_subject(sdtm.sv.as_deref(), |s| s.usubjid.as_ref());
    let arm_of = |code: &str| config.arms.iter().position(|(c, _)| c == code);

    let mut out = Vec::with_capacity(sdtm.dm.len());
    for dm in &sdtm.dm {
        let id = dm.usubjid.as_ref();
        let plan = arm_of(&dm.armcd);
        let actual = arm_of(&dm.actarmcd);

        // Exposure: EX when the study has it, else DM's reference dates.
        let (trtsdt, trtedt, ninfus, dosed) = match &sdtm.ex {
            Some(_) => {
                let recs = ex.get(id).map_or(&[][..], Vec::as_slice);
                let first = recs.iter().filter_map(|e| e.stdtc.as_ref()?.date()).min();
                let last = recs
                    .iter()
                    .filter_map(|e| e.endtc.as_ref().or(e.stdtc.as_ref())?.date())
                    .max();
                (first, last, Some(recs.len() as f64), !recs.is_empty())
            }
            None => (
                dm.rfstdtc.as_ref().and_then(|d| d.date()),
                dm.rfendtc.as_ref().and_then(|d| d.date()),
                None,
                dm.rfstdtc.is_some(),
            ),
        };

        // Disposition: the latest disposition event; the randomization
        // milestone for the time-to-event origin of undosed subjects.
        let recs = ds.get(id).map_or(&[][..], Vec::as_slice);
        let event = recs
            .iter()
            .filter(|d| d.cat == Some(DsCategory::DispositionEvent))
            .max_by_key(|d| (d.stdtc.as_ref().and_then(|x| x.date()), d.seq));
        let randomized_on = recs
            .iter()
            .filter(|d| d.cat == Some(DsCategory::ProtocolMilestone) && d.decod == "RANDOMIZED")
            .find_map(|d| d.stdtc.as_ref()?.date());
        let scrnffl = event.is_some_and(|e| e.decod == "SCREEN FAILURE")
            || dm.armcd.eq_ignore_ascii_case("SCRNFAIL");
        let event_date = event.and_then(|e| e.stdtc.as_ref()?.date());
        let (eosstt, dcsreas, dcsdt) = if scrnffl {
            let reason = event.map_or("", |e| {
                if e.term.is_empty() {
                    e.decod.as_ref()
                } else {
                    e.term.as_ref()
                }
            });
            ("SCREEN FAILURE", reason, event_date)
        } else if plan.is_none() {
            let reason = event.map_or("", |e| e.decod.as_ref());
            ("NOT RANDOMIZED", reason, event_date)
        } else {
            match event {
                Some(e) if e.decod == "COMPLETED" => ("COMPLETED", "", None),
                Some(e) => ("DISCONTINUED", e.decod.as_ref(), event_date),
                None => ("ONGOING", "", None),
            }
        };

        // The last attended scheduled visit.
        let lstvisn = sv
            .get(id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|s| s.visitnum)
            .filter(|v| visits.iter().any(|p| p.visitnum == *v))
            .max_by(f64::total_cmp);

        // Baseline height and weight.
        let vs_recs = vs.get(id).map_or(&[][..], Vec::as_slice);
        let vs_baseline = |testcd: &str| {
            let recs: Vec<_> = vs_recs
                .iter()
                .filter(|v| v.testcd == testcd && v.stresn.is_some())
                .collect();
            let cands: Vec<Candidate> = recs
                .iter()
                .map(|v| Candidate {
                    flagged: v.baseline,
                    visitnum: v.visitnum,
                    date: v.dtc.as_ref().and_then(|d| d.date()),
                    seq: v.seq,
                })
                .collect();
            baseline_index(&cands, config.baseline_visitnum).and_then(|i| recs.get(i)?.stresn)
        };
        let heightbl = vs_baseline("HEIGHT");
        let weightbl = vs_baseline("WEIGHT");

        // Baseline labs.
        let lb_recs = lb.get(id).map_or(&[][..], Vec::as_slice);
        let lab_bl = config
            .lab_params
            .iter()
            .map(|lp| {
                let recs: Vec<_> = lb_recs
                    .iter()
                    .filter(|l| l.testcd == lp.testcd && l.has_result())
                    .collect();
                let cands: Vec<Candidate> = recs
                    .iter()
                    .map(|l| Candidate {
                        flagged: l.baseline,
                        visitnum: l.visitnum,
                        date: l.dtc.as_ref().and_then(|d| d.date()),
                        seq: l.seq,
                    })
                    .collect();
                match baseline_index(&cands, config.baseline_visitnum).and_then(|i| recs.get(i)) {
                    Some(l) => (l.stresn, l.stresc.as_ref()),
                    None => (None, ""),
                }
            })
            .collect();

        out.push(Subject {
            dm,
            plan,
            actual,
            trt01a: actual
                .and_then(|i| config.arms.get(i))
                .map_or(String::new(), |(_, l)| l.clone()),
            trtsdt,
            trtedt,
            start: trtsdt.or(randomized_on),
            ninfus,
            saffl: dosed,
            scrnffl,
            eosstt,
            dcsreas,
            dcsdt,
            lstvisn,
            heightbl,
            weightbl,
            lab_bl,
        });
    }
    Ok(out)
}

/// The ADSL variables other than the SUPPDM and baseline-lab columns.
const FIXED: &[&str] = &[
    "STUDYID", "USUBJID", "SUBJID", "SITEID", "ARM", "ARMCD", "ACTARM", "ACTARMCD", "TRT01P",
    "TRT01PN", "TRT01A", "TRT01AN", "AGE", "SEX", "RACE", "HEIGHTBL", "WEIGHTBL", "BMIBL",
    "RANDFL", "ITTFL", "SAFFL", "SCRNFFL", "COMPLFL", "TRTSDT", "TRTEDT", "EOSSTT", "DCSREAS",
    "DCSDT", "LSTVISN", "NINFUS",
];

/// Whether `text` is a plain decimal number.
fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Body-mass index, kg/m^2, from weight (kg) and height (cm).
pub(crate) fn bmi(weight: Option<f64>, height: Option<f64>) -> Option<f64> {
    let h = height? / 100.0;
    let w = weight?;
    (h > 0.0).then(|| w / (h * h))
}

pub(crate) fn dataset(
    sdtm: &Sdtm<'_>,
    config: &AdamConfig,
    subjects: &[Subject<'_>],
) -> Result<Dataset, AdamError> {
    let arm_label = |i: Option<usize>| {
        i.and_then(|i| config.arms.get(i))
            .map_or(String::new(), |(_, l)| l.clone())
    };
    let arm_n = |i: Option<usize>| i.map(|i| (i + 1) as f64);
    let s = subjects;
    let mut b = Builder::new();
    b.text(
        "STUDYID",
        "Study Identifier",
        s.iter().map(|x| x.dm.studyid.as_ref()),
    );
    b.text(
        "USUBJID",
        "Unique Subject Identifier",
        s.iter().map(|x| x.dm.usubjid.as_ref()),
    );
    b.text(
        "SUBJID",
        "Subject Identifier for the Study",
        s.iter().map(|x| x.dm.subjid.as_ref()),
    );
    b.text(
        "SITEID",
        "Study Site Identifier",
        s.iter().map(|x| x.dm.siteid.as_ref()),
    );
    b.text(
        "ARM",
        "Description of Planned Arm",
        s.iter().map(|x| x.dm.arm.as_ref()),
    );
    b.text(
        "ARMCD",
        "Planned Arm Code",
        s.iter().map(|x| x.dm.armcd.as_ref()),
    );
    b.text(
        "ACTARM",
        "Description of Actual Arm",
        s.iter().map(|x| x.dm.actarm.as_ref()),
    );
    b.text(
        "ACTARMCD",
        "Actual Arm Code",
        s.iter().map(|x| x.dm.actarmcd.as_ref()),
    );
    b.text(
        "TRT01P",
        "Planned Treatment for Period 01",
        s.iter().map(|x| arm_label(x.plan)),
    );
    b.num(
        "TRT01PN",
        "Planned Treatment for Period 01 (N)",
        s.iter().map(|x| arm_n(x.plan)),
    );
    b.text(
        "TRT01A",
        "Actual Treatment for Period 01",
        s.iter().map(|x| arm_label(x.actual)),
    );
    b.num(
        "TRT01AN",
        "Actual Treatment for Period 01 (N)",
        s.iter().map(|x| arm_n(x.actual)),
    );
    b.num("AGE", "Age", s.iter().map(|x| x.dm.age));
    b.text("SEX", "Sex", s.iter().map(|x| x.dm.sex.code()));
    b.text("RACE", "Race", s.iter().map(|x| x.dm.race.clone()));
    b.num(
        "HEIGHTBL",
        "Baseline Height (cm)",
        s.iter().map(|x| x.heightbl),
    );
    b.num(
        "WEIGHTBL",
        "Baseline Weight (kg)",
        s.iter().map(|x| x.weightbl),
    );
    b.num(
        "BMIBL",
        "Baseline BMI (kg/m^2)",
        s.iter().map(|x| bmi(x.weightbl, x.heightbl)),
    );

    // SUPPDM covariates: numeric when every given value is a number.
    let mut taken: Vec<String> = FIXED.iter().map(|n| (*n).to_owned()).collect();
    for lp in &config.lab_params {
        taken.extend(lp.baseline_var.iter().cloned());
        taken.extend(lp.baseline_text_var.iter().cloned());
    }
    for (qnam, qlabel) in &sdtm.suppdm.qualifiers {
        if taken.iter().any(|t| t.eq_ignore_ascii_case(qnam)) {
            return Err(AdamError::NameClash {
                qnam: qnam.to_string(),
            });
        }
        taken.push(qnam.to_string());
        let values: Vec<&str> = s
            .iter()
            .map(|x| sdtm.suppdm.value(&x.dm.usubjid, qnam).unwrap_or("").trim())
            .collect();
        let given = || values.iter().filter(|v| !v.is_empty());
        if given().next().is_some() && given().all(|v| number(v).is_some()) {
            b.num(qnam, qlabel, values.iter().map(|v| number(v)));
        } else {
            b.text(qnam, qlabel, &values);
        }
    }

    // Baseline labs.
    for (k, lp) in config.lab_params.iter().enumerate() {
        if let Some(name) = &lp.baseline_var {
            let label = format!("Baseline {}", lp.param);
            b.num(
                name,
                &label,
                s.iter().map(|x| x.lab_bl.get(k).and_then(|v| v.0)),
            );
        }
        if let Some(name) = &lp.baseline_text_var {
            let label = format!("Baseline {} (C)", lp.param);
            b.text(
                name,
                &label,
                s.iter().map(|x| x.lab_bl.get(k).map_or("", |v| v.1)),
            );
        }
    }

    b.text(
        "RANDFL",
        "Randomized Population Flag",
        s.iter().map(|x| yes_no(x.randomized())),
    );
    b.text(
        "ITTFL",
        "Intent-To-Treat Population Flag",
        s.iter().map(|x| yes_no(x.randomized())),
    );
    b.text(
        "SAFFL",
        "Safety Population Flag",
        s.iter().map(|x| yes_no(x.saffl)),
    );
    b.text(
        "SCRNFFL",
        "Screen Failure Flag",
        s.iter().map(|x| yes_no(x.scrnffl)),
    );
    b.text(
        "COMPLFL",
        "Completers Population Flag",
        s.iter().map(|x| yes_no(x.eosstt == "COMPLETED")),
    );
    b.date(
        "TRTSDT",
        "Date of First Exposure to Treatment",
        s.iter().map(|x| x.trtsdt),
    );
    b.date(
        "TRTEDT",
        "Date of Last Exposure to Treatment",
        s.iter().map(|x| x.trtedt),
    );
    b.text("EOSSTT", "End of Study Status", s.iter().map(|x| x.eosstt));
    b.text(
        "DCSREAS",
        "Reason for Discontinuation from Study",
        s.iter().map(|x| x.dcsreas),
    );
    b.date(
        "DCSDT",
        "Date of Discontinuation from Study",
        s.iter().map(|x| x.dcsdt),
    );
    b.num(
        "LSTVISN",
        "Last Attended Scheduled Visit Number",
        s.iter().map(|x| x.lstvisn),
    );
    b.num(
        "NINFUS",
        "Number of Infusions Received",
        s.iter().map(|x| x.ninfus),
    );
    b.finish("ADSL", "Subject-Level Analysis Dataset")
}
