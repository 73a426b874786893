//! # rct-cdisc
//!
//! CDISC SDTM and ADaM datasets for rct: one neutral model ([`Dataset`],
//! [`Variable`], [`Column`]) and codecs that read into it and write from it:
//!
//! - [`xport`]: SAS XPORT version 5 (`.xpt`), the format the FDA accepts;
//! - [`json`]: CDISC Dataset-JSON v1.1 (`.json`) and its NDJSON form
//!   (`.ndjson`);
//! - [`csv`]: CSV with a header row of variable names.
//!
//! On top of the codecs: [`study`] gathers a folder of SDTM datasets,
//! [`sdtm`] reads the domains rct uses into typed, validated records, and
//! [`adam`] derives the analysis datasets (ADSL, ADLB, ADTTE, ADAE).
//!
//! Every reader either returns the whole dataset or a [`CdiscError`] that
//! names the file, the record or line, the variable and the problem; no
//! reader returns a partial dataset. Writers to paths write a temporary
//! file and rename it, so a failed write leaves nothing behind.

mod dates;
mod error;
mod model;

pub mod adam;
pub mod csv;
pub mod json;
pub mod sdtm;
pub mod study;
pub mod xport;

pub use dates::{from_iso, to_iso};
pub use error::{CdiscError, Location, RecordKind, INPUT};
pub use model::{
    Column, Dataset, Format, Missing, NumericColumn, Temporal, TextColumn, TextIter, VarKind,
    Variable,
};

use std::io::Write;
use std::path::Path;

/// The file formats rct reads and writes, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileFormat {
    /// SAS XPORT v5 (`.xpt`).
    Xport,
    /// Dataset-JSON v1.1 (`.json`).
    Json,
    /// Dataset-JSON v1.1, NDJSON form (`.ndjson`).
    Ndjson,
    /// CSV (`.csv`).
    Csv,
}

impl FileFormat {
    /// The format named by a path's extension (case-insensitive).
    ///
    /// # Errors
    /// [`CdiscError::UnknownFormat`] for any other extension.
    pub fn from_path(path: &Path) -> Result<Self, CdiscError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xpt") => Ok(FileFormat::Xport),
            Some("json") => Ok(FileFormat::Json),
            Some("ndjson") => Ok(FileFormat::Ndjson),
            Some("csv") => Ok(FileFormat::Csv),
            _ => Err(CdiscError::UnknownFormat {
                file: path.display().to_string(),
            }),
        }
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`, so that readers never see a half-written file and a failed
/// write leaves nothing behind.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CdiscError> {
    let file = path.display().to_string();
    let io = |source| CdiscError::Io {
        file: file.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{base}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}
