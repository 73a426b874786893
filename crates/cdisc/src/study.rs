//! A study: the SDTM (or ADaM) datasets of one folder, keyed by domain.
//!
//! [`Study::read_dir`] reads every dataset file of a folder (`dm.xpt`,
//! `lb.csv`, `ae.json`, `vs.ndjson`, ...), one file per domain, and keys
//! each by its file stem in upper case. Files of other kinds (define.xml,
//! README) and hidden files are skipped. Hashing the inputs is left to the
//! caller: [`Study::paths`] lists the files that were read.
//!
//! CSV carries no types, so CSV files are read with every column as text
//! (`SITEID` "01" keeps its zero, `LBSTRESC` "<20" stays text); the typed
//! layer ([`crate::sdtm`]) parses numbers and dates and reports the ones
//! that do not parse.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::CdiscError;
use crate::model::{Column, Dataset, Variable};
use crate::{csv, json, xport, FileFormat};

/// What can go wrong collecting a study's datasets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudyError {
    /// The folder could not be listed.
    #[error("`{dir}`: cannot list the folder: {source}")]
    Dir {
        /// The folder.
        dir: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A dataset file could not be read; the codec's error names the file,
    /// record and variable.
    #[error(transparent)]
    Read(#[from] CdiscError),
    /// Two files (or two in-memory datasets) hold the same domain.
    #[error("domain {domain} is given twice: `{first}` and `{second}`; keep one file per domain")]
    DuplicateDomain {
        /// The domain (upper case).
        domain: String,
        /// The first file or dataset.
        first: String,
        /// The second one.
        second: String,
    },
    /// An XPORT file holds other than exactly one member.
    #[error("`{file}`: holds {count} members ({}); a study file must hold one dataset", members.join(", "))]
    Members {
        /// The file.
        file: String,
        /// How many members it holds.
        count: usize,
        /// Their names.
        members: Vec<String>,
    },
    /// An in-memory dataset has no name to key it by.
    #[error("dataset {index} has an empty name; name it after its domain")]
    Unnamed {
        /// Its position in the input (0-based).
        index: usize,
    },
}

/// The datasets of a study, keyed by upper-case domain name (`DM`, `LB`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Study {
    datasets: BTreeMap<String, Dataset>,
    paths: Vec<PathBuf>,
}

impl Study {
    /// Reads every `.xpt`, `.json`, `.ndjson` and `.csv` file of `dir` (not
    /// its subfolders), keyed by file stem in upper case; each dataset is
    /// renamed to its domain. CSV columns are read as text (see the module
    /// docs).
    ///
    /// # Errors
    /// [`StudyError::Dir`] if the folder cannot be listed,
    /// [`StudyError::Read`] for a file that does not read,
    /// [`StudyError::DuplicateDomain`] for two files of one domain (`dm.csv`
    /// and `dm.xpt`), [`StudyError::Members`] for an XPORT file that holds
    /// other than one dataset. Nothing is returned on error.
    pub fn read_dir(dir: impl AsRef<Path>) -> Result<Study, StudyError> {
        let dir = dir.as_ref();
        let list_error = |source| StudyError::Dir {
            dir: dir.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(list_error)? {
            let path = entry.map_err(list_error)?.path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden || !path.is_file() || FileFormat::from_path(&path).is_err() {
                continue;
            }
            files.push(path);
        }
        files.sort();

        let mut study = Study::default();
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        for path in files {
            let domain = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_ascii_uppercase())
                .unwrap_or_default();
            let shown = path.display().to_string();
            if let Some(first) = origin.get(&domain) {
                return Err(StudyError::DuplicateDomain {
                    domain,
                    first: first.clone(),
                    second: shown,
                });
            }
            let ds = read_file(&path)?.with_name(domain.clone());
            origin.insert(domain.clone(), shown);
            study.datasets.insert(domain, ds);
            study.paths.push(path);
        }
        Ok(study)
    }

    /// A study of datasets held in memory, keyed by their names in upper
    /// case.
    ///
    /// # Errors
    /// [`StudyError::DuplicateDomain`] for two datasets of one name,
    /// [`StudyError::Unnamed`] for a dataset without a name.
    ///
    /// # Example
    /// ```
    /// use rct_cdisc::{study::Study, Column, Dataset, Variable};
    /// let dm = Dataset::new(
    ///     "dm",
    ///     "Demographics",
    ///     vec![Variable::character("USUBJID", 6)],
    ///     vec![Column::Character(vec!["S-0001"].into())],
    /// )?;
    /// let study = Study::from_datasets(vec![dm])?;
    /// assert_eq!(study.get("DM").map(|d| d.n_rows()), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_datasets(datasets: Vec<Dataset>) -> Result<Study, StudyError> {
        let mut study = Study::default();
        for (index, ds) in datasets.into_iter().enumerate() {
            let domain = ds.name().trim().to_ascii_uppercase();
            if domain.is_empty() {
                return Err(StudyError::Unnamed { index });
            }
            if study.datasets.contains_key(&domain) {
                return Err(StudyError::DuplicateDomain {
                    first: format!("dataset {domain}"),
                    second: format!("dataset {}", ds.name()),
                    domain,
                });
            }
            study.datasets.insert(domain.clone(), ds.with_name(domain));
        }
        Ok(study)
    }

    /// The dataset of `domain` (any case), if the study has it.
    pub fn get(&self, domain: &str) -> Option<&Dataset> {
        self.datasets.get(&domain.to_ascii_uppercase())
    }

    /// The domains present, in alphabetical order.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        self.datasets.keys().map(String::as_str)
    }

    /// The files read by [`Study::read_dir`], in the order read (empty for
    /// [`Study::from_datasets`]).
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }
}

/// Reads one dataset file by its extension.
fn read_file(path: &Path) -> Result<Dataset, StudyError> {
    match FileFormat::from_path(path)? {
        FileFormat::Xport => {
            let mut members = xport::read_path(path)?;
            if members.len() != 1 {
                return Err(StudyError::Members {
                    file: path.display().to_string(),
                    count: members.len(),
                    members: members.iter().map(|d| d.name().to_owned()).collect(),
                });
            }
            Ok(members.remove(0))
        }
        FileFormat::Json => Ok(json::read_path(path, false)?),
        FileFormat::Ndjson => Ok(json::read_path(path, true)?),
        FileFormat::Csv => Ok(read_csv_as_text(path)?),
    }
}

/// Reads a CSV file with every column as text, then trims each variable's
/// length to its longest value.
fn read_csv_as_text(path: &Path) -> Result<Dataset, CdiscError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CdiscError::Io {
        file: shown.clone(),
        source,
    })?;
    let names = header_names(&bytes).map_err(|e| e.in_file(&shown))?;
    let schema = names
        .into_iter()
        .map(|n| Variable::character(n, usize::MAX))
        .collect();
    let options = csv::ReadOptions::default().with_schema(schema);
    let ds = csv::from_bytes(&bytes, &options).map_err(|e| e.in_file(&shown))?;
    let (name, label, variables, columns) = ds.into_parts();
    let variables = variables
        .into_iter()
        .zip(&columns)
        .map(|(v, c)| {
            let longest = match c {
                Column::Character(values) => values.max_len(),
                Column::Numeric(_) => 8,
            };
            v.with_length(longest.max(1))
        })
        .collect();
    Dataset::new(name, label, variables, columns).map_err(|e| e.in_file(&shown))
}

/// The names in a CSV header row (a byte-order mark dropped).
fn header_names(bytes: &[u8]) -> Result<Vec<String>, CdiscError> {
    let mut r = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = r.headers().map_err(|e| CdiscError::Syntax {
        at: crate::Location::file(crate::INPUT).at(crate::RecordKind::Line, 1),
        problem: format!("malformed CSV header: {e}"),
    })?;
    let mut names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(j, h)| {
            if j == 0 {
                h.trim_start_matches('\u{feff}').to_owned()
            } else {
                h.to_owned()
            }
        })
        .collect();
    if names.len() == 1 && names[0].is_empty() {
        names.clear();
    }
    Ok(names)
}
