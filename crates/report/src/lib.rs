//! # rct-report
//!
//! The neutral document model of an rct report -- numbered tables
//! ([`Table`]), figures ([`Figure`]) and the report that orders them
//! ([`Report`]) -- and its renderers: a self-contained HTML page, RTF and CSV
//! tables, SVG figures. This crate computes no statistics: the analysis
//! engine (`rct-analysis`) fills the model with formatted text and numbers,
//! and everything here only lays them out.

mod model;

pub use model::{
    Block, Cell, ColumnHeader, ConsortArm, ConsortFigure, ConsortReason, Figure, FigureKind,
    LineFigure, LinePoint, LineSeries, Report, Row, RowKind, Section, StepFigure, StepSeries,
    Table,
};
