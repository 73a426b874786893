//! Safety: subjects with adverse events by body system and preferred term,
//! and post-baseline laboratory thresholds.

use std::collections::{BTreeMap, BTreeSet};

use rct_report::{Cell, Row, RowKind, Table};

use super::common::{categorical_note, categorical_test};
use super::Ctx;
use crate::error::Context;
use crate::format;
use crate::plan::Safety;
use crate::results::Builder;
use crate::AnalysisError;

const SECTION: &str = "14-3";
const HEADING: &str = "Safety";

/// Subjects (ADSL rows) per arm.
type Set = Vec<BTreeSet<usize>>;
/// Subjects per arm with a body system, and per preferred term within it.
type SocEntry = (Set, BTreeMap<String, Set>);

pub(super) fn run(ctx: &mut Ctx<'_>, s: &Safety) -> Result<(), AnalysisError> {
    let ds = ctx.data.get(&s.dataset, "[safety]")?;
    let arms = ctx.subjects.arms_of_rows(&ds, &s.population, true)?;
    let subject_of = ctx.subjects.subject_rows(&ds)?;
    let flag = match &s.flag {
        Some(f) => Some(ds.flag(f)?),
        None => None,
    };
    let soc = ds.categories(&s.body_system)?;
    let term = ds.categories(&s.term)?;
    let grade = match &s.grade {
        Some(g) => Some(ds.numbers(g)?),
        None => None,
    };
    let serious = match &s.serious {
        Some(v) => Some(ds.flag(v)?),
        None => None,
    };
    let k = ctx.k();
    let n = ctx.subjects.counts(&s.population, true, k);
    let population = ctx.population_label(&s.population);
    // Subjects (ADSL rows) with each kind of event, per arm.
    let empty = || -> Set { vec![BTreeSet::new(); k] };
    let mut any = empty();
    let mut severe = empty();
    let mut ser = empty();
    let mut groups: Vec<Set> = s.groups.iter().map(|_| empty()).collect();
    let mut by_soc: BTreeMap<String, SocEntry> = BTreeMap::new();
    for row in 0..ds.n_rows() {
        let Some(a) = arms[row] else { continue };
        if flag.as_ref().is_some_and(|f| !f[row]) {
            continue;
        }
        let subject = subject_of[row];
        any[a].insert(subject);
        if grade.is_some_and(|g| g[row].is_some_and(|g| g >= 3.0)) {
            severe[a].insert(subject);
        }
        if serious.as_ref().is_some_and(|f| f[row]) {
            ser[a].insert(subject);
        }
        let pt = term[row].clone().unwrap_or_else(|| "Not coded".into());
        for (g, set) in s.groups.iter().zip(groups.iter_mut()) {
            if g.terms.iter().any(|t| t.eq_ignore_ascii_case(&pt)) {
                set[a].insert(subject);
            }
        }
        let body = soc[row].clone().unwrap_or_else(|| "Not coded".into());
        let entry = by_soc
            .entry(body)
            .or_insert_with(|| (empty(), BTreeMap::new()));
        entry.0[a].insert(subject);
        entry.1.entry(pt).or_insert_with(empty)[a].insert(subject);
    }
    let mut rows = Vec::new();
    let line = |ctx: &mut Ctx<'_>,
                label: &str,
                indent: u8,
                kind: &str,
                sets: &Set|
     -> Result<Row, AnalysisError> {
        let counts: Vec<usize> = sets.iter().map(BTreeSet::len).collect();
        let table: Vec<Vec<usize>> = (0..k)
            .map(|a| vec![counts[a], n[a].saturating_sub(counts[a])])
            .collect();
        let test = categorical_test(ctx, &table).context(|| format!("adverse events, {label}"))?;
        let arm_counts: serde_json::Map<String, serde_json::Value> = (0..k)
            .map(|a| (ctx.arm_code(a).to_string(), counts[a].into()))
            .collect();
        let mut b = Builder::new(
            format!("safety.{kind}.{label}"),
            test.as_ref().map_or("count", |t| t.method),
            &population,
        )
        .parameter(label)
        .comparison("all arms")
        .value("n", serde_json::Value::Object(arm_counts))
        .value("denominator", serde_json::to_value(&n).unwrap_or_default());
        if let Some(t) = &test {
            b = b.option("correct", false).num("p_value", t.p_value);
            if let (Some(st), Some(df)) = (t.statistic, t.df) {
                b = b.num("statistic", st).num("df", df);
            }
        }
        ctx.results.push(b.build());
        let mut cells: Vec<Cell> = (0..k)
            .map(|a| Cell::new(format::n_pct(counts[a], n[a])))
            .collect();
        let mut p = Cell::new(format::p_value(test.as_ref().map(|t| t.p_value)));
        if test.as_ref().is_some_and(|t| t.method == "fisher_exact") {
            p.mark = Some("b".into());
        }
        cells.push(p);
        Ok(Row {
            label: label.to_string(),
            indent,
            kind: RowKind::Data,
            cells,
        })
    };
    rows.push(line(ctx, "Any adverse event", 0, "any", &any)?);
    if s.grade.is_some() {
        rows.push(line(ctx, "Grade 3 or higher", 0, "grade3", &severe)?);
    }
    if s.serious.is_some() {
        rows.push(line(ctx, "Serious adverse event", 0, "serious", &ser)?);
    }
    for (g, set) in s.groups.iter().zip(&groups) {
        rows.push(line(ctx, &g.label, 0, "group", set)?);
    }
    // Body systems by descending frequency, then name; terms likewise.
    let total = |sets: &Set| sets.iter().map(BTreeSet::len).sum::<usize>();
    let mut socs: Vec<(&String, &SocEntry)> = by_soc.iter().collect();
    socs.sort_by(|a, b| total(&b.1 .0).cmp(&total(&a.1 .0)).then(a.0.cmp(b.0)));
    for (name, (sets, terms)) in socs {
        rows.push(line(ctx, name, 0, "soc", sets)?);
        let mut pts: Vec<(&String, &Set)> = terms.iter().collect();
        pts.sort_by(|a, b| total(b.1).cmp(&total(a.1)).then(a.0.cmp(b.0)));
        for (pt, sets) in pts {
            rows.push(line(ctx, pt, 1, "term", sets)?);
        }
    }
    let mut columns = ctx.arm_headers("Body system / preferred term", &n);
    columns.push(rct_report::ColumnHeader {
        label: "P value".into(),
        sublabel: None,
    });
    let mut footnotes = vec![
        format!(
            "Subjects with at least one event, n (%) of the safety population by actual arm; a subject is \
             counted once per row.{}",
            s.flag
                .as_ref()
                .map(|f| format!(" Treatment-emergent events only ({f} = \"Y\")."))
                .unwrap_or_default()
        ),
        categorical_note(ctx),
    ];
    if rows
        .iter()
        .any(|r| r.cells.last().is_some_and(|c| c.mark.is_some()))
    {
        footnotes.push("b Fisher's exact test.".into());
    }
    let table = Table {
        title: "Adverse events by body system and preferred term".into(),
        population: population.clone(),
        columns,
        rows,
        footnotes,
        ..Table::default()
    };
    ctx.add_table(SECTION, HEADING, table);
    if !s.lab_thresholds.is_empty() {
        lab_thresholds(ctx, s, &n, &population)?;
    }
    Ok(())
}

fn lab_thresholds(
    ctx: &mut Ctx<'_>,
    s: &Safety,
    n: &[usize],
    population: &str,
) -> Result<(), AnalysisError> {
    let ds = ctx.data.get(&s.lab_dataset, "[safety] lab_thresholds")?;
    let arms = ctx.subjects.arms_of_rows(&ds, &s.population, true)?;
    let subject_of = ctx.subjects.subject_rows(&ds)?;
    let paramcd = ds.text("PARAMCD")?;
    let aval = ds.numbers("AVAL")?;
    let avisitn = ds.numbers("AVISITN")?;
    let ablfl = if ds.has("ABLFL") {
        Some(ds.flag("ABLFL")?)
    } else {
        None
    };
    let dtype = if ds.has("DTYPE") {
        Some(ds.text("DTYPE")?)
    } else {
        None
    };
    let anrhi = if ds.has("ANRHI") {
        Some(ds.numbers("ANRHI")?)
    } else {
        None
    };
    let k = ctx.k();
    let mut rows = Vec::new();
    for l in &s.lab_thresholds {
        let mut evaluable = vec![BTreeSet::new(); k];
        let mut flagged = vec![BTreeSet::new(); k];
        for row in 0..ds.n_rows() {
            if paramcd[row].trim() != l.paramcd {
                continue;
            }
            let Some(a) = arms[row] else { continue };
            if ablfl.as_ref().is_some_and(|f| f[row])
                || dtype.as_ref().is_some_and(|d| !d[row].trim().is_empty())
            {
                continue;
            }
            if avisitn[row].is_some_and(|w| w <= 0.0) {
                continue;
            }
            let subject = subject_of[row];
            evaluable[a].insert(subject);
            let hit = match (l.at_least, l.uln_multiple) {
                (Some(t), _) => aval[row].is_some_and(|x| x >= t),
                (None, Some(m)) => match (aval[row], anrhi.and_then(|h| h[row])) {
                    (Some(x), Some(h)) => x > m * h,
                    _ => false,
                },
                _ => false,
            };
            if hit {
                flagged[a].insert(subject);
            }
        }
        let counts: Vec<usize> = flagged.iter().map(BTreeSet::len).collect();
        let denominators: Vec<usize> = evaluable.iter().map(BTreeSet::len).collect();
        let table: Vec<Vec<usize>> = (0..k)
            .map(|a| vec![counts[a], denominators[a] - counts[a]])
            .collect();
        let test = categorical_test(ctx, &table)
            .context(|| format!("laboratory threshold {}", l.label))?;
        let arm_counts: serde_json::Map<String, serde_json::Value> = (0..k)
            .map(|a| (ctx.arm_code(a).to_string(), counts[a].into()))
            .collect();
        let mut b = Builder::new(
            format!("safety.lab.{}", l.label),
            test.as_ref().map_or("count", |t| t.method),
            population,
        )
        .parameter(&l.paramcd)
        .comparison("all arms")
        .value("criterion", l.label.as_str())
        .value("n", serde_json::Value::Object(arm_counts))
        .value(
            "evaluable",
            serde_json::to_value(&denominators).unwrap_or_default(),
        );
        if let Some(t) = &test {
            b = b.num("p_value", t.p_value);
        }
        ctx.results.push(b.build());
        let mut cells: Vec<Cell> = (0..k)
            .map(|a| Cell::new(format!("{} / {}", counts[a], denominators[a])))
            .collect();
        cells.push(Cell::new(format::p_value(test.map(|t| t.p_value))));
        rows.push(Row {
            label: l.label.clone(),
            indent: 0,
            kind: RowKind::Data,
            cells,
        });
    }
    let mut columns = ctx.arm_headers("Criterion (any post-baseline value)", n);
    columns.push(rct_report::ColumnHeader {
        label: "P value".into(),
        sublabel: None,
    });
    let table = Table {
        title: "Post-baseline laboratory abnormalities: viral rebound and liver enzymes".into(),
        population: population.to_string(),
        columns,
        rows,
        footnotes: vec![
            "Subjects with the abnormality / subjects with at least one observed post-baseline value \
             (scheduled or unscheduled; imputed records excluded)."
                .into(),
            categorical_note(ctx),
        ],
        ..Table::default()
    };
    ctx.add_table(SECTION, HEADING, table);
    Ok(())
}
