//! Time to event: Kaplan-Meier by arm, k-arm and pairwise log-rank tests,
//! and the two-stage test for crossing hazards.

use rct_report::{
    Cell, ColumnHeader, Figure, FigureKind, Row, RowKind, StepFigure, StepSeries, Table,
};
use rct_stats::multiplicity::{p_adjust, AdjustMethod};
use rct_stats::survival::{
    kaplan_meier, logrank, two_stage_crossing, ConfType, KaplanMeier, KaplanMeierOptions,
    LogrankOptions, SurvivalData, TwoStageOptions,
};
use rct_stats::StatsError;

use super::Ctx;
use crate::error::Context;
use crate::format;
use crate::plan::{Display, TimeToEvent, TwoStage};
use crate::results::Builder;
use crate::AnalysisError;

const SECTION: &str = "14-2";
const HEADING: &str = "Time to immunological response";

pub(super) fn run(ctx: &mut Ctx<'_>, t: &TimeToEvent) -> Result<(), AnalysisError> {
    let needed_by = format!("[[time_to_event]] {}", t.paramcd);
    let ds = ctx.data.get(&t.dataset, &needed_by)?;
    let arms = ctx.subjects.arms_of_rows(&ds, &t.population, false)?;
    let paramcd = ds.text("PARAMCD")?;
    let aval = ds.numbers("AVAL")?;
    let cnsr = ds.numbers("CNSR")?;
    let k = ctx.k();
    let (mut time, mut event, mut group) = (Vec::new(), Vec::new(), Vec::new());
    for row in 0..ds.n_rows() {
        if paramcd[row].trim() != t.paramcd {
            continue;
        }
        let Some(arm) = arms[row] else { continue };
        let x = match aval[row] {
            Some(x) if x.is_finite() && x >= 0.0 => x / t.time_divisor,
            Some(x) => {
                return Err(ds.value_error(
                    row,
                    "AVAL",
                    format!("time {x} is negative or not finite"),
                ))
            }
            None => return Err(ds.value_error(row, "AVAL", "time is missing".into())),
        };
        let e = match cnsr[row] {
            Some(0.0) => 1.0,
            Some(c) if c > 0.0 && c.fract() == 0.0 => 0.0,
            other => {
                return Err(ds.value_error(
                    row,
                    "CNSR",
                    format!(
                    "censoring code {other:?}: must be 0 (event) or a positive integer (censored)"
                ),
                ))
            }
        };
        time.push(x);
        event.push(e);
        group.push(arm);
    }
    let population = ctx.population_label(&t.population);
    let what = |s: &str| format!("{} {s}", t.paramcd);
    if time.is_empty() {
        ctx.notes.push(format!(
            "{}: no records in the population; not analysed",
            t.paramcd
        ));
        return Ok(());
    }
    let conf_type = match ctx.plan.options.km_conf_type.as_str() {
        "log" => ConfType::Log,
        "plain" => ConfType::Plain,
        _ => ConfType::LogLog,
    };
    let km_opts = KaplanMeierOptions {
        conf_type,
        conf_level: ctx.plan.options.conf_level,
    };
    let incidence = t.display == Display::Incidence;
    let mut fits: Vec<Option<KaplanMeier>> = Vec::with_capacity(k);
    let mut rows = Vec::new();
    let mut series = Vec::new();
    let last_time = time.iter().copied().fold(0.0, f64::max);
    for a in 0..k {
        let idx: Vec<usize> = (0..time.len()).filter(|&i| group[i] == a).collect();
        if idx.is_empty() {
            fits.push(None);
            continue;
        }
        let tt: Vec<f64> = idx.iter().map(|&i| time[i]).collect();
        let ee: Vec<f64> = idx.iter().map(|&i| event[i]).collect();
        let data = SurvivalData::new(&tt, &ee).context(|| what("Kaplan-Meier"))?;
        let km = kaplan_meier(&data, &km_opts).context(|| what("Kaplan-Meier"))?;
        let events = ee.iter().filter(|&&e| e > 0.0).count();
        let s_end = km.survival.last().copied().unwrap_or(1.0);
        let end_value = if incidence { 1.0 - s_end } else { s_end };
        ctx.results.push(
            Builder::new(
                format!("tte.{}.kaplan_meier.{}", t.paramcd, ctx.arm_code(a)),
                "kaplan_meier",
                &population,
            )
            .parameter(&t.paramcd)
            .arm(ctx.arm_code(a))
            .comparison("by arm")
            .option("conf_type", ctx.plan.options.km_conf_type.clone())
            .option("conf_level", ctx.plan.options.conf_level)
            .option("time_unit", t.time_unit.clone())
            .value("n", tt.len())
            .value("events", events)
            .num(
                if incidence {
                    "cumulative_incidence_end"
                } else {
                    "survival_end"
                },
                end_value,
            )
            .opt("median", km.median)
            .opt("median_lower", km.median_lower)
            .opt("median_upper", km.median_upper)
            .value("time", serde_json::to_value(&km.time).unwrap_or_default())
            .value(
                "survival",
                serde_json::to_value(&km.survival).unwrap_or_default(),
            )
            .build(),
        );
        let opt = |x: Option<f64>| x.map_or("NE".to_string(), |v| format::fixed(v, 1));
        rows.push(Row {
            label: ctx.arm_label(a).to_string(),
            indent: 0,
            kind: RowKind::Data,
            cells: vec![
                Cell::new(tt.len().to_string()),
                Cell::new(format::n_pct(events, tt.len())),
                Cell::new(format!("{:.1}%", 100.0 * end_value)),
                Cell::new(format!(
                    "{} ({}, {})",
                    opt(km.median),
                    opt(km.median_lower),
                    opt(km.median_upper)
                )),
                Cell::default(),
            ],
        });
        // Step function starting at time 0.
        let mut times = vec![0.0];
        let mut values = vec![if incidence { 0.0 } else { 1.0 }];
        let mut censored = Vec::new();
        for (i, &ti) in km.time.iter().enumerate() {
            let v = if incidence {
                1.0 - km.survival[i]
            } else {
                km.survival[i]
            };
            if km.n_event[i] > 0 {
                times.push(ti);
                values.push(v);
            }
            if km.n_censor[i] > 0 {
                censored.push((ti, v));
            }
        }
        let at_risk = t
            .risk_times
            .iter()
            .map(|&r| tt.iter().filter(|&&x| x >= r).count())
            .collect();
        series.push(StepSeries {
            name: ctx.arm_label(a).to_string(),
            times,
            values,
            censored,
            at_risk,
        });
        fits.push(Some(km));
    }
    // k-arm log-rank.
    let data = SurvivalData::new(&time, &event).context(|| what("log-rank"))?;
    let overall = match logrank(&data, &group, None::<&[u8]>, &LogrankOptions::default()) {
        Ok(r) => Some(r),
        Err(e @ (StatsError::TooFew { .. } | StatsError::Degenerate { .. })) => {
            ctx.notes
                .push(format!("{}: log-rank not reported: {e}", t.paramcd));
            None
        }
        Err(e) => return Err(e).context(|| what("log-rank")),
    };
    let mut annotations = Vec::new();
    let mut test_rows = Vec::new();
    if let Some(r) = &overall {
        ctx.results.push(
            Builder::new(
                format!("tte.{}.logrank.all", t.paramcd),
                "logrank",
                &population,
            )
            .parameter(&t.paramcd)
            .comparison("all arms")
            .option("rho", 0.0)
            .num("statistic", r.statistic)
            .num("df", r.df)
            .num("p_value", r.p_value)
            .value(
                "observed",
                serde_json::to_value(&r.observed).unwrap_or_default(),
            )
            .value(
                "expected",
                serde_json::to_value(&r.expected).unwrap_or_default(),
            )
            .build(),
        );
        annotations.push(format!("Log-rank P {}", p_eq(r.p_value)));
        test_rows.push(Row {
            label: "Log-rank test, all arms".into(),
            indent: 0,
            kind: RowKind::Data,
            cells: vec![
                Cell::default(),
                Cell::default(),
                Cell::default(),
                Cell::new(format!(
                    "chi-square = {}, df = {:.0}",
                    format::fixed(r.statistic, 2),
                    r.df
                )),
                Cell::new(format::p_value(Some(r.p_value))),
            ],
        });
    }
    // Pairwise: arm i vs arm j in protocol order (control last).
    let adjust: AdjustMethod = ctx
        .plan
        .options
        .pairwise_adjust
        .parse()
        .unwrap_or(AdjustMethod::Bonferroni);
    let mut pairs = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            let idx: Vec<usize> = (0..time.len())
                .filter(|&r| group[r] == i || group[r] == j)
                .collect();
            let tt: Vec<f64> = idx.iter().map(|&r| time[r]).collect();
            let ee: Vec<f64> = idx.iter().map(|&r| event[r]).collect();
            let gg: Vec<usize> = idx.iter().map(|&r| group[r]).collect();
            let Ok(d) = SurvivalData::new(&tt, &ee) else {
                continue;
            };
            match logrank(&d, &gg, None::<&[u8]>, &LogrankOptions::default()) {
                Ok(r) => pairs.push((i, j, r.statistic, r.p_value, d, gg)),
                Err(StatsError::TooFew { .. } | StatsError::Degenerate { .. }) => {}
                Err(e) => return Err(e).context(|| what("pairwise log-rank")),
            }
        }
    }
    let raw: Vec<f64> = pairs.iter().map(|p| p.3).collect();
    let adjusted = if raw.is_empty() {
        Vec::new()
    } else {
        p_adjust(&raw, adjust).context(|| what("p_adjust"))?
    };
    let alpha_adj = ctx.plan.options.alpha / pairs.len().max(1) as f64;
    for (n, (i, j, statistic, p, d, gg)) in pairs.iter().enumerate() {
        let comparison = format!("{} vs {}", ctx.arm_code(*i), ctx.arm_code(*j));
        // A result of this pair: `tte.<PARAMCD>.<kind>.<comparison>`.
        let pair_result = |kind: &str, method: &str| {
            Builder::new(
                format!("tte.{}.{kind}.{comparison}", t.paramcd),
                method,
                &population,
            )
            .parameter(&t.paramcd)
            .comparison(comparison.clone())
        };
        ctx.results.push(
            pair_result("logrank", "logrank")
                .option("p_adjust", adjust.r_name())
                .num("statistic", *statistic)
                .num("df", 1.0)
                .num("p_value", *p)
                .num("p_adjusted", adjusted[n])
                .build(),
        );
        // The two-stage part of the pair's row, when the plan asks for it.
        let mut two_stage_text = String::new();
        let crossing = match (&fits[*i], &fits[*j]) {
            (Some(a), Some(b)) => a.crosses(b),
            _ => false,
        };
        let run_two_stage = match t.two_stage {
            TwoStage::Never => false,
            TwoStage::Always => true,
            TwoStage::WhenCrossing => crossing,
        };
        if t.two_stage == TwoStage::WhenCrossing && !crossing {
            ctx.results.push(
                pair_result("two_stage", "two_stage_crossing")
                    .option("two_stage", "when_crossing")
                    .value("run", false)
                    .value("curves_cross", false)
                    .build(),
            );
            two_stage_text = "two-stage test not run (curves do not cross)".into();
        }
        if run_two_stage {
            let seed = t.seed.wrapping_add(n as u64);
            let opts = TwoStageOptions {
                nboot: t.two_stage_nboot,
                seed,
                alpha: ctx.plan.options.alpha,
                ..TwoStageOptions::default()
            };
            ctx.seeds
                .insert(format!("tte.{}.two_stage.{comparison}", t.paramcd), seed);
            match two_stage_crossing(d, gg, &opts) {
                Ok(r) => {
                    ctx.results.push(
                        pair_result("two_stage", "two_stage_crossing")
                            .option("two_stage", t.two_stage.name())
                            .option("nboot", t.two_stage_nboot)
                            .option("seed", seed)
                            .option("eps", opts.eps)
                            .num("logrank_p_value", r.logrank_p_value)
                            .num("stage2_statistic", r.stage2_statistic)
                            .num("stage2_p_value", r.stage2_p_value)
                            .num("p_value", r.p_value)
                            .value("reject", r.reject)
                            .value("run", true)
                            .value("curves_cross", crossing)
                            .build(),
                    );
                    two_stage_text = format!("two-stage P = {}", format::p_value(Some(r.p_value)));
                }
                Err(e @ (StatsError::TooFew { .. } | StatsError::Degenerate { .. })) => {
                    ctx.notes.push(format!(
                        "{} {comparison}: two-stage test not reported: {e}",
                        t.paramcd
                    ));
                    two_stage_text = "two-stage P = NA".into();
                }
                Err(e) => return Err(e).context(|| what("two-stage test")),
            }
        }
        let mut p_cell = Cell::new(format::p_value(Some(*p)));
        if *p < alpha_adj {
            p_cell.mark = Some("*".into());
        }
        test_rows.push(Row {
            label: format!("{} vs {}", ctx.arm_label(*i), ctx.arm_label(*j)),
            indent: 1,
            kind: RowKind::Data,
            cells: vec![
                Cell::default(),
                Cell::default(),
                Cell::default(),
                Cell::new(if two_stage_text.is_empty() {
                    format!("adjusted P = {}", format::p_value(Some(adjusted[n])))
                } else {
                    format!(
                        "adjusted P = {}; {two_stage_text}",
                        format::p_value(Some(adjusted[n]))
                    )
                }),
                p_cell,
            ],
        });
    }
    if !test_rows.is_empty() {
        rows.push(Row {
            label: "Tests".into(),
            indent: 0,
            kind: RowKind::Heading,
            cells: Vec::new(),
        });
        rows.extend(test_rows);
    }
    let event_word = if incidence { "Responders" } else { "Events" };
    let end_word = if incidence {
        "Cumulative probability at last time"
    } else {
        "Survival at last time"
    };
    let conf = format!("{:.0}%", ctx.plan.options.conf_level * 100.0);
    let table = Table {
        title: format!("{}: Kaplan-Meier estimates and log-rank tests", t.label),
        population: population.clone(),
        columns: vec![
            ColumnHeader { label: "Arm".into(), sublabel: None },
            ColumnHeader { label: "N".into(), sublabel: None },
            ColumnHeader { label: format!("{event_word}, n (%)"), sublabel: None },
            ColumnHeader { label: end_word.into(), sublabel: Some(format!("({} {})", format::fixed(last_time, 0), t.time_unit)) },
            ColumnHeader { label: format!("Median time, {} ({conf} CI)", t.time_unit), sublabel: None },
            ColumnHeader { label: "P value".into(), sublabel: Some("log-rank".into()) },
        ],
        rows,
        footnotes: vec![
            format!(
                "Kaplan-Meier estimates; {conf} CI of the median by the Brookmeyer-Crowley method with the \
                 {} transform (SAS PROC LIFETEST default is log-log, R survfit's is log). NE: not estimable.",
                ctx.plan.options.km_conf_type
            ),
            format!(
                "Log-rank test (G-rho, rho = 0). Pairwise log-rank tests adjusted by {} ({} comparisons; \
                 * P below the adjusted alpha {:.3}).",
                adjust.r_name(),
                pairs.len(),
                alpha_adj
            ),
            if t.two_stage != TwoStage::Never {
                format!(
                    "Two-stage test for crossing hazards (Qiu and Sheng 2008), {} bootstrap replicates; seeds \
                     in results.json.{}",
                    t.two_stage_nboot,
                    if t.two_stage == TwoStage::WhenCrossing {
                        " Run for the pairs whose Kaplan-Meier curves cross within their common follow-up \
                         (one curve above the other at some time and below it at another); the log-rank \
                         test is the test for the others."
                    } else {
                        ""
                    }
                )
            } else {
                String::new()
            },
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect(),
        ..Table::default()
    };
    ctx.add_table(SECTION, HEADING, table);
    let figure = Figure {
        id: String::new(),
        number: String::new(),
        title: format!(
            "{}: {} by arm (Kaplan-Meier)",
            t.label,
            if incidence {
                "cumulative probability"
            } else {
                "survival"
            }
        ),
        population,
        footnotes: vec!["Ticks mark censored subjects. Numbers at risk under the plot.".into()],
        kind: FigureKind::Step(StepFigure {
            x_label: format!("Time ({})", t.time_unit),
            y_label: if incidence {
                "Cumulative probability of response".into()
            } else {
                "Survival probability".into()
            },
            y_range: (0.0, 1.0),
            x_ticks: t.risk_times.clone(),
            series,
            annotations,
            risk_times: t.risk_times.clone(),
        }),
    };
    ctx.add_figure(SECTION, HEADING, figure);
    Ok(())
}

fn p_eq(p: f64) -> String {
    let s = format::p_value(Some(p));
    if s.starts_with('<') {
        s
    } else {
        format!("= {s}")
    }
}
