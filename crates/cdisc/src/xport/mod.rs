//! SAS XPORT (transport) version 5, the format the FDA accepts.
//!
//! Layout (SAS TS-140): a file is a sequence of 80-byte records. Three
//! library header records, then per member (dataset): a member header, a
//! descriptor header, two member records (name, label, type), a NAMESTR
//! header giving the number of variables, one 140-byte NAMESTR per variable
//! (packed across records and blank-padded to a record boundary), an OBS
//! header, and the observations, packed end to end and blank-padded to a
//! record boundary. Integers are big-endian; numerics are IBM doubles
//! ([`ibm`]), possibly truncated to 2-7 bytes; text is blank-padded.

pub mod ibm;
mod read;

use std::io::Read;
use std::path::Path;

use crate::error::{shorten, CdiscError, Location, RecordKind, INPUT};
use crate::model::{Column, Dataset, Format, Missing, TextColumn, VarKind};

const RECORD: usize = 80;

const LIBRARY_HEADER: &[u8; 80] =
    b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  ";
const MEMBER_PREFIX: &[u8] = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!";
const DSCRPTR_PREFIX: &[u8] = b"HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!";
const NAMESTR_PREFIX: &[u8] = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!";
const OBS_PREFIX: &[u8] = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!";

/// Reads every member of an XPORT file.
///
/// # Errors
/// [`CdiscError::Io`] if the file cannot be read; otherwise as
/// [`from_bytes`], with the file named in the error.
pub fn read_path(path: impl AsRef<Path>) -> Result<Vec<Dataset>, CdiscError> {
    read_path_with(path, &ReadOptions::default())
}

/// Reads every member of an XPORT file, with options.
///
/// # Errors
/// As [`read_path`].
pub fn read_path_with(
    path: impl AsRef<Path>,
    options: &ReadOptions,
) -> Result<Vec<Dataset>, CdiscError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let io = |source| CdiscError::Io {
        file: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    read::read_all(file, Some(len), options.encoding).map_err(|e| e.in_file(&name))
}

/// Reads every member (dataset) of an XPORT v5 file held in memory.
///
/// Character values lose their trailing blanks (SAS pads with blanks, so
/// they carry no meaning). XPORT v5 records no encoding: by default
/// ([`Encoding::Auto`]) a member's text is read as UTF-8 when all of it is
/// valid UTF-8 and as Windows-1252 (SAS's `wlatin1`) otherwise; use
/// [`from_bytes_with`] and [`Encoding::Utf8`] to reject anything but UTF-8.
///
/// # Errors
/// [`CdiscError::BadHeader`] for a file that is not XPORT v5 (including
/// XPORT v8, named as such), [`CdiscError::Truncated`] for a file that
/// ends inside a header or NAMESTR, [`CdiscError::Invalid`] for NAMESTR
/// entries that contradict each other, [`CdiscError::BadValue`] for text
/// that is not UTF-8; each error names the record or observation and the
/// variable. Nothing is returned on error.
///
/// # Example
/// ```
/// use rct_cdisc::{xport, Column, Dataset, NumericColumn, Variable};
/// let ds = Dataset::new(
///     "VS",
///     "Vital Signs",
///     vec![Variable::numeric("VSSTRESN").with_label("Numeric Result")],
///     vec![Column::Numeric(NumericColumn::from_values(vec![Some(72.5), None]))],
/// )?;
/// let bytes = xport::to_bytes(&[ds.clone()], &xport::WriteOptions::default())?;
/// assert_eq!(bytes.len() % 80, 0);
/// let back = xport::from_bytes(&bytes)?;
/// assert_eq!(back, vec![ds]);
/// # Ok::<(), rct_cdisc::CdiscError>(())
/// ```
pub fn from_bytes(bytes: &[u8]) -> Result<Vec<Dataset>, CdiscError> {
    from_bytes_with(bytes, &ReadOptions::default())
}

/// Reads every member of an XPORT v5 file held in memory, with options.
///
/// # Errors
/// As [`from_bytes`].
pub fn from_bytes_with(bytes: &[u8], options: &ReadOptions) -> Result<Vec<Dataset>, CdiscError> {
    read::read_all(bytes, Some(bytes.len() as u64), options.encoding)
}

/// Reads every member of an XPORT v5 file from any reader, a few megabytes
/// at a time: the input is never held in memory whole.
///
/// # Errors
/// As [`from_bytes`]; [`CdiscError::Io`] when reading fails.
pub fn from_reader(reader: impl Read, options: &ReadOptions) -> Result<Vec<Dataset>, CdiscError> {
    read::read_all(reader, None, options.encoding)
}

/// How the bytes of character values are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Encoding {
    /// UTF-8 if every value of the member is valid UTF-8, else
    /// Windows-1252 (decided per member, never per value).
    #[default]
    Auto,
    /// UTF-8 only; invalid bytes are an error naming the observation and
    /// variable.
    Utf8,
    /// Windows-1252 (SAS `wlatin1`), a superset of the printable Latin-1.
    Windows1252,
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "windows-1252" | "cp1252" | "wlatin1" | "latin1" | "latin-1" => {
                Ok(Encoding::Windows1252)
            }
            other => Err(format!(
                "unknown encoding `{other}`; use auto, utf-8 or windows-1252"
            )),
        }
    }
}

/// Settings for reading XPORT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// How character bytes become text.
    pub encoding: Encoding,
}

impl ReadOptions {
    /// Sets the encoding.
    #[must_use]
    pub fn with_encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }
}

/// The Unicode code points of Windows-1252 bytes 0x80-0x9F (the five
/// undefined bytes map to the C1 control of the same number, as the WHATWG
/// Encoding Standard does); every other byte is its Latin-1 code point.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// The characters of Windows-1252 text.
fn windows1252_chars(raw: &[u8]) -> impl Iterator<Item = char> + '_ {
    raw.iter().map(|&b| match b {
        0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    })
}

/// Appends the text of `raw` in `encoding` to `column` as one cell.
///
/// # Errors
/// When the encoding is UTF-8 (or not yet known) and `raw` is not UTF-8;
/// nothing is appended then.
fn push_text(
    column: &mut TextColumn,
    raw: &[u8],
    encoding: Encoding,
) -> Result<(), std::str::Utf8Error> {
    match encoding {
        Encoding::Auto | Encoding::Utf8 => column.push(std::str::from_utf8(raw)?),
        Encoding::Windows1252 => column.push_chars(windows1252_chars(raw)),
    }
    Ok(())
}

fn encode_text(text: &str, encoding: Encoding) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Auto | Encoding::Utf8 => Some(text.as_bytes().to_vec()),
        Encoding::Windows1252 => text
            .chars()
            .map(|c| {
                let u = u32::from(c);
                if u < 0x80 || (0xa0..=0xff).contains(&u) {
                    u8::try_from(u).ok()
                } else {
                    CP1252_HIGH
                        .iter()
                        .position(|&h| h == c)
                        .and_then(|i| u8::try_from(i + 0x80).ok())
                }
            })
            .collect(),
    }
}

/// Settings for writing XPORT.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteOptions {
    /// The creation and modification stamp in the headers, in SAS's
    /// `ddMMMyy:hh:mm:ss` form. A fixed default keeps output reproducible
    /// (the library uses no clock); set it to the current time if wanted.
    pub timestamp: String,
    /// The SAS release written in the headers.
    pub sas_version: String,
    /// How text becomes bytes: UTF-8 (the default; `Auto` means UTF-8
    /// here) or Windows-1252.
    pub encoding: Encoding,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            timestamp: "01JAN60:00:00:00".into(),
            sas_version: "9.4".into(),
            encoding: Encoding::Utf8,
        }
    }
}

impl WriteOptions {
    /// Sets the encoding of text.
    #[must_use]
    pub fn with_encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets the header timestamp (`ddMMMyy:hh:mm:ss`, 16 characters).
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = timestamp.into();
        self
    }
}

/// Writes datasets as one XPORT v5 file, atomically: the bytes go to a
/// temporary file beside `path`, which is renamed over `path` only once all
/// is written.
///
/// # Errors
/// As [`to_bytes`], or [`CdiscError::Io`].
pub fn write_path(
    path: impl AsRef<Path>,
    datasets: &[Dataset],
    options: &WriteOptions,
) -> Result<(), CdiscError> {
    let path = path.as_ref();
    let bytes = to_bytes(datasets, options).map_err(|e| e.in_file(&path.display().to_string()))?;
    crate::write_atomic(path, &bytes)
}

fn put(buf: &mut Vec<u8>, text: &[u8], width: usize) {
    let n = text.len().min(width);
    buf.extend_from_slice(&text[..n]);
    buf.extend(std::iter::repeat_n(b' ', width - n));
}

fn pad_record(buf: &mut Vec<u8>) {
    let rem = buf.len() % RECORD;
    if rem != 0 {
        buf.extend(std::iter::repeat_n(b' ', RECORD - rem));
    }
}

fn check_name(at: &Location, what: &str, text: &str, max: usize) -> Result<(), CdiscError> {
    if !text.is_ascii() || text.len() > max {
        return Err(CdiscError::Invalid {
            at: at.clone(),
            problem: format!("{what} {text:?} must be ASCII and at most {max} bytes for XPORT v5"),
        });
    }
    Ok(())
}

fn check_format(at: &Location, what: &str, f: &Option<Format>) -> Result<(), CdiscError> {
    if let Some(f) = f {
        check_name(at, what, &f.name, 8)?;
        if f.width > i16::MAX as u16 || f.decimals > i16::MAX as u16 {
            return Err(CdiscError::Invalid {
                at: at.clone(),
                problem: format!("{what} {f} has a width or decimals beyond 32767"),
            });
        }
    }
    Ok(())
}

/// Checks that a dataset fits XPORT v5: names of at most 8 ASCII bytes,
/// labels of at most 40, numeric lengths 2-8, character lengths 1-200
/// holding every value.
fn check_dataset(ds: &Dataset) -> Result<(), CdiscError> {
    let at = Location::file(INPUT);
    check_name(&at, "dataset name", ds.name(), 8)?;
    if ds.name().is_empty() {
        return Err(CdiscError::Invalid {
            at,
            problem: "the dataset name is empty; XPORT needs a member name".into(),
        });
    }
    check_name(&at, "dataset label", ds.label(), 40)?;
    if ds.variables().len() > 9999 {
        return Err(CdiscError::Invalid {
            at,
            problem: format!(
                "{} variables; XPORT v5 holds at most 9999",
                ds.variables().len()
            ),
        });
    }
    for (v, c) in ds.variables().iter().zip(ds.columns()) {
        let at = Location::file(INPUT).variable(v.name.clone());
        check_name(&at, "variable name", &v.name, 8)?;
        check_name(&at, "label", &v.label, 40)?;
        check_format(&at, "format", &v.format)?;
        check_format(&at, "informat", &v.informat)?;
        match c {
            Column::Numeric(_) => {
                if !(2..=8).contains(&v.length) {
                    return Err(CdiscError::Invalid {
                        at,
                        problem: format!("numeric length {} must be 2 to 8", v.length),
                    });
                }
            }
            Column::Character(_) => {
                if !(1..=200).contains(&v.length) {
                    return Err(CdiscError::Invalid {
                        at,
                        problem: format!(
                            "character length {} must be 1 to 200 for XPORT v5",
                            v.length
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Writes datasets as an XPORT v5 file in memory.
///
/// Numerics shorter than 8 bytes keep the leading bytes of the IBM double
/// (truncation, as SAS does). Special missing values keep their letter.
///
/// # Errors
/// [`CdiscError::Invalid`] when metadata does not fit XPORT v5 (see the
/// limits above), [`CdiscError::NotRepresentable`] for text longer than its
/// variable or a number outside the IBM range (|x| > 7.2e75 or
/// 0 < |x| < 5.4e-79); each names the variable and observation.
pub fn to_bytes(datasets: &[Dataset], options: &WriteOptions) -> Result<Vec<u8>, CdiscError> {
    for ds in datasets {
        check_dataset(ds)?;
    }
    let stamp = options.timestamp.as_bytes();
    let mut buf = Vec::new();
    buf.extend_from_slice(LIBRARY_HEADER);
    put(&mut buf, b"SAS", 8);
    put(&mut buf, b"SAS", 8);
    put(&mut buf, b"SASLIB", 8);
    put(&mut buf, options.sas_version.as_bytes(), 8);
    put(&mut buf, b"rct", 8);
    put(&mut buf, b"", 24);
    put(&mut buf, stamp, 16);
    put(&mut buf, stamp, 16);
    put(&mut buf, b"", 64);

    for ds in datasets {
        buf.extend_from_slice(MEMBER_PREFIX);
        buf.extend_from_slice(b"000000000000000001600000000140  ");
        buf.extend_from_slice(DSCRPTR_PREFIX);
        buf.extend_from_slice(b"000000000000000000000000000000  ");
        put(&mut buf, b"SAS", 8);
        put(&mut buf, ds.name().as_bytes(), 8);
        put(&mut buf, b"SASDATA", 8);
        put(&mut buf, options.sas_version.as_bytes(), 8);
        put(&mut buf, b"rct", 8);
        put(&mut buf, b"", 24);
        put(&mut buf, stamp, 16);
        put(&mut buf, stamp, 16);
        put(&mut buf, b"", 16);
        put(&mut buf, ds.label().as_bytes(), 40);
        put(&mut buf, b"", 8);
        buf.extend_from_slice(NAMESTR_PREFIX);
        buf.extend_from_slice(
            format!("000000{:04}00000000000000000000  ", ds.variables().len()).as_bytes(),
        );

        let mut position = 0usize;
        for (i, v) in ds.variables().iter().enumerate() {
            let kind: i16 = match v.kind {
                VarKind::Numeric => 1,
                VarKind::Character => 2,
            };
            buf.extend_from_slice(&kind.to_be_bytes());
            buf.extend_from_slice(&0i16.to_be_bytes());
            // Lengths were checked to be at most 200.
            buf.extend_from_slice(&(v.length as i16).to_be_bytes());
            buf.extend_from_slice(&((i + 1) as i16).to_be_bytes());
            put(&mut buf, v.name.as_bytes(), 8);
            put(&mut buf, v.label.as_bytes(), 40);
            let (fname, fw, fd) = v
                .format
                .as_ref()
                .map_or(("", 0, 0), |f| (f.name.as_str(), f.width, f.decimals));
            put(&mut buf, fname.as_bytes(), 8);
            buf.extend_from_slice(&(fw as i16).to_be_bytes());
            buf.extend_from_slice(&(fd as i16).to_be_bytes());
            buf.extend_from_slice(&0i16.to_be_bytes()); // left-justified
            buf.extend_from_slice(&[0, 0]);
            let (iname, iw, id) = v
                .informat
                .as_ref()
                .map_or(("", 0, 0), |f| (f.name.as_str(), f.width, f.decimals));
            put(&mut buf, iname.as_bytes(), 8);
            buf.extend_from_slice(&(iw as i16).to_be_bytes());
            buf.extend_from_slice(&(id as i16).to_be_bytes());
            buf.extend_from_slice(&(position as i32).to_be_bytes());
            buf.extend(std::iter::repeat_n(0u8, 52));
            position += v.length;
        }
        pad_record(&mut buf);
        buf.extend_from_slice(OBS_PREFIX);
        buf.extend_from_slice(b"000000000000000000000000000000  ");

        let obs_len = position;
        let n = ds.n_rows();
        buf.reserve(obs_len * n + RECORD);
        for row in 0..n {
            for (v, c) in ds.variables().iter().zip(ds.columns()) {
                match c {
                    Column::Numeric(col) => {
                        let bytes = match col.values().get(row).copied().flatten() {
                            Some(x) => {
                                ibm::encode(x).map_err(|e| CdiscError::NotRepresentable {
                                    at: Location::file(INPUT)
                                        .at(RecordKind::Observation, row as u64 + 1)
                                        .variable(v.name.clone()),
                                    value: crate::error::show_number(x),
                                    problem: match e {
                                        ibm::EncodeError::NotFinite => {
                                            "SAS numerics cannot be NaN or infinite".into()
                                        }
                                        ibm::EncodeError::Overflow => {
                                            "beyond the largest IBM double (7.2e75)".into()
                                        }
                                        ibm::EncodeError::Underflow => {
                                            "below the smallest IBM double (5.4e-79); round it to 0"
                                                .into()
                                        }
                                    },
                                })?
                            }
                            None => ibm::encode_missing(col.missing(row).unwrap_or(Missing::Dot)),
                        };
                        buf.extend_from_slice(&bytes[..v.length]);
                    }
                    Column::Character(col) => {
                        let t = col.get(row).unwrap_or_default();
                        let at = || {
                            Location::file(INPUT)
                                .at(RecordKind::Observation, row as u64 + 1)
                                .variable(v.name.clone())
                        };
                        let bytes = encode_text(t, options.encoding).ok_or_else(|| {
                            CdiscError::NotRepresentable {
                                at: at(),
                                value: format!("{:?}", shorten(t)),
                                problem: "has characters outside Windows-1252; write UTF-8".into(),
                            }
                        })?;
                        if bytes.len() > v.length {
                            return Err(CdiscError::NotRepresentable {
                                at: at(),
                                value: format!("{:?}", shorten(t)),
                                problem: format!(
                                    "{} bytes do not fit the length {}; raise the \
                                     variable's length",
                                    bytes.len(),
                                    v.length
                                ),
                            });
                        }
                        put(&mut buf, &bytes, v.length);
                    }
                }
            }
        }
        pad_record(&mut buf);
    }
    Ok(buf)
}
