//! `rct demo`: simulate a trial shaped like the seed trial, write it as
//! SDTM, derive ADaM, run the default plan and write the report.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rct_cdisc::{csv, json, xport, Dataset};
use rct_simulate::demo::{simulate_study_with_progress, DemoConfig};

use crate::analyze;

/// Options of `rct demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Output folder: sdtm/, adam/ and report/ (report.html, results.json,
    /// tables/, figures/).
    #[arg(long, default_value = "rct-demo")]
    out: PathBuf,
    /// Seed of the simulation (the same seed gives the same study).
    #[arg(long, default_value_t = 2021)]
    seed: u64,
    /// Randomized subjects; the default is the seed trial's 72 (24 per arm)
    /// with its exact disposition and adverse-event counts.
    #[arg(long)]
    subjects: Option<usize>,
    /// Format of the SDTM and ADaM files: xpt, json, ndjson or csv.
    #[arg(long, default_value = "xpt")]
    format: String,
    /// No progress display.
    #[arg(long)]
    quiet: bool,
}

pub fn run(a: &Args) -> Result<()> {
    let ext = match a.format.as_str() {
        "xpt" | "json" | "ndjson" | "csv" => a.format.as_str(),
        other => bail!("--format {other}: use xpt, json, ndjson or csv"),
    };
    let config = match a.subjects {
        None => DemoConfig::seed_trial(),
        Some(n) if n >= 3 => DemoConfig::scaled(n),
        Some(n) => bail!("--subjects {n}: at least 3 randomized subjects are needed"),
    };
    let bar = if a.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} simulating subjects {bar:30} {pos}/{len} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
    };
    let study = simulate_study_with_progress(&config, a.seed, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let sdtm_dir = a.out.join("sdtm");
    write_datasets(&sdtm_dir, &study.datasets, ext)?;
    let screened = study.get("DM").map_or(0, Dataset::n_rows);
    // The files are the study from here on: free the simulated copy before
    // reading them back (at 20,000 subjects it is gigabytes).
    drop(study);
    // Analyse from the files just written, exactly as `rct analyze` would.
    let plan = rct_analysis::Plan::default_plan()?;
    let (prepared, inputs) = analyze::load(&sdtm_dir, &plan, true)?;
    let adam: Vec<Dataset> = prepared
        .derived
        .iter()
        .filter_map(|name| prepared.study.dataset(name).cloned())
        .collect();
    write_datasets(&a.out.join("adam"), &adam, ext)?;
    drop(adam);
    let spinner = analyze::progress(a.quiet);
    let mut analysis = rct_analysis::run(&plan, &prepared.study, &mut |step| {
        spinner.set_message(step.to_string())
    })?;
    spinner.finish_and_clear();
    analysis.seeds.insert("demo.simulation".into(), a.seed);
    let report_dir = a.out.join("report");
    analyze::write_outputs(
        &report_dir,
        rct_analysis::plan::DEFAULT_PLAN,
        &inputs,
        &prepared.derived,
        &analysis,
    )?;
    if !a.quiet {
        println!(
            "demo trial (seed {}): {} screened, {} randomized",
            a.seed,
            screened,
            config.n_randomized()
        );
        println!("SDTM -> {}", sdtm_dir.display());
        println!("ADaM -> {}", a.out.join("adam").display());
        println!(
            "{} results, {} tables, {} figures -> {}",
            analysis.results.len(),
            analysis.report.tables.len(),
            analysis.report.figures.len(),
            report_dir.join("report.html").display()
        );
        for note in &analysis.notes {
            println!("note: {note}");
        }
    }
    Ok(())
}

/// Writes each dataset as `<dir>/<name>.<ext>` (lower-case name).
pub fn write_datasets(dir: &Path, datasets: &[Dataset], ext: &str) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for ds in datasets {
        let path = dir.join(format!("{}.{ext}", ds.name().to_ascii_lowercase()));
        match ext {
            "xpt" => xport::write_path(
                &path,
                std::slice::from_ref(ds),
                &xport::WriteOptions::default(),
            )?,
            "json" => json::write_path(&path, ds, false, &json::WriteOptions::default())?,
            "ndjson" => json::write_path(&path, ds, true, &json::WriteOptions::default())?,
            _ => csv::write_path(&path, ds)?,
        }
    }
    Ok(())
}
