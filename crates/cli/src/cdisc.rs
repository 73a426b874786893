//! `rct cdisc`: convert and inspect SDTM/ADaM datasets (SAS XPORT v5,
//! Dataset-JSON v1.1 and its NDJSON form, CSV).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rct_cdisc::{csv, json, xport, CdiscError, Dataset, FileFormat, Temporal, VarKind};
use serde_json::json;

/// `rct cdisc ...`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Convert a dataset between formats chosen by extension: .xpt (SAS
    /// XPORT v5), .json (Dataset-JSON v1.1), .ndjson, .csv. Nothing is
    /// written unless the whole input reads.
    Convert(ConvertArgs),
    /// Print each dataset's variables (name, type, length, format,
    /// informat, label) and row count.
    Inspect(InspectArgs),
}

/// Options of `rct cdisc convert`.
#[derive(clap::Args)]
pub struct ConvertArgs {
    /// The file to read.
    input: PathBuf,
    /// The file to write (replaced atomically).
    output: PathBuf,
    /// The member to convert from a multi-member XPORT file.
    #[arg(long)]
    member: Option<String>,
    /// Text encoding of XPORT input: auto (UTF-8, else Windows-1252),
    /// utf-8, windows-1252.
    #[arg(long, default_value = "auto")]
    encoding: String,
    /// Encoding of text in XPORT output: utf-8 or windows-1252.
    #[arg(long, default_value = "utf-8")]
    output_encoding: String,
    /// For CSV input: a .xpt, .json or .ndjson file whose variables
    /// (types, lengths, labels, formats) the CSV columns follow; without
    /// it, types are inferred.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// The dataset name to write (XPORT needs one of at most 8 characters;
    /// CSV input is otherwise named after its file).
    #[arg(long)]
    name: Option<String>,
}

/// Options of `rct cdisc inspect`.
#[derive(clap::Args)]
pub struct InspectArgs {
    /// The file to inspect (.xpt, .json, .ndjson, .csv).
    file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Text encoding of XPORT input: auto, utf-8, windows-1252.
    #[arg(long, default_value = "auto")]
    encoding: String,
}

pub fn run(cmd: &Command) -> Result<()> {
    match cmd {
        Command::Convert(a) => convert(a),
        Command::Inspect(a) => inspect(a),
    }
}

/// Reads every dataset of a file by its extension, with default options.
pub fn read_file(path: &Path) -> Result<Vec<Dataset>> {
    read_all(path, xport::Encoding::Auto, None)
}

/// Reads every dataset of a file (XPORT may hold several).
fn read_all(path: &Path, encoding: xport::Encoding, schema: Option<&Path>) -> Result<Vec<Dataset>> {
    let datasets = match FileFormat::from_path(path)? {
        FileFormat::Xport => {
            xport::read_path_with(path, &xport::ReadOptions::default().with_encoding(encoding))?
        }
        FileFormat::Json => vec![json::read_path(path, false)?],
        FileFormat::Ndjson => vec![json::read_path(path, true)?],
        FileFormat::Csv => {
            let mut options = csv::ReadOptions::default();
            if let Some(s) = schema {
                let source = pick(read_all(s, encoding, None)?, None, s)
                    .with_context(|| format!("--schema {}", s.display()))?;
                options = options
                    .with_name(source.name())
                    .with_label(source.label())
                    .with_schema(source.variables().to_vec());
            }
            vec![csv::read_path(path, &options)?]
        }
        _ => anyhow::bail!("`{}`: unsupported format", path.display()),
    };
    Ok(datasets)
}

/// The one dataset to convert: the named member, or the only one.
fn pick(mut datasets: Vec<Dataset>, member: Option<&str>, path: &Path) -> Result<Dataset> {
    let members = || {
        datasets
            .iter()
            .map(|d| d.name().to_owned())
            .collect::<Vec<_>>()
    };
    let file = path.display().to_string();
    let index = match member {
        Some(m) => datasets
            .iter()
            .position(|d| d.name().eq_ignore_ascii_case(m))
            .ok_or_else(|| CdiscError::Member {
                file: file.clone(),
                problem: format!("no member named `{m}`"),
                members: members(),
            })?,
        None if datasets.len() == 1 => 0,
        None => {
            return Err(CdiscError::Member {
                file,
                problem: if datasets.is_empty() {
                    "the file holds no dataset".into()
                } else {
                    "the file holds several datasets; choose one with --member".into()
                },
                members: members(),
            }
            .into())
        }
    };
    Ok(datasets.swap_remove(index))
}

/// The current time as ISO 8601 (UTC, whole seconds).
fn now_iso() -> String {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // SAS datetimes count from 1960-01-01: 3653 days before 1970.
    let sas = unix as f64 + 3653.0 * 86_400.0;
    rct_cdisc::to_iso(sas, Temporal::DateTime).unwrap_or_else(|| "1970-01-01T00:00:00".into())
}

/// SAS's header stamp `ddMMMyy:hh:mm:ss` from ISO `YYYY-MM-DDThh:mm:ss`.
fn sas_stamp(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let month = iso
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("JAN");
    format!(
        "{}{}{}:{}",
        iso.get(8..10).unwrap_or("01"),
        month,
        iso.get(2..4).unwrap_or("60"),
        iso.get(11..19).unwrap_or("00:00:00")
    )
}

fn convert(a: &ConvertArgs) -> Result<()> {
    let encoding: xport::Encoding = a
        .encoding
        .parse()
        .map_err(anyhow::Error::msg)
        .context("--encoding")?;
    let output_encoding: xport::Encoding = a
        .output_encoding
        .parse()
        .map_err(anyhow::Error::msg)
        .context("--output-encoding")?;
    // Check the output format before reading anything.
    let out_format = FileFormat::from_path(&a.output)?;
    let datasets = read_all(&a.input, encoding, a.schema.as_deref())?;
    let mut ds = pick(datasets, a.member.as_deref(), &a.input)?;
    if let Some(n) = &a.name {
        ds = ds.with_name(n.clone());
    }
    let now = now_iso();
    match out_format {
        FileFormat::Xport => xport::write_path(
            &a.output,
            &[ds],
            &xport::WriteOptions::default()
                .with_timestamp(sas_stamp(&now))
                .with_encoding(output_encoding),
        )?,
        FileFormat::Json | FileFormat::Ndjson => json::write_path(
            &a.output,
            &ds,
            out_format == FileFormat::Ndjson,
            &json::WriteOptions::default().with_creation_datetime(now),
        )?,
        FileFormat::Csv => csv::write_path(&a.output, &ds)?,
        _ => anyhow::bail!("`{}`: unsupported format", a.output.display()),
    }
    Ok(())
}

fn kind_name(k: VarKind) -> &'static str {
    match k {
        VarKind::Numeric => "num",
        VarKind::Character => "char",
    }
}

fn inspect(a: &InspectArgs) -> Result<()> {
    let encoding: xport::Encoding = a
        .encoding
        .parse()
        .map_err(anyhow::Error::msg)
        .context("--encoding")?;
    let datasets = read_all(&a.file, encoding, None)?;
    if a.json {
        let out: Vec<_> = datasets
            .iter()
            .map(|d| {
                json!({
                    "name": d.name(),
                    "label": d.label(),
                    "rows": d.n_rows(),
                    "variables": d.variables().iter().map(|v| json!({
                        "name": v.name,
                        "label": v.label,
                        "type": v.kind,
                        "length": v.length,
                        "format": v.format.as_ref().map(ToString::to_string),
                        "informat": v.informat.as_ref().map(ToString::to_string),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = json!({ "file": a.file.display().to_string(), "datasets": out });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    for d in &datasets {
        let label = if d.label().is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", d.label())
        };
        println!(
            "{}{label}: {} rows, {} variables",
            d.name(),
            d.n_rows(),
            d.variables().len()
        );
        let width = d
            .variables()
            .iter()
            .map(|v| v.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        println!(
            "  {:>3}  {:width$}  {:4}  {:>4}  {:12}  {:12}  LABEL",
            "#", "NAME", "TYPE", "LEN", "FORMAT", "INFORMAT"
        );
        for (i, v) in d.variables().iter().enumerate() {
            let f = v
                .format
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let inf = v
                .informat
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            println!(
                "  {:>3}  {:width$}  {:4}  {:>4}  {:12}  {:12}  {}",
                i + 1,
                v.name,
                kind_name(v.kind),
                v.length,
                f,
                inf,
                v.label
            );
        }
    }
    Ok(())
}
