//! ADAE: adverse events of randomized subjects.

use crate::model::Dataset;
use crate::sdtm::{Ae, Sdtm};

use super::adsl::{by_subject, Subject};
use super::build::{study_day, yes, yes_no, Builder};
use super::AdamError;

pub(crate) fn dataset(sdtm: &Sdtm<'_>, subjects: &[Subject<'_>]) -> Result<Dataset, AdamError> {
    let Some(ae) = sdtm.ae.as_deref() else {
        return Err(AdamError::MissingDomain {
            domain: "AE",
            dataset: "ADAE",
        });
    };
    let by_id = by_subject(Some(ae), |a| a.usubjid.as_ref());
    // Subjects in DM order, each subject's events by AESEQ.
    let mut rows: Vec<(&Subject<'_>, &Ae)> = Vec::new();
    for s in subjects.iter().filter(|s| s.randomized()) {
        let Some(events) = by_id.get(s.dm.usubjid.as_ref()) else {
            continue;
        };
        let mut events = events.clone();
        events.sort_by_key(|a| a.seq);
        rows.extend(events.into_iter().map(|a| (s, a)));
    }

    let start = |a: &Ae| a.stdtc.as_ref().and_then(|d| d.date());
    let mut b = Builder::new();
    b.text(
        "STUDYID",
        "Study Identifier",
        rows.iter().map(|(s, _)| s.dm.studyid.as_ref()),
    );
    b.text(
        "USUBJID",
        "Unique Subject Identifier",
        rows.iter().map(|(s, _)| s.dm.usubjid.as_ref()),
    );
    b.text(
        "SITEID",
        "Study Site Identifier",
        rows.iter().map(|(s, _)| s.dm.siteid.as_ref()),
    );
    b.text(
        "TRT01A",
        "Actual Treatment for Period 01",
        rows.iter().map(|(s, _)| s.trt01a.as_str()),
    );
    b.num(
        "TRT01AN",
        "Actual Treatment for Period 01 (N)",
        rows.iter().map(|(s, _)| s.actual.map(|i| (i + 1) as f64)),
    );
    b.text(
        "SAFFL",
        "Safety Population Flag",
        rows.iter().map(|(s, _)| yes_no(s.saffl)),
    );
    b.num(
        "AESEQ",
        "Sequence Number",
        rows.iter().map(|(_, a)| Some(a.seq as f64)),
    );
    b.text(
        "AETERM",
        "Reported Term for the Adverse Event",
        rows.iter().map(|(_, a)| a.term.as_ref()),
    );
    b.text(
        "AEDECOD",
        "Dictionary-Derived Term",
        rows.iter().map(|(_, a)| a.decod.as_ref()),
    );
    b.text(
        "AEBODSYS",
        "Body System or Organ Class",
        rows.iter().map(|(_, a)| a.bodsys.as_ref()),
    );
    b.text(
        "AESEV",
        "Severity/Intensity",
        rows.iter().map(|(_, a)| a.sev.map_or("", |s| s.code())),
    );
    b.text(
        "AETOXGR",
        "Standard Toxicity Grade",
        rows.iter()
            .map(|(_, a)| a.toxgr.map_or(String::new(), |g| g.to_string())),
    );
    b.num(
        "ATOXGRN",
        "Analysis Toxicity Grade (N)",
        rows.iter().map(|(_, a)| a.toxgr.map(f64::from)),
    );
    b.text(
        "AESER",
        "Serious Event",
        rows.iter().map(|(_, a)| a.ser.map_or("", yes_no)),
    );
    b.text(
        "AEREL",
        "Causality",
        rows.iter().map(|(_, a)| a.rel.as_ref()),
    );
    b.date(
        "ASTDT",
        "Analysis Start Date",
        rows.iter().map(|(_, a)| start(a)),
    );
    b.num(
        "ASTDY",
        "Analysis Start Relative Day",
        rows.iter().map(|(s, a)| study_day(start(a), s.trtsdt)),
    );
    b.date(
        "AENDT",
        "Analysis End Date",
        rows.iter()
            .map(|(_, a)| a.endtc.as_ref().and_then(|d| d.date())),
    );
    b.text(
        "TRTEMFL",
        "Treatment Emergent Analysis Flag",
        rows.iter()
            .map(|(s, a)| yes(matches!((start(a), s.trtsdt), (Some(d), Some(t)) if d >= t))),
    );
    b.finish("ADAE", "Adverse Events Analysis Dataset")
}
