//! The document model: what a report holds, before any rendering.

use serde::Serialize;

/// A whole report: a title block and sections in reading order. Tables and
/// figures are owned by the report; sections refer to them by id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Title, e.g. "RCT-DEMO-01: Statistical analysis".
    pub title: String,
    /// Lines under the title (study, plan, data cut, rct version).
    pub subtitle: Vec<String>,
    /// Sections in reading order.
    pub sections: Vec<Section>,
    /// Every table, in TLF order.
    pub tables: Vec<Table>,
    /// Every figure, in TLF order.
    pub figures: Vec<Figure>,
}

/// One section of the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Section {
    /// Heading, e.g. "Baseline characteristics".
    pub heading: String,
    /// Content in reading order.
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph of plain text.
    Paragraph(String),
    /// The table with this [`Table::id`].
    Table(String),
    /// The figure with this [`Figure::id`].
    Figure(String),
}

/// A numbered table (a TLF), all cells already formatted as text.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    /// File stem, unique in the report, e.g. "t14-1-01".
    pub id: String,
    /// TLF number, e.g. "Table 14-1.01".
    pub number: String,
    /// Title, e.g. "Baseline characteristics by arm".
    pub title: String,
    /// Analysis population, e.g. "Intent-to-treat population".
    pub population: String,
    /// Column headers; the first is the row-label column.
    pub columns: Vec<ColumnHeader>,
    /// Body rows.
    pub rows: Vec<Row>,
    /// Footnotes, in order (methods and options of every test shown).
    pub footnotes: Vec<String>,
}

/// A column header: a label and an optional second line (e.g. "N = 24").
#[derive(Debug, Clone, Default, Serialize)]
pub struct ColumnHeader {
    /// First line, e.g. "High dose".
    pub label: String,
    /// Second line, e.g. "(N = 24)".
    pub sublabel: Option<String>,
}

/// A table row: a label and one cell per non-label column.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    /// Row label (first column).
    pub label: String,
    /// Indent level of the label (0 = flush left).
    pub indent: u8,
    /// What the row is.
    pub kind: RowKind,
    /// Cells for columns 2.. (may be shorter than the header for a heading row).
    pub cells: Vec<Cell>,
}

/// What a row is, which decides its styling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// An ordinary data row.
    #[default]
    Data,
    /// A heading row that groups the rows below it (bold, no cells).
    Heading,
}

/// One formatted cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cell {
    /// The text shown, e.g. "179 (144, 224)" or "< 0.001".
    pub text: String,
    /// A footnote marker or significance flag shown after the text, e.g. "a" or "*".
    pub mark: Option<String>,
}

impl Cell {
    /// A cell showing `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            mark: None,
        }
    }
}

/// A numbered figure (a TLF).
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// File stem, unique in the report, e.g. "f14-2-01".
    pub id: String,
    /// TLF number, e.g. "Figure 14-2.01".
    pub number: String,
    /// Title.
    pub title: String,
    /// Analysis population.
    pub population: String,
    /// Footnotes, in order.
    pub footnotes: Vec<String>,
    /// What is drawn.
    pub kind: FigureKind,
}

/// The kinds of figure rct draws.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FigureKind {
    /// Lines over time with interval bars (medians with IQR by arm and week).
    Line(LineFigure),
    /// Step functions (Kaplan-Meier survival or cumulative incidence).
    Step(StepFigure),
    /// The CONSORT flow diagram.
    Consort(ConsortFigure),
}

/// Lines with interval bars, one series per arm.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LineFigure {
    /// x-axis label, e.g. "Week".
    pub x_label: String,
    /// y-axis label, e.g. "CD4 (cells/uL)".
    pub y_label: String,
    /// Tick positions on the x axis (e.g. the planned weeks); empty = automatic.
    pub x_ticks: Vec<f64>,
    /// Series in legend order.
    pub series: Vec<LineSeries>,
}

/// One line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LineSeries {
    /// Legend name, e.g. "High dose".
    pub name: String,
    /// Points in x order.
    pub points: Vec<LinePoint>,
}

/// One point of a line with its interval and an optional mark.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinePoint {
    /// x (e.g. week).
    pub x: f64,
    /// y (e.g. median).
    pub y: f64,
    /// Lower end of the bar (e.g. Q1), if any.
    pub lo: Option<f64>,
    /// Upper end of the bar (e.g. Q3), if any.
    pub hi: Option<f64>,
    /// A mark drawn above the point, e.g. "*" or "**".
    pub mark: Option<String>,
}

/// Step functions with censoring ticks and a numbers-at-risk table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StepFigure {
    /// x-axis label, e.g. "Weeks since first infusion".
    pub x_label: String,
    /// y-axis label, e.g. "Cumulative probability of response".
    pub y_label: String,
    /// y-axis range, usually (0, 1).
    pub y_range: (f64, f64),
    /// Tick positions on the x axis; empty = automatic.
    pub x_ticks: Vec<f64>,
    /// Series in legend order.
    pub series: Vec<StepSeries>,
    /// Text lines drawn in the plot area, e.g. "Log-rank P = 0.013".
    pub annotations: Vec<String>,
    /// Times at which numbers at risk are shown under the plot (may be empty).
    pub risk_times: Vec<f64>,
}

/// One step function: value `values[i]` holds from `times[i]` until the next time.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StepSeries {
    /// Legend name.
    pub name: String,
    /// Jump times, ascending; the first is usually 0.
    pub times: Vec<f64>,
    /// Values after each jump (same length as `times`).
    pub values: Vec<f64>,
    /// Where censoring ticks are drawn: (time, value) pairs.
    pub censored: Vec<(f64, f64)>,
    /// Numbers at risk at [`StepFigure::risk_times`] (same length, or empty).
    pub at_risk: Vec<usize>,
}

/// The CONSORT 2010 flow diagram: enrolment, allocation, follow-up, analysis.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsortFigure {
    /// Assessed for eligibility.
    pub assessed: usize,
    /// Excluded before randomization.
    pub excluded: usize,
    /// Reasons for exclusion with counts (e.g. "Not meeting inclusion criteria", 26).
    pub excluded_reasons: Vec<ConsortReason>,
    /// Randomized.
    pub randomized: usize,
    /// One column per arm, in protocol order.
    pub arms: Vec<ConsortArm>,
}

/// A reason with its count.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsortReason {
    /// The reason, e.g. "Lost to follow-up".
    pub reason: String,
    /// How many.
    pub n: usize,
}

/// One arm's column of the CONSORT diagram.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsortArm {
    /// Arm label.
    pub name: String,
    /// Allocated to the arm.
    pub allocated: usize,
    /// Received the allocated intervention (at least one dose).
    pub received: usize,
    /// Did not receive it, with reasons.
    pub not_received: Vec<ConsortReason>,
    /// Lost to follow-up or discontinued, with reasons.
    pub discontinued: Vec<ConsortReason>,
    /// Analysed.
    pub analysed: usize,
    /// Excluded from analysis, with reasons.
    pub excluded_from_analysis: Vec<ConsortReason>,
}
