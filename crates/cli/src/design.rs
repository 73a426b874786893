//! `rct design`: sample size and power.

use anyhow::{Context, Result};
use rct_stats::power::{
    inflate_for_dropout, power_two_proportions, sample_size_two_proportions, ProportionMethod,
    Sides, TwoProportions,
};
use serde_json::json;

/// `rct design ...`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Sample size per group to compare two response proportions (the seed
    /// trial's design: 85% vs 45%, 80% power, 20% dropout).
    SampleSize(SampleSizeArgs),
    /// Power by simulation: generate and analyse many trials (GEE and
    /// log-rank for a CD4 scenario), on all cores, reproducibly by seed.
    Simulate(crate::simulate::SimulateArgs),
    /// Combine the JSON reports of simulation shards into one.
    Merge(crate::simulate::MergeArgs),
    /// Phase III sample size from a finished phase II study (SDTM or ADaM
    /// folder, e.g. the demo trial): estimates, formula and simulation.
    FromStudy(crate::phase3::FromStudyArgs),
}

/// Options of `rct design sample-size`.
#[derive(clap::Args)]
pub struct SampleSizeArgs {
    /// Response proportion in the treated group, in (0, 1).
    #[arg(long)]
    p1: f64,
    /// Response proportion in the control group, in (0, 1).
    #[arg(long)]
    p2: f64,
    /// Significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Target power.
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Formula: pooled-z, unpooled-z, pooled-z-cc (Fleiss continuity correction), arcsine.
    #[arg(long, default_value = "pooled-z")]
    method: String,
    /// two-sided or one-sided.
    #[arg(long, default_value = "two-sided")]
    alternative: String,
    /// Expected dropout fraction; the size per group is inflated to n / (1 - dropout).
    #[arg(long, default_value_t = 0.0)]
    dropout: f64,
    /// Number of arms (each of the computed size) for the total.
    #[arg(long, default_value_t = 3)]
    arms: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: &Command) -> Result<()> {
    match cmd {
        Command::SampleSize(a) => sample_size(a),
        Command::Simulate(a) => crate::simulate::simulate(a),
        Command::Merge(a) => crate::simulate::merge(a),
        Command::FromStudy(a) => crate::phase3::from_study(a),
    }
}

fn sample_size(a: &SampleSizeArgs) -> Result<()> {
    let method: ProportionMethod = a.method.parse().context("--method")?;
    let sides: Sides = a.alternative.parse().context("--alternative")?;
    if a.arms < 2 {
        anyhow::bail!("--arms must be at least 2 (got {})", a.arms);
    }
    let design = TwoProportions {
        p1: a.p1,
        p2: a.p2,
        alpha: a.alpha,
        sides,
        method,
    };
    let n = sample_size_two_proportions(&design, a.power)?;
    let enrolled = inflate_for_dropout(n.n_per_group_ceiling, a.dropout).context("--dropout")?;
    let achieved = power_two_proportions(&design, n.n_per_group_ceiling as f64)?.power;
    let total = enrolled * a.arms;
    let sides_label = match sides {
        Sides::Two => "two-sided",
        Sides::One => "one-sided",
    };
    if a.json {
        let doc = json!({
            "p1": a.p1, "p2": a.p2, "alpha": a.alpha, "power": a.power,
            "alternative": sides_label, "method": method, "method_label": method.label(),
            "n_per_group": n.n_per_group,
            "n_per_group_ceiling": n.n_per_group_ceiling,
            "achieved_power": achieved,
            "dropout": a.dropout,
            "n_per_group_with_dropout": enrolled,
            "arms": a.arms,
            "total": total,
            "rct_version": env!("CARGO_PKG_VERSION"),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    println!("Sample size for comparing two proportions");
    println!(
        "  p1 = {}, p2 = {}, alpha = {} ({sides_label}), power = {}",
        a.p1, a.p2, a.alpha, a.power
    );
    println!("  method: {}", method.label());
    println!(
        "  n per group: {:.4} -> {}",
        n.n_per_group, n.n_per_group_ceiling
    );
    println!(
        "  achieved power at {} per group: {:.4}",
        n.n_per_group_ceiling, achieved
    );
    println!(
        "  with {:.0}% dropout: {} per group ({} / (1 - {}), rounded up)",
        a.dropout * 100.0,
        enrolled,
        n.n_per_group_ceiling,
        a.dropout
    );
    println!("  total for {} arms: {}", a.arms, total);
    Ok(())
}
