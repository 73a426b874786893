//! Power by simulation, in parallel, in shards.

use rayon::prelude::*;
use rct_stats::models::design::Design;
use rct_stats::models::gee::{CorStr, GeeData, GeeOptions};
use rct_stats::survival::{GroupedSurvival, LogrankOptions};
use rct_stats::{dist, StatsError};

use crate::rng::TrialRng;
use crate::scenario::{BinaryScenario, Cd4Scenario, Scenario};
use crate::SimulateError;

/// One shard of a simulation: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// The whole simulation in one shard.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/N`.
    ///
    /// # Errors
    /// [`SimulateError::Shard`] unless 1 <= K <= N.
    pub fn parse(s: &str) -> Result<Shard, SimulateError> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| SimulateError::Shard(format!("`{s}`: expected K/N, e.g. 3/10")))?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| SimulateError::Shard(format!("`{s}`: K is not a number")))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| SimulateError::Shard(format!("`{s}`: N is not a number")))?;
        if index == 0 || index > count {
            return Err(SimulateError::Shard(format!("`{s}`: need 1 <= K <= N")));
        }
        Ok(Shard { index, count })
    }

    /// The trial indices of this shard out of `trials`: contiguous ranges, so
    /// the shards of any N together cover every trial exactly once.
    pub fn range(&self, trials: u64) -> std::ops::Range<u64> {
        let lo = trials * (self.index - 1) / self.count;
        let hi = trials * self.index / self.count;
        lo..hi
    }
}

/// The power of one test.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TestPower {
    /// Test name.
    pub test: String,
    /// Trials in which the test rejected at `alpha`.
    pub rejections: u64,
    /// Trials analysed (failed analyses are left out and counted apart).
    pub trials: u64,
    /// Trials whose analysis failed (e.g. no events).
    pub failed: u64,
    /// Estimated power, rejections / trials.
    pub power: f64,
    /// Monte Carlo standard error, sqrt(power (1 - power) / trials).
    pub mc_se: f64,
}

/// The result of a simulation (or of one shard).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PowerReport {
    /// The scenario.
    pub scenario: Scenario,
    /// Seed.
    pub seed: u64,
    /// Trials in the whole simulation.
    pub total_trials: u64,
    /// The shards this report covers.
    pub shards: Vec<Shard>,
    /// Power per test.
    pub tests: Vec<TestPower>,
}

/// Outcome of one trial: per test, reject or not (None: analysis failed).
type Outcome = Vec<Option<bool>>;

fn analyse_cd4(s: &Cd4Scenario, trial: &crate::SimulatedTrial) -> Outcome {
    // GEE: y ~ arm + visit, exchangeable, robust Wald test of the arm term.
    let k = s.arms.len();
    let t = s.weeks.len();
    let n = trial.cd4.len();
    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    for a in 1..k {
        columns.push((
            format!("arm{a}"),
            trial
                .arm
                .iter()
                .map(|&x| f64::from(u8::from(x as usize == a)))
                .collect(),
        ));
    }
    for v in 1..t {
        columns.push((
            format!("visit{v}"),
            trial
                .visit
                .iter()
                .map(|&x| f64::from(u8::from(x as usize == v)))
                .collect(),
        ));
    }
    let arm_cols: Vec<String> = (1..k).map(|a| format!("arm{a}")).collect();
    let mut terms = vec![("arm".to_string(), arm_cols)];
    if s.analysis.interaction {
        let mut inter = Vec::new();
        for a in 1..k {
            for v in 1..t {
                let name = format!("arm{a}:visit{v}");
                columns.push((
                    name.clone(),
                    trial
                        .arm
                        .iter()
                        .zip(&trial.visit)
                        .map(|(&x, &w)| f64::from(u8::from(x as usize == a && w as usize == v)))
                        .collect(),
                ));
                inter.push(name);
            }
        }
        terms.push(("arm x visit".to_string(), inter));
    }
    let fit = Design::new(n, &columns)
        .and_then(|d| d.with_terms(&terms))
        .and_then(|design| {
            let wave: Vec<f64> = trial.visit.iter().map(|&v| f64::from(v)).collect();
            let data = GeeData::new(&trial.cd4, &design, &trial.id, &wave)?;
            data.fit(&GeeOptions::default().corstr(CorStr::Exchangeable))
        })
        .ok();
    let test = |i: usize| {
        fit.as_ref()
            .and_then(|f| f.term_tests.get(i).map(|t| t.p_value < s.alpha))
    };
    let mut out = vec![test(0)];
    if s.analysis.interaction {
        out.push(test(1));
    }
    let time: Vec<f64> = trial.response.iter().map(|r| r.1).collect();
    let event: Vec<f64> = trial
        .response
        .iter()
        .map(|r| f64::from(u8::from(r.2)))
        .collect();
    let group: Vec<u32> = trial.response.iter().map(|r| r.0).collect();
    let lr = GroupedSurvival::new(&time, &event, &group)
        .and_then(|g| g.logrank(&LogrankOptions::default()))
        .ok()
        .map(|r| r.p_value < s.alpha);
    out.push(lr);
    out
}

fn analyse_binary(b: &BinaryScenario, rng: &mut TrialRng) -> Outcome {
    let x: Vec<f64> =
        b.p.iter()
            .map(|&p| (0..b.n).filter(|_| rng.bernoulli(p)).count() as f64 / b.n as f64)
            .collect();
    let nf = b.n as f64;
    let var = x[0] * (1.0 - x[0]) / nf + x[1] * (1.0 - x[1]) / nf;
    if var <= 0.0 {
        return vec![None];
    }
    let z = (x[0] - x[1]) / var.sqrt();
    vec![Some(dist::normal_two_sided(z) < b.alpha)]
}

fn run_trial(scenario: &Scenario, seed: u64, trial: u64) -> Outcome {
    let mut rng = TrialRng::new(seed, trial);
    match scenario {
        Scenario::Cd4(s) => {
            let data = s.generate(&mut rng);
            analyse_cd4(s, &data)
        }
        Scenario::Binary(b) => analyse_binary(b, &mut rng),
    }
}

/// Simulates the trials of `shard` out of `trials` and analyses each, on all
/// cores; `progress` is called with the number of trials finished so far
/// (from worker threads).
///
/// # Errors
/// [`SimulateError::Scenario`] for an invalid scenario;
/// [`SimulateError::Analysis`] when every trial's analysis failed.
///
/// # Example
/// ```
/// use rct_simulate::{simulate, BinaryScenario, Scenario, Shard};
/// let s = Scenario::Binary(BinaryScenario { p: [0.85, 0.45], n: 19, alpha: 0.05 });
/// let r = simulate(&s, 400, 7, Shard::ALL, &|_| {})?;
/// assert_eq!(r.tests[0].trials, 400);
/// assert!(r.tests[0].power > 0.6 && r.tests[0].power < 0.95);
/// # Ok::<(), rct_simulate::SimulateError>(())
/// ```
pub fn simulate(
    scenario: &Scenario,
    trials: u64,
    seed: u64,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PowerReport, SimulateError> {
    scenario.validate()?;
    let done = std::sync::atomic::AtomicU64::new(0);
    let outcomes: Vec<Outcome> = shard
        .range(trials)
        .into_par_iter()
        .map(|i| {
            let o = run_trial(scenario, seed, i);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(d);
            o
        })
        .collect();
    let names = scenario.tests();
    let tests: Vec<TestPower> = names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let rejections = outcomes.iter().filter(|o| o[j] == Some(true)).count() as u64;
            let analysed = outcomes.iter().filter(|o| o[j].is_some()).count() as u64;
            let failed = outcomes.len() as u64 - analysed;
            test_power(name, rejections, analysed, failed)
        })
        .collect();
    if !outcomes.is_empty() && tests.iter().all(|t| t.trials == 0) {
        return Err(SimulateError::Analysis(StatsError::Degenerate {
            reason: "no simulated trial could be analysed".into(),
        }));
    }
    Ok(PowerReport {
        scenario: scenario.clone(),
        seed,
        total_trials: trials,
        shards: vec![shard],
        tests,
    })
}

fn test_power(name: &str, rejections: u64, trials: u64, failed: u64) -> TestPower {
    let power = if trials > 0 {
        rejections as f64 / trials as f64
    } else {
        0.0
    };
    TestPower {
        test: name.to_string(),
        rejections,
        trials,
        failed,
        power,
        mc_se: if trials > 0 {
            (power * (1.0 - power) / trials as f64).sqrt()
        } else {
            0.0
        },
    }
}

/// Combines shard reports of one simulation (same scenario, seed and total,
/// each shard at most once).
///
/// # Errors
/// [`SimulateError::Merge`] for reports of different simulations or a shard
/// given twice.
pub fn merge(reports: &[PowerReport]) -> Result<PowerReport, SimulateError> {
    let first = reports
        .first()
        .ok_or_else(|| SimulateError::Merge("no reports given".into()))?;
    let mut shards: Vec<Shard> = Vec::new();
    for r in reports {
        if r.scenario != first.scenario
            || r.seed != first.seed
            || r.total_trials != first.total_trials
        {
            return Err(SimulateError::Merge(
                "the reports come from different simulations (scenario, seed or trial count differ)".into(),
            ));
        }
        for s in &r.shards {
            if shards.contains(s) {
                return Err(SimulateError::Merge(format!(
                    "shard {}/{} is given twice",
                    s.index, s.count
                )));
            }
            shards.push(*s);
        }
    }
    let tests = first
        .tests
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let sum = |f: fn(&TestPower) -> u64| {
                reports
                    .iter()
                    .map(|r| r.tests.get(j).map_or(0, f))
                    .sum::<u64>()
            };
            test_power(
                &t.test,
                sum(|x| x.rejections),
                sum(|x| x.trials),
                sum(|x| x.failed),
            )
        })
        .collect();
    shards.sort_by_key(|s| (s.count, s.index));
    Ok(PowerReport {
        scenario: first.scenario.clone(),
        seed: first.seed,
        total_trials: first.total_trials,
        shards,
        tests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ArmSpec, Cd4Analysis};

    /// The simulated power of the unpooled z test agrees with its closed
    /// form (rct_stats::power) within Monte Carlo error.
    #[test]
    fn binary_power_matches_closed_form() {
        let b = BinaryScenario {
            p: [0.85, 0.45],
            n: 24,
            alpha: 0.05,
        };
        let r = simulate(&Scenario::Binary(b.clone()), 4000, 11, Shard::ALL, &|_| {}).unwrap();
        let design = rct_stats::power::TwoProportions {
            p1: 0.85,
            p2: 0.45,
            alpha: 0.05,
            sides: rct_stats::power::Sides::Two,
            method: rct_stats::power::ProportionMethod::UnpooledZ,
        };
        let closed = rct_stats::power::power_two_proportions(&design, 24.0)
            .unwrap()
            .power;
        let t = &r.tests[0];
        // The closed form is a normal approximation; allow 4 MC SEs plus 0.02.
        assert!(
            (t.power - closed).abs() < 4.0 * t.mc_se + 0.02,
            "{} vs {closed}",
            t.power
        );
    }

    fn null_cd4() -> Cd4Scenario {
        let weeks = vec![0.0, 12.0, 24.0, 48.0, 72.0, 96.0];
        let mean = vec![180.0, 190.0, 200.0, 210.0, 220.0, 230.0];
        Cd4Scenario {
            arms: ["HIGH", "LOW", "PLACEBO"]
                .iter()
                .map(|n| ArmSpec {
                    name: n.to_string(),
                    n: 24,
                    mean: mean.clone(),
                })
                .collect(),
            weeks,
            sd_patient: 45.0,
            sd_residual: 30.0,
            dropout: 0.1,
            response_relative: 0.3,
            alpha: 0.05,
            analysis: Cd4Analysis::default(),
        }
    }

    /// With no effect, rejection rates are the nominal alpha within Monte
    /// Carlo error (the robust Wald test with 72 patients runs a little
    /// liberal, as sandwich tests with few clusters do).
    #[test]
    fn null_rejects_at_about_alpha() {
        let r = simulate(&Scenario::Cd4(null_cd4()), 600, 3, Shard::ALL, &|_| {}).unwrap();
        for t in &r.tests {
            assert!(t.failed < 10, "{t:?}");
            assert!(
                t.power < 0.05 + 4.0 * t.mc_se + 0.03 && t.power > 0.05 - 4.0 * t.mc_se,
                "{t:?}"
            );
        }
    }

    /// Analysed as the seed plan does (LOCF, arm + visit + arm x visit):
    /// three tests, each at about alpha under no effect. The interaction
    /// Wald test has 10 df on 72 clusters and runs liberal, as robust Wald
    /// tests with few clusters do (why the report also gives score tests).
    #[test]
    fn plan_analysis_under_the_null() {
        let mut s = null_cd4();
        s.analysis = Cd4Analysis {
            locf: true,
            interaction: true,
        };
        let r = simulate(&Scenario::Cd4(s), 400, 5, Shard::ALL, &|_| {}).unwrap();
        let names: Vec<&str> = r.tests.iter().map(|t| t.test.as_str()).collect();
        assert_eq!(
            names,
            ["gee_arm_wald", "gee_arm_x_visit_wald", "logrank_response"]
        );
        for t in &r.tests {
            assert!(t.failed < 10, "{t:?}");
            assert!(t.power < 0.05 + 4.0 * t.mc_se + 0.06, "{t:?}");
        }
    }

    /// Shards merged give exactly the unsharded result.
    #[test]
    fn shards_merge_to_the_whole() {
        let s = Scenario::Cd4(null_cd4());
        let whole = simulate(&s, 60, 9, Shard::ALL, &|_| {}).unwrap();
        let parts: Vec<PowerReport> = (1..=3)
            .map(|k| simulate(&s, 60, 9, Shard { index: k, count: 3 }, &|_| {}).unwrap())
            .collect();
        let merged = merge(&parts).unwrap();
        assert_eq!(merged.tests, whole.tests);
        assert!(merge(&[parts[0].clone(), parts[0].clone()]).is_err());
        assert!(Shard::parse("4/3").is_err() && Shard::parse("x").is_err());
    }
}
