//! `rct analyze`: run the analysis plan on a study folder and write the
//! report; `rct plan show`: print a plan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rct_analysis::{Analysis, Plan, StudyData};
use rct_cdisc::Dataset;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Options of `rct analyze`.
#[derive(clap::Args)]
pub struct Args {
    /// The study folder: SDTM or ADaM datasets, one file per domain
    /// (dm.xpt, lb.json, adsl.csv, ...).
    study: PathBuf,
    /// Output folder (results.json, report.html, tables/, figures/).
    #[arg(long)]
    out: PathBuf,
    /// Analysis plan (TOML); the default is the seed trial's (`rct plan show`).
    #[arg(long)]
    plan: Option<PathBuf>,
    /// No progress display.
    #[arg(long)]
    quiet: bool,
}

/// `rct plan ...`
#[derive(clap::Subcommand)]
pub enum PlanCommand {
    /// Print the default analysis plan (the seed trial's), or the CDISC
    /// pilot example with --example cdisc-pilot.
    Show {
        /// `default` or `cdisc-pilot`.
        #[arg(long, default_value = "default")]
        example: String,
    },
    /// Check a plan file and report the first problem.
    Check {
        /// The plan (TOML).
        file: PathBuf,
    },
}

pub fn plan(cmd: &PlanCommand) -> Result<()> {
    match cmd {
        PlanCommand::Show { example } => {
            let text = match example.as_str() {
                "default" => rct_analysis::plan::DEFAULT_PLAN,
                "cdisc-pilot" => rct_analysis::plan::CDISC_PILOT_PLAN,
                other => bail!("unknown example plan `{other}`: use default or cdisc-pilot"),
            };
            print!("{text}");
            Ok(())
        }
        PlanCommand::Check { file } => {
            read_plan(Some(file))?;
            println!("{}: OK", file.display());
            Ok(())
        }
    }
}

fn read_plan(path: Option<&Path>) -> Result<(Plan, String)> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read plan {}", p.display()))?;
            let plan = Plan::from_toml(&text, &p.display().to_string())?;
            Ok((plan, text))
        }
        None => Ok((
            Plan::default_plan()?,
            rct_analysis::plan::DEFAULT_PLAN.to_string(),
        )),
    }
}

/// One input file (its name within the study folder) with its hash.
#[derive(serde::Serialize)]
pub struct InputFile {
    pub file: String,
    pub sha256: String,
    pub dataset: String,
    pub rows: usize,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The dataset files of a folder (.xpt, .json, .ndjson, .csv; hidden files
/// and other types such as define.xml are skipped), sorted, keyed by the
/// upper-case file stem; two files for one dataset is an error.
fn list_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read study folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .filter(|p| rct_cdisc::FileFormat::from_path(p).is_ok())
        .collect();
    entries.sort();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &entries {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_uppercase())
            .unwrap_or_default();
        if let Some(first) = seen.insert(stem.clone(), path.clone()) {
            bail!(
                "{} and {} both hold dataset {stem}; keep one file per dataset",
                first.display(),
                path.display()
            );
        }
    }
    if seen.is_empty() {
        bail!(
            "{}: no dataset files (.xpt, .json, .ndjson, .csv) found",
            dir.display()
        );
    }
    Ok(seen.into_iter().collect())
}

/// Reads a study folder: ADaM as it is when the folder has ADSL, otherwise
/// SDTM, validated, with ADaM derived by the plan's arms and the seed
/// trial's rules. Returns the data and every input file with its SHA-256.
pub fn load(dir: &Path, plan: &Plan) -> Result<(Prepared, Vec<InputFile>)> {
    let files = list_files(dir)?;
    let mut inputs = Vec::with_capacity(files.len());
    for (stem, path) in &files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        inputs.push(InputFile {
            file: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            sha256: sha256_hex(&bytes),
            dataset: stem.clone(),
            rows: 0,
        });
    }
    let prepared = if files.iter().any(|(s, _)| s == "ADSL") {
        let mut datasets = Vec::with_capacity(files.len());
        for (stem, path) in &files {
            let mut read = crate::cdisc::read_file(path)?;
            let ds = match read
                .iter()
                .position(|d| d.name().eq_ignore_ascii_case(stem))
            {
                Some(i) => read.swap_remove(i),
                None if read.len() == 1 => read.remove(0),
                None => bail!(
                    "{}: holds {} datasets and none is named {stem}",
                    path.display(),
                    read.len()
                ),
            };
            datasets.push(ds.with_name(stem.clone()));
        }
        Prepared {
            study: StudyData::new(datasets),
            derived: Vec::new(),
        }
    } else if files.iter().any(|(s, _)| s == "DM") {
        let study = rct_cdisc::study::Study::read_dir(dir)?;
        derive_adam(study, plan)?
    } else {
        bail!(
            "{}: the study folder has neither ADSL (ADaM) nor DM (SDTM)",
            dir.display()
        );
    };
    for input in &mut inputs {
        input.rows = prepared
            .study
            .dataset(&input.dataset)
            .map_or(0, Dataset::n_rows);
    }
    Ok((prepared, inputs))
}

/// Validates the SDTM domains and derives ADSL, ADLB, ADTTE and ADAE.
pub fn derive_adam(study: rct_cdisc::study::Study, plan: &Plan) -> Result<Prepared> {
    let sdtm = rct_cdisc::sdtm::Sdtm::from_study(&study)?;
    let mut config = rct_cdisc::adam::AdamConfig::seed_trial();
    if plan.arms.variable.eq_ignore_ascii_case("ARMCD") {
        config.arms = plan
            .arms
            .values
            .iter()
            .cloned()
            .zip(plan.arms.labels.iter().cloned())
            .collect();
    }
    let adam = rct_cdisc::adam::derive_all(&sdtm, &config)?;
    let mut datasets: Vec<Dataset> = study
        .domains()
        .filter_map(|d| study.get(d).cloned())
        .collect();
    let derived = vec![
        "ADSL".to_string(),
        "ADLB".into(),
        "ADTTE".into(),
        "ADAE".into(),
    ];
    datasets.extend([adam.adsl, adam.adlb, adam.adtte, adam.adae]);
    Ok(Prepared {
        study: StudyData::new(datasets),
        derived,
    })
}

pub fn run(a: &Args) -> Result<()> {
    let (plan, plan_text) = read_plan(a.plan.as_deref())?;
    let (data, inputs) = load(&a.study, &plan)?;
    let bar = progress(a.quiet);
    let analysis = rct_analysis::run(&plan, &data.study, &mut |step| {
        bar.set_message(step.to_string())
    })?;
    bar.finish_and_clear();
    write_outputs(&a.out, &plan_text, &inputs, &data.derived, &analysis)?;
    if !a.quiet {
        summary(&a.out, &analysis);
    }
    Ok(())
}

/// A study ready for the engine: ADaM as read, or derived from SDTM.
pub struct Prepared {
    pub study: StudyData,
    /// Names of datasets rct derived (empty when ADaM was given).
    pub derived: Vec<String>,
}

pub fn progress(quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Writes results.json and the report (report.html, tables/, figures/).
pub fn write_outputs(
    out: &Path,
    plan_text: &str,
    inputs: &[InputFile],
    derived: &[String],
    analysis: &Analysis,
) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let results = json!({
        "rct_version": env!("CARGO_PKG_VERSION"),
        "plan": plan_text,
        "inputs": inputs,
        "derived_datasets": derived,
        "seeds": analysis.seeds,
        "notes": analysis.notes,
        "results": analysis.results,
    });
    let text = serde_json::to_string_pretty(&results)?;
    let mut report = analysis.report.clone();
    report
        .subtitle
        .push(format!("rct {}", env!("CARGO_PKG_VERSION")));
    report.subtitle.push(format!(
        "Inputs: {}",
        inputs
            .iter()
            .map(|i| format!("{} (SHA-256 {})", i.dataset, &i.sha256[..12]))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !derived.is_empty() {
        report.subtitle.push(format!(
            "ADaM derived by rct from SDTM: {}",
            derived.join(", ")
        ));
    }
    rct_report::write_report(out, &report)
        .with_context(|| format!("cannot write the report to {}", out.display()))?;
    std::fs::write(out.join("results.json"), text + "\n")
        .with_context(|| format!("cannot write {}", out.join("results.json").display()))?;
    Ok(())
}

fn summary(out: &Path, analysis: &Analysis) {
    println!(
        "{} results, {} tables, {} figures -> {}",
        analysis.results.len(),
        analysis.report.tables.len(),
        analysis.report.figures.len(),
        out.join("report.html").display()
    );
    for note in &analysis.notes {
        println!("note: {note}");
    }
}
