//! `rct design simulate` and `rct design merge`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use rct_simulate::{ArmSpec, Cd4Analysis, Cd4Scenario, PowerReport, Scenario, Shard};

/// Options of `rct design simulate`.
#[derive(clap::Args)]
pub struct SimulateArgs {
    /// Scenario file (JSON); without it, the seed trial's scenario (print it
    /// with --show-scenario to adapt it).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Print the scenario as JSON and exit.
    #[arg(long)]
    show_scenario: bool,
    /// Number of simulated trials (in all shards together).
    #[arg(long, default_value_t = 1000)]
    trials: u64,
    /// Seed; trial i uses ChaCha20 stream i of it, so results do not depend
    /// on threads or shards.
    #[arg(long, default_value_t = 20240601)]
    seed: u64,
    /// Run shard K of N (e.g. 3/10) for cluster job arrays; merge the
    /// reports with `rct design merge`.
    #[arg(long, default_value = "1/1")]
    shard: String,
    /// Write the JSON report here (also printed as a table).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Analyse each simulated trial as this analysis plan does: `default`
    /// (the seed trial's: LOCF, GEE arm + visit + arm x visit) or a plan
    /// file; its [[longitudinal]] block for `--paramcd` sets LOCF and the GEE
    /// model. Without it, the scenario's own `analysis` applies.
    #[arg(long)]
    plan: Option<String>,
    /// The plan's longitudinal parameter that the scenario simulates.
    #[arg(long, default_value = "CD4")]
    paramcd: String,
}

/// Options of `rct design merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Shard reports (JSON) of one simulation.
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    /// Write the merged report here.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The seed trial as a scenario: medians of the paper's Figure 2 as means
/// (CD4 cells/uL; baseline about 180, the dose groups rising after week 48),
/// 24 per arm, between- and within-patient SDs of 45 and 30, 10% dropout,
/// response = CD4 rise over 30%.
fn seed_trial() -> Scenario {
    let weeks = vec![0.0, 4.0, 12.0, 24.0, 36.0, 48.0, 60.0, 72.0, 84.0, 96.0];
    let arm = |name: &str, mean: [f64; 10]| ArmSpec {
        name: name.into(),
        n: 24,
        mean: mean.to_vec(),
    };
    Scenario::Cd4(Cd4Scenario {
        arms: vec![
            arm(
                "HIGH",
                [
                    179.0, 195.0, 200.0, 205.0, 210.0, 232.0, 223.0, 256.0, 248.0, 225.0,
                ],
            ),
            arm(
                "LOW",
                [
                    181.0, 190.0, 205.0, 210.0, 215.0, 192.0, 216.0, 225.0, 229.0, 215.0,
                ],
            ),
            arm(
                "PLACEBO",
                [
                    179.0, 182.0, 185.0, 188.0, 190.0, 191.0, 200.0, 210.0, 215.0, 224.0,
                ],
            ),
        ],
        weeks,
        sd_patient: 45.0,
        sd_residual: 30.0,
        dropout: 0.1,
        response_relative: 0.3,
        alpha: 0.05,
        analysis: Cd4Analysis::default(),
    })
}

fn print_report(r: &PowerReport) {
    println!(
        "{} of {} trials (seed {}, shards {})",
        r.tests.first().map_or(0, |t| t.trials + t.failed),
        r.total_trials,
        r.seed,
        r.shards
            .iter()
            .map(|s| format!("{}/{}", s.index, s.count))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "{:<22}{:>10}{:>10}{:>10}{:>10}",
        "test", "power", "MC SE", "trials", "failed"
    );
    for t in &r.tests {
        println!(
            "{:<22}{:>10.4}{:>10.4}{:>10}{:>10}",
            t.test, t.power, t.mc_se, t.trials, t.failed
        );
    }
}

fn write(out: &Option<PathBuf>, r: &PowerReport) -> Result<()> {
    if let Some(path) = out {
        let tmp = path.with_extension("json.partial");
        std::fs::write(&tmp, serde_json::to_string_pretty(r)? + "\n")
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

pub fn simulate(a: &SimulateArgs) -> Result<()> {
    let scenario = match &a.scenario {
        None => seed_trial(),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{}: not a valid scenario", p.display()))?
        }
    };
    let scenario = match (&a.plan, scenario) {
        (Some(which), Scenario::Cd4(mut s)) => {
            let plan = match which.as_str() {
                "default" => rct_analysis::Plan::default_plan()?,
                path => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read plan {path}"))?;
                    rct_analysis::Plan::from_toml(&text, path)?
                }
            };
            let block = plan
                .longitudinal
                .iter()
                .find(|l| l.paramcd == a.paramcd)
                .with_context(|| {
                    format!("the plan has no [[longitudinal]] block for {}", a.paramcd)
                })?;
            s.analysis = Cd4Analysis {
                locf: block.locf,
                interaction: block.gee,
            };
            Scenario::Cd4(s)
        }
        (Some(_), Scenario::Binary(_)) => {
            anyhow::bail!("--plan applies to CD4 scenarios; a binary scenario has one fixed test")
        }
        (None, s) => s,
    };
    if a.show_scenario {
        println!("{}", serde_json::to_string_pretty(&scenario)?);
        return Ok(());
    }
    scenario.validate()?;
    let shard = Shard::parse(&a.shard)?;
    let n = shard.range(a.trials).count() as u64;
    let bar = indicatif::ProgressBar::new(n).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {pos}/{len} trials ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = rct_simulate::simulate(&scenario, a.trials, a.seed, shard, &|done| {
        if done % 16 == 0 || done == n {
            bar.set_position(done);
        }
    })?;
    bar.finish_and_clear();
    print_report(&report);
    write(&a.out, &report)
}

pub fn merge(a: &MergeArgs) -> Result<()> {
    let reports = a
        .reports
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            serde_json::from_str::<PowerReport>(&text)
                .with_context(|| format!("{}: not a simulation report", p.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let merged = rct_simulate::merge(&reports)?;
    print_report(&merged);
    write(&a.out, &merged)
}
