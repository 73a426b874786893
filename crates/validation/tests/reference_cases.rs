//! Every bundled reference case, one test per method.
//!
//! Sources: each case's `source` field in `validation/cases/<method>.json`
//! names its reference implementation (R 4.2.2, scipy, statsmodels,
//! lifelines, scikit-posthocs) and the convention it follows.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

fn check(method: &str) {
    let cases: Vec<_> = rct_validation::bundled_cases()
        .unwrap()
        .into_iter()
        .filter(|c| c.method == method)
        .collect();
    assert!(!cases.is_empty(), "no bundled cases for {method}");
    let outcomes = rct_validation::run_all(&cases);
    let mut failed = Vec::new();
    for o in outcomes.iter().filter(|o| !o.passed) {
        for m in &o.mismatches {
            failed.push(format!(
                "{} {}: got {}, want {}",
                o.id, m.field, m.got, m.want
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        outcomes.iter().filter(|o| !o.passed).count(),
        outcomes.len(),
        failed.join("\n")
    );
}

macro_rules! methods {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { check(stringify!($name)); })*

        #[test]
        fn every_case_file_has_a_test() {
            let tested = [$(stringify!($name)),*];
            for c in rct_validation::bundled_cases().unwrap() {
                assert!(tested.contains(&c.method.as_str()), "case file for `{}` has no test here", c.method);
            }
        }
    };
}

methods!(
    quantiles,
    p_adjust,
    anova_oneway,
    lsd,
    locf,
    sample_size_two_proportions,
    power_two_proportions,
    sample_size_logrank,
    kruskal_wallis,
    friedman,
    wilcoxon_signed_rank,
    mann_whitney,
    dunn,
    nemenyi_kruskal,
    nemenyi_friedman,
    chi_square,
    fisher_exact,
    cmh,
    kaplan_meier,
    logrank,
    two_stage_crossing,
    cox_ph,
    linear_model,
    gee,
    gee_bias_reduced,
    gee_score_test,
    mmrm,
);
