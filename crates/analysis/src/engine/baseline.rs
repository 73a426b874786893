//! Table 1: baseline characteristics by arm.

use std::collections::BTreeSet;

use rct_report::{Cell, ColumnHeader, Row, RowKind, Table};

use super::common::{categorical_note, categorical_test, describe, kw_test};
use super::Ctx;
use crate::error::Context;
use crate::format;
use crate::plan::{Baseline, BaselineVariable, VariableKind};
use crate::results::Builder;
use crate::AnalysisError;

pub(super) fn run(ctx: &mut Ctx<'_>, b: &Baseline) -> Result<(), AnalysisError> {
    let ds = ctx.data.get(&b.dataset, "[baseline]")?;
    let arms = ctx.subjects.arms_of_rows(&ds, &b.population, false)?;
    let k = ctx.k();
    let mut n = vec![0usize; k];
    for a in arms.iter().flatten() {
        n[*a] += 1;
    }
    let population = ctx.population_label(&b.population);
    let mut columns = ctx.arm_headers("Characteristic", &n);
    columns.push(ColumnHeader {
        label: "Total".into(),
        sublabel: Some(format!("(N = {})", n.iter().sum::<usize>())),
    });
    columns.push(ColumnHeader {
        label: "P value".into(),
        sublabel: None,
    });
    let mut rows = Vec::new();
    let (mut any_continuous, mut any_categorical) = (false, false);
    for v in &b.variables {
        match v.kind {
            VariableKind::Continuous => {
                any_continuous = true;
                let values = ds.numbers(&v.variable)?;
                continuous(ctx, v, values, &arms, &population, &mut rows)?;
            }
            VariableKind::Categorical => {
                any_categorical = true;
                let values = if v.breaks.is_empty() {
                    ds.categories(&v.variable)?
                } else {
                    binned(v, ds.numbers(&v.variable)?)
                };
                categorical(ctx, v, &values, &arms, &population, &mut rows)?;
            }
        }
    }
    let mut footnotes = Vec::new();
    if any_continuous {
        footnotes.push(format!(
            "Continuous variables: median (Q1, Q3); P value from the Kruskal-Wallis test \
             (chi-square approximation, tie-corrected). {}",
            ctx.quantile_note()
        ));
    }
    if any_categorical {
        footnotes.push(format!(
            "Categorical variables: n (%) of subjects with a non-missing value. {}",
            categorical_note(ctx)
        ));
    }
    let table = Table {
        title: "Baseline characteristics by arm".into(),
        population,
        columns,
        rows,
        footnotes,
        ..Table::default()
    };
    ctx.add_table("14-1", "Baseline characteristics", table);
    Ok(())
}

fn continuous(
    ctx: &mut Ctx<'_>,
    v: &BaselineVariable,
    values: &[Option<f64>],
    arms: &[Option<usize>],
    population: &str,
    rows: &mut Vec<Row>,
) -> Result<(), AnalysisError> {
    let k = ctx.k();
    let mut groups: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut missing = vec![0usize; k];
    for (x, a) in values.iter().zip(arms) {
        if let Some(a) = *a {
            match x {
                Some(x) if x.is_finite() => groups[a].push(*x),
                _ => missing[a] += 1,
            }
        }
    }
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let decimals = v.decimals.unwrap_or(1);
    let mut cells = Vec::with_capacity(k + 2);
    let what = || format!("Table 1, {}", v.variable);
    for (i, g) in groups.iter().enumerate().chain(std::iter::once((k, &all))) {
        let cell = match describe(ctx, g).context(what)? {
            Some(s) => {
                let arm = if i < k {
                    ctx.arm_code(i).to_string()
                } else {
                    "Total".into()
                };
                ctx.results.push(
                    Builder::new(
                        format!("baseline.{}.{arm}", v.variable),
                        "summary",
                        population,
                    )
                    .parameter(&v.variable)
                    .comparison("by arm")
                    .arm(&arm)
                    .summary(&s, ctx.plan.options.quantile_type)
                    .build(),
                );
                format::median_iqr(s.median, s.q1, s.q3, decimals)
            }
            None => "NA".into(),
        };
        cells.push(Cell::new(cell));
    }
    let test = kw_test(&groups).context(what)?;
    if let Some((statistic, df, p)) = test {
        ctx.results.push(
            Builder::new(
                format!("baseline.{}.kruskal_wallis", v.variable),
                "kruskal_wallis",
                population,
            )
            .parameter(&v.variable)
            .comparison("all arms")
            .num("statistic", statistic)
            .num("df", df)
            .num("p_value", p)
            .build(),
        );
    }
    cells.push(Cell::new(format::p_value(test.map(|t| t.2))));
    rows.push(Row {
        label: format!("{}, median (Q1, Q3)", v.label),
        indent: 0,
        kind: RowKind::Data,
        cells,
    });
    rows.extend(missing_row(&missing));
    Ok(())
}

fn categorical(
    ctx: &mut Ctx<'_>,
    v: &BaselineVariable,
    values: &[Option<String>],
    arms: &[Option<usize>],
    population: &str,
    rows: &mut Vec<Row>,
) -> Result<(), AnalysisError> {
    let k = ctx.k();
    // Levels: the plan's order (or the bins), then any other value seen, sorted.
    let mut levels: Vec<String> = if v.breaks.is_empty() {
        v.levels.clone()
    } else {
        v.missing_label
            .iter()
            .chain(&v.level_labels)
            .cloned()
            .collect()
    };
    let seen: BTreeSet<&str> = values
        .iter()
        .zip(arms)
        .filter(|(_, a)| a.is_some())
        .filter_map(|(x, _)| x.as_deref())
        .collect();
    for s in seen {
        if !levels.iter().any(|l| l == s) {
            levels.push(s.to_string());
        }
    }
    let mut counts = vec![vec![0usize; levels.len()]; k];
    let mut missing = vec![0usize; k];
    for (x, a) in values.iter().zip(arms) {
        if let Some(a) = *a {
            match x
                .as_deref()
                .and_then(|x| levels.iter().position(|l| l == x))
            {
                Some(j) => counts[a][j] += 1,
                None => missing[a] += 1,
            }
        }
    }
    let test = categorical_test(ctx, &counts).context(|| format!("Table 1, {}", v.variable))?;
    if let Some(t) = &test {
        let mut b = Builder::new(
            format!("baseline.{}.{}", v.variable, t.method),
            t.method,
            population,
        )
        .parameter(&v.variable)
        .comparison("all arms")
        .option("correct", false);
        if let (Some(s), Some(df)) = (t.statistic, t.df) {
            b = b.num("statistic", s).num("df", df);
        }
        ctx.results.push(b.num("p_value", t.p_value).build());
    }
    let mut head: Vec<Cell> = vec![Cell::default(); k + 1];
    head.push(Cell::new(format::p_value(test.as_ref().map(|t| t.p_value))));
    if let Some(t) = &test {
        if t.method == "fisher_exact" {
            if let Some(c) = head.last_mut() {
                c.mark = Some("b".into());
            }
        }
    }
    rows.push(Row {
        label: format!("{}, n (%)", v.label),
        indent: 0,
        kind: RowKind::Data,
        cells: head,
    });
    let denominators: Vec<usize> = counts.iter().map(|r| r.iter().sum()).collect();
    let total_n: usize = denominators.iter().sum();
    for (j, level) in levels.iter().enumerate() {
        let label = if v.breaks.is_empty() {
            v.level_labels
                .get(j)
                .cloned()
                .unwrap_or_else(|| level.clone())
        } else {
            level.clone()
        };
        let mut cells: Vec<Cell> = (0..k)
            .map(|a| Cell::new(format::n_pct(counts[a][j], denominators[a])))
            .collect();
        let total: usize = (0..k).map(|a| counts[a][j]).sum();
        cells.push(Cell::new(format::n_pct(total, total_n)));
        cells.push(Cell::default());
        let arm_counts: serde_json::Map<String, serde_json::Value> = (0..k)
            .map(|a| (ctx.arm_code(a).to_string(), counts[a][j].into()))
            .collect();
        ctx.results.push(
            Builder::new(
                format!("baseline.{}.{level}", v.variable),
                "count",
                population,
            )
            .parameter(&v.variable)
            .comparison("by arm")
            .value("level", level.as_str())
            .value("n", serde_json::Value::Object(arm_counts))
            .value("total", total)
            .build(),
        );
        rows.push(Row {
            label,
            indent: 1,
            kind: RowKind::Data,
            cells,
        });
    }
    rows.extend(missing_row(&missing));
    Ok(())
}

/// A numeric variable as the labels of its `breaks` bins; missing values
/// take `missing_label` (or stay missing).
fn binned(v: &BaselineVariable, values: &[Option<f64>]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|x| match x {
            Some(x) if x.is_finite() => {
                let bin = v.breaks.iter().take_while(|&&b| *x >= b).count();
                v.level_labels.get(bin).cloned()
            }
            _ => v.missing_label.clone(),
        })
        .collect()
}

/// The "Missing" row (counts per arm, total, no P value) when any value is missing.
fn missing_row(missing: &[usize]) -> Option<Row> {
    if missing.iter().all(|&m| m == 0) {
        return None;
    }
    let mut cells: Vec<Cell> = missing.iter().map(|m| Cell::new(m.to_string())).collect();
    cells.push(Cell::new(missing.iter().sum::<usize>().to_string()));
    cells.push(Cell::default());
    Some(Row {
        label: "Missing".into(),
        indent: 1,
        kind: RowKind::Data,
        cells,
    })
}
