//! The XPORT v5 reader, streaming: the input is read in chunks of a few
//! megabytes and each chunk's observations are decoded before the next is
//! read, so a file is never held in memory whole (reading a 1.6 GB file
//! into one buffer costs about as much CPU, in page faults, as decoding it).

use std::io::Read;

use super::{ibm, push_text, windows1252_chars, Encoding};
use crate::error::{shorten, CdiscError, Location, RecordKind, INPUT};
use crate::model::{Column, Dataset, Format, NumericColumn, TextColumn, VarKind, Variable};

const RECORD: usize = 80;
const NAMESTR: usize = 140;

const LIBRARY_HEADER: &[u8; 80] =
    b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  ";
const MEMBER_PREFIX: &[u8] = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!";
const DSCRPTR_PREFIX: &[u8] = b"HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!";
const NAMESTR_PREFIX: &[u8] = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!";
const OBS_PREFIX: &[u8] = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!";
const LIBV8_PREFIX: &[u8] = b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!";

/// Bytes read from the input at a time.
const CHUNK: usize = 8 << 20;

/// Observations decoded per block: each block (a few hundred KB) is read
/// once for all the columns a thread decodes while it is still in cache,
/// instead of streaming the whole chunk once per column.
const BLOCK_ROWS: usize = 4096;

/// Below this many bytes of observations a chunk is decoded on the calling
/// thread; spawning threads costs more than it saves.
const PARALLEL_BYTES: usize = 4 << 20;

/// A window over the input: `buf[start..end]` holds the bytes not yet
/// consumed, which begin at offset `base + start` of the input.
struct Input<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    base: u64,
    eof: bool,
    /// The input's length, when known: the buffer never grows past it.
    len: Option<u64>,
}

fn io_error(source: std::io::Error) -> CdiscError {
    CdiscError::Io {
        file: INPUT.into(),
        source,
    }
}

impl<R: Read> Input<R> {
    fn new(src: R, len: Option<u64>) -> Self {
        Input {
            src,
            buf: Vec::new(),
            start: 0,
            end: 0,
            base: 0,
            eof: false,
            len,
        }
    }

    /// The input offset of the next unconsumed byte.
    fn pos(&self) -> u64 {
        self.base + self.start as u64
    }

    /// The unconsumed bytes at hand.
    fn avail(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n.min(self.end - self.start);
    }

    /// Reads until at least `n` bytes are at hand, or the input ends.
    fn fill(&mut self, n: usize) -> Result<(), CdiscError> {
        if self.end - self.start >= n || self.eof {
            return Ok(());
        }
        // Move what is left to the front, then grow the buffer if needed.
        self.buf.copy_within(self.start..self.end, 0);
        self.base += self.start as u64;
        self.end -= self.start;
        self.start = 0;
        // One byte more than the known rest, so that the end is seen
        // without another read.
        let cap = match self.len {
            Some(len) => n.min(usize::try_from(len.saturating_sub(self.base)).unwrap_or(n) + 1),
            None => n,
        };
        if self.buf.len() < cap {
            self.buf.resize(cap, 0);
        }
        while self.end < n {
            if self.end == self.buf.len() {
                // The known length was wrong (the file grew): make room.
                self.buf.resize(n, 0);
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => self.end += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(e)),
            }
        }
        Ok(())
    }

    /// The 1-based number of the 80-byte record holding offset `pos`.
    fn record_number(pos: u64) -> u64 {
        pos / RECORD as u64 + 1
    }

    /// The location of the record just consumed.
    fn here(&self) -> Location {
        let last = self.pos().saturating_sub(1);
        Location::file(INPUT).at(RecordKind::Record, Self::record_number(last))
    }

    fn record(&mut self, what: &str) -> Result<[u8; RECORD], CdiscError> {
        self.fill(RECORD)?;
        let mut rec = [0u8; RECORD];
        match self.avail().get(..RECORD) {
            Some(r) => rec.copy_from_slice(r),
            None => {
                return Err(CdiscError::Truncated {
                    at: Location::file(INPUT)
                        .at(RecordKind::Record, Self::record_number(self.pos())),
                    problem: format!(
                        "the file ends at byte {} before {what} (80-byte records)",
                        self.pos() + self.avail().len() as u64
                    ),
                })
            }
        }
        self.consume(RECORD);
        Ok(rec)
    }

    fn header(&mut self, prefix: &[u8], what: &str) -> Result<[u8; RECORD], CdiscError> {
        let rec = self.record(what)?;
        if !rec.starts_with(prefix) {
            return Err(CdiscError::BadHeader {
                at: self.here(),
                problem: format!(
                    "expected {what} ({:?}), found {:?}",
                    String::from_utf8_lossy(prefix),
                    shorten(&String::from_utf8_lossy(&rec))
                ),
            });
        }
        Ok(rec)
    }
}

/// Reads every member of an XPORT v5 input; `size_hint` is the input's
/// length when known (to reserve the columns once).
pub(super) fn read_all(
    src: impl Read,
    size_hint: Option<u64>,
    encoding: Encoding,
) -> Result<Vec<Dataset>, CdiscError> {
    let mut r = Input::new(src, size_hint);
    let first = r.record("the library header")?;
    if first.starts_with(LIBV8_PREFIX) {
        return Err(CdiscError::BadHeader {
            at: r.here(),
            problem: "this is SAS XPORT version 8 (LIBV8); only version 5 is supported".into(),
        });
    }
    if &first != LIBRARY_HEADER {
        return Err(CdiscError::BadHeader {
            at: r.here(),
            problem: format!(
                "expected the XPORT library header \"HEADER RECORD*******LIBRARY HEADER \
                 RECORD!!!!!!!000...\", found {:?}; is this a SAS transport file?",
                shorten(&String::from_utf8_lossy(&first))
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
    // Columns are reserved from the input's length for the first member
    // only (most files hold one), so that many members cannot each reserve
    // for the whole rest of the input.
    let mut size_hint = size_hint;
    loop {
        // Trailing blank records may follow the last member.
        r.fill(RECORD)?;
        let at_hand = r.avail();
        if at_hand.is_empty() {
            break;
        }
        if at_hand.iter().all(|&b| b == b' ') {
            let n = at_hand.len();
            if n < RECORD && r.eof {
                break;
            }
            if n >= RECORD && rest_is_blank(&mut r)? {
                break;
            }
        }
        members.push(read_member(&mut r, size_hint.take(), encoding)?);
    }
    Ok(members)
}

/// Whether everything left in the input is blank; consumes nothing unless
/// it is.
fn rest_is_blank<R: Read>(r: &mut Input<R>) -> Result<bool, CdiscError> {
    loop {
        if !r.avail().iter().all(|&b| b == b' ') {
            return Ok(false);
        }
        if r.eof {
            let n = r.avail().len();
            r.consume(n);
            return Ok(true);
        }
        // Keep one record unconsumed so that an error can still point at
        // it; read on.
        let keep = r.avail().len().min(RECORD);
        let n = r.avail().len() - keep;
        r.consume(n);
        r.fill(keep + CHUNK)?;
        if r.avail().len() <= keep && !r.eof {
            return Ok(false);
        }
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

fn read_member<R: Read>(
    r: &mut Input<R>,
    size_hint: Option<u64>,
    encoding: Encoding,
) -> Result<Dataset, CdiscError> {
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

    let ns = r.header(NAMESTR_PREFIX, "a NAMESTR header")?;
    let count_text = &ns[54..58];
    let count: usize = std::str::from_utf8(count_text)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| CdiscError::BadHeader {
            at: r.here(),
            problem: format!(
                "member {name}: the variable count {:?} is not a number",
                String::from_utf8_lossy(count_text)
            ),
        })?;
    let total = count * namestr_len;
    let padded = total.div_ceil(RECORD) * RECORD;
    r.fill(padded)?;
    let Some(block) = r.avail().get(..total) else {
        return Err(CdiscError::Truncated {
            at: r.here(),
            problem: format!(
                "member {name} announces {count} variables ({total} bytes of NAMESTR) but \
                 the file ends first"
            ),
        });
    };
    let specs = parse_namestrs(block, count, namestr_len, &name)?;
    r.consume(padded);
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

    let columns = read_observations(r, &specs, obs_len, &name, size_hint, encoding)?;
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

fn parse_namestrs(
    block: &[u8],
    count: usize,
    namestr_len: usize,
    name: &str,
) -> Result<Vec<Spec>, CdiscError> {
    let mut specs: Vec<Spec> = Vec::with_capacity(count);
    for (i, n) in block.chunks_exact(namestr_len).enumerate() {
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
    Ok(specs)
}

/// Where the observations at hand end: at a record-aligned MEMBER header
/// followed by a DSCRPTR header (`Some(offset)`), or not among the bytes at
/// hand. `scanned` is how far the search could look (a header cut by the
/// end of the bytes at hand is looked at again after the next read).
fn member_boundary(at_hand: &[u8], pos: u64, eof: bool) -> (Option<usize>, usize) {
    let mut q = (RECORD - (pos % RECORD as u64) as usize) % RECORD;
    while q + RECORD <= at_hand.len() {
        let rest = &at_hand[q..];
        if rest.starts_with(MEMBER_PREFIX) {
            let next = rest.get(RECORD..).unwrap_or_default();
            if next.starts_with(DSCRPTR_PREFIX) {
                return (Some(q), q);
            }
            if next.len() < DSCRPTR_PREFIX.len() && !eof {
                // The next record is not at hand yet: decide after reading.
                return (None, q);
            }
        }
        q += RECORD;
    }
    (None, if eof { at_hand.len() } else { q })
}

/// Reads and decodes the observations of the member whose OBS header was
/// just read, up to the next member or the end of the input.
fn read_observations<R: Read>(
    r: &mut Input<R>,
    specs: &[Spec],
    obs_len: usize,
    name: &str,
    size_hint: Option<u64>,
    mut encoding: Encoding,
) -> Result<Vec<Column>, CdiscError> {
    let expected = match (size_hint, obs_len) {
        (Some(size), 1..) => (size.saturating_sub(r.pos()) / obs_len as u64) as usize,
        _ => 0,
    };
    let mut columns: Vec<Column> = specs
        .iter()
        .map(|s| match s.variable.kind {
            VarKind::Numeric => Column::Numeric(NumericColumn::with_capacity(expected)),
            VarKind::Character => Column::Character(TextColumn::with_capacity(expected, 0)),
        })
        .collect();
    let text_ranges = text_ranges(specs);
    let mut done = 0usize; // observations decoded so far
    let mut want = CHUNK;
    loop {
        r.fill(want)?;
        let eof = r.eof;
        let (boundary, scanned) = member_boundary(r.avail(), r.pos(), eof);
        let last = boundary.is_some() || eof;
        let at_hand = &r.avail()[..boundary.unwrap_or(scanned)];
        let rows = if obs_len == 0 {
            0
        } else if last {
            final_rows(at_hand, obs_len)
        } else {
            // Keep the last record and observation back: blank padding at
            // the very end must not be taken for observations.
            at_hand.len().saturating_sub(RECORD + obs_len) / obs_len
        };
        let data = &at_hand[..rows * obs_len];
        if last || obs_len == 0 {
            let tail = &at_hand[rows * obs_len..];
            if !tail.iter().all(|&b| b == b' ') {
                return Err(CdiscError::Truncated {
                    at: Location::file(INPUT).at(RecordKind::Observation, (done + rows) as u64 + 1),
                    problem: format!(
                        "member {name}: the data end inside an observation ({} of {obs_len} \
                         bytes)",
                        tail.len()
                    ),
                });
            }
        }
        if rows > 0 {
            let (needed, checked) = match encoding {
                Encoding::Windows1252 => (false, Ok(())),
                _ if text_is_ascii(data, obs_len, &text_ranges) => (false, Ok(())),
                _ => (true, check_utf8(specs, data, obs_len, done, name)),
            };
            match checked {
                Ok(()) => {}
                Err(_) if needed && encoding == Encoding::Auto => {
                    // Not UTF-8: the whole member is Windows-1252, including
                    // what was already decoded (valid UTF-8 there, so its
                    // bytes are exactly the text's bytes).
                    encoding = Encoding::Windows1252;
                    recode_windows1252(&mut columns);
                }
                Err(e) => return Err(e),
            }
            decode_chunk(specs, &mut columns, data, obs_len, encoding);
            done += rows;
        }
        let used = if last || obs_len == 0 {
            at_hand.len()
        } else {
            rows * obs_len
        };
        r.consume(used);
        if last {
            return Ok(columns);
        }
        // Read more; grow the window when it held less than a row.
        want = if rows == 0 {
            r.avail().len() + CHUNK
        } else {
            CHUNK
        };
    }
}

/// The number of observations in the last bytes of a member: all whole
/// ones, less all-blank ones that lie inside the final record's padding
/// (which look like observations when every variable is character).
fn final_rows(data: &[u8], obs_len: usize) -> usize {
    let mut n = data.len() / obs_len;
    while n > 0 {
        let row = &data[(n - 1) * obs_len..n * obs_len];
        if data.len() - (n - 1) * obs_len < RECORD && row.iter().all(|&b| b == b' ') {
            n -= 1;
        } else {
            break;
        }
    }
    n
}

/// The byte ranges of an observation that hold text (adjacent character
/// variables merged).
fn text_ranges(specs: &[Spec]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = specs
        .iter()
        .filter(|s| s.variable.kind == VarKind::Character)
        .map(|s| (s.position, s.position + s.variable.length))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if last.1 == a => last.1 = b,
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Whether all the text of the observations in `data` is ASCII (then it is
/// UTF-8 and Windows-1252 alike, and needs no checking cell by cell).
fn text_is_ascii(data: &[u8], obs_len: usize, ranges: &[(usize, usize)]) -> bool {
    data.chunks_exact(obs_len)
        .all(|row| ranges.iter().all(|&(a, b)| row[a..b].is_ascii()))
}

/// The value of a character cell without its blank (or NUL) padding.
fn trimmed(raw: &[u8]) -> &[u8] {
    let end = raw
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(0, |k| k + 1);
    &raw[..end]
}

/// Checks that every character value of `data` is UTF-8; the error names
/// the first bad value (in variable order, then observation order).
fn check_utf8(
    specs: &[Spec],
    data: &[u8],
    obs_len: usize,
    first_obs: usize,
    name: &str,
) -> Result<(), CdiscError> {
    for s in specs
        .iter()
        .filter(|s| s.variable.kind == VarKind::Character)
    {
        let (pos, len) = (s.position, s.variable.length);
        for (i, row) in data.chunks_exact(obs_len).enumerate() {
            let raw = trimmed(&row[pos..pos + len]);
            if let Err(e) = std::str::from_utf8(raw) {
                return Err(CdiscError::BadValue {
                    at: Location::file(INPUT)
                        .at(RecordKind::Observation, (first_obs + i) as u64 + 1)
                        .variable(s.variable.name.clone()),
                    value: shorten(&String::from_utf8_lossy(raw)),
                    problem: format!(
                        "member {name}: text is not UTF-8 (invalid byte at {}); convert the \
                         file's encoding first",
                        e.valid_up_to()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Re-reads text already decoded as UTF-8 as Windows-1252.
fn recode_windows1252(columns: &mut [Column]) {
    for c in columns {
        if let Column::Character(values) = c {
            if values.iter().all(str::is_ascii) {
                continue;
            }
            let mut recoded = TextColumn::with_capacity(values.len(), values.text_len());
            for v in values.iter() {
                recoded.push_chars(windows1252_chars(v.as_bytes()));
            }
            *values = recoded;
        }
    }
}

/// Appends the observations in `data` to `columns`. The text was checked
/// for the encoding beforehand, so nothing can fail.
///
/// Large chunks are decoded by up to `available_parallelism` threads, each
/// taking whole columns (balanced by an estimate of their cost), so the
/// result does not depend on the number of threads.
fn decode_chunk(
    specs: &[Spec],
    columns: &mut [Column],
    data: &[u8],
    obs_len: usize,
    encoding: Encoding,
) {
    let threads = if data.len() < PARALLEL_BYTES {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(specs.len())
    };
    if threads <= 1 {
        let mut all: Vec<(&Spec, &mut Column)> = specs.iter().zip(columns.iter_mut()).collect();
        decode_columns(&mut all, data, obs_len, encoding);
        return;
    }
    // Greedy balance: the costliest columns first, each to the least
    // loaded thread. A text value costs a copy of its bytes (and a check).
    let cost = |s: &Spec| match s.variable.kind {
        VarKind::Numeric => 1,
        VarKind::Character => 4 + s.variable.length / 16,
    };
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&specs[i])));
    let mut load = vec![0usize; threads];
    let mut owner = vec![0usize; specs.len()];
    for i in order {
        let t = (0..threads).min_by_key(|&t| load[t]).unwrap_or(0);
        load[t] += cost(&specs[i]);
        owner[i] = t;
    }
    let mut shares: Vec<Vec<(&Spec, &mut Column)>> = (0..threads).map(|_| Vec::new()).collect();
    for ((s, c), &t) in specs.iter().zip(columns.iter_mut()).zip(&owner) {
        shares[t].push((s, c));
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter_mut()
            .map(|share| scope.spawn(move || decode_columns(share, data, obs_len, encoding)))
            .collect();
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// Appends the observations in `data` to the given columns, block by
/// block.
fn decode_columns(
    columns: &mut [(&Spec, &mut Column)],
    data: &[u8],
    obs_len: usize,
    encoding: Encoding,
) {
    for block in data.chunks(BLOCK_ROWS * obs_len) {
        for (s, col) in columns.iter_mut() {
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
                    for row in block.chunks_exact(obs_len) {
                        let raw = trimmed(&row[pos..pos + len]);
                        // Checked beforehand; a failure here cannot happen,
                        // and would at worst keep the bytes lossily.
                        if push_text(c, raw, encoding).is_err() {
                            c.push(&String::from_utf8_lossy(raw));
                        }
                    }
                }
            }
        }
    }
}
