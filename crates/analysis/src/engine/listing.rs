//! Data listings: the records of a dataset that meet a condition, one per
//! row, by arm and subject.

use rct_report::{Cell, ColumnHeader, Row, RowKind, Table};

use super::Ctx;
use crate::plan::Listing;
use crate::AnalysisError;

pub(super) fn run(ctx: &mut Ctx<'_>, l: &Listing) -> Result<(), AnalysisError> {
    let needed_by = format!("[[listing]] {}", l.title);
    let ds = ctx.data.get(&l.dataset, &needed_by)?;
    let arms = ctx.subjects.arms_of_rows(&ds, &l.population, false)?;
    let keep: Vec<bool> = match &l.filter {
        Some(f) => ds
            .categories(&f.variable)?
            .iter()
            .map(|v| v.as_deref() == Some(f.equals.trim()))
            .collect(),
        None => vec![true; ds.n_rows()],
    };
    let columns: Vec<Vec<Option<String>>> = l
        .variables
        .iter()
        .map(|v| ds.categories(v))
        .collect::<Result<_, _>>()?;
    let ids = ds.keys("USUBJID")?;
    let mut rows: Vec<(usize, &str, usize)> = (0..ds.n_rows())
        .filter(|&r| keep[r])
        .filter_map(|r| arms[r].map(|a| (a, &ids[r], r)))
        .collect();
    rows.sort();
    let body: Vec<Row> = rows
        .iter()
        .map(|&(a, _, r)| {
            let cells: Vec<Cell> = columns
                .iter()
                .map(|c| Cell::new(c[r].clone().unwrap_or_default()))
                .collect();
            Row {
                label: ctx.arm_label(a).to_string(),
                indent: 0,
                kind: RowKind::Data,
                cells,
            }
        })
        .collect();
    let header = |s: &str| ColumnHeader {
        label: s.to_string(),
        sublabel: None,
    };
    let mut headers = vec![header("Arm")];
    headers.extend(l.variables.iter().map(|v| header(v)));
    let table = Table {
        title: l.title.clone(),
        population: ctx.population_label(&l.population),
        columns: headers,
        rows: body,
        footnotes: vec![format!(
            "{} records of {}{}, sorted by arm and subject.",
            rows.len(),
            l.dataset,
            l.filter
                .as_ref()
                .map(|f| format!(" with {} = \"{}\"", f.variable, f.equals))
                .unwrap_or_default()
        )],
        ..Table::default()
    };
    ctx.add_listing("Listings", table);
    Ok(())
}
