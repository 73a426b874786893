//! The statistical analysis plan: a documented TOML file.
//!
//! [`Plan::default_plan`] is the seed trial's analysis
//! (`crates/analysis/plans/default.toml`, printed by `rct plan show`);
//! [`Plan::from_toml`] reads a user's plan and rejects unknown keys, so a
//! misspelt option is an error rather than silently ignored.

use serde::{Deserialize, Serialize};

use crate::AnalysisError;

/// The default plan's text (the seed trial).
pub const DEFAULT_PLAN: &str = include_str!("../plans/default.toml");
/// The example plan for the CDISC pilot study (CDISCPILOT01).
pub const CDISC_PILOT_PLAN: &str = include_str!("../plans/cdisc-pilot.toml");

/// A whole analysis plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Study-level settings.
    pub study: StudySection,
    /// Arms, in protocol order.
    pub arms: Arms,
    /// Analysis populations by name.
    pub populations: std::collections::BTreeMap<String, Population>,
    /// Numerical conventions.
    #[serde(default)]
    pub options: Options,
    /// The CONSORT flow diagram.
    #[serde(default)]
    pub consort: Option<Consort>,
    /// Table 1: baseline characteristics.
    #[serde(default)]
    pub baseline: Option<Baseline>,
    /// Repeated measures by arm and visit.
    #[serde(default)]
    pub longitudinal: Vec<Longitudinal>,
    /// Time-to-event analyses.
    #[serde(default)]
    pub time_to_event: Vec<TimeToEvent>,
    /// Adverse events and laboratory safety.
    #[serde(default)]
    pub safety: Option<Safety>,
    /// Data listings (records shown one per row).
    #[serde(default)]
    pub listing: Vec<Listing>,
}

/// A data listing: the records of a dataset that meet a condition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// Dataset.
    pub dataset: String,
    /// Title.
    pub title: String,
    /// Population name.
    pub population: String,
    /// Keep records whose `variable` equals `equals` (trimmed text).
    #[serde(default)]
    pub filter: Option<Filter>,
    /// Columns shown after the arm, in order.
    pub variables: Vec<String>,
}

/// A record filter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Variable.
    pub variable: String,
    /// Value kept.
    pub equals: String,
}

/// Study-level settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySection {
    /// Report title; `{studyid}` is replaced by ADSL's STUDYID.
    pub title: String,
}

/// The arms and where they are recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arms {
    /// ADSL variable holding the planned arm.
    pub variable: String,
    /// ADSL variable holding the actual arm (safety analyses); defaults to `variable`.
    #[serde(default)]
    pub actual_variable: Option<String>,
    /// Values of `variable`, in protocol order.
    pub values: Vec<String>,
    /// Display labels (same length as `values`).
    pub labels: Vec<String>,
    /// Optional second header line per arm.
    #[serde(default)]
    pub descriptions: Vec<String>,
    /// The control arm's value (reference level of model contrasts).
    pub reference: String,
}

/// A population: ADSL subjects whose `flag` equals "Y".
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// ADSL flag variable.
    pub flag: String,
    /// Label used in table headers and footnotes.
    pub label: String,
}

/// Numerical conventions, each stated in the footnotes it affects.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// Hyndman-Fan quantile type (1-9); 2 is the SAS default.
    pub quantile_type: u8,
    /// Significance level.
    pub alpha: f64,
    /// Fisher's exact test replaces chi-square when an expected count is below this.
    pub fisher_below_expected: f64,
    /// Multiplicity adjustment of pairwise comparisons (R's p.adjust names).
    pub pairwise_adjust: String,
    /// Confidence level of intervals.
    pub conf_level: f64,
    /// Kaplan-Meier confidence interval transform: "log-log" (SAS PROC
    /// LIFETEST default), "log" (R survfit default) or "plain".
    pub km_conf_type: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            quantile_type: 2,
            alpha: 0.05,
            fisher_below_expected: 5.0,
            pairwise_adjust: "bonferroni".into(),
            conf_level: 0.95,
            km_conf_type: "log-log".into(),
        }
    }
}

/// Where the CONSORT counts come from (ADSL variables).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consort {
    /// Draw it.
    pub enabled: bool,
    /// Randomized flag (Y/N).
    pub randomized_flag: String,
    /// Screen-failure flag (Y/N); optional.
    #[serde(default)]
    pub screen_fail_flag: Option<String>,
    /// Received at least one dose (Y/N).
    pub treated_flag: String,
    /// Included in the primary analysis (Y/N).
    pub analysed_flag: String,
    /// End-of-study status (e.g. COMPLETED, DISCONTINUED).
    pub status: String,
    /// Reason for discontinuation or exclusion.
    pub reason: String,
}

/// Table 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Dataset (usually ADSL).
    pub dataset: String,
    /// Population name (a key of `[populations]`).
    pub population: String,
    /// Rows, in order.
    pub variables: Vec<BaselineVariable>,
}

/// One characteristic of Table 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineVariable {
    /// Variable name.
    pub variable: String,
    /// Row label.
    pub label: String,
    /// Continuous (median (Q1, Q3), Kruskal-Wallis) or categorical (n (%), chi-square/Fisher).
    pub kind: VariableKind,
    /// Decimals of medians and quartiles.
    #[serde(default)]
    pub decimals: Option<u8>,
    /// Category order (categorical); others follow in sorted order.
    #[serde(default)]
    pub levels: Vec<String>,
    /// Display labels of `levels` (or of the `breaks` bins).
    #[serde(default)]
    pub level_labels: Vec<String>,
    /// Cut points that turn a numeric variable into categories: bin i holds
    /// `breaks[i-1] <= x < breaks[i]`; `level_labels` names the bins.
    #[serde(default)]
    pub breaks: Vec<f64>,
    /// With `breaks`: the category that holds missing values (e.g. "< 20,
    /// below quantification"), shown first, instead of a Missing row.
    #[serde(default)]
    pub missing_label: Option<String>,
}

/// Kind of a baseline variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// Numeric: median (Q1, Q3) and Kruskal-Wallis.
    Continuous,
    /// Categories: n (%) and chi-square or Fisher.
    Categorical,
}

/// Repeated measures of one parameter (a BDS dataset).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Longitudinal {
    /// Dataset (e.g. ADLB).
    pub dataset: String,
    /// PARAMCD analysed.
    pub paramcd: String,
    /// Display name, e.g. "CD4 count".
    pub label: String,
    /// Unit shown in headings and axis labels.
    #[serde(default)]
    pub unit: String,
    /// Decimals of medians and quartiles.
    #[serde(default)]
    pub decimals: u8,
    /// Population name.
    pub population: String,
    /// AVISITN values analysed; the first is the baseline.
    pub visits: Vec<f64>,
    /// Use LOCF-imputed records (DTYPE = "LOCF") in the primary analysis.
    #[serde(default)]
    pub locf: bool,
    /// Run the hypothesis tests (Friedman, Wilcoxon, Nemenyi, Kruskal-Wallis).
    #[serde(default = "yes")]
    pub tests: bool,
    /// Repeat the analysis on the change from baseline (CHG).
    #[serde(default)]
    pub change: bool,
    /// Sensitivity analysis on observed cases only.
    #[serde(default)]
    pub observed_cases: bool,
    /// Sensitivity analysis: MMRM of the change from baseline (observed cases).
    #[serde(default)]
    pub mmrm: bool,
    /// GEE of the whole course (arm, visit, arm x visit).
    #[serde(default)]
    pub gee: bool,
    /// Draw medians with IQR bars by arm over visits.
    #[serde(default)]
    pub figure: bool,
    /// Add generalized score tests (SAS Type 3) beside the GEE's Wald
    /// tests; each refits the model without the term.
    #[serde(default = "yes")]
    pub score_tests: bool,
}

fn yes() -> bool {
    true
}

/// One time-to-event analysis (an ADTTE parameter).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeToEvent {
    /// Dataset (e.g. ADTTE).
    pub dataset: String,
    /// PARAMCD analysed.
    pub paramcd: String,
    /// Display name.
    pub label: String,
    /// Population name.
    pub population: String,
    /// AVAL is divided by this for display (7 turns days into weeks).
    #[serde(default = "one")]
    pub time_divisor: f64,
    /// Displayed time unit.
    #[serde(default = "days")]
    pub time_unit: String,
    /// `incidence` draws 1 - S(t), `survival` draws S(t).
    #[serde(default)]
    pub display: Display,
    /// Times (displayed unit) for the numbers at risk.
    #[serde(default)]
    pub risk_times: Vec<f64>,
    /// When to run the two-stage test for crossing hazards on a pair of
    /// arms: `true` / `"always"`, `false` / `"never"`, or
    /// `"when_crossing"` (only for pairs whose Kaplan-Meier curves cross,
    /// as the seed paper uses it: log-rank for parallel hazards, the
    /// two-stage procedure for crossing ones).
    #[serde(default)]
    pub two_stage: TwoStage,
    /// Bootstrap replicates of the two-stage test.
    #[serde(default = "thousand")]
    pub two_stage_nboot: usize,
    /// Seed of the two-stage bootstrap.
    #[serde(default)]
    pub seed: u64,
}

fn one() -> f64 {
    1.0
}
fn days() -> String {
    "days".into()
}
fn thousand() -> usize {
    1000
}

/// How a time-to-event curve is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Display {
    /// Cumulative incidence 1 - S(t) (time to response).
    #[default]
    Incidence,
    /// Survival S(t).
    Survival,
}

/// Adverse events and laboratory safety.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Safety {
    /// Dataset (e.g. ADAE).
    pub dataset: String,
    /// Population name.
    pub population: String,
    /// Records count only when this flag is "Y" (e.g. TRTEMFL); none = all.
    #[serde(default)]
    pub flag: Option<String>,
    /// Body system variable.
    pub body_system: String,
    /// Preferred term variable.
    pub term: String,
    /// Numeric toxicity grade variable; optional.
    #[serde(default)]
    pub grade: Option<String>,
    /// Serious flag variable (Y/N); optional.
    #[serde(default)]
    pub serious: Option<String>,
    /// Named groups of preferred terms.
    #[serde(default)]
    pub groups: Vec<TermGroup>,
    /// Post-baseline laboratory thresholds (ADLB observed records).
    #[serde(default)]
    pub lab_thresholds: Vec<LabThreshold>,
    /// Dataset of the laboratory thresholds.
    #[serde(default = "adlb")]
    pub lab_dataset: String,
}

fn adlb() -> String {
    "ADLB".into()
}

/// Preferred terms counted together.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermGroup {
    /// Row label.
    pub label: String,
    /// Preferred terms (case-insensitive).
    pub terms: Vec<String>,
}

/// A post-baseline laboratory threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabThreshold {
    /// PARAMCD.
    pub paramcd: String,
    /// Row label.
    pub label: String,
    /// Flag AVAL >= this value.
    #[serde(default)]
    pub at_least: Option<f64>,
    /// Flag AVAL > this multiple of ANRHI.
    #[serde(default)]
    pub uln_multiple: Option<f64>,
}

impl Plan {
    /// The seed trial's plan.
    ///
    /// # Errors
    /// Never in a released build (the bundled file is tested); typed for safety.
    pub fn default_plan() -> Result<Plan, AnalysisError> {
        Plan::from_toml(DEFAULT_PLAN, "default plan")
    }

    /// Parses and checks a plan. `origin` names it in errors (e.g. the file path).
    ///
    /// # Errors
    /// [`AnalysisError::Plan`] for TOML syntax, unknown keys, or
    /// inconsistent settings (labels not matching arms, unknown
    /// populations, a reference that is not an arm, no visits...).
    pub fn from_toml(text: &str, origin: &str) -> Result<Plan, AnalysisError> {
        let plan: Plan = toml::from_str(text).map_err(|e| AnalysisError::Plan {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        plan.check(origin)?;
        Ok(plan)
    }

    fn check(&self, origin: &str) -> Result<(), AnalysisError> {
        let bad = |message: String| AnalysisError::Plan {
            origin: origin.to_string(),
            message,
        };
        let arms = &self.arms;
        if arms.values.len() < 2 {
            return Err(bad("[arms] values: at least two arms are needed".into()));
        }
        if arms.labels.len() != arms.values.len() {
            return Err(bad(format!(
                "[arms] labels: {} labels for {} arms",
                arms.labels.len(),
                arms.values.len()
            )));
        }
        if !arms.descriptions.is_empty() && arms.descriptions.len() != arms.values.len() {
            return Err(bad(format!(
                "[arms] descriptions: {} descriptions for {} arms",
                arms.descriptions.len(),
                arms.values.len()
            )));
        }
        if !arms.values.contains(&arms.reference) {
            return Err(bad(format!(
                "[arms] reference `{}` is not one of the arms ({})",
                arms.reference,
                arms.values.join(", ")
            )));
        }
        let o = &self.options;
        if !(1..=9).contains(&o.quantile_type) {
            return Err(bad(format!(
                "[options] quantile_type = {}: must be 1 to 9",
                o.quantile_type
            )));
        }
        for (name, v) in [("alpha", o.alpha), ("conf_level", o.conf_level)] {
            if !(v > 0.0 && v < 1.0) {
                return Err(bad(format!("[options] {name} = {v}: must be in (0, 1)")));
            }
        }
        if !["log", "log-log", "plain"].contains(&o.km_conf_type.as_str()) {
            return Err(bad(format!(
                "[options] km_conf_type = \"{}\": must be \"log-log\", \"log\" or \"plain\"",
                o.km_conf_type
            )));
        }
        o.pairwise_adjust
            .parse::<rct_stats::multiplicity::AdjustMethod>()
            .map_err(|e| bad(format!("[options] pairwise_adjust: {e}")))?;
        let population = |section: &str, name: &str| -> Result<(), AnalysisError> {
            if self.populations.contains_key(name) {
                Ok(())
            } else {
                Err(bad(format!(
                    "{section}: population `{name}` is not defined in [populations] ({})",
                    self.populations
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        if let Some(b) = &self.baseline {
            population("[baseline]", &b.population)?;
            for v in &b.variables {
                if !v.breaks.is_empty() {
                    if v.level_labels.len() != v.breaks.len() + 1 {
                        return Err(bad(format!(
                            "[baseline] {}: {} breaks need {} level_labels, found {}",
                            v.variable,
                            v.breaks.len(),
                            v.breaks.len() + 1,
                            v.level_labels.len()
                        )));
                    }
                    if v.breaks.windows(2).any(|w| w[0] >= w[1])
                        || v.breaks.iter().any(|b| !b.is_finite())
                    {
                        return Err(bad(format!(
                            "[baseline] {}: breaks must increase",
                            v.variable
                        )));
                    }
                    continue;
                }
                if !v.level_labels.is_empty() && v.level_labels.len() != v.levels.len() {
                    return Err(bad(format!(
                        "[baseline] {}: {} level_labels for {} levels",
                        v.variable,
                        v.level_labels.len(),
                        v.levels.len()
                    )));
                }
            }
        }
        for l in &self.longitudinal {
            let section = format!("[[longitudinal]] {}", l.paramcd);
            population(&section, &l.population)?;
            if l.visits.len() < 2 {
                return Err(bad(format!(
                    "{section}: visits needs a baseline and at least one later visit"
                )));
            }
            if l.visits
                .windows(2)
                .any(|w| w[0] >= w[1] || !w[1].is_finite())
            {
                return Err(bad(format!("{section}: visits must increase")));
            }
        }
        for t in &self.time_to_event {
            let section = format!("[[time_to_event]] {}", t.paramcd);
            population(&section, &t.population)?;
            if !(t.time_divisor > 0.0 && t.time_divisor.is_finite()) {
                return Err(bad(format!("{section}: time_divisor must be positive")));
            }
            if t.two_stage != TwoStage::Never && t.two_stage_nboot == 0 {
                return Err(bad(format!("{section}: two_stage_nboot must be positive")));
            }
        }
        for l in &self.listing {
            population(&format!("[[listing]] {}", l.title), &l.population)?;
            if l.variables.is_empty() {
                return Err(bad(format!("[[listing]] {}: no variables", l.title)));
            }
        }
        if let Some(s) = &self.safety {
            population("[safety]", &s.population)?;
            for l in &s.lab_thresholds {
                if l.at_least.is_some() == l.uln_multiple.is_some() {
                    return Err(bad(format!(
                        "[safety] lab_thresholds {}: give exactly one of at_least, uln_multiple",
                        l.paramcd
                    )));
                }
            }
        }
        Ok(())
    }

    /// The variables the plan reads, by upper-case dataset name: what a
    /// reader may keep when it need not load whole datasets. ADSL's are
    /// always included (arms, populations, STUDYID).
    pub fn variables(
        &self,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        use std::collections::{BTreeMap, BTreeSet};
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut add = |dataset: &str, vars: &[&str]| {
            let set = out.entry(dataset.to_ascii_uppercase()).or_default();
            set.insert("USUBJID".into());
            set.extend(vars.iter().map(|v| v.to_string()));
        };
        let mut adsl: Vec<&str> = vec!["STUDYID", &self.arms.variable];
        if let Some(a) = &self.arms.actual_variable {
            adsl.push(a);
        }
        adsl.extend(self.populations.values().map(|p| p.flag.as_str()));
        if let Some(c) = &self.consort {
            adsl.extend([
                c.randomized_flag.as_str(),
                c.treated_flag.as_str(),
                c.analysed_flag.as_str(),
                c.status.as_str(),
                c.reason.as_str(),
            ]);
            if let Some(f) = &c.screen_fail_flag {
                adsl.push(f);
            }
        }
        add("ADSL", &adsl);
        if let Some(b) = &self.baseline {
            let vars: Vec<&str> = b.variables.iter().map(|v| v.variable.as_str()).collect();
            add(&b.dataset, &vars);
        }
        for l in &self.longitudinal {
            add(
                &l.dataset,
                &["PARAMCD", "AVISITN", "AVAL", "DTYPE", "ANL01FL", "BASE"],
            );
        }
        for t in &self.time_to_event {
            add(&t.dataset, &["PARAMCD", "AVAL", "CNSR"]);
        }
        if let Some(s) = &self.safety {
            let mut vars = vec![s.body_system.as_str(), s.term.as_str()];
            vars.extend(s.flag.as_deref());
            vars.extend(s.grade.as_deref());
            vars.extend(s.serious.as_deref());
            add(&s.dataset, &vars);
            if !s.lab_thresholds.is_empty() {
                add(
                    &s.lab_dataset,
                    &["PARAMCD", "AVAL", "AVISITN", "ABLFL", "DTYPE", "ANRHI"],
                );
            }
        }
        for l in &self.listing {
            let mut vars: Vec<&str> = l.variables.iter().map(String::as_str).collect();
            if let Some(f) = &l.filter {
                vars.push(&f.variable);
            }
            add(&l.dataset, &vars);
        }
        out
    }

    /// The plan as TOML text (for results.json and `rct plan show`).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

/// When the two-stage test for crossing hazards runs on a pair of arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TwoStage {
    /// Never.
    #[default]
    Never,
    /// On every pair.
    Always,
    /// On the pairs whose Kaplan-Meier curves cross
    /// ([`rct_stats::survival::KaplanMeier::crosses`]).
    WhenCrossing,
}

impl TwoStage {
    /// The plan's spelling.
    pub fn name(self) -> &'static str {
        match self {
            TwoStage::Never => "never",
            TwoStage::Always => "always",
            TwoStage::WhenCrossing => "when_crossing",
        }
    }
}

impl<'de> Deserialize<'de> for TwoStage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Name(String),
        }
        let expected =
            "`two_stage` must be true, false, \"always\", \"never\" or \"when_crossing\"";
        match Raw::deserialize(d).map_err(|_| serde::de::Error::custom(expected))? {
            Raw::Flag(true) => Ok(TwoStage::Always),
            Raw::Flag(false) => Ok(TwoStage::Never),
            Raw::Name(name) => match name.as_str() {
                "always" => Ok(TwoStage::Always),
                "never" => Ok(TwoStage::Never),
                "when_crossing" => Ok(TwoStage::WhenCrossing),
                other => Err(serde::de::Error::custom(format!(
                    "{expected}, not {other:?}"
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The default plan with its first `two_stage` setting replaced.
    fn with_two_stage(setting: &str) -> Result<Plan, AnalysisError> {
        let text = DEFAULT_PLAN.replacen(
            "two_stage = \"when_crossing\"",
            &format!("two_stage = {setting}"),
            1,
        );
        assert!(text.contains(&format!("two_stage = {setting}")));
        Plan::from_toml(&text, "plan.toml")
    }

    #[test]
    fn two_stage_takes_a_flag_or_a_name() {
        for (setting, want) in [
            ("true", TwoStage::Always),
            ("false", TwoStage::Never),
            ("\"always\"", TwoStage::Always),
            ("\"never\"", TwoStage::Never),
            ("\"when_crossing\"", TwoStage::WhenCrossing),
        ] {
            let plan = with_two_stage(setting).unwrap();
            assert_eq!(plan.time_to_event[0].two_stage, want, "{setting}");
        }
        for bad in ["\"sometimes\"", "3"] {
            let err = with_two_stage(bad).unwrap_err().to_string();
            assert!(
                err.contains("plan.toml") && err.contains("when_crossing"),
                "{err}"
            );
        }
    }
}
