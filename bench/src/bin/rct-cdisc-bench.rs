//! Generates the LB-like benchmark dataset and times rct-cdisc reading and
//! writing it, in the peers' protocol (`bench/peers/harness.py`).
//!
//! ```text
//! rct-cdisc-bench gen ROWS DIR                  # DIR/lb_<ROWS>.{xpt,json,ndjson,csv}
//! rct-cdisc-bench time --out RESULTS.jsonl --size TAG FORMAT read FILE
//! rct-cdisc-bench time --out RESULTS.jsonl --size TAG FORMAT write FILE OUTFILE
//! ```
//!
//! FORMAT is `xpt`, `json`, `ndjson` or `csv`. Reads are `read_path` (file
//! read included, as the peers read from a file); CSV is read with the
//! dataset's schema (taken from the `.xpt` beside it), as a user converting
//! back would. Writes time `write_path` of a dataset read beforehand
//! (untimed); rct writes atomically (temporary file, fsync, rename), and the
//! fsync is inside the timing. Results go to RESULTS.jsonl as JSON lines
//! with `lang: rust`, workload `cdisc`.

use std::path::{Path, PathBuf};

use rct_bench::{timed, Recorder};
use rct_cdisc::{csv, json, xport, Column, Dataset, NumericColumn, TextColumn, Variable};
use serde_json::json;

/// The tests of the LB-like dataset: code, name, standard unit, and the
/// centre and spread of its results.
const TESTS: [(&str, &str, &str, f64, f64); 6] = [
    ("CD4", "CD4 Lymphocytes", "cells/uL", 450.0, 200.0),
    ("CD8", "CD8 Lymphocytes", "cells/uL", 800.0, 300.0),
    ("CD4CD8", "CD4/CD8 Ratio", "RATIO", 0.7, 0.4),
    ("HIV1RNA", "HIV-1 RNA", "copies/mL", 1000.0, 990.0),
    ("ALT", "Alanine Aminotransferase", "U/L", 30.0, 15.0),
    ("AST", "Aspartate Aminotransferase", "U/L", 28.0, 12.0),
];

/// Visits: number, name and study day.
const VISITS: [(f64, &str, f64); 12] = [
    (1.0, "SCREENING", -14.0),
    (2.0, "BASELINE", 1.0),
    (3.0, "WEEK 2", 15.0),
    (4.0, "WEEK 4", 29.0),
    (5.0, "WEEK 8", 57.0),
    (6.0, "WEEK 12", 85.0),
    (7.0, "WEEK 16", 113.0),
    (8.0, "WEEK 20", 141.0),
    (9.0, "WEEK 24", 169.0),
    (10.0, "WEEK 36", 253.0),
    (11.0, "WEEK 48", 337.0),
    (12.0, "END OF TREATMENT", 365.0),
];

/// A deterministic LB-like dataset of `rows` rows: subjects of 72 records
/// (6 tests x 12 visits); 2% of results missing; viral loads below 50
/// reported as `<50` in LBORRES with LBSTRESN missing, as labs report them.
fn lb(rows: usize) -> Dataset {
    let mut studyid = TextColumn::with_capacity(rows, rows * 12);
    let mut usubjid = TextColumn::with_capacity(rows, rows * 11);
    let mut lbseq = NumericColumn::with_capacity(rows);
    let mut testcd = TextColumn::with_capacity(rows, rows * 8);
    let mut test = TextColumn::with_capacity(rows, rows * 24);
    let mut orres = TextColumn::with_capacity(rows, rows * 6);
    let mut stresn = NumericColumn::with_capacity(rows);
    let mut stresu = TextColumn::with_capacity(rows, rows * 8);
    let mut visitnum = NumericColumn::with_capacity(rows);
    let mut visit = TextColumn::with_capacity(rows, rows * 8);
    let mut dtc = TextColumn::with_capacity(rows, rows * 10);
    let mut dy = NumericColumn::with_capacity(rows);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let per_subject = TESTS.len() * VISITS.len();
    for i in 0..rows {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        let subject = i / per_subject;
        let k = i % per_subject;
        let (v_num, v_name, v_day) = VISITS[k / TESTS.len()];
        let (cd, name, unit, centre, spread) = TESTS[k % TESTS.len()];
        studyid.push("CDISCPILOT01");
        usubjid.push(&format!(
            "01-{:03}-{:04}",
            subject / 10_000 % 1000,
            subject % 10_000
        ));
        lbseq.push(Some((k + 1) as f64));
        testcd.push(cd);
        test.push(name);
        let value = ((centre + spread * (2.0 * u - 1.0)) * 100.0).round() / 100.0;
        if i % 50 == 7 {
            orres.push("");
            stresn.push(None);
        } else if cd == "HIV1RNA" && value < 50.0 {
            orres.push("<50");
            stresn.push(None);
        } else {
            orres.push(&value.to_string());
            stresn.push(Some(value));
        }
        stresu.push(unit);
        visitnum.push(Some(v_num));
        visit.push(v_name);
        // Day 1 is 2014-01-02 (SAS 19725) plus 0..999 days by subject.
        let sas_day = 19_725.0 + (subject % 1000) as f64 + v_day - 1.0;
        dtc.push(&rct_cdisc::to_iso(sas_day, rct_cdisc::Temporal::Date).unwrap_or_default());
        dy.push(Some(v_day));
    }
    Dataset::new(
        "LB",
        "Laboratory Test Results",
        vec![
            Variable::character("STUDYID", 12).with_label("Study Identifier"),
            Variable::character("USUBJID", 11).with_label("Unique Subject Identifier"),
            Variable::numeric("LBSEQ").with_label("Sequence Number"),
            Variable::character("LBTESTCD", 8).with_label("Lab Test or Examination Short Name"),
            Variable::character("LBTEST", 40).with_label("Lab Test or Examination Name"),
            Variable::character("LBORRES", 20).with_label("Result or Finding in Original Units"),
            Variable::numeric("LBSTRESN").with_label("Numeric Result/Finding in Std Units"),
            Variable::character("LBSTRESU", 12).with_label("Standard Units"),
            Variable::numeric("VISITNUM").with_label("Visit Number"),
            Variable::character("VISIT", 20).with_label("Visit Name"),
            Variable::character("LBDTC", 10).with_label("Date/Time of Specimen Collection"),
            Variable::numeric("LBDY").with_label("Study Day of Specimen Collection"),
        ],
        vec![
            Column::Character(studyid),
            Column::Character(usubjid),
            Column::Numeric(lbseq),
            Column::Character(testcd),
            Column::Character(test),
            Column::Character(orres),
            Column::Numeric(stresn),
            Column::Character(stresu),
            Column::Numeric(visitnum),
            Column::Character(visit),
            Column::Character(dtc),
            Column::Numeric(dy),
        ],
    )
    .expect("a valid dataset")
}

fn read(format: &str, path: &Path) -> Dataset {
    let r = match format {
        "xpt" => xport::read_path(path).map(|mut v| v.remove(0)),
        "json" => json::read_path(path, false),
        "ndjson" => json::read_path(path, true),
        "csv" => {
            let schema = read("xpt", &path.with_extension("xpt"));
            let opts = csv::ReadOptions::default()
                .with_name("LB")
                .with_label(schema.label())
                .with_schema(schema.variables().to_vec());
            csv::read_path(path, &opts)
        }
        other => panic!("unknown format {other}"),
    };
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn write(format: &str, path: &Path, ds: &Dataset) {
    let r = match format {
        "xpt" => xport::write_path(
            path,
            std::slice::from_ref(ds),
            &xport::WriteOptions::default(),
        ),
        "json" => json::write_path(path, ds, false, &json::WriteOptions::default()),
        "ndjson" => json::write_path(path, ds, true, &json::WriteOptions::default()),
        "csv" => csv::write_path(path, ds),
        other => panic!("unknown format {other}"),
    };
    r.unwrap_or_else(|e| panic!("{e}"));
}

/// Check values both peers can report: rows, the sum of LBSTRESN, the
/// count of its missing values, and the first USUBJID.
fn check(ds: &Dataset) -> serde_json::Value {
    let n = ds.get("LBSTRESN").and_then(|(_, c)| c.as_numeric());
    let sum: f64 = n.map_or(f64::NAN, |c| c.values().iter().flatten().sum());
    let missing = n.map_or(0, |c| c.values().iter().filter(|v| v.is_none()).count());
    let first = ds
        .get("USUBJID")
        .and_then(|(_, c)| c.as_character())
        .and_then(|c| c.first().map(str::to_owned))
        .unwrap_or_default();
    json!({"rows": ds.n_rows(), "stresn_sum": sum, "stresn_missing": missing, "first_usubjid": first})
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") => {
            let rows: f64 = args[1].parse().expect("ROWS");
            let rows = rows as usize;
            let dir = PathBuf::from(&args[2]);
            std::fs::create_dir_all(&dir).expect("DIR writable");
            let tag = &args[1];
            let ds = lb(rows);
            for format in ["xpt", "json", "ndjson", "csv"] {
                let path = dir.join(format!("lb_{tag}.{format}"));
                let t0 = std::time::Instant::now();
                write(format, &path, &ds);
                println!(
                    "wrote {} ({} rows, {:.1} MB) in {:.1}s",
                    path.display(),
                    rows,
                    std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1e6,
                    t0.elapsed().as_secs_f64()
                );
            }
        }
        Some("time") => {
            let mut rest = args[1..].iter();
            let (mut out, mut size, mut pos) = (None, None, Vec::new());
            while let Some(a) = rest.next() {
                match a.as_str() {
                    "--out" => out = rest.next().map(PathBuf::from),
                    "--size" => size = rest.next().cloned(),
                    _ => pos.push(a.clone()),
                }
            }
            let limit: f64 = std::env::var("PEER_RUN_LIMIT")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(60.0);
            let rec = Recorder {
                out: out.expect("--out"),
                workload: "cdisc".into(),
                size: size.expect("--size"),
                limit,
            };
            let format = pos[0].as_str();
            let input = PathBuf::from(&pos[2]);
            match pos[1].as_str() {
                "read" => {
                    let t = timed(|| read(format, &input), limit);
                    let note = if format == "csv" {
                        "read_path with the schema of the .xpt"
                    } else {
                        "read_path"
                    };
                    rec.record(&format!("rct {format}"), "read", &t, check(&t.out), note);
                }
                "write" => {
                    let output = PathBuf::from(&pos[3]);
                    let ds = read(format, &input);
                    let t = timed(|| write(format, &output, &ds), limit);
                    let bytes = std::fs::metadata(&output).map_or(0, |m| m.len());
                    rec.record(
                        &format!("rct {format}"),
                        "write",
                        &t,
                        json!({"rows": ds.n_rows(), "bytes": bytes}),
                        "write_path (temporary file, fsync, rename)",
                    );
                    let _ = std::fs::remove_file(&output);
                }
                other => panic!("unknown operation {other}"),
            }
        }
        _ => {
            eprintln!("usage: rct-cdisc-bench gen ROWS DIR | time --out F --size TAG FORMAT read|write FILE [OUT]");
            std::process::exit(2);
        }
    }
}
