//! Scenarios and the synthetic trials they generate.

use crate::rng::TrialRng;
use crate::SimulateError;

/// One arm of a CD4 scenario.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArmSpec {
    /// Arm name.
    pub name: String,
    /// Patients randomized to the arm.
    pub n: usize,
    /// Mean CD4 count (cells/uL) at each visit of the scenario.
    pub mean: Vec<f64>,
}

/// A continuous repeated-measures scenario shaped like the seed trial.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cd4Scenario {
    /// Visit weeks; the first is baseline.
    pub weeks: Vec<f64>,
    /// Arms.
    pub arms: Vec<ArmSpec>,
    /// Between-patient SD (random intercept).
    pub sd_patient: f64,
    /// Within-patient SD.
    pub sd_residual: f64,
    /// Probability that a patient drops out, at a visit after baseline drawn
    /// uniformly; visits from then on are missing.
    pub dropout: f64,
    /// Response: CD4 rise over baseline by more than this fraction (0.3 =
    /// 30%).
    pub response_relative: f64,
    /// Two-sided significance level of the tests.
    pub alpha: f64,
    /// How each simulated trial is analysed (from the analysis plan).
    #[serde(default)]
    pub analysis: Cd4Analysis,
}

/// How a simulated CD4 trial is analysed: the analysis plan's choices.
/// The default (no LOCF, arm + visit) is the simplest model; `rct design
/// simulate --plan` takes them from the plan (the seed trial's: LOCF,
/// arm + visit + arm x visit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cd4Analysis {
    /// Fill visits missed after dropout with the last observation before
    /// the GEE (the plan's `locf`).
    #[serde(default)]
    pub locf: bool,
    /// Add the arm x visit interaction to the GEE and test it as well.
    #[serde(default)]
    pub interaction: bool,
}

/// A binary endpoint in two arms (checks the simulation against the closed
/// form of two-proportion power).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BinaryScenario {
    /// Response probability per arm.
    pub p: [f64; 2],
    /// Patients per arm.
    pub n: usize,
    /// Two-sided significance level.
    pub alpha: f64,
}

/// A simulation scenario.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scenario {
    /// CD4 course: GEE (arm + visit, exchangeable, robust Wald test of arm)
    /// and k-arm log-rank of time to response.
    Cd4(Cd4Scenario),
    /// Binary endpoint: unpooled two-proportion z test.
    Binary(BinaryScenario),
}

impl Scenario {
    /// Checks the scenario.
    ///
    /// # Errors
    /// [`SimulateError::Scenario`] naming the problem.
    pub fn validate(&self) -> Result<(), SimulateError> {
        let bad = |m: String| Err(SimulateError::Scenario(m));
        let unit = |name: &str, v: f64| -> Result<(), SimulateError> {
            if v.is_finite() && v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(SimulateError::Scenario(format!(
                    "`{name}` = {v} must be in (0, 1)"
                )))
            }
        };
        match self {
            Scenario::Cd4(s) => {
                unit("alpha", s.alpha)?;
                if s.weeks.len() < 2 {
                    return bad("at least two visits (baseline and one more) are needed".into());
                }
                if s.arms.len() < 2 {
                    return bad("at least two arms are needed".into());
                }
                for a in &s.arms {
                    if a.n < 2 {
                        return bad(format!("arm `{}` needs at least 2 patients", a.name));
                    }
                    if a.mean.len() != s.weeks.len() {
                        return bad(format!(
                            "arm `{}` has {} means for {} visits",
                            a.name,
                            a.mean.len(),
                            s.weeks.len()
                        ));
                    }
                    if a.mean.iter().any(|m| !(m.is_finite() && *m > 0.0)) {
                        return bad(format!("arm `{}`: means must be positive", a.name));
                    }
                }
                for (name, v) in [("sd_patient", s.sd_patient), ("sd_residual", s.sd_residual)] {
                    if !(v.is_finite() && v >= 0.0) {
                        return bad(format!("`{name}` = {v} must be non-negative"));
                    }
                }
                if !(s.dropout.is_finite() && (0.0..1.0).contains(&s.dropout)) {
                    return bad(format!("`dropout` = {} must be in [0, 1)", s.dropout));
                }
                if !(s.response_relative.is_finite() && s.response_relative > 0.0) {
                    return bad(format!(
                        "`response_relative` = {} must be positive",
                        s.response_relative
                    ));
                }
                Ok(())
            }
            Scenario::Binary(b) => {
                unit("alpha", b.alpha)?;
                unit("p[0]", b.p[0])?;
                unit("p[1]", b.p[1])?;
                if b.n < 2 {
                    return bad("`n` must be at least 2".into());
                }
                Ok(())
            }
        }
    }

    /// Names of the tests this scenario's analysis reports.
    pub fn tests(&self) -> Vec<&'static str> {
        match self {
            Scenario::Cd4(s) if s.analysis.interaction => {
                vec!["gee_arm_wald", "gee_arm_x_visit_wald", "logrank_response"]
            }
            Scenario::Cd4(_) => vec!["gee_arm_wald", "logrank_response"],
            Scenario::Binary(_) => vec!["two_proportion_z"],
        }
    }
}

/// One simulated CD4 trial in long form (one row per attended visit).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedTrial {
    /// Patient id.
    pub id: Vec<u32>,
    /// Arm index.
    pub arm: Vec<u32>,
    /// Visit index.
    pub visit: Vec<u32>,
    /// CD4 count.
    pub cd4: Vec<f64>,
    /// Per patient: arm, time to response (week), responded.
    pub response: Vec<(u32, f64, bool)>,
}

impl Cd4Scenario {
    /// Generates one trial from its random stream.
    pub(crate) fn generate(&self, rng: &mut TrialRng) -> SimulatedTrial {
        let t = self.weeks.len();
        let mut out = SimulatedTrial {
            id: Vec::new(),
            arm: Vec::new(),
            visit: Vec::new(),
            cd4: Vec::new(),
            response: Vec::new(),
        };
        let mut id = 0u32;
        for (a, arm) in self.arms.iter().enumerate() {
            for _ in 0..arm.n {
                id += 1;
                let b = self.sd_patient * rng.normal();
                let last = if rng.bernoulli(self.dropout) {
                    1 + rng.below(t - 1)
                } else {
                    t
                };
                let mut baseline = 0.0;
                let mut response = None;
                for v in 0..last {
                    let y = (arm.mean[v] + b + self.sd_residual * rng.normal())
                        .round()
                        .max(1.0);
                    if v == 0 {
                        baseline = y;
                    } else if response.is_none() && y > baseline * (1.0 + self.response_relative) {
                        response = Some(self.weeks[v]);
                    }
                    out.id.push(id);
                    out.arm.push(a as u32);
                    out.visit.push(v as u32);
                    out.cd4.push(y);
                }
                if self.analysis.locf {
                    // Carry the last observed value to every later visit.
                    let carried = out.cd4.last().copied().unwrap_or(0.0);
                    for v in last..t {
                        out.id.push(id);
                        out.arm.push(a as u32);
                        out.visit.push(v as u32);
                        out.cd4.push(carried);
                    }
                }
                let censor = self.weeks[last - 1];
                out.response.push(match response {
                    Some(w) => (a as u32, w, true),
                    None => (a as u32, censor, false),
                });
            }
        }
        out
    }
}
