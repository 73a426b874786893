//! `rct randomize`: a stratified permuted-block list, its blinded kit list,
//! a validation report and a manifest an auditor can check.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rct_design::{generate, BlockScheme, RandomizationList, Stratum, ALGORITHM};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Options of `rct randomize`.
#[derive(clap::Args)]
pub struct Args {
    /// Arm names in protocol order, comma-separated.
    #[arg(long, value_delimiter = ',', required_unless_present = "verify")]
    arms: Vec<String>,
    /// Allocation ratio, e.g. 1:1:1 or 2:1.
    #[arg(long)]
    ratio: Option<String>,
    /// Block sizes, comma-separated; several sizes are drawn at random.
    #[arg(long, value_delimiter = ',')]
    block_sizes: Vec<usize>,
    /// A stratification factor and its levels, e.g. site=01,02,03,04; repeatable.
    #[arg(long = "strata", value_name = "FACTOR=LEVELS")]
    strata: Vec<String>,
    /// Entries per stratum.
    #[arg(long)]
    per_stratum: Option<usize>,
    /// Seed of the ChaCha20 generator (an unsigned 64-bit integer).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder (created; existing list files are not overwritten).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Re-generate the list described by DIR/manifest.json and check every
    /// file against its recorded SHA-256.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["arms", "out"])]
    verify: Option<PathBuf>,
}

/// Everything needed to regenerate a list, as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Parameters {
    arms: Vec<String>,
    ratio: Vec<usize>,
    block_sizes: Vec<usize>,
    strata: Vec<(String, Vec<String>)>,
    per_stratum: usize,
    seed: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    rct_version: String,
    algorithm: String,
    parameters: Parameters,
    files: Vec<FileHash>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileHash {
    name: String,
    sha256: String,
}

const FILES: [&str; 4] = ["list.csv", "kits.csv", "list.json", "validation.txt"];

pub fn run(a: &Args) -> Result<()> {
    if let Some(dir) = &a.verify {
        return verify(dir);
    }
    let params = parameters(a)?;
    let out = a.out.as_ref().context("--out DIR is required")?;
    let files = render(&params)?;
    write_all(out, &params, &files)?;
    println!(
        "wrote {} entries ({} strata x {}) to {}",
        files.entries,
        params
            .strata
            .iter()
            .map(|(_, l)| l.len())
            .product::<usize>(),
        params.per_stratum,
        out.display()
    );
    for name in FILES.iter().chain(&["manifest.json"]) {
        println!("  {}", out.join(name).display());
    }
    Ok(())
}

fn parameters(a: &Args) -> Result<Parameters> {
    let ratio_text = a
        .ratio
        .clone()
        .unwrap_or_else(|| vec!["1"; a.arms.len()].join(":"));
    let ratio = ratio_text
        .split(':')
        .map(|p| {
            p.trim()
                .parse::<usize>()
                .with_context(|| format!("--ratio `{ratio_text}`: `{p}` is not a whole number"))
        })
        .collect::<Result<Vec<_>>>()?;
    if a.block_sizes.is_empty() {
        bail!("--block-sizes is required (e.g. --block-sizes 3,6)");
    }
    let strata = a
        .strata
        .iter()
        .map(|s| {
            let (name, levels) = s
                .split_once('=')
                .with_context(|| format!("--strata `{s}`: expected FACTOR=LEVEL1,LEVEL2,..."))?;
            Ok((
                name.trim().to_string(),
                levels.split(',').map(|l| l.trim().to_string()).collect(),
            ))
        })
        .collect::<Result<Vec<(String, Vec<String>)>>>()?;
    Ok(Parameters {
        arms: a.arms.clone(),
        ratio,
        block_sizes: a.block_sizes.clone(),
        strata,
        per_stratum: a.per_stratum.context("--per-stratum N is required")?,
        seed: a
            .seed
            .context("--seed N is required (any unsigned 64-bit integer)")?,
    })
}

struct Rendered {
    entries: usize,
    contents: Vec<(String, String)>,
}

fn render(p: &Parameters) -> Result<Rendered> {
    let scheme = BlockScheme {
        arms: p.arms.clone(),
        ratio: p.ratio.clone(),
        block_sizes: p.block_sizes.clone(),
        strata: Stratum::product(&p.strata)?,
        per_stratum: p.per_stratum,
    };
    let list: RandomizationList = generate(&scheme, p.seed)?;
    let mut csv = String::from("sequence,stratum,block,block_size,arm,kit\n");
    let mut kits = String::from("sequence,stratum,kit\n");
    for e in &list.entries {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            e.sequence, e.stratum, e.block, e.block_size, e.arm, e.kit
        ));
        kits.push_str(&format!("{},{},{}\n", e.sequence, e.stratum, e.kit));
    }
    let json = serde_json::to_string_pretty(&list)? + "\n";
    Ok(Rendered {
        entries: list.entries.len(),
        contents: vec![
            ("list.csv".into(), csv),
            ("kits.csv".into(), kits),
            ("list.json".into(), json),
            ("validation.txt".into(), list.validation_report()),
        ],
    })
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes every file next to its final name and renames it into place, so a
/// failure leaves no half-written list behind.
fn write_all(out: &Path, params: &Parameters, files: &Rendered) -> Result<()> {
    for name in FILES.iter().chain(&["manifest.json"]) {
        if out.join(name).exists() {
            bail!(
                "{} already exists; choose an empty folder (lists are never overwritten)",
                out.join(name).display()
            );
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let manifest = Manifest {
        rct_version: env!("CARGO_PKG_VERSION").into(),
        algorithm: ALGORITHM.into(),
        parameters: params.clone(),
        files: files
            .contents
            .iter()
            .map(|(name, text)| FileHash {
                name: name.clone(),
                sha256: sha256(text),
            })
            .collect(),
    };
    let mut all = files.contents.clone();
    all.push((
        "manifest.json".into(),
        serde_json::to_string_pretty(&manifest)? + "\n",
    ));
    let mut staged = Vec::new();
    for (name, text) in &all {
        let tmp = out.join(format!(".{name}.partial"));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        staged.push((tmp, out.join(name)));
    }
    for (tmp, dest) in staged {
        std::fs::rename(&tmp, &dest).with_context(|| format!("cannot write {}", dest.display()))?;
    }
    Ok(())
}

fn verify(dir: &Path) -> Result<()> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{}: not an rct manifest", path.display()))?;
    if manifest.algorithm != ALGORITHM {
        bail!(
            "{}: the list was made with `{}`; this rct implements `{ALGORITHM}`",
            path.display(),
            manifest.algorithm
        );
    }
    let regenerated = render(&manifest.parameters)?;
    let mut failures = 0;
    for want in &manifest.files {
        let Some((_, text)) = regenerated.contents.iter().find(|(n, _)| *n == want.name) else {
            bail!("{}: unknown file `{}`", path.display(), want.name);
        };
        let regen = sha256(text);
        let on_disk = std::fs::read_to_string(dir.join(&want.name))
            .map(|t| sha256(&t))
            .unwrap_or_else(|_| "(missing)".into());
        let ok = regen == want.sha256 && on_disk == want.sha256;
        if !ok {
            failures += 1;
        }
        println!(
            "{} {}: manifest {}, regenerated {}, on disk {}",
            if ok { "ok  " } else { "FAIL" },
            want.name,
            &want.sha256[..12],
            &regen[..12.min(regen.len())],
            &on_disk[..12.min(on_disk.len())]
        );
    }
    if failures > 0 {
        bail!("{failures} file(s) do not match their manifest");
    }
    println!(
        "the list in {} is reproduced exactly from its parameters and seed",
        dir.display()
    );
    Ok(())
}
