//! ADaM derivations from typed SDTM: ADSL, ADLB, ADTTE and ADAE.
//!
//! The rules are configurable ([`AdamConfig`]); [`AdamConfig::seed_trial`]
//! gives the seed trial's (the rct study data contract). Each derivation
//! returns a [`Dataset`] with the contract's variable names, labels, types
//! and formats (`DATE9.` for dates), so that it can be written with any
//! codec.
//!
//! Rules that the contract leaves open, decided here:
//!
//! - Randomized (`RANDFL`, `ITTFL`) means the planned arm (`ARMCD`) is one
//!   of the configured arms; `TRT01PN`/`TRT01AN` are positions in that list
//!   (1-based).
//! - The baseline record of a subject and test is the one flagged
//!   `--BLFL = "Y"`; without a flag, the latest (by date, then `--SEQ`)
//!   record with a result at the baseline visit. ADSL's baseline columns and
//!   ADLB's `ABLFL` use the same record.
//! - A lab record whose VISITNUM is not a planned visit (fractional or not)
//!   is kept with `AVISIT = "UNSCHEDULED"` and missing `AVISITN`; records
//!   without a result (`LBSTAT = "NOT DONE"`) are left out, so that LOCF
//!   fills their visit. When a planned visit has several records, the
//!   latest carries `ANL01FL`.
//! - LOCF and ADTTE use scheduled records only (`ANL01FL = "Y"`), never
//!   unscheduled ones; ADTTE never uses LOCF records.
//! - Partial dates (`2014-03`) are not imputed: the analysis date is
//!   missing.
//! - Exposure (TRTSDT, TRTEDT, NINFUS, SAFFL) comes from EX: the first
//!   EXSTDTC, the last EXENDTC (EXSTDTC when it has none), the number of EX
//!   records; without an EX domain, from DM's RFSTDTC and RFENDTC.
//! - EOSSTT is `SCREEN FAILURE` (DS `SCREEN FAILURE` or ARMCD `SCRNFAIL`),
//!   `NOT RANDOMIZED`, `COMPLETED`, `DISCONTINUED`, or `ONGOING` for a
//!   randomized subject without a disposition event yet. DCSDT is the
//!   disposition date of all but completers.
//! - ADTTE's origin (STARTDT) is TRTSDT, else the DS `RANDOMIZED` date; a
//!   subject without a post-baseline assessment is censored at the origin
//!   (AVAL 0).

mod adae;
mod adlb;
mod adsl;
mod adtte;
mod build;

use crate::error::CdiscError;
use crate::model::Dataset;
use crate::sdtm::{Sdtm, Tv};

/// What can go wrong deriving ADaM datasets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdamError {
    /// A derivation needs an SDTM domain the study lacks.
    #[error("{dataset} needs the {domain} domain, which the study lacks")]
    MissingDomain {
        /// The domain (`LB`).
        domain: &'static str,
        /// The dataset being derived (`ADLB`).
        dataset: &'static str,
    },
    /// The configuration breaks a rule.
    #[error("invalid ADaM configuration: {problem}")]
    Config {
        /// What is wrong.
        problem: String,
    },
    /// A SUPPDM qualifier would become an ADSL column that already exists.
    #[error(
        "SUPPDM, variable `QNAM`: qualifier {qnam:?} has the name of an ADSL variable; rename it"
    )]
    NameClash {
        /// The qualifier.
        qnam: String,
    },
    /// The derived dataset breaks a rule of the dataset model.
    #[error(transparent)]
    Dataset(#[from] CdiscError),
}

/// A laboratory parameter of ADLB (and its baseline columns in ADSL).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LabParam {
    /// The LBTESTCD, which becomes PARAMCD.
    pub testcd: String,
    /// PARAM, with its unit: `CD4 Lymphocytes (cells/uL)`.
    pub param: String,
    /// The numeric ADSL column for the baseline value (`CD4BL`), if any.
    pub baseline_var: Option<String>,
    /// The character ADSL column for the baseline result as text
    /// (`HIVRNBLC`, holding e.g. `<20`), if any.
    pub baseline_text_var: Option<String>,
}

impl LabParam {
    /// A parameter without ADSL baseline columns.
    pub fn new(testcd: impl Into<String>, param: impl Into<String>) -> Self {
        LabParam {
            testcd: testcd.into(),
            param: param.into(),
            baseline_var: None,
            baseline_text_var: None,
        }
    }

    /// Adds the numeric ADSL baseline column.
    #[must_use]
    pub fn with_baseline_var(mut self, name: impl Into<String>) -> Self {
        self.baseline_var = Some(name.into());
        self
    }

    /// Adds the character ADSL baseline column.
    #[must_use]
    pub fn with_baseline_text_var(mut self, name: impl Into<String>) -> Self {
        self.baseline_text_var = Some(name.into());
        self
    }
}

/// When a post-baseline assessment counts as a response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResponseRule {
    /// Percent change from baseline strictly above the value (`PCHG > 30`).
    PctChangeAbove(f64),
    /// Change from baseline strictly above the value (`CHG > 100`).
    ChangeAbove(f64),
}

/// A time-to-response parameter of ADTTE.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResponseDef {
    /// PARAMCD (`RESP30`).
    pub paramcd: String,
    /// PARAM.
    pub param: String,
    /// The lab test the rule reads (a [`LabParam::testcd`]).
    pub testcd: String,
    /// The rule.
    pub rule: ResponseRule,
}

impl ResponseDef {
    /// A response parameter.
    pub fn new(
        paramcd: impl Into<String>,
        param: impl Into<String>,
        testcd: impl Into<String>,
        rule: ResponseRule,
    ) -> Self {
        ResponseDef {
            paramcd: paramcd.into(),
            param: param.into(),
            testcd: testcd.into(),
            rule,
        }
    }
}

/// A planned visit as ADaM shows it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PlannedVisit {
    /// The SDTM VISITNUM.
    pub visitnum: f64,
    /// AVISIT (`WEEK 4`).
    pub avisit: String,
    /// AVISITN (the week: 4).
    pub avisitn: f64,
}

impl PlannedVisit {
    /// A planned visit.
    pub fn new(visitnum: f64, avisit: impl Into<String>, avisitn: f64) -> Self {
        PlannedVisit {
            visitnum,
            avisit: avisit.into(),
            avisitn,
        }
    }

    /// The planned visits of TV that have a planned study day (VISITDY):
    /// AVISIT is VISIT and AVISITN the week of the day
    /// ([`PlannedVisit::week_of_day`]). Visits without a day (follow-up on
    /// demand) are not planned analysis visits.
    pub fn from_tv(tv: &[Tv<'_>]) -> Vec<PlannedVisit> {
        tv.iter()
            .filter_map(|t| {
                let day = t.visitdy?;
                Some(PlannedVisit::new(
                    t.visitnum,
                    t.visit.clone(),
                    Self::week_of_day(day),
                ))
            })
            .collect()
    }

    /// The study week of a study day: `(day - 1) / 7` from day 1 (day 1 is
    /// week 0, day 29 week 4) and `day / 7` before it (there is no day 0,
    /// so day -28 is week -4).
    ///
    /// # Example
    /// ```
    /// use rct_cdisc::adam::PlannedVisit;
    /// assert_eq!(PlannedVisit::week_of_day(85.0), 12.0);
    /// assert_eq!(PlannedVisit::week_of_day(-28.0), -4.0);
    /// ```
    pub fn week_of_day(day: f64) -> f64 {
        if day >= 1.0 {
            (day - 1.0) / 7.0
        } else {
            day / 7.0
        }
    }
}

/// Where the planned visits come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Visits {
    /// From the study's TV domain ([`PlannedVisit::from_tv`]).
    FromTv,
    /// As listed.
    Planned(Vec<PlannedVisit>),
}

/// The rules of the derivations.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AdamConfig {
    /// The randomized arms as (ARMCD, treatment label); the order gives
    /// TRT01PN (1, 2, ...). Subjects of any other ARMCD are not randomized.
    pub arms: Vec<(String, String)>,
    /// The VISITNUM of the baseline visit.
    pub baseline_visitnum: f64,
    /// The planned visits.
    pub visits: Visits,
    /// The ADLB parameters (their order gives PARAMN).
    pub lab_params: Vec<LabParam>,
    /// Whether ADLB gets LOCF records (DTYPE = "LOCF").
    pub locf: bool,
    /// The ADTTE parameters.
    pub responses: Vec<ResponseDef>,
}

impl AdamConfig {
    /// The seed trial's rules (see the rct study data contract): arms HIGH,
    /// LOW, PLACEBO; baseline WEEK 0 (VISITNUM 2); visits SCREENING to
    /// WEEK 96; labs CD4, CD8, CD4CD8, HIV1RNA, ALT, AST; LOCF on; RESP30
    /// (CD4 PCHG > 30) and RESP100 (CD4 CHG > 100).
    pub fn seed_trial() -> Self {
        let visits = [
            (1.0, "SCREENING", -28.0),
            (2.0, "WEEK 0", 1.0),
            (3.0, "WEEK 4", 29.0),
            (4.0, "WEEK 12", 85.0),
            (5.0, "WEEK 24", 169.0),
            (6.0, "WEEK 36", 253.0),
            (7.0, "WEEK 48", 337.0),
            (8.0, "WEEK 60", 421.0),
            (9.0, "WEEK 72", 505.0),
            (10.0, "WEEK 84", 589.0),
            (11.0, "WEEK 96", 673.0),
        ]
        .into_iter()
        .map(|(n, name, day)| PlannedVisit::new(n, name, PlannedVisit::week_of_day(day)))
        .collect();
        AdamConfig {
            arms: vec![
                ("HIGH".into(), "hUC-MSC 1.5x10^6 cells/kg".into()),
                ("LOW".into(), "hUC-MSC 0.5x10^6 cells/kg".into()),
                ("PLACEBO".into(), "Placebo (saline)".into()),
            ],
            baseline_visitnum: 2.0,
            visits: Visits::Planned(visits),
            lab_params: vec![
                LabParam::new("CD4", "CD4 Lymphocytes (cells/uL)").with_baseline_var("CD4BL"),
                LabParam::new("CD8", "CD8 Lymphocytes (cells/uL)").with_baseline_var("CD8BL"),
                LabParam::new("CD4CD8", "CD4/CD8 Ratio").with_baseline_var("CD4CD8BL"),
                LabParam::new("HIV1RNA", "HIV-1 RNA (copies/mL)")
                    .with_baseline_var("HIVRNABL")
                    .with_baseline_text_var("HIVRNBLC"),
                LabParam::new("ALT", "Alanine Aminotransferase (U/L)"),
                LabParam::new("AST", "Aspartate Aminotransferase (U/L)"),
            ],
            locf: true,
            responses: vec![
                ResponseDef::new(
                    "RESP30",
                    "Time to CD4 Increase > 30% from Baseline (days)",
                    "CD4",
                    ResponseRule::PctChangeAbove(30.0),
                ),
                ResponseDef::new(
                    "RESP100",
                    "Time to CD4 Increase > 100 cells/uL from Baseline (days)",
                    "CD4",
                    ResponseRule::ChangeAbove(100.0),
                ),
            ],
        }
    }

    /// A configuration with the given arms and otherwise no parameters:
    /// baseline VISITNUM `baseline_visitnum`, visits from TV, no lab
    /// parameters, no LOCF, no responses (e.g. for ADSL of another study).
    pub fn with_arms(arms: Vec<(String, String)>, baseline_visitnum: f64) -> Self {
        AdamConfig {
            arms,
            baseline_visitnum,
            visits: Visits::FromTv,
            lab_params: Vec::new(),
            locf: false,
            responses: Vec::new(),
        }
    }

    /// Checks the configuration and resolves the planned visits.
    fn planned_visits(&self, sdtm: &Sdtm<'_>) -> Result<Vec<PlannedVisit>, AdamError> {
        let bad = |problem: String| Err(AdamError::Config { problem });
        if self.arms.is_empty() {
            return bad("no arms are configured".into());
        }
        for (i, (code, _)) in self.arms.iter().enumerate() {
            if self.arms[..i].iter().any(|(c, _)| c == code) {
                return bad(format!("arm {code:?} is listed twice"));
            }
        }
        for (i, lp) in self.lab_params.iter().enumerate() {
            if self.lab_params[..i].iter().any(|l| l.testcd == lp.testcd) {
                return bad(format!("lab parameter {:?} is listed twice", lp.testcd));
            }
        }
        for r in &self.responses {
            if !self.lab_params.iter().any(|l| l.testcd == r.testcd) {
                return bad(format!(
                    "response {:?} reads test {:?}, which is not a lab parameter",
                    r.paramcd, r.testcd
                ));
            }
        }
        let mut visits = match &self.visits {
            Visits::Planned(v) => v.clone(),
            Visits::FromTv => match &sdtm.tv {
                Some(tv) => PlannedVisit::from_tv(tv),
                None => {
                    return Err(AdamError::MissingDomain {
                        domain: "TV",
                        dataset: "the planned visits (AdamConfig::visits = FromTv)",
                    })
                }
            },
        };
        visits.sort_by(|a, b| a.visitnum.total_cmp(&b.visitnum));
        if !visits.iter().any(|v| v.visitnum == self.baseline_visitnum) {
            return bad(format!(
                "the baseline VISITNUM {} is not a planned visit",
                self.baseline_visitnum
            ));
        }
        Ok(visits)
    }
}

/// The four ADaM datasets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Adam {
    /// ADSL.
    pub adsl: Dataset,
    /// ADLB.
    pub adlb: Dataset,
    /// ADTTE.
    pub adtte: Dataset,
    /// ADAE.
    pub adae: Dataset,
}

/// Derives ADSL: one row per DM subject, screen failures included.
///
/// # Errors
/// [`AdamError::MissingDomain`] without DS; [`AdamError::Config`] for a
/// configuration that breaks a rule; [`AdamError::NameClash`] for a SUPPDM
/// qualifier named like an ADSL variable.
pub fn derive_adsl(sdtm: &Sdtm<'_>, config: &AdamConfig) -> Result<Dataset, AdamError> {
    let visits = config.planned_visits(sdtm)?;
    let subjects = adsl::subjects(sdtm, config, &visits)?;
    adsl::dataset(sdtm, config, &subjects)
}

/// Derives ADLB: one row per randomized subject, parameter and analysis
/// visit, with LOCF records when configured.
///
/// # Errors
/// As [`derive_adsl`], and [`AdamError::MissingDomain`] without LB.
pub fn derive_adlb(sdtm: &Sdtm<'_>, config: &AdamConfig) -> Result<Dataset, AdamError> {
    let visits = config.planned_visits(sdtm)?;
    let subjects = adsl::subjects(sdtm, config, &visits)?;
    let rows = adlb::rows(sdtm, config, &visits, &subjects)?;
    adlb::dataset(config, &subjects, &rows)
}

/// Derives ADTTE: one row per randomized subject and response parameter.
///
/// # Errors
/// As [`derive_adlb`].
pub fn derive_adtte(sdtm: &Sdtm<'_>, config: &AdamConfig) -> Result<Dataset, AdamError> {
    let visits = config.planned_visits(sdtm)?;
    let subjects = adsl::subjects(sdtm, config, &visits)?;
    let rows = adlb::rows(sdtm, config, &visits, &subjects)?;
    adtte::dataset(config, &subjects, &rows)
}

/// Derives ADAE: one row per AE record of a randomized subject.
///
/// # Errors
/// As [`derive_adsl`], and [`AdamError::MissingDomain`] without AE.
pub fn derive_adae(sdtm: &Sdtm<'_>, config: &AdamConfig) -> Result<Dataset, AdamError> {
    let visits = config.planned_visits(sdtm)?;
    let subjects = adsl::subjects(sdtm, config, &visits)?;
    adae::dataset(sdtm, &subjects)
}

/// Derives all four datasets (sharing the subject-level work).
///
/// # Errors
/// As the four derivations.
pub fn derive_all(sdtm: &Sdtm<'_>, config: &AdamConfig) -> Result<Adam, AdamError> {
    let visits = config.planned_visits(sdtm)?;
    let subjects = adsl::subjects(sdtm, config, &visits)?;
    let rows = adlb::rows(sdtm, config, &visits, &subjects)?;
    Ok(Adam {
        adsl: adsl::dataset(sdtm, config, &subjects)?,
        adlb: adlb::dataset(config, &subjects, &rows)?,
        adtte: adtte::dataset(config, &subjects, &rows)?,
        adae: adae::dataset(sdtm, &subjects)?,
    })
}
