//! The CONSORT flow: counts from ADSL flags, drawn as a CONSORT diagram.

use std::collections::BTreeMap;

use rct_report::{ConsortArm, ConsortFigure, ConsortReason, Figure, FigureKind};

use super::Ctx;
use crate::plan::Consort;
use crate::results::Builder;
use crate::AnalysisError;

pub(super) fn run(ctx: &mut Ctx<'_>, c: &Consort) -> Result<(), AnalysisError> {
    let adsl = ctx.data.get("ADSL", "[consort]")?;
    let randomized = adsl.flag(&c.randomized_flag)?;
    let treated = adsl.flag(&c.treated_flag)?;
    let analysed = adsl.flag(&c.analysed_flag)?;
    let screen_fail = match &c.screen_fail_flag {
        Some(v) => adsl.flag(v)?,
        None => vec![false; adsl.n_rows()],
    };
    let status = adsl.categories(&c.status)?;
    let reason = adsl.categories(&c.reason)?;
    let k = ctx.k();
    let assessed = adsl.n_rows();
    let mut excluded: BTreeMap<String, usize> = BTreeMap::new();
    let mut arms: Vec<ConsortArm> = (0..k)
        .map(|i| ConsortArm {
            name: ctx.arm_label(i).to_string(),
            ..ConsortArm::default()
        })
        .collect();
    let mut not_received: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); k];
    let mut discontinued: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); k];
    let mut not_analysed: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); k];
    for row in 0..assessed {
        if !randomized[row] {
            let why = if screen_fail[row] {
                "Not meeting inclusion criteria".to_string()
            } else {
                match reason[row].as_deref() {
                    Some(r) if r.eq_ignore_ascii_case("WITHDRAWAL BY SUBJECT") => {
                        "Declined to participate".to_string()
                    }
                    Some(r) => sentence_case(r),
                    None => "Other reasons".to_string(),
                }
            };
            *excluded.entry(why).or_insert(0) += 1;
            continue;
        }
        let Some(a) = ctx.subjects.planned[row] else {
            return Err(adsl.value_error(
                row,
                &ctx.plan.arms.variable,
                format!(
                    "randomized subject whose arm is none of {}",
                    ctx.plan.arms.values.join(", ")
                ),
            ));
        };
        arms[a].allocated += 1;
        if treated[row] {
            arms[a].received += 1;
        } else {
            *not_received[a]
                .entry("Did not receive any dose".into())
                .or_insert(0) += 1;
        }
        let discontinued_here = status[row]
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("DISCONTINUED"));
        if discontinued_here {
            let why = reason[row]
                .as_deref()
                .map_or("Reason not given".into(), sentence_case);
            *discontinued[a].entry(why).or_insert(0) += 1;
        }
        if analysed[row] {
            arms[a].analysed += 1;
        } else {
            *not_analysed[a]
                .entry("Not in the analysis population".into())
                .or_insert(0) += 1;
        }
    }
    let reasons = |m: &BTreeMap<String, usize>| -> Vec<ConsortReason> {
        m.iter()
            .map(|(r, &n)| ConsortReason {
                reason: r.clone(),
                n,
            })
            .collect()
    };
    for a in 0..k {
        arms[a].not_received = reasons(&not_received[a]);
        arms[a].discontinued = reasons(&discontinued[a]);
        arms[a].excluded_from_analysis = reasons(&not_analysed[a]);
    }
    let randomized_n: usize = arms.iter().map(|a| a.allocated).sum();
    let excluded_n = assessed - randomized_n;
    let population = ctx.population_label("itt");
    ctx.results.push(
        Builder::new("consort", "consort", &population)
            .comparison("flow")
            .value("assessed", assessed)
            .value("excluded", excluded_n)
            .value(
                "excluded_reasons",
                serde_json::to_value(&excluded).unwrap_or_default(),
            )
            .value("randomized", randomized_n)
            .value(
                "arms",
                serde_json::to_value(
                    arms.iter()
                        .enumerate()
                        .map(|(i, a)| {
                            serde_json::json!({
                                "arm": ctx.arm_code(i),
                                "allocated": a.allocated,
                                "received": a.received,
                                "discontinued": a.discontinued.iter().map(|r| r.n).sum::<usize>(),
                                "analysed": a.analysed,
                            })
                        })
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default(),
            )
            .build(),
    );
    let figure = Figure {
        id: String::new(),
        number: String::new(),
        title: "CONSORT flow diagram".into(),
        population: "All screened subjects".into(),
        footnotes: vec![format!(
            "Counts from ADSL: {} (randomized), {} (at least one dose), {} and {} (status and \
             reason at end of study), {} (analysed).",
            c.randomized_flag, c.treated_flag, c.status, c.reason, c.analysed_flag
        )],
        kind: FigureKind::Consort(ConsortFigure {
            assessed,
            excluded: excluded_n,
            excluded_reasons: reasons(&excluded),
            randomized: randomized_n,
            arms,
        }),
    };
    ctx.add_figure("14-1", "Subject disposition", figure);
    Ok(())
}

/// "LOST TO FOLLOW-UP" -> "Lost to follow-up".
pub(crate) fn sentence_case(s: &str) -> String {
    let lower = s.trim().to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
