//! Replays the cargo-fuzz corpus (crates/cdisc/fuzz/corpus/<target>/)
//! through the readers on stable Rust, so CI checks every input the fuzzers
//! kept without nightly or libFuzzer: each must give `Ok` or `Err`, never a
//! panic, and what reads must write and read back the same, as in the fuzz
//! targets (crates/cdisc/fuzz/fuzz_targets/).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use rct_cdisc::{csv, json, xport, Format, Variable};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "{}: only {} corpus files",
        dir.display(),
        files.len()
    );
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// The corpus is kept small enough to live in the repository.
#[test]
fn corpus_is_small() {
    let mut total = 0u64;
    for target in ["xport", "dataset_json", "csv"] {
        total += corpus(target)
            .iter()
            .map(|(_, b)| b.len() as u64)
            .sum::<u64>();
    }
    assert!(total < 2_000_000, "corpus holds {total} bytes");
}

#[test]
fn xport_corpus_never_panics() {
    let (mut ok, mut err) = (0, 0);
    for (path, bytes) in corpus("xport") {
        match xport::from_bytes(&bytes) {
            Ok(members) => {
                ok += 1;
                if let Ok(out) = xport::to_bytes(&members, &xport::WriteOptions::default()) {
                    let back = xport::from_bytes(&out)
                        .unwrap_or_else(|e| panic!("{}: our output: {e}", path.display()));
                    assert_eq!(back, members, "{}", path.display());
                }
            }
            Err(e) => {
                err += 1;
                // Every error names where it happened.
                assert!(!e.to_string().is_empty());
            }
        }
        let strict = xport::ReadOptions::default().with_encoding(xport::Encoding::Utf8);
        let _ = xport::from_bytes_with(&bytes, &strict);
    }
    assert!(ok > 0 && err > 0, "xport corpus: {ok} read, {err} rejected");
}

#[test]
fn dataset_json_corpus_never_panics() {
    let (mut ok, mut err) = (0, 0);
    for (path, bytes) in corpus("dataset_json") {
        for read in [json::from_bytes(&bytes), json::from_ndjson_bytes(&bytes)] {
            match read {
                Ok(ds) => {
                    ok += 1;
                    let opts = json::WriteOptions::default();
                    if let Ok(out) = json::to_bytes(&ds, &opts) {
                        let back = json::from_bytes(&out)
                            .unwrap_or_else(|e| panic!("{}: our output: {e}", path.display()));
                        assert_eq!(back.n_rows(), ds.n_rows(), "{}", path.display());
                    }
                }
                Err(_) => err += 1,
            }
        }
    }
    assert!(ok > 0 && err > 0, "json corpus: {ok} read, {err} rejected");
}

#[test]
fn csv_corpus_never_panics() {
    let schema = vec![
        Variable::character("USUBJID", 20),
        Variable::numeric("AGE"),
        Variable::numeric("RFSTDT").with_format(Format::new("DATE", 9, 0)),
        Variable::numeric("RFSTDTM").with_format(Format::new("E8601DT", 19, 0)),
    ];
    let with_schema = csv::ReadOptions::default().with_schema(schema);
    let (mut ok, mut err) = (0, 0);
    for (path, bytes) in corpus("csv") {
        for opts in [&csv::ReadOptions::default(), &with_schema] {
            match csv::from_bytes(&bytes, opts) {
                Ok(ds) => {
                    ok += 1;
                    let out = csv::to_bytes(&ds).unwrap();
                    let own = csv::ReadOptions::default().with_schema(ds.variables().to_vec());
                    let back = csv::from_bytes(&out, &own)
                        .unwrap_or_else(|e| panic!("{}: our output: {e}", path.display()));
                    assert_eq!(back, ds, "{}", path.display());
                }
                Err(_) => err += 1,
            }
        }
    }
    assert!(ok > 0 && err > 0, "csv corpus: {ok} read, {err} rejected");
}

/// An NDJSON header may announce any number of records: the reader must
/// not reserve memory for the claim times the number of columns (it once
/// reserved up to 2^20 values per column, gigabytes for a few hundred
/// columns), and the mismatch is an error.
#[test]
fn ndjson_record_claim_is_not_trusted() {
    let columns: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"itemOID":"IT.{i}","name":"V{i}","dataType":"double"}}"#))
        .collect();
    let meta = format!(
        r#"{{"datasetJSONVersion":"1.1.0","name":"X","records":1000000000000,"columns":[{}]}}"#,
        columns.join(",")
    );
    let err = json::from_ndjson_bytes(meta.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("1000000000000"),
        "unexpected error: {err}"
    );
}

/// Found by the csv fuzz target: empty input reads as a dataset with no
/// variables, which was written as `""` (the csv crate's spelling of an
/// empty record) and read back as one variable with an empty name.
#[test]
fn empty_csv_round_trips() {
    let ds = csv::from_bytes(b"", &csv::ReadOptions::default()).unwrap();
    assert_eq!(ds.variables().len(), 0);
    let out = csv::to_bytes(&ds).unwrap();
    assert!(out.is_empty(), "wrote {:?}", String::from_utf8_lossy(&out));
    let own = csv::ReadOptions::default().with_schema(Vec::new());
    assert_eq!(csv::from_bytes(&out, &own).unwrap(), ds);
}
