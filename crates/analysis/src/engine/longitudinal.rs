//! Repeated measures by arm and visit: medians (Q1, Q3), Friedman with
//! Wilcoxon signed-rank and Nemenyi against baseline within each arm,
//! Kruskal-Wallis between arms at each visit, the GEE of the whole course,
//! and the sensitivity analyses (observed cases, MMRM).

use std::collections::HashMap;

use rct_report::{
    Cell, ColumnHeader, Figure, FigureKind, LineFigure, LinePoint, LineSeries, Row, RowKind, Table,
};
use rct_stats::models::design::Design;
use rct_stats::models::gee::{GeeData, GeeOptions};
use rct_stats::models::mmrm::{mmrm, MmrmData, MmrmOptions};
use rct_stats::rank::posthoc::nemenyi_friedman;
use rct_stats::rank::{friedman, wilcoxon_signed_rank, WilcoxonOptions};
use rct_stats::StatsError;

use super::common::{describe, kw_test};
use super::Ctx;
use crate::error::Context;
use crate::format;
use crate::plan::Longitudinal;
use crate::results::Builder;
use crate::AnalysisError;

const SECTION: &str = "14-2";
const HEADING: &str = "Immunological course by arm and visit";

/// One subject's values at the plan's visits.
struct Course {
    arm: usize,
    subject: usize,
    values: Vec<Option<f64>>,
}

/// Which records and which variable an analysis uses.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Records {
    /// Observed and LOCF-imputed records.
    Locf,
    /// Observed records only.
    Observed,
}

impl Records {
    fn name(self) -> &'static str {
        match self {
            Records::Locf => "locf",
            Records::Observed => "observed",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Records::Locf => "LOCF",
            Records::Observed => "observed cases",
        }
    }
}

pub(super) fn run(ctx: &mut Ctx<'_>, l: &Longitudinal) -> Result<(), AnalysisError> {
    let needed_by = format!("[[longitudinal]] {}", l.paramcd);
    let ds = ctx.data.get(&l.dataset, &needed_by)?;
    let arms = ctx.subjects.arms_of_rows(&ds, &l.population, false)?;
    let subject_of = ctx.subjects.subject_rows(&ds)?;
    let ids = ds.keys("USUBJID")?;
    let paramcd = ds.text("PARAMCD")?;
    let avisitn = ds.numbers("AVISITN")?;
    let aval = ds.numbers("AVAL")?;
    let dtype = if ds.has("DTYPE") {
        Some(ds.text("DTYPE")?)
    } else {
        None
    };
    let anl = if ds.has("ANL01FL") {
        Some(ds.flag("ANL01FL")?)
    } else {
        None
    };
    let base = if ds.has("BASE") {
        Some(ds.numbers("BASE")?)
    } else {
        None
    };
    let primary = if l.locf {
        Records::Locf
    } else {
        Records::Observed
    };
    let mut sets: Vec<Records> = vec![primary];
    if (l.observed_cases || l.mmrm) && primary == Records::Locf {
        sets.push(Records::Observed);
    }
    let population = ctx.population_label(&l.population);
    let mut courses: HashMap<Records, Vec<Course>> = HashMap::new();
    let mut baselines: HashMap<usize, f64> = HashMap::new();
    for &set in &sets {
        let mut by_subject: HashMap<usize, usize> = HashMap::new();
        let mut list: Vec<Course> = Vec::new();
        let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
        for row in 0..ds.n_rows() {
            if paramcd[row].trim() != l.paramcd {
                continue;
            }
            let Some(arm) = arms[row] else { continue };
            if anl.as_ref().is_some_and(|f| !f[row]) {
                continue;
            }
            let imputed = dtype.as_ref().is_some_and(|d| !d[row].trim().is_empty());
            if imputed && set == Records::Observed {
                continue;
            }
            if imputed && dtype.as_ref().is_some_and(|d| d[row].trim() != "LOCF") {
                continue;
            }
            let Some(week) = avisitn[row] else { continue };
            let Some(v) = l.visits.iter().position(|&w| (w - week).abs() < 1e-9) else {
                continue;
            };
            let subject = subject_of[row];
            if let Some(&first) = seen.get(&(subject, v)) {
                return Err(ds.value_error(
                    row,
                    "AVISITN",
                    format!(
                        "a second analysis record for {} at AVISITN {week} (the first is row {}); \
                         flag one with ANL01FL = \"Y\"",
                        ids[row].trim(),
                        first + 1
                    ),
                ));
            }
            seen.insert((subject, v), row);
            let value = match aval[row] {
                Some(x) if x.is_finite() => x,
                _ => continue,
            };
            let idx = *by_subject.entry(subject).or_insert_with(|| {
                list.push(Course {
                    arm,
                    subject,
                    values: vec![None; l.visits.len()],
                });
                list.len() - 1
            });
            list[idx].values[v] = Some(value);
            if let Some(b) = base.and_then(|b| b[row]) {
                baselines.entry(subject).or_insert(b);
            }
        }
        list.sort_by_key(|c| c.subject);
        courses.insert(set, list);
    }
    // Baseline of each subject: BASE if given, else the value at the first visit.
    for list in courses.values() {
        for c in list {
            if let Some(b) = c.values[0] {
                baselines.entry(c.subject).or_insert(b);
            }
        }
    }
    let visit_labels: Vec<String> = l.visits.iter().map(|w| week_label(*w)).collect();
    let n_arm = ctx.subjects.counts(&l.population, false, ctx.k());
    let primary_courses = courses.remove(&primary).unwrap_or_default();
    let observed_courses = courses.remove(&Records::Observed);
    let change_courses = change_of(&primary_courses, &baselines);

    let mut stars: Vec<Vec<Option<String>>> = vec![vec![None; l.visits.len()]; ctx.k()];
    by_visit_table(
        ctx,
        l,
        &primary_courses,
        primary,
        false,
        &visit_labels,
        &n_arm,
        &population,
        Some(&mut stars),
    )?;
    if l.change {
        by_visit_table(
            ctx,
            l,
            &change_courses,
            primary,
            true,
            &visit_labels,
            &n_arm,
            &population,
            None,
        )?;
    }
    if l.gee && l.tests {
        let mut rows = Vec::new();
        gee(
            ctx,
            l,
            &primary_courses,
            false,
            &visit_labels,
            &population,
            &mut rows,
        )?;
        if l.change {
            gee(
                ctx,
                l,
                &change_courses,
                true,
                &visit_labels,
                &population,
                &mut rows,
            )?;
        }
        let table = Table {
            title: format!("{}: generalized estimating equations, arm x visit ({})", l.label, primary.label()),
            population: population.clone(),
            columns: ["Outcome / term", "df", "Wald chi-square", "P (Wald)", "Score chi-square", "P (score)"]
                .iter()
                .map(|s| ColumnHeader { label: (*s).into(), sublabel: None })
                .collect(),
            rows,
            footnotes: vec![format!(
                "GEE with identity link (gaussian family), exchangeable working correlation, subjects as \
                 clusters, visits as waves; model: arm + visit + arm x visit, reference arm {}, reference \
                 visit {}. Wald tests use the robust (sandwich) covariance (geepack conventions); score \
                 tests are generalized score tests (SAS PROC GENMOD Type 3).",
                ctx.arm_label(reference(ctx)),
                visit_labels[0]
            )],
            ..Table::default()
        };
        ctx.add_table(SECTION, HEADING, table);
    }
    if l.figure {
        figure(ctx, l, &primary_courses, primary, &stars, &population);
    }
    let observed = observed_courses.as_deref().unwrap_or(&primary_courses);
    if l.observed_cases && primary == Records::Locf {
        by_visit_table(
            ctx,
            l,
            observed,
            Records::Observed,
            false,
            &visit_labels,
            &n_arm,
            &population,
            None,
        )?;
    }
    if l.mmrm {
        mmrm_table(ctx, l, &visit_labels, &population, &baselines, observed)?;
    }
    Ok(())
}

fn reference(ctx: &Ctx<'_>) -> usize {
    ctx.plan
        .arms
        .values
        .iter()
        .position(|v| *v == ctx.plan.arms.reference)
        .unwrap_or(0)
}

fn week_label(w: f64) -> String {
    if w.fract() == 0.0 {
        format!("Week {w:.0}")
    } else {
        format!("Week {w}")
    }
}

/// Change from baseline at every visit (baseline itself is 0).
fn change_of(courses: &[Course], baselines: &HashMap<usize, f64>) -> Vec<Course> {
    courses
        .iter()
        .filter_map(|c| {
            let b = *baselines.get(&c.subject)?;
            Some(Course {
                arm: c.arm,
                subject: c.subject,
                values: c.values.iter().map(|v| v.map(|v| v - b)).collect(),
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
#[allow(clippy::needless_range_loop)] // arms index several parallel tables
fn by_visit_table(
    ctx: &mut Ctx<'_>,
    l: &Longitudinal,
    courses: &[Course],
    records: Records,
    change: bool,
    visit_labels: &[String],
    n_arm: &[usize],
    population: &str,
    mut stars: Option<&mut Vec<Vec<Option<String>>>>,
) -> Result<(), AnalysisError> {
    let k = ctx.k();
    let nv = l.visits.len();
    let outcome = if change { "CHG" } else { "AVAL" };
    let what = |extra: &str| format!("{} {} {}: {extra}", l.paramcd, outcome, records.label());
    let id_base = format!("longitudinal.{}.{}.{}", l.paramcd, records.name(), outcome);
    let mut columns = vec![ColumnHeader {
        label: "Visit".into(),
        sublabel: None,
    }];
    for a in 0..k {
        columns.push(ColumnHeader {
            label: format!("{} (N = {})", ctx.arm_label(a), n_arm[a]),
            sublabel: Some("n; median (Q1, Q3)".into()),
        });
        if l.tests {
            columns.push(ColumnHeader {
                label: ctx.arm_label(a).to_string(),
                sublabel: Some("P vs baseline".into()),
            });
        }
    }
    if l.tests {
        columns.push(ColumnHeader {
            label: "P between arms".into(),
            sublabel: Some("Kruskal-Wallis".into()),
        });
    }
    let decimals = l.decimals;
    let mut rows = Vec::new();
    // Within-arm paired tests against baseline.
    let mut p_vs_base: Vec<Vec<Option<f64>>> = vec![vec![None; nv]; k];
    let mut friedman_p: Vec<Option<f64>> = vec![None; k];
    if l.tests {
        for a in 0..k {
            let arm_courses: Vec<&Course> = courses.iter().filter(|c| c.arm == a).collect();
            for v in 1..nv {
                let pairs: Vec<(f64, f64)> = arm_courses
                    .iter()
                    .filter_map(|c| Some((c.values[v]?, c.values[0]?)))
                    .collect();
                if pairs.is_empty() {
                    continue;
                }
                let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
                let y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
                match wilcoxon_signed_rank(&x, Some(&y), &WilcoxonOptions::default()) {
                    Ok(w) => {
                        p_vs_base[a][v] = Some(w.p_value);
                        ctx.results.push(
                            Builder::new(
                                format!(
                                    "{id_base}.wilcoxon.{}.{}",
                                    ctx.arm_code(a),
                                    visit_labels[v]
                                ),
                                "wilcoxon_signed_rank",
                                population,
                            )
                            .parameter(&l.paramcd)
                            .visit(Some(&visit_labels[v]))
                            .arm(ctx.arm_code(a))
                            .comparison(format!("{} vs {}", visit_labels[v], visit_labels[0]))
                            .option("outcome", outcome)
                            .option("records", records.name())
                            .option("correct", true)
                            .option("exact", "auto (R rules)")
                            .value("n", w.n)
                            .num("statistic", w.statistic)
                            .num("p_value", w.p_value)
                            .value("p_method", format!("{:?}", w.method).to_lowercase())
                            .build(),
                        );
                    }
                    Err(StatsError::TooFew { .. } | StatsError::Degenerate { .. }) => {}
                    Err(e) => return Err(e).context(|| what("Wilcoxon signed-rank")),
                }
            }
            // Friedman on subjects observed at every visit, then Nemenyi.
            let complete: Vec<Vec<f64>> = arm_courses
                .iter()
                .filter_map(|c| c.values.iter().copied().collect::<Option<Vec<f64>>>())
                .collect();
            if complete.len() >= 2 {
                match friedman(&complete) {
                    Ok(f) => {
                        friedman_p[a] = Some(f.p_value);
                        ctx.results.push(
                            Builder::new(
                                format!("{id_base}.friedman.{}", ctx.arm_code(a)),
                                "friedman",
                                population,
                            )
                            .parameter(&l.paramcd)
                            .arm(ctx.arm_code(a))
                            .comparison("all visits")
                            .option("outcome", outcome)
                            .option("records", records.name())
                            .value("n_blocks", f.n_blocks)
                            .num("statistic", f.statistic)
                            .num("df", f.df)
                            .num("p_value", f.p_value)
                            .build(),
                        );
                        match nemenyi_friedman(&complete) {
                            Ok(nem) => {
                                for pair in nem.pairs.iter().filter(|p| p.i == 0) {
                                    ctx.results.push(
                                        Builder::new(
                                            format!(
                                                "{id_base}.nemenyi.{}.{}",
                                                ctx.arm_code(a),
                                                visit_labels[pair.j]
                                            ),
                                            "nemenyi_friedman",
                                            population,
                                        )
                                        .parameter(&l.paramcd)
                                        .visit(Some(&visit_labels[pair.j]))
                                        .arm(ctx.arm_code(a))
                                        .comparison(format!(
                                            "{} vs {}",
                                            visit_labels[pair.j], visit_labels[0]
                                        ))
                                        .option("outcome", outcome)
                                        .option("records", records.name())
                                        .num("statistic", pair.statistic)
                                        .num("p_value", pair.p_value)
                                        .build(),
                                    );
                                }
                            }
                            Err(StatsError::TooFew { .. } | StatsError::Degenerate { .. }) => {}
                            Err(e) => return Err(e).context(|| what("Nemenyi")),
                        }
                    }
                    Err(StatsError::TooFew { .. } | StatsError::Degenerate { .. }) => {}
                    Err(e) => return Err(e).context(|| what("Friedman")),
                }
            }
        }
    }
    for v in 0..nv {
        if change && v == 0 && !l.tests {
            continue;
        }
        let mut cells = Vec::new();
        let mut groups: Vec<Vec<f64>> = vec![Vec::new(); k];
        for c in courses {
            if let Some(x) = c.values[v] {
                groups[c.arm].push(x);
            }
        }
        for a in 0..k {
            let text = match describe(ctx, &groups[a]).context(|| what("summary"))? {
                Some(s) => {
                    ctx.results.push(
                        Builder::new(
                            format!("{id_base}.summary.{}.{}", ctx.arm_code(a), visit_labels[v]),
                            "summary",
                            population,
                        )
                        .parameter(&l.paramcd)
                        .visit(Some(&visit_labels[v]))
                        .arm(ctx.arm_code(a))
                        .comparison("by arm and visit")
                        .option("outcome", outcome)
                        .option("records", records.name())
                        .summary(&s, ctx.plan.options.quantile_type)
                        .build(),
                    );
                    format!(
                        "{}; {}",
                        s.n,
                        format::median_iqr(s.median, s.q1, s.q3, decimals)
                    )
                }
                None => "0".into(),
            };
            cells.push(Cell::new(text));
            if l.tests {
                let p = p_vs_base[a][v];
                let mut cell = Cell::new(if v == 0 {
                    String::new()
                } else {
                    format::p_value(p)
                });
                cell.mark = format::stars(p);
                if let Some(st) = stars.as_deref_mut() {
                    st[a][v] = format::stars(p);
                }
                cells.push(cell);
            }
        }
        if l.tests {
            let kw = if change && v == 0 {
                None
            } else {
                kw_test(&groups).context(|| what("Kruskal-Wallis"))?
            };
            if let Some((statistic, df, p)) = kw {
                ctx.results.push(
                    Builder::new(
                        format!("{id_base}.kruskal_wallis.{}", visit_labels[v]),
                        "kruskal_wallis",
                        population,
                    )
                    .parameter(&l.paramcd)
                    .visit(Some(&visit_labels[v]))
                    .comparison("all arms")
                    .option("outcome", outcome)
                    .option("records", records.name())
                    .num("statistic", statistic)
                    .num("df", df)
                    .num("p_value", p)
                    .build(),
                );
            }
            cells.push(Cell::new(format::p_value(kw.map(|t| t.2))));
        }
        rows.push(Row {
            label: visit_labels[v].clone(),
            indent: 0,
            kind: RowKind::Data,
            cells,
        });
    }
    if l.tests {
        let mut cells = Vec::new();
        for p in &friedman_p {
            cells.push(Cell::default());
            cells.push(Cell::new(format::p_value(*p)));
        }
        cells.push(Cell::default());
        rows.push(Row {
            label: "Friedman test, all visits".into(),
            indent: 0,
            kind: RowKind::Data,
            cells,
        });
    }
    let what_label = if change {
        format!("Change from baseline in {}", lower_first(&l.label))
    } else {
        l.label.clone()
    };
    let unit = if l.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", l.unit)
    };
    let mut footnotes = vec![ctx.quantile_note()];
    match records {
        Records::Locf => footnotes.push(
            "Missing values after baseline replaced by the last observation carried forward \
             (ADaM records with DTYPE = \"LOCF\")."
                .into(),
        ),
        Records::Observed => footnotes.push(
            "Observed cases: imputed records (DTYPE not blank) excluded; a sensitivity analysis."
                .into(),
        ),
    }
    if l.tests {
        footnotes.push(format!(
            "P vs baseline: Wilcoxon signed-rank test of each visit against {} within the arm \
             (exact when n < 50 without ties or zeros, else normal approximation with continuity \
             correction, as R's wilcox.test); * P < 0.05, ** P < 0.01. Friedman test over all \
             visits on subjects with a value at every visit; Nemenyi comparisons against baseline \
             in results.json. P between arms: Kruskal-Wallis test at each visit.",
            visit_labels[0]
        ));
    }
    let table = Table {
        title: format!("{what_label}{unit} by arm and visit ({})", records.label()),
        population: population.to_string(),
        columns,
        rows,
        footnotes,
        ..Table::default()
    };
    ctx.add_table(SECTION, HEADING, table);
    Ok(())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => {
            f.to_lowercase().collect::<String>() + c.as_str()
        }
        _ => s.to_string(),
    }
}

/// GEE of the whole course: arm + visit + arm x visit.
fn gee(
    ctx: &mut Ctx<'_>,
    l: &Longitudinal,
    courses: &[Course],
    change: bool,
    visit_labels: &[String],
    population: &str,
    rows: &mut Vec<Row>,
) -> Result<(), AnalysisError> {
    let k = ctx.k();
    let reference = reference(ctx);
    let first_visit = usize::from(change);
    let nv = l.visits.len();
    let outcome = if change { "CHG" } else { "AVAL" };
    let mut y = Vec::new();
    let mut id = Vec::new();
    let mut wave = Vec::new();
    let mut arm_of = Vec::new();
    let mut visit_of = Vec::new();
    for c in courses {
        for v in first_visit..nv {
            if let Some(x) = c.values[v] {
                y.push(x);
                id.push(c.subject);
                wave.push(v as f64);
                arm_of.push(c.arm);
                visit_of.push(v);
            }
        }
    }
    let arms: Vec<usize> = (0..k).filter(|&a| a != reference).collect();
    let visits: Vec<usize> = (first_visit + 1..nv).collect();
    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    let mut terms: Vec<(String, Vec<String>)> = vec![
        ("arm".into(), Vec::new()),
        ("visit".into(), Vec::new()),
        ("arm x visit".into(), Vec::new()),
    ];
    for &a in &arms {
        let name = format!("arm[{}]", ctx.arm_code(a));
        columns.push((
            name.clone(),
            arm_of
                .iter()
                .map(|&x| f64::from(u8::from(x == a)))
                .collect(),
        ));
        terms[0].1.push(name);
    }
    for &v in &visits {
        let name = format!("visit[{}]", visit_labels[v]);
        columns.push((
            name.clone(),
            visit_of
                .iter()
                .map(|&x| f64::from(u8::from(x == v)))
                .collect(),
        ));
        terms[1].1.push(name);
    }
    for &a in &arms {
        for &v in &visits {
            let name = format!("arm[{}]:visit[{}]", ctx.arm_code(a), visit_labels[v]);
            columns.push((
                name.clone(),
                arm_of
                    .iter()
                    .zip(&visit_of)
                    .map(|(&x, &w)| f64::from(u8::from(x == a && w == v)))
                    .collect(),
            ));
            terms[2].1.push(name);
        }
    }
    let what = || format!("{} {outcome} GEE", l.paramcd);
    let design = Design::new(y.len(), &columns)
        .context(what)?
        .with_terms(&terms)
        .context(what)?;
    let data = GeeData::new(&y, &design, &id, &wave).context(what)?;
    let opts = GeeOptions::default();
    let fit = match data.fit(&opts) {
        Ok(f) => f,
        Err(e) => {
            ctx.notes.push(format!("{}: GEE not reported: {e}", what()));
            return Ok(());
        }
    };
    let score = if l.score_tests {
        match data.score_tests(&opts) {
            Ok(s) => Some(s),
            Err(e) => {
                ctx.notes
                    .push(format!("{}: score tests not reported: {e}", what()));
                None
            }
        }
    } else {
        None
    };
    let heading = if change {
        "Change from baseline"
    } else {
        "Value"
    };
    rows.push(Row {
        label: heading.into(),
        indent: 0,
        kind: RowKind::Heading,
        cells: Vec::new(),
    });
    for t in &fit.term_tests {
        let s = score
            .as_ref()
            .and_then(|s| s.iter().find(|x| x.name == t.name));
        ctx.results.push(
            Builder::new(
                format!("longitudinal.{}.gee.{outcome}.{}", l.paramcd, t.name),
                "gee",
                population,
            )
            .parameter(&l.paramcd)
            .comparison(format!("term {}", t.name))
            .option("outcome", outcome)
            .option("family", "gaussian")
            .option("corstr", "exchangeable")
            .option("convention", "geepack")
            .option("covariance", "robust")
            .num("df", t.df)
            .num("wald_statistic", t.statistic)
            .num("p_value", t.p_value)
            .opt("score_statistic", s.map(|s| s.statistic))
            .opt("score_p_value", s.map(|s| s.p_value))
            .value("clusters", fit.clusters)
            .value("iterations", fit.iterations)
            .build(),
        );
        rows.push(Row {
            label: t.name.clone(),
            indent: 1,
            kind: RowKind::Data,
            cells: vec![
                Cell::new(format!("{:.0}", t.df)),
                Cell::new(format::fixed(t.statistic, 2)),
                Cell::new(format::p_value(Some(t.p_value))),
                Cell::new(s.map_or("NA".into(), |s| format::fixed(s.statistic, 2))),
                Cell::new(format::p_value(s.map(|s| s.p_value))),
            ],
        });
    }
    Ok(())
}

#[allow(clippy::needless_range_loop)] // arms index several parallel tables
fn figure(
    ctx: &mut Ctx<'_>,
    l: &Longitudinal,
    courses: &[Course],
    records: Records,
    stars: &[Vec<Option<String>>],
    population: &str,
) {
    let k = ctx.k();
    let mut series = Vec::with_capacity(k);
    for a in 0..k {
        let mut points = Vec::new();
        for (v, &week) in l.visits.iter().enumerate() {
            let x: Vec<f64> = courses
                .iter()
                .filter(|c| c.arm == a)
                .filter_map(|c| c.values[v])
                .collect();
            if let Ok(Some(s)) = describe(ctx, &x) {
                points.push(LinePoint {
                    x: week,
                    y: s.median,
                    lo: Some(s.q1),
                    hi: Some(s.q3),
                    mark: stars[a][v].clone(),
                });
            }
        }
        series.push(LineSeries {
            name: ctx.arm_label(a).to_string(),
            points,
        });
    }
    let unit = if l.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", l.unit)
    };
    let figure = Figure {
        id: String::new(),
        number: String::new(),
        title: format!("{}{unit} over time by arm: median with interquartile range ({})", l.label, records.label()),
        population: population.to_string(),
        footnotes: vec![
            ctx.quantile_note(),
            "Bars: Q1 to Q3. * P < 0.05, ** P < 0.01 against baseline within the arm (Wilcoxon signed-rank test).".into(),
        ],
        kind: FigureKind::Line(LineFigure {
            x_label: "Week".into(),
            y_label: format!("{}{unit}", l.label),
            x_ticks: l.visits.clone(),
            series,
        }),
    };
    ctx.add_figure(SECTION, HEADING, figure);
}

/// MMRM of the change from baseline on observed post-baseline records:
/// arm + visit + arm x visit + baseline, unstructured covariance, REML,
/// Satterthwaite degrees of freedom.
fn mmrm_table(
    ctx: &mut Ctx<'_>,
    l: &Longitudinal,
    visit_labels: &[String],
    population: &str,
    baselines: &HashMap<usize, f64>,
    observed: &[Course],
) -> Result<(), AnalysisError> {
    let k = ctx.k();
    let reference = reference(ctx);
    let (mut subject, mut visit, mut y, mut arm_of, mut base) =
        (vec![], vec![], vec![], vec![], vec![]);
    for c in observed {
        let Some(&b) = baselines.get(&c.subject) else {
            continue;
        };
        for (v, x) in c.values.iter().enumerate().skip(1) {
            if let Some(x) = x {
                subject.push(c.subject);
                visit.push(v);
                y.push(x - b);
                arm_of.push(c.arm);
                base.push(b);
            }
        }
    }
    let visits: Vec<usize> = (1..l.visits.len()).filter(|v| visit.contains(v)).collect();
    let what = || format!("{} MMRM", l.paramcd);
    if visits.is_empty() {
        ctx.notes
            .push(format!("{}: no observed post-baseline records", what()));
        return Ok(());
    }
    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    let arm_list: Vec<usize> = (0..k).filter(|&a| a != reference).collect();
    for &a in &arm_list {
        columns.push((
            format!("arm[{}]", ctx.arm_code(a)),
            arm_of
                .iter()
                .map(|&x| f64::from(u8::from(x == a)))
                .collect(),
        ));
    }
    for &v in &visits[1..] {
        columns.push((
            format!("visit[{}]", visit_labels[v]),
            visit.iter().map(|&x| f64::from(u8::from(x == v))).collect(),
        ));
    }
    for &a in &arm_list {
        for &v in &visits[1..] {
            columns.push((
                format!("arm[{}]:visit[{}]", ctx.arm_code(a), visit_labels[v]),
                arm_of
                    .iter()
                    .zip(&visit)
                    .map(|(&x, &w)| f64::from(u8::from(x == a && w == v)))
                    .collect(),
            ));
        }
    }
    columns.push(("BASE".into(), base.clone()));
    let visit_names: Vec<&str> = visit.iter().map(|&v| visit_labels[v].as_str()).collect();
    let levels: Vec<&str> = visits.iter().map(|&v| visit_labels[v].as_str()).collect();
    let data =
        MmrmData::with_visit_levels(&subject, &visit_names, &levels, &y, &columns).context(what)?;
    let fit = match mmrm(&data, &MmrmOptions::default()) {
        Ok(f) => f,
        Err(e) => {
            ctx.notes.push(format!("{}: not reported: {e}", what()));
            return Ok(());
        }
    };
    let conf = ctx.plan.options.conf_level;
    let mut rows = Vec::new();
    for &a in &arm_list {
        rows.push(Row {
            label: format!("{} vs {}", ctx.arm_label(a), ctx.arm_label(reference)),
            indent: 0,
            kind: RowKind::Heading,
            cells: Vec::new(),
        });
        for (pos, &v) in visits.iter().enumerate() {
            let arm_name = format!("arm[{}]", ctx.arm_code(a));
            let inter = format!("arm[{}]:visit[{}]", ctx.arm_code(a), visit_labels[v]);
            let mut weights: Vec<(&str, f64)> = vec![(arm_name.as_str(), 1.0)];
            if pos > 0 {
                weights.push((inter.as_str(), 1.0));
            }
            let c = fit.contrast_by_name(&weights, conf).context(what)?;
            ctx.results.push(
                Builder::new(
                    format!(
                        "longitudinal.{}.mmrm.{}.{}",
                        l.paramcd,
                        ctx.arm_code(a),
                        visit_labels[v]
                    ),
                    "mmrm",
                    population,
                )
                .parameter(&l.paramcd)
                .visit(Some(&visit_labels[v]))
                .comparison(format!(
                    "{} vs {}",
                    ctx.arm_code(a),
                    ctx.arm_code(reference)
                ))
                .option("outcome", "CHG")
                .option("covariance", "unstructured")
                .option("estimation", "REML")
                .option("df", "Satterthwaite")
                .num("estimate", c.estimate)
                .num("se", c.se)
                .opt("df", c.df)
                .num("lower", c.lower)
                .num("upper", c.upper)
                .num("p_value", c.p_value)
                .value("n_subjects", fit.n_subjects)
                .build(),
            );
            rows.push(Row {
                label: visit_labels[v].clone(),
                indent: 1,
                kind: RowKind::Data,
                cells: vec![
                    Cell::new(format::fixed(c.estimate, l.decimals.max(1))),
                    Cell::new(format!(
                        "({}, {})",
                        format::fixed(c.lower, l.decimals.max(1)),
                        format::fixed(c.upper, l.decimals.max(1))
                    )),
                    Cell::new(c.df.map_or("NA".into(), |d| format!("{d:.1}"))),
                    Cell::new(format::p_value(Some(c.p_value))),
                ],
            });
        }
    }
    let table = Table {
        title: format!(
            "Change from baseline in {}: mixed model for repeated measures (sensitivity analysis)",
            lower_first(&l.label)
        ),
        population: population.to_string(),
        columns: vec![
            ColumnHeader {
                label: "Comparison / visit".into(),
                sublabel: None,
            },
            ColumnHeader {
                label: "Difference in LS means".into(),
                sublabel: None,
            },
            ColumnHeader {
                label: format!("{:.0}% CI", conf * 100.0),
                sublabel: None,
            },
            ColumnHeader {
                label: "df".into(),
                sublabel: None,
            },
            ColumnHeader {
                label: "P value".into(),
                sublabel: None,
            },
        ],
        rows,
        footnotes: vec![format!(
            "MMRM on observed post-baseline changes (no imputation): arm, visit, arm x visit and \
             baseline value as fixed effects; unstructured covariance over visits; REML; \
             Satterthwaite degrees of freedom. {} subjects, {} records.",
            fit.n_subjects, fit.n_obs
        )],
        ..Table::default()
    };
    ctx.add_table(SECTION, HEADING, table);
    Ok(())
}
