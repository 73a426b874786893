//! `rct demo`, `rct analyze` and `rct plan`: real files in, real files out.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::rct;
use serde_json::Value;

fn results(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap()
}

/// Runs `rct demo --out DIR --quiet --format FORMAT` and checks it succeeded.
fn demo(out: &Path, format: &str) {
    let (code, _, stderr) = rct(&[
        "demo",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--format",
        format,
    ]);
    assert_eq!(code, 0, "{stderr}");
}

fn find<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id}"))
}

#[test]
fn demo_writes_sdtm_adam_and_a_reproducible_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let (code, stdout, stderr) = rct(&["demo", "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    for f in [
        "sdtm/dm.xpt",
        "sdtm/lb.xpt",
        "sdtm/ae.xpt",
        "adam/adsl.xpt",
        "adam/adlb.xpt",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let report = out.join("report");
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert!(html.contains("Table 14-1.01") && html.contains("<svg"));
    let tables: Vec<PathBuf> = std::fs::read_dir(report.join("tables"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(tables
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "rtf")));
    assert!(tables
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "csv")));
    let r = results(&report);
    assert_eq!(r["rct_version"], env!("CARGO_PKG_VERSION"));
    let inputs = r["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| i["dataset"] == "DM"));
    assert!(inputs
        .iter()
        .all(|i| i["sha256"].as_str().unwrap().len() == 64));
    // CONSORT: the seed trial's flow (100 screened, 28 excluded, 72 randomized).
    let consort = find(&r, "consort");
    assert_eq!(consort["assessed"], 100);
    assert_eq!(consort["excluded"], 28);
    assert_eq!(consort["randomized"], 72);
    // Every seed is recorded.
    assert!(!r["seeds"].as_object().unwrap().is_empty());
    // The default plan runs the two-stage test only for the pairs whose
    // Kaplan-Meier curves cross (checked here from the curves in
    // results.json, by its own step-function walk).
    let mut ran = 0;
    for param in ["RESP30", "RESP100"] {
        for (a, b) in [("HIGH", "LOW"), ("HIGH", "PLACEBO"), ("LOW", "PLACEBO")] {
            let curve = |arm: &str| {
                let km = find(&r, &format!("tte.{param}.kaplan_meier.{arm}"));
                let v = |k: &str| -> Vec<f64> {
                    km[k]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap())
                        .collect()
                };
                (v("time"), v("survival"))
            };
            let ((ta, sa), (tb, sb)) = (curve(a), curve(b));
            let end = ta.last().unwrap().min(*tb.last().unwrap());
            let at = |t: &[f64], s: &[f64], x: f64| {
                t.iter()
                    .zip(s)
                    .take_while(|(ti, _)| **ti <= x)
                    .last()
                    .map_or(1.0, |p| *p.1)
            };
            let (mut above, mut below) = (false, false);
            for &x in ta.iter().chain(&tb).filter(|&&x| x <= end) {
                let d = at(&ta, &sa, x) - at(&tb, &sb, x);
                above |= d > 1e-12;
                below |= d < -1e-12;
            }
            let cross = above && below;
            let ts = find(&r, &format!("tte.{param}.two_stage.{a} vs {b}"));
            assert_eq!(ts["run"], cross, "{param} {a} vs {b}: {ts}");
            assert_eq!(ts["p_value"].is_number(), cross, "{ts}");
            ran += usize::from(cross);
        }
    }
    assert!(ran > 0, "no pair of demo curves crosses");
    // The same seed gives the same results, byte for byte.
    let again = tmp.path().join("again");
    let (code, _, stderr) = rct(&["demo", "--out", again.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    let first = std::fs::read_to_string(report.join("results.json")).unwrap();
    let second = std::fs::read_to_string(again.join("report/results.json")).unwrap();
    assert!(
        first == second,
        "results.json differs between two runs of one seed"
    );
    // Analysing the written SDTM again with `rct analyze` gives the same numbers.
    let third = tmp.path().join("third");
    let (code, _, stderr) = rct(&[
        "analyze",
        out.join("sdtm").to_str().unwrap(),
        "--out",
        third.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(results(&third)["results"], r["results"]);
}

#[test]
fn demo_adverse_event_counts_agree_with_adae() {
    // Recount subjects with a treatment-emergent AE per arm from the
    // written ADaM file and compare with the report's numbers.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    demo(&out, "json");
    let adae: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("adam/adae.json")).unwrap())
            .unwrap();
    let cols: Vec<&str> = adae["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let at = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let (id, arm, te) = (at("USUBJID"), at("TRT01A"), at("TRTEMFL"));
    let mut subjects: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for row in adae["rows"].as_array().unwrap() {
        if row[te] == "Y" {
            subjects
                .entry(row[arm].as_str().unwrap().to_string())
                .or_default()
                .insert(row[id].as_str().unwrap().to_string());
        }
    }
    let r = results(&out.join("report"));
    let any = find(&r, "safety.any.Any adverse event");
    let total: usize = subjects.values().map(|s| s.len()).sum();
    let reported: u64 = any["n"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(reported as usize, total);
    assert!(total > 0);
    // The listing of unscheduled laboratory records holds exactly ADLB's
    // UNSCHEDULED records (every randomized subject is in the safety
    // population in the demo).
    let adlb: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("adam/adlb.json")).unwrap())
            .unwrap();
    let names: Vec<&str> = adlb["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let avisit = names.iter().position(|c| *c == "AVISIT").unwrap();
    let unscheduled = adlb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r[avisit] == "UNSCHEDULED")
        .count();
    assert!(unscheduled > 0);
    let listing = std::fs::read_to_string(out.join("report/tables/l16-2-01.csv")).unwrap();
    assert_eq!(listing.lines().count(), unscheduled + 1);
}

#[test]
fn pilot_study_runs_with_its_example_plan() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cdisc-pilot/adam");
    if !dir.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let plan = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../analysis/plans/cdisc-pilot.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pilot");
    let (code, stdout, stderr) = rct(&[
        "analyze",
        dir.to_str().unwrap(),
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("report.html"));
    let r = results(&out);
    let inputs: Vec<&str> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["dataset"].as_str().unwrap())
        .collect();
    assert!(inputs.contains(&"ADSL") && inputs.contains(&"ADTTE"));
    // 254 subjects: 86 placebo, 84 and 84 on xanomeline (ADSL TRT01P).
    let age: Vec<u64> = ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]
        .iter()
        .map(|a| {
            find(&r, &format!("baseline.AGE.{a}"))["n"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(age, [86, 84, 84]);
    let lr = find(&r, "tte.TTDE.logrank.all");
    assert_eq!(lr["df"], 2.0);
}

#[test]
fn analysis_errors_name_the_problem_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // No such folder.
    let (code, _, stderr) = rct(&[
        "analyze",
        "/nonexistent/study",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("/nonexistent/study"), "{stderr}");
    // A plan with a misspelt key.
    let study = tmp.path().join("study");
    std::fs::create_dir(&study).unwrap();
    std::fs::write(
        study.join("adsl.csv"),
        "USUBJID,ARMCD,ACTARMCD\nS-1,HIGH,HIGH\n",
    )
    .unwrap();
    let plan = tmp.path().join("plan.toml");
    std::fs::write(
        &plan,
        rct_plan().replace("quantile_type = 2", "quantile_typo = 2"),
    )
    .unwrap();
    let (code, _, stderr) = rct(&[
        "analyze",
        study.to_str().unwrap(),
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("plan.toml") && stderr.contains("quantile_typo"),
        "{stderr}"
    );
    // ADSL without the population flags the plan names.
    let (code, _, stderr) = rct(&[
        "analyze",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("ADSL") && stderr.contains("ITTFL"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing may be written on error");
}

fn rct_plan() -> String {
    let (code, stdout, _) = rct(&["plan", "show"]);
    assert_eq!(code, 0);
    stdout
}

#[test]
fn plan_show_prints_a_plan_that_checks() {
    let tmp = tempfile::tempdir().unwrap();
    for example in ["default", "cdisc-pilot"] {
        let (code, stdout, _) = rct(&["plan", "show", "--example", example]);
        assert_eq!(code, 0);
        let path = tmp.path().join(format!("{example}.toml"));
        std::fs::write(&path, stdout).unwrap();
        let (code, stdout, stderr) = rct(&["plan", "check", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("OK"));
    }
}

#[test]
fn sdtm_problems_name_domain_row_and_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    demo(&out, "csv");
    // A laboratory record for a subject who is not in DM.
    let lb = out.join("sdtm/lb.csv");
    let text = std::fs::read_to_string(&lb).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let id = header.iter().position(|h| *h == "USUBJID").unwrap();
    let last = text.lines().last().unwrap();
    let mut cells: Vec<&str> = last.split(',').collect();
    cells[id] = "GHOST-001";
    let rows = text.lines().count();
    std::fs::write(&lb, format!("{text}{}\n", cells.join(","))).unwrap();
    let report = tmp.path().join("report");
    let (code, _, stderr) = rct(&[
        "analyze",
        out.join("sdtm").to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("LB") && stderr.contains("GHOST-001"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("row {rows}")), "{stderr}");
    assert!(!report.exists());
}

#[test]
fn from_study_proposes_a_phase_three_size() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    demo(&out, "xpt");
    let plan = tmp.path().join("phase3");
    let (code, stdout, stderr) = rct(&[
        "design",
        "from-study",
        out.join("sdtm").to_str().unwrap(),
        "--trials",
        "200",
        "--out",
        plan.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(plan.join("phase3.json")).unwrap()).unwrap();
    assert_eq!(r["control_arm"], "PLACEBO");
    let est = &r["estimates"];
    assert_eq!(est["arms"].as_array().unwrap().len(), 3);
    // 9 of 72 randomized subjects are lost to follow-up in the demo.
    assert!((est["dropout"].as_f64().unwrap() - 9.0 / 72.0).abs() < 1e-12);
    // More power needs more subjects, by formula and by simulation.
    let formula = r["formula_two_proportions"].as_array().unwrap();
    assert!(formula[0]["n_per_group"].as_u64() < formula[1]["n_per_group"].as_u64());
    for row in r["simulation"]["results"].as_array().unwrap() {
        if let Some(p) = row["simulated_power"].as_f64() {
            let target = row["power_target"].as_f64().unwrap();
            // Bisection stops at the first size whose simulated power reaches the target.
            assert!(p >= target, "{row}");
        }
    }
    assert!(std::fs::read_to_string(plan.join("phase3.md"))
        .unwrap()
        .contains("| method |"));
}

#[test]
fn adam_csv_with_only_the_plans_variables_gives_the_same_results() {
    // `rct analyze` of an ADaM CSV folder reads only the variables the plan
    // uses; the numbers must equal those from the SDTM the demo derived.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    demo(&out, "csv");
    let again = tmp.path().join("adam-report");
    let (code, _, stderr) = rct(&[
        "analyze",
        out.join("adam").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let from_sdtm = results(&out.join("report"));
    let from_adam = results(&again);
    assert_eq!(from_adam["results"], from_sdtm["results"]);
    assert_eq!(from_adam["derived_datasets"].as_array().unwrap().len(), 0);
}
