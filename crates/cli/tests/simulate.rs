//! `rct design simulate` and `rct design merge`.
#![allow(clippy::unwrap_used)]

mod common;
use common::rct;

/// Shards run separately and merged equal the single run, byte for byte in
/// the numbers; the seed trial's scenario round-trips through --show-scenario.
#[test]
fn shards_merge_and_scenarios_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("scenario.json");
    std::fs::write(
        &scenario,
        r#"{"kind": "binary", "p": [0.85, 0.45], "n": 19, "alpha": 0.05}"#,
    )
    .unwrap();
    let s = scenario.to_str().unwrap();
    let whole = tmp.path().join("whole.json");
    let (code, out, err) = rct(&[
        "design",
        "simulate",
        "--scenario",
        s,
        "--trials",
        "300",
        "--seed",
        "5",
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("two_proportion_z"), "{out}");
    let mut parts = Vec::new();
    for k in 1..=3 {
        let p = tmp.path().join(format!("part{k}.json"));
        let shard = format!("{k}/3");
        let (code, _, err) = rct(&[
            "design",
            "simulate",
            "--scenario",
            s,
            "--trials",
            "300",
            "--seed",
            "5",
            "--shard",
            &shard,
            "--out",
            p.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        parts.push(p);
    }
    let merged = tmp.path().join("merged.json");
    let mut args = vec!["design", "merge", "--out", merged.to_str().unwrap()];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    assert_eq!(rct(&args).0, 0);
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&whole).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    assert_eq!(a["tests"], b["tests"]);
    // The default scenario prints as JSON that reads back.
    let (code, out, _) = rct(&["design", "simulate", "--show-scenario"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "cd4");
    assert_eq!(v["arms"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_scenarios_and_shards_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("bad.json");
    std::fs::write(
        &scenario,
        r#"{"kind": "binary", "p": [1.5, 0.45], "n": 19, "alpha": 0.05}"#,
    )
    .unwrap();
    let (code, _, err) = rct(&[
        "design",
        "simulate",
        "--scenario",
        scenario.to_str().unwrap(),
        "--trials",
        "10",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("p[0]"), "{err}");
    let (code, _, err) = rct(&["design", "simulate", "--trials", "10", "--shard", "4/3"]);
    assert_eq!(code, 2);
    assert!(err.contains("1 <= K <= N"), "{err}");
}
