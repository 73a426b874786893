//! ADTTE: time from the start of treatment to the first response.

use crate::model::Dataset;
use crate::sdtm::Date;

use super::adlb::LbRow;
use super::adsl::Subject;
use super::build::Builder;
use super::{AdamConfig, AdamError, ResponseRule};

/// One ADTTE record.
struct TteRow {
    subject: usize,
    response: usize,
    adt: Option<Date>,
    cnsr: f64,
    evntdesc: String,
    cnsdtdsc: &'static str,
}

impl ResponseRule {
    /// Whether a record with this change and percent change responds.
    fn met(self, chg: Option<f64>, pchg: Option<f64>) -> bool {
        match self {
            ResponseRule::PctChangeAbove(x) => pchg.is_some_and(|p| p > x),
            ResponseRule::ChangeAbove(x) => chg.is_some_and(|c| c > x),
        }
    }

    fn describe(self, testcd: &str) -> String {
        match self {
            ResponseRule::PctChangeAbove(x) => {
                format!("{testcd} PERCENT CHANGE FROM BASELINE > {x}%")
            }
            ResponseRule::ChangeAbove(x) => format!("{testcd} CHANGE FROM BASELINE > {x}"),
        }
    }
}

pub(crate) fn dataset(
    config: &AdamConfig,
    subjects: &[Subject<'_>],
    rows: &[LbRow<'_>],
) -> Result<Dataset, AdamError> {
    // Observed, scheduled, post-baseline assessments with a date, grouped
    // by subject once (not searched for each subject).
    let mut by_subject: Vec<Vec<&LbRow<'_>>> = vec![Vec::new(); subjects.len()];
    for r in rows {
        if !r.locf && r.anl01fl && r.post_baseline && r.adt.is_some() {
            if let Some(list) = by_subject.get_mut(r.subject) {
                list.push(r);
            }
        }
    }
    let mut out = Vec::new();
    for (si, subject) in subjects.iter().enumerate() {
        if !subject.randomized() {
            continue;
        }
        for (ri, resp) in config.responses.iter().enumerate() {
            let param = config
                .lab_params
                .iter()
                .position(|l| l.testcd == resp.testcd);
            // The subject's assessments of the parameter, by date.
            let mut seen: Vec<&LbRow<'_>> = by_subject[si]
                .iter()
                .copied()
                .filter(|r| Some(r.param) == param)
                .collect();
            seen.sort_by_key(|r| r.adt);
            let row = match seen.iter().find(|r| resp.rule.met(r.chg, r.pchg)) {
                Some(r) => TteRow {
                    subject: si,
                    response: ri,
                    adt: r.adt,
                    cnsr: 0.0,
                    evntdesc: resp.rule.describe(&resp.testcd),
                    cnsdtdsc: "",
                },
                None => match seen.last() {
                    Some(r) => TteRow {
                        subject: si,
                        response: ri,
                        adt: r.adt,
                        cnsr: 1.0,
                        evntdesc: String::new(),
                        cnsdtdsc: "LAST POST-BASELINE ASSESSMENT",
                    },
                    None => TteRow {
                        subject: si,
                        response: ri,
                        adt: subject.start,
                        cnsr: 1.0,
                        evntdesc: String::new(),
                        cnsdtdsc: "NO POST-BASELINE ASSESSMENT",
                    },
                },
            };
            out.push(row);
        }
    }

    let subj = |r: &TteRow| subjects.get(r.subject);
    let resp = |r: &TteRow| config.responses.get(r.response);
    let text_of = |f: &dyn Fn(&Subject<'_>) -> String| {
        out.iter()
            .map(|r| subj(r).map_or(String::new(), f))
            .collect::<Vec<_>>()
    };
    let arm_label = |i: Option<usize>| {
        i.and_then(|i| config.arms.get(i))
            .map_or(String::new(), |(_, l)| l.clone())
    };
    let start = |r: &TteRow| subj(r).and_then(|s| s.start);
    let mut b = Builder::new();
    b.text(
        "STUDYID",
        "Study Identifier",
        text_of(&|s| s.dm.studyid.to_string()),
    );
    b.text(
        "USUBJID",
        "Unique Subject Identifier",
        text_of(&|s| s.dm.usubjid.to_string()),
    );
    b.text(
        "SITEID",
        "Study Site Identifier",
        text_of(&|s| s.dm.siteid.to_string()),
    );
    b.text(
        "TRT01P",
        "Planned Treatment for Period 01",
        text_of(&|s| arm_label(s.plan)),
    );
    b.num(
        "TRT01PN",
        "Planned Treatment for Period 01 (N)",
        out.iter()
            .map(|r| subj(r).and_then(|s| s.plan).map(|i| (i + 1) as f64)),
    );
    b.text(
        "ITTFL",
        "Intent-To-Treat Population Flag",
        text_of(&|s| super::build::yes_no(s.randomized()).to_owned()),
    );
    b.text(
        "PARAMCD",
        "Parameter Code",
        out.iter()
            .map(|r| resp(r).map_or(String::new(), |x| x.paramcd.clone())),
    );
    b.text(
        "PARAM",
        "Parameter",
        out.iter()
            .map(|r| resp(r).map_or(String::new(), |x| x.param.clone())),
    );
    b.date(
        "STARTDT",
        "Time to Event Origin Date for Subject",
        out.iter().map(start),
    );
    b.date("ADT", "Analysis Date", out.iter().map(|r| r.adt));
    b.num(
        "AVAL",
        "Analysis Value",
        out.iter().map(|r| {
            let (s, a) = (start(r)?, r.adt?);
            Some(f64::from(s.days_until(a)))
        }),
    );
    b.text("AVALU", "Analysis Value Unit", out.iter().map(|_| "DAYS"));
    b.num("CNSR", "Censor", out.iter().map(|r| Some(r.cnsr)));
    b.text(
        "EVNTDESC",
        "Event or Censoring Description",
        out.iter().map(|r| r.evntdesc.as_str()),
    );
    b.text(
        "CNSDTDSC",
        "Censor Date Description",
        out.iter().map(|r| r.cnsdtdsc),
    );
    b.finish("ADTTE", "Time-to-Event Analysis Dataset")
}
