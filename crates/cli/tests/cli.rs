//! The `rct` binary, run as a user runs it.
#![allow(clippy::unwrap_used)]

mod common;
use common::rct;

/// The seed paper's design: 85% vs 45% response, alpha 0.05 two-sided, 80%
/// power, unpooled z (PASS), 20% dropout -> 19, 24 per group, 72 in all.
#[test]
fn seed_paper_sample_size() {
    let args = [
        "design",
        "sample-size",
        "--p1",
        "0.85",
        "--p2",
        "0.45",
        "--alpha",
        "0.05",
        "--power",
        "0.8",
        "--method",
        "unpooled-z",
        "--dropout",
        "0.2",
    ];
    let (code, out, _) = rct(&args);
    assert_eq!(code, 0);
    assert!(out.contains("-> 19"), "{out}");
    assert!(out.contains("24 per group"), "{out}");
    assert!(out.contains("total for 3 arms: 72"), "{out}");
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (code, out, _) = rct(&json_args);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_per_group_ceiling"], 19);
    assert_eq!(v["n_per_group_with_dropout"], 24);
    assert_eq!(v["total"], 72);
}

#[test]
fn bad_design_input_is_a_clear_error() {
    let (code, out, err) = rct(&["design", "sample-size", "--p1", "0.5", "--p2", "0.5"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("`p2`") && err.contains("must differ from p1"),
        "{err}"
    );
    let (code, _, err) = rct(&[
        "design",
        "sample-size",
        "--p1",
        "0.5",
        "--p2",
        "0.3",
        "--method",
        "exact",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown sample-size method `exact`"), "{err}");
    let (code, _, err) = rct(&[
        "design",
        "sample-size",
        "--p1",
        "0.5",
        "--p2",
        "0.3",
        "--dropout",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("dropout"), "{err}");
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A user's own case folder: one case that passes, one that fails, one
/// error case; the failing line names id, field, got and want.
#[test]
fn validate_user_cases() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kw.json",
        r#"{"method": "kruskal_wallis", "cases": [
            {"id": "kw/ok", "source": "R 4.2.2 kruskal.test (hand-sized)", "input": {"groups": [[1, 2, 2, 3], [2, 3, 3, 4, 4], [4, 5, 5, 5]]},
             "expected": {"statistic": 8.917241379310338, "df": 2, "p_value": 0.011578322378501133}},
            {"id": "kw/wrong", "source": "deliberately wrong", "input": {"groups": [[1, 2], [3, 4]]},
             "expected": {"statistic": 99.0, "df": 5}},
            {"id": "kw/error", "source": "invalid", "input": {"groups": [[1, 2]]}, "expected": {"error": true}}
        ]}"#,
    );
    let (code, out, _) = rct(&["validate", "--cases", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL kw/wrong statistic: got"), "{out}");
    // One line per failing case, naming how many more fields differ.
    assert_eq!(
        out.lines().filter(|l| l.starts_with("FAIL")).count(),
        1,
        "{out}"
    );
    assert!(out.contains("(+1 more fields)"), "{out}");
    assert!(out.lines().last().unwrap() == "2 passed, 1 failed", "{out}");
    let (code, out, _) = rct(&[
        "validate",
        "--json",
        "--cases",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let json_part = &out[..out.rfind('}').unwrap() + 1];
    let v: serde_json::Value = serde_json::from_str(json_part).unwrap();
    assert_eq!(v["failed"], 1);
    assert_eq!(v["cases"].as_array().unwrap().len(), 3);
}

#[test]
fn validate_unknown_method_fails_not_skips() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "x.json",
        r#"{"method": "no_such_method", "cases": [{"id": "x/1", "source": "s", "input": {}, "expected": {"v": 1}}]}"#,
    );
    let (code, out, _) = rct(&["validate", "--cases", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("method not implemented"), "{out}");
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
}

#[test]
fn validate_malformed_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken.json",
        r#"{"method": "kruskal_wallis", "cases": [ {"id": 1 "#,
    );
    let (code, _, err) = rct(&["validate", "--cases", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.json") && err.contains("line"), "{err}");
}
