//! `rct randomize` as the issue states it, and its failure modes.
#![allow(clippy::unwrap_used)]

mod common;
use common::rct;

const BASE: [&str; 13] = [
    "randomize",
    "--arms",
    "HIGH,LOW,PLACEBO",
    "--ratio",
    "1:1:1",
    "--block-sizes",
    "3,6",
    "--strata",
    "site=01,02,03,04",
    "--per-stratum",
    "18",
    "--seed",
    "20101",
];

fn run_into(dir: &std::path::Path) -> (i32, String, String) {
    let mut args = BASE.to_vec();
    args.extend(["--out", dir.to_str().unwrap()]);
    rct(&args)
}

#[test]
fn seed_trial_list_is_balanced_blinded_and_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("list");
    let (code, _, err) = run_into(&dir);
    assert_eq!(code, 0, "{err}");
    let list = std::fs::read_to_string(dir.join("list.csv")).unwrap();
    let mut lines = list.lines();
    assert_eq!(
        lines.next().unwrap(),
        "sequence,stratum,block,block_size,arm,kit"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 72);
    for site in ["01", "02", "03", "04"] {
        let label = format!("site={site}");
        for arm in ["HIGH", "LOW", "PLACEBO"] {
            let n = rows.iter().filter(|r| r[1] == label && r[4] == arm).count();
            assert_eq!(n, 6, "{label} {arm}");
        }
    }
    let kits = std::fs::read_to_string(dir.join("kits.csv")).unwrap();
    assert!(kits.starts_with("sequence,stratum,kit\n"));
    assert!(!kits.contains("HIGH") && !kits.contains("PLACEBO"));
    // Byte-identical on a second run; --verify recomputes and checks hashes.
    let dir2 = tmp.path().join("again");
    assert_eq!(run_into(&dir2).0, 0);
    for f in ["list.csv", "kits.csv", "list.json", "validation.txt"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(dir2.join(f)).unwrap(),
            "{f}"
        );
    }
    let (code, out, _) = rct(&["randomize", "--verify", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // A tampered list is caught.
    std::fs::write(dir.join("list.csv"), list.replacen("HIGH", "LOW", 1)).unwrap();
    let (code, out, err) = rct(&["randomize", "--verify", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        out.contains("FAIL list.csv") && err.contains("do not match"),
        "{out}{err}"
    );
    // Never overwrites.
    let (code, _, err) = run_into(&dir);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn bad_input_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--ratio", "1:1"], "ratio"),
        (&["--block-sizes", "4"], "block size 4"),
        (&["--strata", "site="], "level"),
        (&["--seed", "abc"], "invalid value 'abc'"),
        (&["--per-stratum", "0"], "per stratum"),
    ];
    for (i, (change, want)) in cases.iter().enumerate() {
        let mut args: Vec<String> = BASE.iter().map(|s| s.to_string()).collect();
        let flag = change[0];
        let pos = args.iter().position(|a| a == flag).unwrap();
        args[pos + 1] = change[1].to_string();
        let dir = tmp.path().join(format!("d{i}"));
        args.extend(["--out".to_string(), dir.to_str().unwrap().to_string()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = rct(&refs);
        assert_eq!(code, 2, "{flag}: {err}");
        assert!(err.contains(want), "{flag}: {err}");
        assert!(!dir.exists(), "{flag}: something was written");
    }
}
