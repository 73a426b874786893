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

use std::path::Path;

use crate::error::{shorten, CdiscError, Location, RecordKind, INPUT};
use crate::model::{Column, Dataset, Format, Missing, NumericColumn, VarKind, Variable};

const RECORD: usize = 80;
const NAMESTR: usize = 140;

const LIBRARY_HEADER: &[u8; 80] =
    b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  ";
const MEMBER_PREFIX: &[u8] = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!";
const DSCRPTR_PREFIX: &[u8] = b"HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!";
const NAMESTR_PREFIX: &[u8] = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!";
const OBS_PREFIX: &[u8] = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!";
const LIBV8_PREFIX: &[u8] = b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!";

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
    let bytes = std::fs::read(path).map_err(|source| CdiscError::Io {
        file: name.clone(),
        source,
    })?;
    from_bytes_with(&bytes, options).map_err(|e| e.in_file(&name))
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
    let mut r = Records { bytes, pos: 0 };
    let first = r.record("the library header")?;
    if first.starts_with(LIBV8_PREFIX) {
        return Err(CdiscError::BadHeader {
            at: r.here(),
            problem: "this is SAS XPORT version 8 (LIBV8); only version 5 is supported".into(),
        });
    }
    if first != LIBRARY_HEADER {
        return Err(CdiscError::BadHeader {
            at: r.here(),
            problem: format!(
                "expected the XPORT library header \"HEADER RECORD*******LIBRARY HEADER \
                 RECORD!!!!!!!000...\", found {:?}; is this a SAS transport file?",
                shorten(&String::from_utf8_lossy(first))
            ),
        });
    }
    let second = r.record("the first real header")?;
    if !second.starts_with(b"SAS     SAS     SASLIB  ") {
        return Err(CdiscError::BadHeader {
            at: r.here(),
            problem: "expected \"SAS     SAS     SASLIB\" in the first real header".into(),
        });
    }
    r.record("the second real header")?;

    let mut members = Vec::new();
    while r.pos < bytes.len() {
        // Trailing blank records may follow the last member.
        let rest = &bytes[r.pos..];
        if rest.iter().all(|&b| b == b' ') {
            break;
        }
        members.push(read_member(&mut r, options.encoding)?);
    }
    Ok(members)
}

/// A cursor over 80-byte records.
struct Records<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Records<'a> {
    /// The 1-based number of the record last read (or about to be read).
    fn number(&self) -> u64 {
        (self.pos.div_ceil(RECORD)).max(1) as u64
    }

    fn here(&self) -> Location {
        Location::file(INPUT).at(RecordKind::Record, self.number())
    }

    fn record(&mut self, what: &str) -> Result<&'a [u8], CdiscError> {
        let end = self.pos + RECORD;
        let Some(rec) = self.bytes.get(self.pos..end) else {
            return Err(CdiscError::Truncated {
                at: Location::file(INPUT).at(RecordKind::Record, (self.pos / RECORD + 1) as u64),
                problem: format!(
                    "the file ends at byte {} before {what} (80-byte records)",
                    self.bytes.len()
                ),
            });
        };
        self.pos = end;
        Ok(rec)
    }

    fn header(&mut self, prefix: &[u8], what: &str) -> Result<&'a [u8], CdiscError> {
        let rec = self.record(what)?;
        if !rec.starts_with(prefix) {
            return Err(CdiscError::BadHeader {
                at: self.here(),
                problem: format!(
                    "expected {what} ({:?}), found {:?}",
                    String::from_utf8_lossy(prefix),
                    shorten(&String::from_utf8_lossy(rec))
                ),
            });
        }
        Ok(rec)
    }
}

/// Text of a blank-padded ASCII field.
fn field(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(0, |i| i + 1);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

fn be16(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn format_of(name: &[u8], width: i16, decimals: i16) -> Option<Format> {
    let name = field(name);
    if name.is_empty() && width <= 0 {
        return None;
    }
    Some(Format::new(
        name,
        u16::try_from(width).unwrap_or(0),
        u16::try_from(decimals).unwrap_or(0),
    ))
}

/// One parsed NAMESTR.
struct Spec {
    variable: Variable,
    position: usize,
}

fn read_member(r: &mut Records<'_>, encoding: Encoding) -> Result<Dataset, CdiscError> {
    let member = r.header(MEMBER_PREFIX, "a MEMBER header")?;
    // Bytes 75-78 hold the NAMESTR length: 140, or 136 on VAX/VMS.
    let namestr_len = match &member[74..78] {
        b"0140" => NAMESTR,
        b"0136" => 136,
        other => {
            return Err(CdiscError::BadHeader {
                at: r.here(),
                problem: format!(
                    "NAMESTR length {:?} in the MEMBER header; expected 0140 or 0136",
                    String::from_utf8_lossy(other)
                ),
            })
        }
    };
    r.header(DSCRPTR_PREFIX, "a DSCRPTR header")?;
    let m1 = r.record("the member header data")?;
    if !m1.starts_with(b"SAS     ") {
        return Err(CdiscError::BadHeader {
            at: r.here(),
            problem: "expected \"SAS\" at the start of the member header data".into(),
        });
    }
    let name = field(&m1[8..16]);
    let m2 = r.record("the second member header")?;
    let label = field(&m2[32..72]);
    let at_member = |r: &Records<'_>| Location::file(INPUT).at(RecordKind::Record, r.number());

    let ns = r.header(NAMESTR_PREFIX, "a NAMESTR header")?;
    let count_text = &ns[54..58];
    let count: usize = std::str::from_utf8(count_text)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| CdiscError::BadHeader {
            at: at_member(r),
            problem: format!(
                "member {name}: the variable count {:?} is not a number",
                String::from_utf8_lossy(count_text)
            ),
        })?;
    let total = count * namestr_len;
    let padded = total.div_ceil(RECORD) * RECORD;
    let start = r.pos;
    let Some(block) = r.bytes.get(start..start + total) else {
        return Err(CdiscError::Truncated {
            at: at_member(r),
            problem: format!(
                "member {name} announces {count} variables ({total} bytes of NAMESTR) but \
                 the file ends first"
            ),
        });
    };
    let mut specs: Vec<Spec> = Vec::with_capacity(count);
    for i in 0..count {
        let n = &block[i * namestr_len..(i + 1) * namestr_len];
        let at = Location::file(INPUT).at(RecordKind::Namestr, i as u64 + 1);
        let vname = field(&n[8..16]);
        let at = at.variable(vname.clone());
        let kind = match be16(n, 0) {
            1 => VarKind::Numeric,
            2 => VarKind::Character,
            t => {
                return Err(CdiscError::Invalid {
                    at,
                    problem: format!(
                        "member {name}: type {t}, expected 1 (numeric) or 2 (character)"
                    ),
                })
            }
        };
        let length = be16(n, 4);
        let ok_len = match kind {
            VarKind::Numeric => (1..=8).contains(&length),
            VarKind::Character => length >= 1,
        };
        if !ok_len {
            return Err(CdiscError::Invalid {
                at,
                problem: format!("member {name}: length {length} is not valid for its type"),
            });
        }
        let position = be32(n, 84);
        if position < 0 {
            return Err(CdiscError::Invalid {
                at,
                problem: format!("member {name}: negative position {position}"),
            });
        }
        if vname.is_empty() {
            return Err(CdiscError::Invalid {
                at,
                problem: format!("member {name}: empty variable name"),
            });
        }
        let variable = Variable {
            name: vname,
            label: field(&n[16..56]),
            kind,
            length: length as usize,
            format: format_of(&n[56..64], be16(n, 64), be16(n, 66)),
            informat: format_of(&n[72..80], be16(n, 80), be16(n, 82)),
            key_sequence: None,
        };
        specs.push(Spec {
            variable,
            position: position as usize,
        });
    }
    r.pos = start + padded.min(r.bytes.len() - start);
    r.header(OBS_PREFIX, "an OBS header")?;

    // Observation length and layout checks.
    let obs_len: usize = specs.iter().map(|s| s.variable.length).sum();
    let mut sorted: Vec<(usize, usize, &str)> = specs
        .iter()
        .map(|s| (s.position, s.variable.length, s.variable.name.as_str()))
        .collect();
    sorted.sort_unstable();
    let mut expect = 0;
    for (pos, len, vname) in &sorted {
        if *pos != expect {
            return Err(CdiscError::Invalid {
                at: Location::file(INPUT).variable(*vname),
                problem: format!(
                    "member {name}: variable starts at byte {pos} of the observation, expected \
                     {expect} (overlapping or gapped NAMESTR positions)"
                ),
            });
        }
        expect += len;
    }

    // The data run to the next MEMBER header (record-aligned) or the end.
    let data_start = r.pos;
    let mut data_end = r.bytes.len();
    let mut p = data_start;
    while p + RECORD <= r.bytes.len() {
        if r.bytes[p..].starts_with(MEMBER_PREFIX) && looks_like_member(&r.bytes[p..]) {
            data_end = p;
            break;
        }
        p += RECORD;
    }
    let data = &r.bytes[data_start..data_end];
    r.pos = data_end;

    let mut n_obs = data.len().checked_div(obs_len).unwrap_or(0);
    // Blank padding at the end can look like observations when every
    // variable is character: drop all-blank rows that lie inside the last
    // record's padding (fewer than 80 bytes from the end).
    while n_obs > 0 {
        let row = &data[(n_obs - 1) * obs_len..n_obs * obs_len];
        if data.len() - (n_obs - 1) * obs_len < RECORD && row.iter().all(|&b| b == b' ') {
            n_obs -= 1;
        } else {
            break;
        }
    }
    let tail = &data[n_obs * obs_len..];
    if !tail.iter().all(|&b| b == b' ') {
        return Err(CdiscError::Truncated {
            at: Location::file(INPUT).at(RecordKind::Observation, n_obs as u64 + 1),
            problem: format!(
                "member {name}: the data end inside an observation ({} of {obs_len} bytes)",
                tail.len()
            ),
        });
    }

    let columns = match build_columns(&specs, data, n_obs, obs_len, &name, encoding) {
        Err(_) if encoding == Encoding::Auto => {
            build_columns(&specs, data, n_obs, obs_len, &name, Encoding::Windows1252)?
        }
        other => other?,
    };
    let variables = specs.into_iter().map(|s| s.variable).collect();
    Dataset::new(name, label, variables, columns).map_err(|e| match e {
        CdiscError::Invalid { at, problem } => CdiscError::Invalid {
            at: Location {
                file: INPUT.into(),
                ..at
            },
            problem,
        },
        other => other,
    })
}

/// Observations decoded per block: each block (a few hundred KB) is read
/// once for all the columns a thread decodes while it is still in cache,
/// instead of streaming the whole data area once per column.
const BLOCK_ROWS: usize = 4096;

/// Below this many bytes of observations a member is decoded on the
/// calling thread; spawning threads costs more than it saves.
const PARALLEL_BYTES: usize = 4 << 20;

/// Decodes the observations into one column per variable.
///
/// Large members are decoded by up to `available_parallelism` threads, each
/// taking whole columns (balanced by an estimate of their cost), so the
/// result does not depend on the number of threads.
fn build_columns(
    specs: &[Spec],
    data: &[u8],
    n_obs: usize,
    obs_len: usize,
    name: &str,
    encoding: Encoding,
) -> Result<Vec<Column>, CdiscError> {
    let data = &data[..n_obs * obs_len];
    let threads = if data.len() < PARALLEL_BYTES || obs_len == 0 {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(specs.len())
    };
    if threads <= 1 {
        let all: Vec<usize> = (0..specs.len()).collect();
        return decode_columns(specs, &all, data, obs_len, name, encoding);
    }
    // Greedy balance: the costliest columns first, each to the least
    // loaded thread. A text value costs an allocation, a number does not.
    let cost = |s: &Spec| match s.variable.kind {
        VarKind::Numeric => 1,
        VarKind::Character => 4 + s.variable.length / 16,
    };
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&specs[i])));
    let mut shares: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); threads];
    for i in order {
        if let Some(least) = shares.iter_mut().min_by_key(|(load, _)| *load) {
            least.0 += cost(&specs[i]);
            least.1.push(i);
        }
    }
    for (_, idx) in &mut shares {
        idx.sort_unstable();
    }
    let results: Vec<Result<Vec<Column>, CdiscError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .map(|(_, idx)| {
                scope.spawn(move || decode_columns(specs, idx, data, obs_len, name, encoding))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    // Put the columns back in variable order; on error, report the one of
    // the earliest variable, as a single thread would.
    let mut slots: Vec<Option<Column>> = (0..specs.len()).map(|_| None).collect();
    let mut first_error: Option<(usize, CdiscError)> = None;
    for ((_, idx), result) in shares.iter().zip(results) {
        match result {
            Ok(cols) => {
                for (&i, c) in idx.iter().zip(cols) {
                    slots[i] = Some(c);
                }
            }
            Err(e) => {
                let at = idx.first().copied().unwrap_or(0);
                let at = match &e {
                    CdiscError::BadValue { at: loc, .. } => loc
                        .variable
                        .as_ref()
                        .and_then(|v| specs.iter().position(|s| &s.variable.name == v))
                        .unwrap_or(at),
                    _ => at,
                };
                if first_error.as_ref().is_none_or(|(j, _)| at < *j) {
                    first_error = Some((at, e));
                }
            }
        }
    }
    if let Some((_, e)) = first_error {
        return Err(e);
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            c.ok_or_else(|| CdiscError::Invalid {
                at: Location::file(INPUT).variable(specs[i].variable.name.clone()),
                problem: format!("member {name}: internal error: column {} not decoded", i + 1),
            })
        })
        .collect()
}

/// Decodes the columns `which` (indices into `specs`) of all observations,
/// block by block.
fn decode_columns(
    specs: &[Spec],
    which: &[usize],
    data: &[u8],
    obs_len: usize,
    name: &str,
    encoding: Encoding,
) -> Result<Vec<Column>, CdiscError> {
    let n_obs = data.len().checked_div(obs_len).unwrap_or(0);
    let mut columns: Vec<Column> = which
        .iter()
        .map(|&i| match specs[i].variable.kind {
            VarKind::Numeric => Column::Numeric(NumericColumn::with_capacity(n_obs)),
            VarKind::Character => Column::Character(Vec::with_capacity(n_obs)),
        })
        .collect();
    if obs_len == 0 {
        return Ok(columns);
    }
    for (b, block) in data.chunks(BLOCK_ROWS * obs_len).enumerate() {
        for (col, &i) in columns.iter_mut().zip(which) {
            let s = &specs[i];
            let (pos, len) = (s.position, s.variable.length);
            match col {
                Column::Numeric(c) => {
                    for row in block.chunks_exact(obs_len) {
                        match ibm::decode(&row[pos..pos + len]) {
                            Ok(x) => c.push(Some(x)),
                            Err(m) => c.push_missing(m),
                        }
                    }
                }
                Column::Character(c) => {
                    for (r, row) in block.chunks_exact(obs_len).enumerate() {
                        let raw = &row[pos..pos + len];
                        let end = raw
                            .iter()
                            .rposition(|&b| b != b' ' && b != 0)
                            .map_or(0, |k| k + 1);
                        match decode_text(&raw[..end], encoding) {
                            Ok(t) => c.push(t),
                            Err(e) => {
                                let obs = b * BLOCK_ROWS + r + 1;
                                return Err(CdiscError::BadValue {
                                    at: Location::file(INPUT)
                                        .at(RecordKind::Observation, obs as u64)
                                        .variable(s.variable.name.clone()),
                                    value: shorten(&String::from_utf8_lossy(&raw[..end])),
                                    problem: format!(
                                        "member {name}: text is not UTF-8 (invalid byte at {}); \
                                         convert the file's encoding first",
                                        e.valid_up_to()
                                    ),
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(columns)
}

/// A MEMBER header record followed by a DSCRPTR header: the start of the
/// next member (a data record could contain the MEMBER text by chance).
fn looks_like_member(rest: &[u8]) -> bool {
    rest.get(RECORD..)
        .is_some_and(|r| r.starts_with(DSCRPTR_PREFIX))
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

fn decode_text(raw: &[u8], encoding: Encoding) -> Result<String, std::str::Utf8Error> {
    match encoding {
        Encoding::Auto | Encoding::Utf8 => std::str::from_utf8(raw).map(str::to_owned),
        Encoding::Windows1252 => Ok(raw
            .iter()
            .map(|&b| match b {
                0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect()),
    }
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
                        let t = col.get(row).map_or("", String::as_str);
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
