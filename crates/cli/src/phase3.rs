//! `rct design from-study`: phase III sample size from a finished phase II
//! study, by formula and by simulation.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use rct_analysis::phase3::{estimate, EstimateSpec, PhaseTwoEstimates};
use rct_simulate::{simulate, ArmSpec, Cd4Scenario, Scenario, Shard};
use rct_stats::power::{
    inflate_for_dropout, sample_size_two_proportions, ProportionMethod, Sides, TwoProportions,
};
use serde_json::json;

use crate::analyze;

/// Options of `rct design from-study`.
#[derive(clap::Args)]
pub struct FromStudyArgs {
    /// The finished phase II study (SDTM or ADaM folder).
    study: PathBuf,
    /// Analysis plan (arms, populations, visits); default: the seed trial's.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// The active arm to take into phase III (default: the arm with the
    /// largest response difference from the control arm).
    #[arg(long)]
    arm: Option<String>,
    /// Longitudinal parameter (ADLB PARAMCD).
    #[arg(long, default_value = "CD4")]
    paramcd: String,
    /// Response parameter (ADTTE PARAMCD).
    #[arg(long, default_value = "RESP30")]
    response: String,
    /// Week at which response proportions are read.
    #[arg(long, default_value_t = 48.0)]
    response_week: f64,
    /// Two-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Simulated trials per candidate sample size.
    #[arg(long, default_value_t = 1000)]
    trials: u64,
    /// Seed of the simulations.
    #[arg(long, default_value_t = 3)]
    seed: u64,
    /// Folder for phase3.json and phase3.md.
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress display.
    #[arg(long)]
    quiet: bool,
}

pub fn from_study(a: &FromStudyArgs) -> Result<()> {
    let plan = match &a.plan {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read plan {}", p.display()))?;
            rct_analysis::Plan::from_toml(&text, &p.display().to_string())?
        }
        None => rct_analysis::Plan::default_plan()?,
    };
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        bail!("--alpha {}: must be in (0, 1)", a.alpha);
    }
    if a.trials < 100 {
        bail!(
            "--trials {}: at least 100 simulated trials per size are needed",
            a.trials
        );
    }
    let (prepared, _) = analyze::load(&a.study, &plan)?;
    let spec = EstimateSpec {
        paramcd: a.paramcd.clone(),
        response: a.response.clone(),
        response_time: a.response_week * 7.0,
        ..EstimateSpec::default()
    };
    let est = estimate(&plan, &prepared.study, &spec)?;
    let r = est.reference;
    let control = &est.arms[r];
    let active = match &a.arm {
        Some(code) => est
            .arms
            .iter()
            .position(|x| &x.code == code)
            .with_context(|| format!("--arm {code}: not an arm of the plan"))?,
        None => (0..est.arms.len())
            .filter(|&i| i != r)
            .max_by(|&i, &j| {
                let d = |k: usize| {
                    est.arms[k].response.unwrap_or(0.0) - control.response.unwrap_or(0.0)
                };
                d(i).total_cmp(&d(j))
            })
            .context("the plan has no active arm")?,
    };
    let treated = &est.arms[active];
    // Formula: two proportions (unpooled z, as PASS in the seed trial).
    let mut formula = Vec::new();
    if let (Some(p1), Some(p2)) = (treated.response, control.response) {
        let clamp = |p: f64| p.clamp(0.001, 0.999);
        let design = TwoProportions {
            p1: clamp(p1),
            p2: clamp(p2),
            alpha: a.alpha,
            sides: Sides::Two,
            method: ProportionMethod::UnpooledZ,
        };
        for power in [0.8, 0.9] {
            match sample_size_two_proportions(&design, power) {
                Ok(n) => {
                    let inflated =
                        inflate_for_dropout(n.n_per_group_ceiling, est.dropout.min(0.9))?;
                    formula.push(json!({
                        "power": power, "n_per_group": n.n_per_group_ceiling,
                        "n_per_group_after_dropout": inflated,
                    }));
                }
                Err(e) => formula.push(json!({"power": power, "error": e.to_string()})),
            }
        }
    }
    // Simulation: the phase II course of the two arms, GEE and log-rank.
    let means = |arm: &rct_analysis::phase3::ArmEstimate| -> Result<Vec<f64>> {
        arm.mean
            .iter()
            .zip(&est.visits)
            .map(|(m, w)| {
                m.with_context(|| format!("arm {} has no observed value at week {w}", arm.code))
            })
            .collect()
    };
    let (m_treated, m_control) = (means(treated)?, means(control)?);
    let scenario = |n: usize| {
        Scenario::Cd4(Cd4Scenario {
            weeks: est.visits.clone(),
            arms: vec![
                ArmSpec {
                    name: control.code.clone(),
                    n,
                    mean: m_control.clone(),
                },
                ArmSpec {
                    name: treated.code.clone(),
                    n,
                    mean: m_treated.clone(),
                },
            ],
            sd_patient: est.sd_between,
            sd_residual: est.sd_within,
            dropout: est.dropout.min(0.9),
            response_relative: 0.3,
            alpha: a.alpha,
            analysis: rct_simulate::Cd4Analysis::default(),
        })
    };
    let bar = if a.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new_spinner()
    };
    let mut power_at = |n: usize| -> Result<Vec<(String, f64, f64)>> {
        bar.set_message(format!("simulating {} trials with {n} per arm", a.trials));
        bar.tick();
        let rep = simulate(&scenario(n), a.trials, a.seed, Shard::ALL, &|_| {})?;
        Ok(rep
            .tests
            .iter()
            .map(|t| (t.test.clone(), t.power, t.mc_se))
            .collect())
    };
    let mut simulated = Vec::new();
    for test in ["gee_arm_wald", "logrank_response"] {
        for target in [0.8, 0.9] {
            let found = search(&mut power_at, test, target)?;
            simulated.push(match found {
                Some((n, p, se)) => json!({"test": test, "power_target": target, "n_per_group": n,
                    "n_per_group_after_dropout": inflate_for_dropout(n as u64, est.dropout.min(0.9))?,
                    "simulated_power": p, "mc_se": se}),
                None => json!({"test": test, "power_target": target, "n_per_group": null,
                    "note": "not reached with 5000 per arm"}),
            });
        }
    }
    bar.finish_and_clear();
    let out = json!({
        "rct_version": env!("CARGO_PKG_VERSION"),
        "study": a.study.display().to_string(),
        "estimates": est,
        "active_arm": treated.code,
        "control_arm": control.code,
        "alpha": a.alpha,
        "formula_two_proportions": formula,
        "simulation": {"trials_per_size": a.trials, "seed": a.seed, "results": simulated},
    });
    let text = markdown(&est, active, &out);
    match &a.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            std::fs::write(
                dir.join("phase3.json"),
                serde_json::to_string_pretty(&out)? + "\n",
            )?;
            std::fs::write(dir.join("phase3.md"), &text)?;
            if !a.quiet {
                print!("{text}");
            }
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Smallest n per arm (to 1) whose simulated power for `test` reaches
/// `target`: doubling, then bisection. The same seed at every n (common
/// random numbers) keeps the search monotone in practice.
fn search(
    power_at: &mut dyn FnMut(usize) -> Result<Vec<(String, f64, f64)>>,
    test: &str,
    target: f64,
) -> Result<Option<(usize, f64, f64)>> {
    let mut get = |n: usize| -> Result<(f64, f64)> {
        let r = power_at(n)?;
        Ok(r.into_iter()
            .find(|x| x.0 == test)
            .map_or((0.0, 0.0), |x| (x.1, x.2)))
    };
    let (mut lo, mut hi) = (4usize, 8usize);
    let mut at_hi = get(hi)?;
    while at_hi.0 < target {
        if hi >= 5000 {
            return Ok(None);
        }
        lo = hi;
        hi = (hi * 2).min(5000);
        at_hi = get(hi)?;
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        let p = get(mid)?;
        if p.0 >= target {
            hi = mid;
            at_hi = p;
        } else {
            lo = mid;
        }
    }
    Ok(Some((hi, at_hi.0, at_hi.1)))
}

fn markdown(est: &PhaseTwoEstimates, active: usize, out: &serde_json::Value) -> String {
    let c = &est.arms[est.reference];
    let t = &est.arms[active];
    let pct = |p: Option<f64>| p.map_or("NA".into(), |p| format!("{:.1}%", 100.0 * p));
    let mut s = String::new();
    s.push_str("# Phase III sample size from the phase II study\n\n");
    s.push_str(&format!(
        "Active arm {} vs control {}; estimates from the phase II data (observed cases):\n\n",
        t.label, c.label
    ));
    s.push_str(&format!(
        "- {} response by week {:.0}: {} vs {} (Kaplan-Meier)\n",
        est.response,
        est.response_time / 7.0,
        pct(t.response),
        pct(c.response)
    ));
    let last = est.visits.len() - 1;
    let f = |m: &Option<f64>| m.map_or("NA".into(), |m| format!("{m:.1}"));
    s.push_str(&format!(
        "- mean {} at week {:.0}: {} vs {} (baseline {} vs {})\n",
        est.paramcd,
        est.visits[last],
        f(&t.mean[last]),
        f(&c.mean[last]),
        f(&t.mean[0]),
        f(&c.mean[0])
    ));
    s.push_str(&format!(
        "- between-subject SD {:.1}, within-subject SD {:.1}, dropout {:.1}%\n\n",
        est.sd_between,
        est.sd_within,
        100.0 * est.dropout
    ));
    s.push_str("| method | power | n per arm | n per arm after dropout |\n|---|---|---|---|\n");
    if let Some(rows) = out["formula_two_proportions"].as_array() {
        for r in rows {
            s.push_str(&format!(
                "| two proportions, unpooled z (formula) | {} | {} | {} |\n",
                r["power"], r["n_per_group"], r["n_per_group_after_dropout"]
            ));
        }
    }
    if let Some(rows) = out["simulation"]["results"].as_array() {
        for r in rows {
            let name = match r["test"].as_str() {
                Some("gee_arm_wald") => "GEE arm effect, robust Wald (simulation)",
                _ => "log-rank, time to response (simulation)",
            };
            let power = r["simulated_power"]
                .as_f64()
                .map_or("not reached".into(), |p| {
                    format!("{:.3} (MC SE {:.3})", p, r["mc_se"].as_f64().unwrap_or(0.0))
                });
            s.push_str(&format!(
                "| {name} | target {}: {power} | {} | {} |\n",
                r["power_target"], r["n_per_group"], r["n_per_group_after_dropout"]
            ));
        }
    }
    s.push_str(&format!(
        "\nSimulation: {} trials per candidate size, seed {}; two-sided alpha {}.\n",
        out["simulation"]["trials_per_size"], out["simulation"]["seed"], out["alpha"]
    ));
    s
}
