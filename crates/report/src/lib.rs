//! # rct-report
//!
//! The neutral document model of an rct report -- numbered tables
//! ([`Table`]), figures ([`Figure`]) and the report that orders them
//! ([`Report`]) -- and its renderers: a self-contained HTML page
//! ([`report_html`]), RTF and CSV tables ([`table_rtf`], [`table_csv`]) and SVG
//! figures ([`figure_svg`]); [`write_report`] writes them all to a folder. This
//! crate computes no statistics: the analysis engine (`rct-analysis`) fills the
//! model with formatted text and numbers, and everything here only lays them
//! out, in the style of a clinical study report (TLF number and title above,
//! arms in the given order with N in the headers, footnotes below).
//!
//! ## Why no plotting or templating crate
//!
//! The figures are written as SVG text with `std` formatting. A plotting crate
//! (plotters) would pull in a large dependency tree for three figure types, and
//! its SVG output is hard to control in the details a CSR figure needs:
//! dodged interval bars, post-step curves with censoring ticks, a
//! numbers-at-risk table aligned with the x axis, the CONSORT box layout,
//! elements free of ids so several figures can share one HTML page. The same
//! goes for HTML and RTF: the markup is small and fixed, so it is written
//! directly, with escaping in one place per format.

mod csv;
mod error;
mod html;
mod model;
mod rtf;
mod svg;
mod text;

use std::path::{Path, PathBuf};

pub use crate::csv::table_csv;
pub use error::{check_report, ReportError};
pub use html::report_html;
pub use model::{
    Block, Cell, ColumnHeader, ConsortArm, ConsortFigure, ConsortReason, Figure, FigureKind,
    LineFigure, LinePoint, LineSeries, Report, Row, RowKind, Section, StepFigure, StepSeries,
    Table,
};
pub use rtf::table_rtf;
pub use svg::figure_svg;

/// The files [`write_report`] wrote, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// `report.html`, then `tables/<id>.rtf` and `tables/<id>.csv` per table,
    /// then `figures/<id>.svg` per figure.
    pub files: Vec<PathBuf>,
}

/// Writes a report into `dir`: `report.html` (self-contained), and for every
/// table `tables/<id>.rtf` and `tables/<id>.csv`, for every figure
/// `figures/<id>.svg`. Creates the folders as needed; existing files of the
/// same names are replaced.
///
/// The report is checked first with [`check_report`], so nothing is written
/// for a report with unknown references, duplicate or unusable ids, rows wider
/// than their header, non-finite figure values or CONSORT counts that do not
/// add up.
///
/// # Errors
/// The problem [`check_report`] finds, or [`ReportError::Io`] naming the file
/// or folder that could not be created or written.
///
/// # Example
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rct_report::{write_report, Report, Table};
/// let dir = std::env::temp_dir().join(format!("rct-report-doc-{}", std::process::id()));
/// let report = Report {
///     title: "Demo".into(),
///     tables: vec![Table { id: "t1".into(), number: "Table 1".into(), ..Table::default() }],
///     ..Report::default()
/// };
/// let written = write_report(&dir, &report)?;
/// assert_eq!(written.files.len(), 3);
/// assert!(dir.join("tables/t1.csv").is_file());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
pub fn write_report(dir: &Path, report: &Report) -> Result<Written, ReportError> {
    check_report(report)?;
    let mut written = Written::default();
    create_dir(dir)?;
    write_file(&mut written, dir.join("report.html"), &report_html(report))?;
    if !report.tables.is_empty() {
        let tables = dir.join("tables");
        create_dir(&tables)?;
        for table in &report.tables {
            write_file(
                &mut written,
                tables.join(format!("{}.rtf", table.id)),
                &table_rtf(table),
            )?;
            write_file(
                &mut written,
                tables.join(format!("{}.csv", table.id)),
                &table_csv(table),
            )?;
        }
    }
    if !report.figures.is_empty() {
        let figures = dir.join("figures");
        create_dir(&figures)?;
        for figure in &report.figures {
            let path = figures.join(format!("{}.svg", figure.id));
            write_file(&mut written, path, &figure_svg(figure))?;
        }
    }
    Ok(written)
}

fn create_dir(path: &Path) -> Result<(), ReportError> {
    std::fs::create_dir_all(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file(written: &mut Written, path: PathBuf, content: &str) -> Result<(), ReportError> {
    match std::fs::write(&path, content) {
        Ok(()) => {
            written.files.push(path);
            Ok(())
        }
        Err(source) => Err(ReportError::Io { path, source }),
    }
}
