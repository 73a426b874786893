//! Timing protocol and data loading shared by the rct peer timer.
//!
//! The protocol is the one of `bench/peers/harness.py` and `harness.R`, so
//! rct's figures sit in the same table as R's and Python's: the first call is
//! a warm-up unless it takes 2 s or more; calls shorter than 0.2 s are
//! repeated K times per run (K = 1, 4, 16, ...) and the per-call mean kept;
//! three runs, median reported; wall and CPU (user + system, whole process).

use std::{fs, io::Write, path::Path, time::Instant};

/// CPU time (user + system) of the whole process, in seconds.
pub fn cpu_seconds() -> f64 {
    // SAFETY-free: getrusage through libc's safe-to-call FFI needs `unsafe`;
    // the main workspace forbids unsafe, this benchmark crate does not.
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: RUSAGE_SELF with a valid pointer to a rusage struct.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return f64::NAN;
    }
    // SAFETY: getrusage succeeded and initialised the struct.
    let u = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// One timing result.
pub struct Timed<T> {
    /// Wall seconds per call, per run.
    pub wall: Vec<f64>,
    /// CPU seconds per call, per run.
    pub cpu: Vec<f64>,
    /// Calls per run.
    pub inner: usize,
    /// The first call's wall and CPU seconds.
    pub first: (f64, f64),
    /// The last output.
    pub out: T,
}

fn one<T>(f: &mut impl FnMut() -> T, k: usize) -> (f64, f64, T) {
    let c0 = cpu_seconds();
    let w0 = Instant::now();
    let mut out = f();
    for _ in 1..k {
        out = std::hint::black_box(f());
    }
    let w = w0.elapsed().as_secs_f64() / k as f64;
    let c = (cpu_seconds() - c0) / k as f64;
    (w, c, out)
}

/// Times `f` under the shared protocol.
///
/// The previous output is dropped (outside the timing) before each call,
/// so that no more than one output is alive at a time: two 1e7-row datasets
/// do not fit the shared machine's memory.
pub fn timed<T>(mut f: impl FnMut() -> T, limit: f64) -> Timed<T> {
    let (w, c, first_out) = one(&mut f, 1);
    let mut out = Some(first_out);
    let first = (w, c);
    let (mut walls, mut cpus, mut inner) = (Vec::new(), Vec::new(), 1usize);
    if w >= 2.0 {
        walls.push(w);
        cpus.push(c);
    } else {
        while inner < 4096 {
            drop(out.take());
            let (w, _, o) = one(&mut f, inner);
            out = Some(o);
            if w * inner as f64 >= 0.2 {
                break;
            }
            inner *= 4;
        }
    }
    while walls.len() < 3 && !cpus.last().is_some_and(|&c| c > limit) {
        drop(out.take());
        let (w, c, o) = one(&mut f, inner);
        walls.push(w);
        cpus.push(c);
        out = Some(o);
    }
    Timed {
        wall: walls,
        cpu: cpus,
        inner,
        first,
        out: out.expect("at least one call"),
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Appends results as JSON lines in the peers' format (lang `rust`).
pub struct Recorder {
    /// The results file.
    pub out: std::path::PathBuf,
    /// Workload name.
    pub workload: String,
    /// Size tag.
    pub size: String,
    /// The per-run CPU limit.
    pub limit: f64,
}

impl Recorder {
    /// Records one measurement.
    pub fn record<T>(
        &self,
        peer: &str,
        phase: &str,
        t: &Timed<T>,
        check: serde_json::Value,
        note: &str,
    ) {
        let row = serde_json::json!({
            "workload": self.workload, "size": self.size, "lang": "rust",
            "peer": peer, "phase": phase,
            "wall": t.wall, "cpu": t.cpu,
            "wall_median": median(&t.wall), "cpu_median": median(&t.cpu),
            "runs": t.wall.len(), "inner": t.inner,
            "first_wall": t.first.0, "first_cpu": t.first.1,
            "over_limit": t.cpu.last().is_some_and(|&c| c > self.limit),
            "check": check, "note": note,
            "host_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "rct": env!("CARGO_PKG_VERSION"),
            "ts": timestamp(),
        });
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.out)
            .expect("results file writable");
        writeln!(f, "{row}").expect("results file writable");
        println!(
            "{:9} {:12} {:40} {:8} wall {:.4}s cpu {:.4}s runs={} inner={} {}",
            self.workload,
            self.size,
            peer,
            phase,
            median(&t.wall),
            median(&t.cpu),
            t.wall.len(),
            t.inner,
            row["check"]
        );
    }
}

fn timestamp() -> String {
    // Local time as the Python harness writes it (`%Y-%m-%dT%H:%M:%S`).
    let out = std::process::Command::new("date")
        .arg("+%Y-%m-%dT%H:%M:%S")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    out
}

/// A numeric CSV read into columns (header row of names; every field a number).
pub struct Columns {
    /// Column names.
    pub names: Vec<String>,
    /// Column data.
    pub data: Vec<Vec<f64>>,
}

impl Columns {
    /// The column called `name`.
    pub fn col(&self, name: &str) -> &[f64] {
        let i = self
            .names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("column {name} missing"));
        &self.data[i]
    }
}

/// Reads a numeric CSV file.
pub fn read_numeric_csv(path: &Path) -> Columns {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let names: Vec<String> = lines
        .next()
        .expect("header row")
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let mut data: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for line in lines {
        for (j, field) in line.split(',').enumerate() {
            data[j].push(fast_float(field));
        }
    }
    Columns { names, data }
}

fn fast_float(s: &str) -> f64 {
    s.parse::<f64>()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}
