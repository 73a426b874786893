//! `rct validate`: operational qualification against reference values.

use std::{collections::BTreeMap, path::PathBuf, process::ExitCode};

use anyhow::Result;
use rct_validation::{Case, Outcome};

/// Options of `rct validate`.
#[derive(clap::Args)]
pub struct Args {
    /// A folder of case files (FORMAT.md) to run instead of the bundled cases; repeatable.
    #[arg(long = "cases", value_name = "DIR")]
    cases: Vec<PathBuf>,
    /// Print a table per method.
    #[arg(long, short)]
    verbose: bool,
    /// Print machine-readable results as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let cases: Vec<Case> = if args.cases.is_empty() {
        rct_validation::bundled_cases()?
    } else {
        let mut all = Vec::new();
        for dir in &args.cases {
            all.extend(rct_validation::load_dir(dir)?);
        }
        all
    };
    let outcomes = rct_validation::run_all(&cases);
    let (passed, failed) = rct_validation::tally(&outcomes);
    if args.json {
        let doc = serde_json::json!({
            "rct_version": env!("CARGO_PKG_VERSION"),
            "passed": passed,
            "failed": failed,
            "cases": outcomes,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        // One line per failing case: its first mismatch, and how many more
        // fields differ (all of them with --verbose).
        for o in outcomes.iter().filter(|o| !o.passed) {
            let shown = if args.verbose { o.mismatches.len() } else { 1 };
            for m in o.mismatches.iter().take(shown) {
                let more = o.mismatches.len() - shown;
                let tail = if more > 0 {
                    format!(" (+{more} more fields)")
                } else {
                    String::new()
                };
                println!(
                    "FAIL {} {}: got {}, want {}{tail}",
                    o.id, m.field, m.got, m.want
                );
            }
        }
        if args.verbose {
            print_tables(&cases, &outcomes);
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_tables(cases: &[Case], outcomes: &[Outcome]) {
    let mut by_method: BTreeMap<&str, Vec<(&Case, &Outcome)>> = BTreeMap::new();
    for (c, o) in cases.iter().zip(outcomes) {
        by_method.entry(c.method.as_str()).or_default().push((c, o));
    }
    for (method, rows) in by_method {
        let ok = rows.iter().filter(|(_, o)| o.passed).count();
        println!("\n{method}: {ok}/{} passed", rows.len());
        let width = rows.iter().map(|(c, _)| c.id.len()).max().unwrap_or(0);
        for (c, o) in rows {
            let status = if o.passed { "ok  " } else { "FAIL" };
            let source: String = c.source.chars().take(70).collect();
            println!("  {status} {:<width$}  {source}", c.id);
        }
    }
}
