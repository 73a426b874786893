//! ADLB: the laboratory BDS dataset, with LOCF records.

use std::collections::BTreeMap;

use crate::model::{Dataset, TextColumn};
use crate::sdtm::{Date, Lb, Sdtm};

use super::adsl::{baseline_index, by_subject, Candidate, Subject};
use super::build::{study_day, yes, Builder};
use super::{AdamConfig, AdamError, PlannedVisit};

/// One ADLB record: observed (from `src`) or LOCF (a copy of `src`'s
/// result at a later visit).
pub(crate) struct LbRow<'a> {
    /// Index into the subjects.
    pub(crate) subject: usize,
    /// Index into the lab parameters.
    pub(crate) param: usize,
    /// The LB record the result comes from.
    pub(crate) src: &'a Lb<'a>,
    pub(crate) avisit: String,
    pub(crate) avisitn: Option<f64>,
    /// The VISITNUM the row sorts by (the target visit for LOCF rows).
    pub(crate) order: f64,
    pub(crate) adt: Option<Date>,
    pub(crate) ady: Option<f64>,
    pub(crate) base: Option<f64>,
    pub(crate) chg: Option<f64>,
    pub(crate) pchg: Option<f64>,
    pub(crate) ablfl: bool,
    pub(crate) locf: bool,
    pub(crate) anl01fl: bool,
    /// After the baseline visit (CHG and PCHG apply).
    pub(crate) post_baseline: bool,
}

/// Change and percent change from baseline (percent change is missing
/// when the baseline is 0).
fn changes(aval: Option<f64>, base: Option<f64>) -> (Option<f64>, Option<f64>) {
    match (aval, base) {
        (Some(a), Some(b)) => {
            let chg = a - b;
            (Some(chg), (b != 0.0).then(|| 100.0 * chg / b))
        }
        _ => (None, None),
    }
}

/// The ADLB rows of every randomized subject, sorted by subject (DM
/// order), parameter, visit and date.
pub(crate) fn rows<'a>(
    sdtm: &'a Sdtm<'a>,
    config: &AdamConfig,
    visits: &[PlannedVisit],
    subjects: &[Subject<'a>],
) -> Result<Vec<LbRow<'a>>, AdamError> {
    let Some(lb) = sdtm.lb.as_deref() else {
        return Err(AdamError::MissingDomain {
            domain: "LB",
            dataset: "ADLB",
        });
    };
    let by_id = by_subject(Some(lb), |l| l.usubjid.as_ref());
    let planned = |v: Option<f64>| v.and_then(|v| visits.iter().find(|p| p.visitnum == v));
    let later: Vec<&PlannedVisit> = visits
        .iter()
        .filter(|p| p.visitnum > config.baseline_visitnum)
        .collect();

    let mut out = Vec::new();
    for (si, subject) in subjects.iter().enumerate() {
        if !subject.randomized() {
            continue;
        }
        let Some(recs) = by_id.get(subject.dm.usubjid.as_ref()) else {
            continue;
        };
        for (k, lp) in config.lab_params.iter().enumerate() {
            let recs: Vec<&Lb> = recs
                .iter()
                .copied()
                .filter(|l| l.testcd == lp.testcd && l.has_result())
                .collect();
            if recs.is_empty() {
                continue;
            }
            let cands: Vec<Candidate> = recs
                .iter()
                .map(|l| Candidate {
                    flagged: l.baseline,
                    visitnum: l.visitnum,
                    date: l.dtc.as_ref().and_then(|d| d.date()),
                    seq: l.seq,
                })
                .collect();
            let bl = baseline_index(&cands, config.baseline_visitnum);
            let base = bl.and_then(|i| recs.get(i)?.stresn);

            // The analysis record of each planned visit: the baseline
            // record at its visit, else the latest.
            let mut chosen: BTreeMap<u64, usize> = BTreeMap::new();
            for (i, l) in recs.iter().enumerate() {
                let Some(p) = planned(l.visitnum) else {
                    continue;
                };
                let key = p.visitnum.to_bits();
                let better = match chosen.get(&key) {
                    None => true,
                    Some(&j) if Some(j) == bl => false,
                    Some(&j) => {
                        Some(i) == bl
                            || (cands[i].date, cands[i].seq) > (cands[j].date, cands[j].seq)
                    }
                };
                if better {
                    chosen.insert(key, i);
                }
            }

            let first = out.len();
            for (i, l) in recs.iter().enumerate() {
                let adt = cands[i].date;
                let post_baseline =
                    Some(i) != bl && l.visitnum.is_some_and(|v| v > config.baseline_visitnum);
                let (chg, pchg) = if post_baseline {
                    changes(l.stresn, base)
                } else {
                    (None, None)
                };
                let p = planned(l.visitnum);
                out.push(LbRow {
                    subject: si,
                    param: k,
                    src: l,
                    avisit: p.map_or_else(|| "UNSCHEDULED".to_owned(), |p| p.avisit.clone()),
                    avisitn: p.map(|p| p.avisitn),
                    order: l.visitnum.unwrap_or(f64::INFINITY),
                    adt,
                    ady: study_day(adt, subject.trtsdt),
                    base,
                    chg,
                    pchg,
                    ablfl: Some(i) == bl,
                    locf: false,
                    anl01fl: p.is_some_and(|p| chosen.get(&p.visitnum.to_bits()) == Some(&i)),
                    post_baseline,
                });
            }

            if config.locf {
                // Carry the last analysis value (baseline or later) into
                // every later planned visit that has none.
                let mut last: Option<usize> = bl;
                for p in &later {
                    if let Some(&i) = chosen.get(&p.visitnum.to_bits()) {
                        last = Some(i);
                        continue;
                    }
                    let Some(j) = last else { continue };
                    let Some(l) = recs.get(j) else { continue };
                    let (chg, pchg) = changes(l.stresn, base);
                    let adt = cands[j].date;
                    out.push(LbRow {
                        subject: si,
                        param: k,
                        src: l,
                        avisit: p.avisit.clone(),
                        avisitn: Some(p.avisitn),
                        order: p.visitnum,
                        adt,
                        ady: study_day(adt, subject.trtsdt),
                        base,
                        chg,
                        pchg,
                        ablfl: false,
                        locf: true,
                        anl01fl: true,
                        post_baseline: true,
                    });
                }
            }
            out[first..].sort_by(|a, b| {
                a.order
                    .total_cmp(&b.order)
                    .then(a.adt.cmp(&b.adt))
                    .then(a.src.seq.cmp(&b.src.seq))
            });
        }
    }
    Ok(out)
}

pub(crate) fn dataset(
    config: &AdamConfig,
    subjects: &[Subject<'_>],
    rows: &[LbRow<'_>],
) -> Result<Dataset, AdamError> {
    let subj = |r: &LbRow<'_>| subjects.get(r.subject);
    let arm_label = |i: Option<usize>| {
        i.and_then(|i| config.arms.get(i))
            .map_or("", |(_, l)| l.as_str())
    };
    let param = |r: &LbRow<'_>| config.lab_params.get(r.param);
    let mut b = Builder::new();
    let text_of = |f: &dyn for<'s> Fn(&'s Subject<'_>) -> &'s str| {
        rows.iter()
            .map(|r| subj(r).map_or("", f))
            .collect::<TextColumn>()
    };
    b.text(
        "STUDYID",
        "Study Identifier",
        &text_of(&|s| s.dm.studyid.as_ref()),
    );
    b.text(
        "USUBJID",
        "Unique Subject Identifier",
        &text_of(&|s| s.dm.usubjid.as_ref()),
    );
    b.text(
        "SITEID",
        "Study Site Identifier",
        &text_of(&|s| s.dm.siteid.as_ref()),
    );
    b.text(
        "TRT01P",
        "Planned Treatment for Period 01",
        rows.iter()
            .map(|r| subj(r).map_or("", |s| arm_label(s.plan))),
    );
    b.num(
        "TRT01PN",
        "Planned Treatment for Period 01 (N)",
        rows.iter()
            .map(|r| subj(r).and_then(|s| s.plan).map(|i| (i + 1) as f64)),
    );
    b.text(
        "TRT01A",
        "Actual Treatment for Period 01",
        rows.iter()
            .map(|r| subj(r).map_or("", |s| arm_label(s.actual))),
    );
    b.num(
        "TRT01AN",
        "Actual Treatment for Period 01 (N)",
        rows.iter()
            .map(|r| subj(r).and_then(|s| s.actual).map(|i| (i + 1) as f64)),
    );
    b.text(
        "ITTFL",
        "Intent-To-Treat Population Flag",
        &text_of(&|s| super::build::yes_no(s.randomized())),
    );
    b.text(
        "SAFFL",
        "Safety Population Flag",
        &text_of(&|s| super::build::yes_no(s.saffl)),
    );
    b.text(
        "PARAMCD",
        "Parameter Code",
        rows.iter()
            .map(|r| param(r).map_or(String::new(), |p| p.testcd.clone())),
    );
    b.text(
        "PARAM",
        "Parameter",
        rows.iter()
            .map(|r| param(r).map_or(String::new(), |p| p.param.clone())),
    );
    b.num(
        "PARAMN",
        "Parameter (N)",
        rows.iter().map(|r| Some((r.param + 1) as f64)),
    );
    b.text(
        "AVISIT",
        "Analysis Visit",
        rows.iter().map(|r| r.avisit.as_str()),
    );
    b.num(
        "AVISITN",
        "Analysis Visit (N)",
        rows.iter().map(|r| r.avisitn),
    );
    b.date("ADT", "Analysis Date", rows.iter().map(|r| r.adt));
    b.num("ADY", "Analysis Relative Day", rows.iter().map(|r| r.ady));
    b.num("AVAL", "Analysis Value", rows.iter().map(|r| r.src.stresn));
    b.text(
        "AVALC",
        "Analysis Value (C)",
        rows.iter().map(|r| r.src.stresc.as_ref()),
    );
    b.num("BASE", "Baseline Value", rows.iter().map(|r| r.base));
    b.num("CHG", "Change from Baseline", rows.iter().map(|r| r.chg));
    b.num(
        "PCHG",
        "Percent Change from Baseline",
        rows.iter().map(|r| r.pchg),
    );
    b.text(
        "ABLFL",
        "Baseline Record Flag",
        rows.iter().map(|r| yes(r.ablfl)),
    );
    b.text(
        "DTYPE",
        "Derivation Type",
        rows.iter().map(|r| if r.locf { "LOCF" } else { "" }),
    );
    b.text(
        "ANL01FL",
        "Analysis Flag 01",
        rows.iter().map(|r| yes(r.anl01fl)),
    );
    b.num(
        "SRCSEQ",
        "Source Sequence Number",
        rows.iter().map(|r| Some(r.src.seq as f64)),
    );
    b.num(
        "ANRLO",
        "Analysis Normal Range Lower Limit",
        rows.iter().map(|r| r.src.stnrlo),
    );
    b.num(
        "ANRHI",
        "Analysis Normal Range Upper Limit",
        rows.iter().map(|r| r.src.stnrhi),
    );
    b.text(
        "ANRIND",
        "Analysis Reference Range Indicator",
        rows.iter().map(|r| r.src.nrind.as_ref()),
    );
    b.finish("ADLB", "Laboratory Analysis Dataset")
}
