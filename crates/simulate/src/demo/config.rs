//! The shape of a demo study: counts, arms, visits and the calibrated models.

use super::DemoError;

/// One arm of the demo study.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ArmConfig {
    /// ARMCD (`HIGH`).
    pub code: String,
    /// ARM (`hUC-MSC 1.5x10^6 cells/kg`).
    pub label: String,
    /// EXTRT (`hUC-MSC` or `SALINE`).
    pub treatment: String,
    /// EXDOSE: 10^6 cells per kg of body weight per infusion (0 for saline).
    pub dose: f64,
    /// Mean CD4 count as a multiple of the subject's own baseline at each
    /// scheduled visit after screening (WEEK 0 first, where it is 1).
    pub cd4_ratio: Vec<f64>,
    /// Standard deviation of a subject's multiplier of the arm's mean CD4
    /// response on the log scale (the multiplier is 1 on average): how
    /// evenly the arm responds.
    pub cd4_response_sd: f64,
    /// Share of the arm's subjects with at least one adverse event.
    pub any_ae: f64,
    /// Share of the arm's subjects with fever, fatigue or insomnia (a subset
    /// of those with any adverse event).
    pub common_ae: f64,
    /// Share of the arm's subjects lost to follow-up after WEEK 60.
    pub lost: f64,
}

/// One scheduled visit (a TV row).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VisitConfig {
    /// VISITNUM (a whole number; unscheduled visits add tenths).
    pub visitnum: u32,
    /// VISIT (`WEEK 4`).
    pub name: String,
    /// VISITDY, the planned study day (day 1 is the first infusion).
    pub day: i32,
    /// Whether an infusion is given at the visit.
    pub dosing: bool,
    /// Whether HIV-1 RNA is measured at the visit.
    pub virology: bool,
    /// Whether ALT and AST are measured at the visit.
    pub chemistry: bool,
    /// TVSTRL, the rule that starts the visit.
    pub rule: String,
}

/// A lab marker that is log-normal between subjects and has autocorrelated
/// log-normal noise from visit to visit within a subject.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MarkerModel {
    /// Median of the subjects' underlying levels among those screened.
    pub median: f64,
    /// Between-subject standard deviation of the log level.
    pub between_sd: f64,
    /// Within-subject standard deviation of the log value at a visit.
    pub within_sd: f64,
    /// Correlation of the within-subject noise at consecutive visits.
    pub autocorrelation: f64,
}

/// Why a screened subject was not eligible (drives both DSTERM and the
/// screening values that show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ineligibility {
    /// CD4 count at or above 250 cells/uL at screening.
    Cd4High,
    /// CD4 count at or below 50 cells/uL at screening.
    Cd4Low,
    /// HIV-1 RNA at or above 50 copies/mL at screening.
    ViralLoad,
    /// Less than 24 months on ART.
    ShortArt,
    /// An active opportunistic infection (exclusion criterion).
    OpportunisticInfection,
    /// Immunomodulators or steroids within 12 months (exclusion criterion).
    Immunomodulator,
}

impl Ineligibility {
    /// The DSTERM of the screen failure.
    pub fn term(self) -> &'static str {
        match self {
            Ineligibility::Cd4High => "CD4 count >= 250 cells/uL at screening",
            Ineligibility::Cd4Low => "CD4 count <= 50 cells/uL at screening",
            Ineligibility::ViralLoad => "HIV-1 RNA >= 50 copies/mL at screening",
            Ineligibility::ShortArt => "ART duration < 24 months",
            Ineligibility::OpportunisticInfection => {
                "Exclusion criterion: active opportunistic infection"
            }
            Ineligibility::Immunomodulator => {
                "Exclusion criterion: immunomodulator or steroid within 12 months"
            }
        }
    }
}

/// Everything that shapes a simulated demo study. Start from
/// [`DemoConfig::seed_trial`] or [`DemoConfig::scaled`] and change fields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DemoConfig {
    /// STUDYID.
    pub study_id: String,
    /// Subjects screened (DM rows).
    pub n_screened: usize,
    /// Screened subjects who failed eligibility (ARMCD `SCRNFAIL`).
    pub n_screen_failures: usize,
    /// Eligible subjects who declined before randomization (`NOTASSGN`).
    pub n_declined: usize,
    /// Number of sites; screened and randomized subjects are spread evenly.
    pub sites: usize,
    /// Arms in protocol order, allocated 1:1:...
    pub arms: Vec<ArmConfig>,
    /// Block sizes of the permuted-block list stratified by site
    /// (multiples of the number of arms).
    pub block_sizes: Vec<usize>,
    /// Scheduled visits, screening first, then WEEK 0 (first infusion).
    pub visits: Vec<VisitConfig>,
    /// The first possible informed consent date (ISO 8601, `2011-03-14`).
    pub first_consent: String,
    /// Consent dates at each site spread over this many days.
    pub enrolment_days: u32,
    /// CD4 count model (cells/uL) among the screened.
    pub cd4: MarkerModel,
    /// CD8 count model (cells/uL); flat over time.
    pub cd8: MarkerModel,
    /// Reasons for screen failure with their relative weights.
    pub screen_failure_mix: Vec<(Ineligibility, f64)>,
    /// The last visit lost subjects may attend is drawn uniformly among
    /// scheduled visits from this VISITNUM on, before the final visit.
    pub lost_from_visit: u32,
    /// Chance that a lab panel is not done at an attended post-baseline visit.
    pub panel_not_done: f64,
    /// Chance of an extra unscheduled lymphocyte panel after a scheduled
    /// post-baseline visit.
    pub unscheduled: f64,
    /// Share of randomized subjects with an adverse event that starts before
    /// the first dose (chosen among those with any adverse event).
    pub pre_dose_ae: f64,
}

/// Randomized subjects per screened subject in the seed trial (72 / 100).
const RANDOMIZED_SHARE: f64 = 0.72;
/// Screen failures per screened subject in the seed trial (26 / 100).
const SCREEN_FAIL_SHARE: f64 = 0.26;
/// Randomized subjects per site in the seed trial (72 over 4 sites).
const PER_SITE: usize = 18;

fn visit(
    visitnum: u32,
    week: Option<i32>,
    dosing: bool,
    virology: bool,
    chemistry: bool,
) -> VisitConfig {
    let (name, day, rule) = match week {
        None => (
            "SCREENING".to_string(),
            -28,
            "Informed consent; screening up to 28 days before the first infusion".to_string(),
        ),
        Some(w) => {
            let day = 7 * w + 1;
            let what = if dosing {
                "infusion"
            } else {
                "follow-up assessment"
            };
            let rule = if w == 0 {
                "Day 1 after randomization: baseline labs, then first infusion".to_string()
            } else {
                format!("Week {w} (day {day} +/- 3 days): {what}")
            };
            (format!("WEEK {w}"), day, rule)
        }
    };
    VisitConfig {
        visitnum,
        name,
        day,
        dosing,
        virology,
        chemistry,
        rule,
    }
}

fn arm(
    code: &str,
    label: &str,
    treatment: &str,
    dose: f64,
    cd4_ratio: &[f64],
    cd4_response_sd: f64,
    counts: [f64; 3],
) -> ArmConfig {
    const N: f64 = 24.0;
    ArmConfig {
        code: code.into(),
        label: label.into(),
        treatment: treatment.into(),
        dose,
        cd4_ratio: cd4_ratio.to_vec(),
        cd4_response_sd,
        any_ae: counts[0] / N,
        common_ae: counts[1] / N,
        lost: counts[2] / N,
    }
}

impl DemoConfig {
    /// The seed trial's shape: 100 screened at 4 sites, 26 screen failures,
    /// 2 who declined, 72 randomized 1:1:1 to HIGH / LOW / PLACEBO, six
    /// infusions to week 48, follow-up to week 96, 5 LOW and 4 PLACEBO
    /// subjects lost after week 60, adverse events in 12 / 8 / 11 subjects
    /// (fever, fatigue or insomnia in 6 / 3 / 5).
    ///
    /// The CD4 trajectories are multiples of each subject's baseline chosen
    /// so that the arm medians follow the paper (baseline ~180 cells/uL;
    /// HIGH ~230 at week 48 and ~250 at weeks 72-84; LOW ~190-230; PLACEBO
    /// flat early and ~220 at week 96).
    pub fn seed_trial() -> Self {
        let mut visits = vec![visit(1, None, false, true, true)];
        let weeks = [0, 4, 12, 24, 36, 48, 60, 72, 84, 96];
        for (i, &w) in weeks.iter().enumerate() {
            let virology = matches!(w, 0 | 48 | 96);
            let chemistry = matches!(w, 0 | 12 | 24 | 48 | 96);
            visits.push(visit(i as u32 + 2, Some(w), w <= 48, virology, chemistry));
        }
        //            W0    W4    W12   W24   W36   W48   W60   W72   W84   W96
        let high = [1.0, 1.10, 1.08, 1.10, 1.13, 1.26, 1.26, 1.38, 1.40, 1.28];
        let low = [1.0, 1.08, 1.16, 1.19, 1.25, 1.22, 1.30, 1.32, 1.34, 1.24];
        let placebo = [1.0, 1.01, 1.02, 1.03, 1.04, 1.06, 1.09, 1.12, 1.15, 1.24];
        DemoConfig {
            study_id: "RCT-DEMO-01".into(),
            n_screened: 100,
            n_screen_failures: 26,
            n_declined: 2,
            sites: 4,
            arms: vec![
                arm(
                    "HIGH",
                    "hUC-MSC 1.5x10^6 cells/kg",
                    "hUC-MSC",
                    1.5,
                    &high,
                    0.6,
                    [12.0, 6.0, 0.0],
                ),
                arm(
                    "LOW",
                    "hUC-MSC 0.5x10^6 cells/kg",
                    "hUC-MSC",
                    0.5,
                    &low,
                    0.05,
                    [8.0, 3.0, 5.0],
                ),
                arm(
                    "PLACEBO",
                    "Placebo (saline)",
                    "SALINE",
                    0.0,
                    &placebo,
                    0.5,
                    [11.0, 5.0, 4.0],
                ),
            ],
            block_sizes: vec![3, 6],
            visits,
            first_consent: "2011-03-14".into(),
            enrolment_days: 300,
            cd4: MarkerModel {
                median: 215.0,
                between_sd: 0.33,
                within_sd: 0.20,
                autocorrelation: 0.3,
            },
            cd8: MarkerModel {
                median: 640.0,
                between_sd: 0.38,
                within_sd: 0.12,
                autocorrelation: 0.5,
            },
            screen_failure_mix: vec![
                (Ineligibility::Cd4High, 10.0),
                (Ineligibility::Cd4Low, 3.0),
                (Ineligibility::ViralLoad, 6.0),
                (Ineligibility::ShortArt, 4.0),
                (Ineligibility::OpportunisticInfection, 2.0),
                (Ineligibility::Immunomodulator, 1.0),
            ],
            lost_from_visit: 8,
            panel_not_done: 0.02,
            unscheduled: 0.02,
            pre_dose_ae: 2.0 / 72.0,
        }
    }

    /// The seed trial's shape for `n_randomized` randomized subjects:
    /// `round(n / 0.72)` screened, 26% of them screen failures, the rest
    /// declining; one site per 18 randomized subjects (at least 4, so
    /// `scaled(72)` is the seed trial); the same arm shares of adverse
    /// events and losses, rounded per arm.
    pub fn scaled(n_randomized: usize) -> Self {
        let mut c = DemoConfig::seed_trial();
        let screened = (n_randomized as f64 / RANDOMIZED_SHARE).round() as usize;
        let screened = screened.max(n_randomized);
        let failures =
            ((screened as f64 * SCREEN_FAIL_SHARE).round() as usize).min(screened - n_randomized);
        c.n_screened = screened;
        c.n_screen_failures = failures;
        c.n_declined = screened - n_randomized - failures;
        c.sites = n_randomized.div_ceil(PER_SITE).max(4);
        c
    }

    /// Randomized subjects: screened minus screen failures and decliners.
    pub fn n_randomized(&self) -> usize {
        self.n_screened
            .saturating_sub(self.n_screen_failures + self.n_declined)
    }

    /// Checks that the configuration describes a study that can be
    /// simulated.
    ///
    /// # Errors
    /// [`DemoError::Config`] naming the field and the problem.
    pub fn validate(&self) -> Result<(), DemoError> {
        let bad = |field: &str, problem: String| {
            Err(DemoError::Config {
                field: field.to_string(),
                problem,
            })
        };
        if self.study_id.is_empty() || self.study_id.len() > 40 {
            return bad("study_id", "must have 1 to 40 characters".into());
        }
        if self.n_screen_failures + self.n_declined > self.n_screened {
            return bad(
                "n_screened",
                format!(
                    "{} screened cannot hold {} screen failures and {} decliners",
                    self.n_screened, self.n_screen_failures, self.n_declined
                ),
            );
        }
        if self.n_screened > u32::MAX as usize / 2 {
            return bad("n_screened", "is too large".into());
        }
        if self.sites == 0 || self.sites > self.n_screened.max(1) {
            return bad(
                "sites",
                format!(
                    "{} sites for {} screened subjects",
                    self.sites, self.n_screened
                ),
            );
        }
        if self.arms.len() < 2 {
            return bad("arms", "at least two arms are needed".into());
        }
        if self.arms.len() > 26 {
            return bad("arms", "at most 26 arms".into());
        }
        let n_sched = self.visits.len().saturating_sub(1);
        for (i, a) in self.arms.iter().enumerate() {
            let field = format!("arms[{i}]");
            if a.code.is_empty() || a.label.is_empty() || a.treatment.is_empty() {
                return bad(&field, "code, label and treatment must not be empty".into());
            }
            if matches!(a.code.as_str(), "SCRNFAIL" | "NOTASSGN" | "NOTTRT") {
                return bad(&field, format!("`{}` is a reserved ARMCD", a.code));
            }
            if !(a.dose.is_finite() && a.dose >= 0.0) {
                return bad(&field, format!("dose {} must be finite and >= 0", a.dose));
            }
            if a.cd4_ratio.len() != n_sched {
                return bad(
                    &field,
                    format!(
                        "cd4_ratio has {} values for {n_sched} visits after screening",
                        a.cd4_ratio.len()
                    ),
                );
            }
            if !(a.cd4_response_sd.is_finite() && (0.0..3.0).contains(&a.cd4_response_sd)) {
                return bad(&field, "cd4_response_sd must be in [0, 3)".into());
            }
            if a.cd4_ratio.iter().any(|r| !(r.is_finite() && *r > 0.0)) {
                return bad(&field, "cd4_ratio values must be finite and > 0".into());
            }
            for (name, p) in [
                ("any_ae", a.any_ae),
                ("common_ae", a.common_ae),
                ("lost", a.lost),
            ] {
                if !(0.0..=1.0).contains(&p) {
                    return bad(&field, format!("`{name}` = {p} must be in [0, 1]"));
                }
            }
            if a.common_ae > a.any_ae {
                return bad(&field, "`common_ae` cannot exceed `any_ae`".into());
            }
            if self.arms[..i].iter().any(|b| b.code == a.code) {
                return bad(&field, format!("ARMCD `{}` is repeated", a.code));
            }
        }
        let k = self.arms.len();
        if self.block_sizes.is_empty() || self.block_sizes.iter().any(|b| *b == 0 || b % k != 0) {
            return bad(
                "block_sizes",
                format!("need one or more positive multiples of {k} (the number of arms)"),
            );
        }
        if self.visits.len() < 3 {
            return bad("visits", "need screening, WEEK 0 and a later visit".into());
        }
        for (i, v) in self.visits.iter().enumerate() {
            if v.visitnum as usize != i + 1 {
                return bad(
                    "visits",
                    format!(
                        "visit {} has VISITNUM {}; expected {}",
                        v.name,
                        v.visitnum,
                        i + 1
                    ),
                );
            }
            if i > 0 && v.day <= self.visits[i - 1].day {
                return bad("visits", format!("VISITDY of {} does not increase", v.name));
            }
            // Visits move by up to 3 days and unscheduled visits fall up
            // to 18 days after a scheduled one, before the next.
            if i > 1 && v.day - self.visits[i - 1].day < 28 {
                return bad(
                    "visits",
                    format!("{} is less than 28 days after the previous visit", v.name),
                );
            }
        }
        if self.visits.get(1).map(|v| (v.day, v.dosing)) != Some((1, true)) {
            return bad(
                "visits",
                "the second visit must be day 1 with the first infusion".into(),
            );
        }
        if self.visits.first().map(|v| v.day >= 0 || v.dosing) != Some(false) {
            return bad(
                "visits",
                "screening must come before day 1 without dosing".into(),
            );
        }
        let last = self.visits.len() as u32;
        if self.lost_from_visit < 3 || self.lost_from_visit >= last {
            return bad(
                "lost_from_visit",
                format!("must be a VISITNUM from 3 to {}", last - 1),
            );
        }
        if rct_cdisc::from_iso(&self.first_consent, rct_cdisc::Temporal::Date).is_none() {
            return bad(
                "first_consent",
                format!("`{}` is not an ISO 8601 date", self.first_consent),
            );
        }
        for (name, m) in [("cd4", &self.cd4), ("cd8", &self.cd8)] {
            let ok = m.median.is_finite()
                && m.median > 0.0
                && [m.between_sd, m.within_sd]
                    .iter()
                    .all(|s| s.is_finite() && *s >= 0.0 && *s < 3.0)
                && (0.0..1.0).contains(&m.autocorrelation);
            if !ok {
                return bad(
                    name,
                    "median must be > 0, SDs in [0, 3), autocorrelation in [0, 1)".into(),
                );
            }
        }
        if self.n_screen_failures > 0
            && !self
                .screen_failure_mix
                .iter()
                .any(|(_, w)| w.is_finite() && *w > 0.0)
        {
            return bad(
                "screen_failure_mix",
                "needs a positive weight when there are screen failures".into(),
            );
        }
        if self
            .screen_failure_mix
            .iter()
            .any(|(_, w)| !(w.is_finite() && *w >= 0.0))
        {
            return bad(
                "screen_failure_mix",
                "weights must be finite and >= 0".into(),
            );
        }
        for (name, p) in [
            ("panel_not_done", self.panel_not_done),
            ("unscheduled", self.unscheduled),
            ("pre_dose_ae", self.pre_dose_ae),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return bad(name, format!("{p} must be in [0, 1]"));
            }
        }
        Ok(())
    }
}
