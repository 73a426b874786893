//! `rct cdisc convert` and `rct cdisc inspect`, run as a user runs them.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

mod common;
use common::rct;

/// TA of the CDISC pilot study (8 records), kept in rct-cdisc's test data.
fn ta() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cdisc/tests/data/ta.xpt")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn inspect_prints_variables_and_rows() {
    let (code, out, err) = rct(&["cdisc", "inspect", s(&ta())]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("TA: 8 rows, 10 variables"), "{out}");
    assert!(out.contains("ARMCD"), "{out}");
    assert!(out.contains("Planned Arm Code"), "{out}");

    let (code, out, _) = rct(&["cdisc", "inspect", s(&ta()), "--json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ds = &doc["datasets"][0];
    assert_eq!(ds["name"], "TA");
    assert_eq!(ds["rows"], 8);
    assert_eq!(ds["variables"][0]["name"], "STUDYID");
    assert_eq!(ds["variables"][0]["type"], "character");
    assert_eq!(ds["variables"][0]["length"], 12);
}

#[test]
fn convert_round_trips_through_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let original = rct_cdisc::xport::read_path(ta()).unwrap();
    let ta_path = ta();
    for ext in ["json", "ndjson", "csv"] {
        let mid = dir.path().join(format!("ta.{ext}"));
        let back = dir.path().join(format!("back-{ext}.xpt"));
        let (code, _, err) = rct(&["cdisc", "convert", s(&ta()), s(&mid)]);
        assert_eq!(code, 0, "{err}");
        let mut args = vec!["cdisc", "convert", s(&mid), s(&back)];
        if ext == "csv" {
            // CSV has no labels or lengths: take them from the original.
            args.extend(["--schema", s(&ta_path)]);
        }
        let (code, _, err) = rct(&args);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            rct_cdisc::xport::read_path(&back).unwrap(),
            original,
            "xpt -> {ext} -> xpt"
        );
    }
}

#[test]
fn multi_member_needs_member() {
    let dir = tempfile::tempdir().unwrap();
    let ta = rct_cdisc::xport::read_path(ta()).unwrap().remove(0);
    let other = ta.clone().with_name("TA2");
    let both = dir.path().join("both.xpt");
    rct_cdisc::xport::write_path(
        &both,
        &[ta, other],
        &rct_cdisc::xport::WriteOptions::default(),
    )
    .unwrap();
    let out = dir.path().join("ta2.csv");
    let (code, _, err) = rct(&["cdisc", "convert", s(&both), s(&out)]);
    assert_eq!(code, 2);
    assert!(
        err.contains("choose one with --member (members: TA, TA2)"),
        "{err}"
    );
    assert!(!out.exists());
    let (code, _, err) = rct(&["cdisc", "convert", s(&both), s(&out), "--member", "ta2"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("STUDYID,DOMAIN,ARMCD"));
    let (code, out_text, _) = rct(&["cdisc", "inspect", s(&both)]);
    assert_eq!(code, 0);
    assert!(out_text.contains("TA: 8 rows") && out_text.contains("TA2: 8 rows"));
}

/// Bad input: a clear error naming the file, record and variable, exit
/// code 2, and no output file (not even a temporary one).
#[test]
fn bad_input_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(ta()).unwrap();
    let cut = dir.path().join("cut.xpt");
    std::fs::write(&cut, &bytes[..bytes.len() - 200]).unwrap();
    let out = dir.path().join("out.json");
    let (code, _, err) = rct(&["cdisc", "convert", s(&cut), s(&out)]);
    assert_eq!(code, 2);
    assert!(err.contains("cut.xpt`, observation"), "{err}");
    assert!(err.contains("truncated"), "{err}");

    let csv = dir.path().join("dm.csv");
    std::fs::write(&csv, "USUBJID,AGE\n01-701-1015,63\n01-701-1023,old\n").unwrap();
    let schema = dir.path().join("dm.json");
    std::fs::write(
        &schema,
        r#"{"datasetJSONVersion":"1.1.0","name":"DM","label":"Demographics","records":0,
            "columns":[{"itemOID":"IT.DM.USUBJID","name":"USUBJID","label":"","dataType":"string","length":11},
                       {"itemOID":"IT.DM.AGE","name":"AGE","label":"Age","dataType":"integer"}],
            "rows":[]}"#,
    )
    .unwrap();
    let out2 = dir.path().join("dm.xpt");
    let (code, _, err) = rct(&[
        "cdisc",
        "convert",
        s(&csv),
        s(&out2),
        "--schema",
        s(&schema),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "dm.csv`, line 3, variable `AGE`: bad value \"old\": a numeric column holds text"
        ),
        "{err}"
    );
    // A dataset name too long for XPORT fails before anything is written.
    let (code, _, err) = rct(&[
        "cdisc",
        "convert",
        s(&ta()),
        s(&out2),
        "--name",
        "TOOLONGNAME",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("at most 8 bytes"), "{err}");
    let (code, _, err) = rct(&[
        "cdisc",
        "convert",
        s(&ta()),
        s(&dir.path().join("x.parquet")),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format"), "{err}");

    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(left, ["cut.xpt", "dm.csv", "dm.json"]);
}
