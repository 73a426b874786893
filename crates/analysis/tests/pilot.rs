//! The CDISC pilot study (CDISCPILOT01) analysed with the example plan.
//! Expected counts checked against the pilot's define.xml documentation and
//! by hand from the ADaM files (254 subjects; 86/84/84 per planned arm).
#![allow(clippy::expect_used, clippy::print_stderr)]

use std::path::PathBuf;

use rct_analysis::{plan::CDISC_PILOT_PLAN, run, Plan, StudyData};

fn pilot() -> Option<StudyData> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cdisc-pilot/adam");
    if !dir.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return None;
    }
    let mut sets = Vec::new();
    for name in ["adsl", "adtte", "adae"] {
        let file = dir.join(format!("{name}.xpt"));
        let mut ds = rct_cdisc::xport::read_path(&file).expect("pilot file reads");
        sets.push(ds.remove(0));
    }
    Some(StudyData::new(sets))
}

#[test]
fn pilot_plan_runs_and_counts_match_the_pilot() {
    let Some(data) = pilot() else { return };
    let plan = Plan::from_toml(CDISC_PILOT_PLAN, "cdisc-pilot.toml").expect("plan parses");
    let analysis = run(&plan, &data, &mut |_| {}).expect("pilot analysis runs");
    let t1 = &analysis.report.tables[0];
    assert_eq!(t1.columns[1].sublabel.as_deref(), Some("(N = 86)"));
    assert_eq!(t1.columns[2].sublabel.as_deref(), Some("(54 mg, N = 84)"));
    assert_eq!(t1.columns[4].sublabel.as_deref(), Some("(N = 254)"));
    // Sex: 143 female, 111 male in ADSL.
    let female = t1
        .rows
        .iter()
        .find(|r| r.label == "Female")
        .expect("female row");
    assert!(
        female.cells[3].text.starts_with("143 ("),
        "{:?}",
        female.cells
    );
    // Time to first dermatologic event: a 3-arm log-rank result exists with a p-value in (0, 1).
    let lr = analysis
        .results
        .iter()
        .find(|r| r.id == "tte.TTDE.logrank.all")
        .expect("log-rank result");
    let p = lr.values["p_value"].as_f64().expect("p");
    assert!(p > 0.0 && p < 1.0);
    assert!(analysis
        .report
        .figures
        .iter()
        .any(|f| f.title.contains("dermatologic")));
}

#[test]
fn default_plan_parses_and_round_trips() {
    let plan = Plan::default_plan().expect("default plan");
    assert_eq!(plan.arms.values, ["HIGH", "LOW", "PLACEBO"]);
    let again = Plan::from_toml(&plan.to_toml(), "round trip").expect("re-parses");
    assert_eq!(again.longitudinal.len(), plan.longitudinal.len());
}

#[test]
fn plan_errors_name_the_section() {
    let bad = CDISC_PILOT_PLAN.replace("reference = \"Placebo\"", "reference = \"Pbo\"");
    let e = Plan::from_toml(&bad, "x.toml").unwrap_err().to_string();
    assert!(e.contains("x.toml") && e.contains("reference `Pbo`"), "{e}");
    let bad = CDISC_PILOT_PLAN.replace("quantile_type = 2", "quantile_typ = 2");
    let e = Plan::from_toml(&bad, "x.toml").unwrap_err().to_string();
    assert!(e.contains("quantile_typ"), "{e}");
}
