//! Estimates from a finished phase II study for planning phase III: mean
//! course by arm, variance components, dropout and response proportions.

use rct_stats::survival::{kaplan_meier, KaplanMeierOptions, SurvivalData};
use serde::Serialize;

use crate::data::{StudyData, Subjects};
use crate::error::Context;
use crate::plan::Plan;
use crate::AnalysisError;

/// What to estimate.
#[derive(Debug, Clone)]
pub struct EstimateSpec {
    /// Longitudinal PARAMCD (e.g. "CD4").
    pub paramcd: String,
    /// Response PARAMCD in ADTTE (e.g. "RESP30").
    pub response: String,
    /// Time (AVAL units, days) at which response proportions are read.
    pub response_time: f64,
    /// Population name in the plan.
    pub population: String,
}

impl Default for EstimateSpec {
    fn default() -> Self {
        EstimateSpec {
            paramcd: "CD4".into(),
            response: "RESP30".into(),
            response_time: 48.0 * 7.0,
            population: "itt".into(),
        }
    }
}

/// One arm's estimates.
#[derive(Debug, Clone, Serialize)]
pub struct ArmEstimate {
    /// Arm value (e.g. "LOW").
    pub code: String,
    /// Arm label.
    pub label: String,
    /// Subjects in the population.
    pub n: usize,
    /// Mean of the observed values at each visit (None: nobody observed).
    pub mean: Vec<Option<f64>>,
    /// Kaplan-Meier probability of response by `response_time`.
    pub response: Option<f64>,
}

/// Phase II estimates.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseTwoEstimates {
    /// PARAMCD of the course.
    pub paramcd: String,
    /// Visits (AVISITN) of the course, ascending.
    pub visits: Vec<f64>,
    /// Per arm, in plan order.
    pub arms: Vec<ArmEstimate>,
    /// Between-subject SD (random intercept), moment estimate.
    pub sd_between: f64,
    /// Within-subject SD, moment estimate.
    pub sd_within: f64,
    /// Proportion of randomized subjects who discontinued (ADSL EOSSTT).
    pub dropout: f64,
    /// Response PARAMCD and the time it is read at.
    pub response: String,
    /// Time of the response proportions (AVAL units).
    pub response_time: f64,
    /// Index of the reference (control) arm.
    pub reference: usize,
}

/// Estimates from ADSL, ADLB (observed records) and ADTTE.
///
/// # Errors
/// [`AnalysisError`] for missing datasets or variables.
pub fn estimate(
    plan: &Plan,
    data: &StudyData,
    spec: &EstimateSpec,
) -> Result<PhaseTwoEstimates, AnalysisError> {
    let subjects = Subjects::read(plan, data)?;
    let k = plan.arms.values.len();
    let adlb = data.get("ADLB", "from-study")?;
    let arms = subjects.arms_of_rows(&adlb, &spec.population, false)?;
    let ids = adlb.keys("USUBJID")?;
    let paramcd = adlb.text("PARAMCD")?;
    let avisitn = adlb.numbers("AVISITN")?;
    let aval = adlb.numbers("AVAL")?;
    let dtype = if adlb.has("DTYPE") {
        Some(adlb.text("DTYPE")?)
    } else {
        None
    };
    let visits: Vec<f64> = plan
        .longitudinal
        .iter()
        .find(|l| l.paramcd == spec.paramcd)
        .map(|l| l.visits.clone())
        .ok_or_else(|| AnalysisError::Plan {
            origin: "from-study".into(),
            message: format!(
                "the plan has no [[longitudinal]] block for {}",
                spec.paramcd
            ),
        })?;
    let nv = visits.len();
    // Observed values per subject and visit.
    let mut values: Vec<Vec<Option<f64>>> = vec![vec![None; nv]; subjects.planned.len()];
    for row in 0..adlb.n_rows() {
        if paramcd[row].trim() != spec.paramcd
            || dtype.as_ref().is_some_and(|d| !d[row].trim().is_empty())
        {
            continue;
        }
        let (Some(_), Some(w), Some(x)) = (arms[row], avisitn[row], aval[row]) else {
            continue;
        };
        let Some(v) = visits.iter().position(|&u| (u - w).abs() < 1e-9) else {
            continue;
        };
        if let Some(s) = subjects.row_of(&ids[row]) {
            values[s][v] = Some(x);
        }
    }
    let pop_arms = subjects.arms_in(&spec.population, false);
    // Means by arm and visit.
    let mut sum = vec![vec![0.0; nv]; k];
    let mut cnt = vec![vec![0usize; nv]; k];
    for (s, a) in pop_arms.iter().enumerate() {
        let Some(a) = *a else { continue };
        for v in 0..nv {
            if let Some(x) = values[s][v] {
                sum[a][v] += x;
                cnt[a][v] += 1;
            }
        }
    }
    let mean: Vec<Vec<Option<f64>>> = (0..k)
        .map(|a| {
            (0..nv)
                .map(|v| (cnt[a][v] > 0).then(|| sum[a][v] / cnt[a][v] as f64))
                .collect()
        })
        .collect();
    // Variance components from residuals about the arm x visit means.
    let (mut within_ss, mut within_df) = (0.0, 0usize);
    let mut subject_means = Vec::new();
    let mut inv_sizes = Vec::new();
    for (s, a) in pop_arms.iter().enumerate() {
        let Some(a) = *a else { continue };
        let r: Vec<f64> = (0..nv)
            .filter_map(|v| Some(values[s][v]? - mean[a][v]?))
            .collect();
        if r.is_empty() {
            continue;
        }
        let m = r.iter().sum::<f64>() / r.len() as f64;
        within_ss += r.iter().map(|x| (x - m).powi(2)).sum::<f64>();
        within_df += r.len() - 1;
        subject_means.push(m);
        inv_sizes.push(1.0 / r.len() as f64);
    }
    let var_within = if within_df > 0 {
        within_ss / within_df as f64
    } else {
        0.0
    };
    let n_sub = subject_means.len();
    let var_means = if n_sub > 1 {
        let g = subject_means.iter().sum::<f64>() / n_sub as f64;
        subject_means.iter().map(|x| (x - g).powi(2)).sum::<f64>() / (n_sub - 1) as f64
    } else {
        0.0
    };
    let mean_inv = if n_sub > 0 {
        inv_sizes.iter().sum::<f64>() / n_sub as f64
    } else {
        0.0
    };
    let var_between = (var_means - var_within * mean_inv).max(0.0);
    // Dropout among randomized subjects in the population.
    let adsl = data.get("ADSL", "from-study")?;
    let dropout = if adsl.has("EOSSTT") {
        let status = adsl.categories("EOSSTT")?;
        let (mut n, mut d) = (0usize, 0usize);
        for (s, a) in pop_arms.iter().enumerate() {
            if a.is_some() {
                n += 1;
                if status[s]
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case("DISCONTINUED"))
                {
                    d += 1;
                }
            }
        }
        if n > 0 {
            d as f64 / n as f64
        } else {
            0.0
        }
    } else {
        0.0
    };
    // Response by the given time (Kaplan-Meier).
    let mut response = vec![None; k];
    if data.contains("ADTTE") {
        let adtte = data.get("ADTTE", "from-study")?;
        let tarms = subjects.arms_of_rows(&adtte, &spec.population, false)?;
        let pc = adtte.text("PARAMCD")?;
        let t = adtte.numbers("AVAL")?;
        let c = adtte.numbers("CNSR")?;
        for (a, slot) in response.iter_mut().enumerate() {
            let (mut tt, mut ee) = (Vec::new(), Vec::new());
            for row in 0..adtte.n_rows() {
                if pc[row].trim() == spec.response && tarms[row] == Some(a) {
                    if let (Some(x), Some(cn)) = (t[row], c[row]) {
                        tt.push(x);
                        ee.push(if cn == 0.0 { 1.0 } else { 0.0 });
                    }
                }
            }
            if tt.is_empty() {
                continue;
            }
            let what = || format!("from-study: {} Kaplan-Meier", spec.response);
            let km = kaplan_meier(
                &SurvivalData::new(&tt, &ee).context(what)?,
                &KaplanMeierOptions::default(),
            )
            .context(what)?;
            *slot = Some(1.0 - km.survival_at(&[spec.response_time])[0]);
        }
    }
    let n = subjects.counts(&spec.population, false, k);
    let arms_out = (0..k)
        .map(|a| ArmEstimate {
            code: plan.arms.values[a].clone(),
            label: plan.arms.labels[a].clone(),
            n: n[a],
            mean: mean[a].clone(),
            response: response[a],
        })
        .collect();
    let reference = plan
        .arms
        .values
        .iter()
        .position(|v| *v == plan.arms.reference)
        .unwrap_or(0);
    Ok(PhaseTwoEstimates {
        paramcd: spec.paramcd.clone(),
        visits,
        arms: arms_out,
        sd_between: var_between.sqrt(),
        sd_within: var_within.sqrt(),
        dropout,
        response: spec.response.clone(),
        response_time: spec.response_time,
        reference,
    })
}
