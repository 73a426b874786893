//! The crate's error type and the consistency check run before writing files.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::model::{Block, FigureKind, Report};

/// What can go wrong when checking or writing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or directory could not be created or written.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A table or figure id is not usable as a file stem and HTML anchor.
    #[error(
        "{what} id `{id}` is not a usable file stem: use letters, digits, `-`, `_` or `.` \
         (not leading)"
    )]
    BadId {
        /// "table" or "figure".
        what: &'static str,
        /// The id.
        id: String,
    },
    /// Two tables or figures share an id.
    #[error("id `{id}` is used by more than one table or figure: ids must be unique")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A section refers to a table or figure the report does not hold.
    #[error("section `{section}` refers to {what} `{id}`, which the report does not hold")]
    UnknownReference {
        /// Section heading.
        section: String,
        /// "table" or "figure".
        what: &'static str,
        /// The missing id.
        id: String,
    },
    /// A row has more cells than the table has columns.
    #[error(
        "table `{table}`, row {row} (`{label}`): {cells} cells but only {columns} data \
         columns in the header"
    )]
    RowTooWide {
        /// Table id.
        table: String,
        /// Row index (0-based, body rows).
        row: usize,
        /// Row label.
        label: String,
        /// Cells in the row.
        cells: usize,
        /// Data columns in the header (all columns but the label column).
        columns: usize,
    },
    /// A figure holds a NaN or infinite number where a value is needed.
    #[error("figure `{figure}`, series `{series}`: {what} is not finite")]
    NonFinite {
        /// Figure id.
        figure: String,
        /// Series name (empty for figure-level values).
        series: String,
        /// Which value, e.g. "point 3 (`y`)".
        what: String,
    },
    /// Two lists that must be parallel have different lengths.
    #[error("figure `{figure}`, series `{series}`: `{argument}` has {found} entries, expected {expected}")]
    LengthMismatch {
        /// Figure id.
        figure: String,
        /// Series name.
        series: String,
        /// The list, e.g. "values" or "at_risk".
        argument: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        found: usize,
    },
    /// The counts of a CONSORT diagram do not add up.
    #[error("CONSORT figure `{figure}`: {problem}")]
    Consort {
        /// Figure id.
        figure: String,
        /// What does not add up.
        problem: String,
    },
}

fn id_is_usable(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Checks that a report can be rendered without losing or inventing anything:
/// ids are unique file stems, sections refer to existing tables and figures,
/// no row is wider than its header, figure numbers are finite, parallel lists
/// have equal lengths and the CONSORT counts add up (randomized = assessed -
/// excluded = sum of the arms' allocated; received <= allocated; analysed <=
/// allocated).
///
/// The renderers themselves never fail: they draw what they can (a NaN point
/// is left out of its line). [`crate::write_report`] runs this check first so
/// such data is an error rather than a silently thinner figure.
///
/// # Errors
/// The first problem found, as a [`ReportError`] naming the table or figure.
pub fn check_report(report: &Report) -> Result<(), ReportError> {
    let mut ids = HashSet::new();
    for table in &report.tables {
        if !id_is_usable(&table.id) {
            return Err(ReportError::BadId {
                what: "table",
                id: table.id.clone(),
            });
        }
        if !ids.insert(table.id.as_str()) {
            return Err(ReportError::DuplicateId {
                id: table.id.clone(),
            });
        }
        let columns = table.columns.len().saturating_sub(1);
        for (index, row) in table.rows.iter().enumerate() {
            if row.cells.len() > columns {
                return Err(ReportError::RowTooWide {
                    table: table.id.clone(),
                    row: index,
                    label: row.label.clone(),
                    cells: row.cells.len(),
                    columns,
                });
            }
        }
    }
    for figure in &report.figures {
        if !id_is_usable(&figure.id) {
            return Err(ReportError::BadId {
                what: "figure",
                id: figure.id.clone(),
            });
        }
        if !ids.insert(figure.id.as_str()) {
            return Err(ReportError::DuplicateId {
                id: figure.id.clone(),
            });
        }
        check_figure(&figure.id, &figure.kind)?;
    }
    let tables: HashSet<&str> = report.tables.iter().map(|t| t.id.as_str()).collect();
    let figures: HashSet<&str> = report.figures.iter().map(|f| f.id.as_str()).collect();
    for section in &report.sections {
        for block in &section.blocks {
            let (what, id, known) = match block {
                Block::Paragraph(_) => continue,
                Block::Table(id) => ("table", id, tables.contains(id.as_str())),
                Block::Figure(id) => ("figure", id, figures.contains(id.as_str())),
            };
            if !known {
                return Err(ReportError::UnknownReference {
                    section: section.heading.clone(),
                    what,
                    id: id.clone(),
                });
            }
        }
    }
    Ok(())
}

fn non_finite(figure: &str, series: &str, what: String) -> ReportError {
    ReportError::NonFinite {
        figure: figure.to_string(),
        series: series.to_string(),
        what,
    }
}

fn check_figure(id: &str, kind: &FigureKind) -> Result<(), ReportError> {
    match kind {
        FigureKind::Line(line) => {
            if let Some(i) = line.x_ticks.iter().position(|v| !v.is_finite()) {
                return Err(non_finite(id, "", format!("x tick {i}")));
            }
            for series in &line.series {
                for (i, p) in series.points.iter().enumerate() {
                    let values = [
                        ("x", Some(p.x)),
                        ("y", Some(p.y)),
                        ("lo", p.lo),
                        ("hi", p.hi),
                    ];
                    for (name, value) in values {
                        if value.is_some_and(|v| !v.is_finite()) {
                            return Err(non_finite(
                                id,
                                &series.name,
                                format!("point {i} (`{name}`)"),
                            ));
                        }
                    }
                }
            }
        }
        FigureKind::Step(step) => {
            if !step.y_range.0.is_finite() || !step.y_range.1.is_finite() {
                return Err(non_finite(id, "", "`y_range`".to_string()));
            }
            for (name, list) in [("x tick", &step.x_ticks), ("risk time", &step.risk_times)] {
                if let Some(i) = list.iter().position(|v| !v.is_finite()) {
                    return Err(non_finite(id, "", format!("{name} {i}")));
                }
            }
            for series in &step.series {
                let mismatch = |argument, expected, found| ReportError::LengthMismatch {
                    figure: id.to_string(),
                    series: series.name.clone(),
                    argument,
                    expected,
                    found,
                };
                if series.values.len() != series.times.len() {
                    return Err(mismatch("values", series.times.len(), series.values.len()));
                }
                if !series.at_risk.is_empty() && series.at_risk.len() != step.risk_times.len() {
                    return Err(mismatch(
                        "at_risk",
                        step.risk_times.len(),
                        series.at_risk.len(),
                    ));
                }
                for (i, (t, v)) in series.times.iter().zip(&series.values).enumerate() {
                    if !t.is_finite() || !v.is_finite() {
                        return Err(non_finite(id, &series.name, format!("step {i}")));
                    }
                }
                for (i, (t, v)) in series.censored.iter().enumerate() {
                    if !t.is_finite() || !v.is_finite() {
                        return Err(non_finite(id, &series.name, format!("censoring tick {i}")));
                    }
                }
            }
        }
        FigureKind::Consort(c) => {
            let problem = |problem: String| ReportError::Consort {
                figure: id.to_string(),
                problem,
            };
            if c.excluded > c.assessed || c.assessed - c.excluded != c.randomized {
                return Err(problem(format!(
                    "assessed ({}) - excluded ({}) is not randomized ({})",
                    c.assessed, c.excluded, c.randomized
                )));
            }
            let allocated: usize = c.arms.iter().map(|a| a.allocated).sum();
            if !c.arms.is_empty() && allocated != c.randomized {
                return Err(problem(format!(
                    "the arms' allocated add up to {allocated}, not randomized ({})",
                    c.randomized
                )));
            }
            for arm in &c.arms {
                if arm.received > arm.allocated || arm.analysed > arm.allocated {
                    return Err(problem(format!(
                        "arm `{}`: received ({}) and analysed ({}) cannot exceed allocated ({})",
                        arm.name, arm.received, arm.analysed, arm.allocated
                    )));
                }
            }
        }
    }
    Ok(())
}
