//! `rct`: design, randomize, validate, analyse and report a randomized
//! controlled trial.

mod analyze;
mod cdisc;
mod demo;
mod design;
mod phase3;
mod randomize;
mod simulate;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rct",
    version,
    about = "Design, run, analyse and report randomized controlled trials"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the reference cases (R, scipy, statsmodels, lifelines) against rct's methods.
    Validate(validate::Args),
    /// Design a trial: sample size and power.
    #[command(subcommand)]
    Design(design::Command),
    /// Generate a stratified permuted-block randomization list (or --verify one).
    Randomize(randomize::Args),
    /// Simulate a trial shaped like the seed trial, write it as SDTM and
    /// ADaM, analyse it with the default plan and write the report.
    Demo(demo::Args),
    /// Analyse a study folder (SDTM or ADaM) with an analysis plan and
    /// write results.json, report.html, tables and figures.
    Analyze(analyze::Args),
    /// Show or check an analysis plan.
    #[command(subcommand)]
    Plan(analyze::PlanCommand),
    /// Convert and inspect CDISC SDTM/ADaM datasets (.xpt, .json, .ndjson, .csv).
    #[command(subcommand)]
    Cdisc(cdisc::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Design(cmd) => design::run(&cmd).map(|()| ExitCode::SUCCESS),
        Command::Randomize(args) => randomize::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Cdisc(cmd) => cdisc::run(&cmd).map(|()| ExitCode::SUCCESS),
        Command::Demo(args) => demo::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Analyze(args) => analyze::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Plan(cmd) => analyze::plan(&cmd).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
