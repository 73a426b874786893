//! SVG figures: lines with interval bars, step functions with numbers at risk,
//! and the CONSORT flow diagram.
//!
//! Every figure is a standalone SVG 1.1 document without ids (so several can be
//! inlined in one HTML page) and without a title (the TLF number and title go
//! in the HTML/RTF caption).

mod axis;
mod consort;
mod line;
mod step;

use crate::model::{Figure, FigureKind};
use crate::text::{num, xml_escape};

/// Base font size in px.
pub(crate) const FONT_SIZE: f64 = 12.0;
pub(crate) const FONT_FAMILY: &str = "Helvetica, Arial, 'Liberation Sans', sans-serif";
pub(crate) const AXIS_COLOUR: &str = "#333333";
pub(crate) const GRID_COLOUR: &str = "#e6e6e6";
pub(crate) const TEXT_COLOUR: &str = "#1a1a1a";

/// The Okabe-Ito colour-blind-safe palette, in the order used for series
/// (yellow last: it is faint on white).
pub(crate) const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];

/// Dash patterns per series, so lines stay apart in greyscale print.
pub(crate) const DASHES: [&str; 4] = ["", "7 4", "2 3", "9 3 2 3"];

pub(crate) fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

pub(crate) fn dash(i: usize) -> &'static str {
    DASHES[i % DASHES.len()]
}

/// A `stroke-dasharray` attribute (with a leading space), or nothing for solid.
pub(crate) fn dash_attr(i: usize) -> String {
    let d = dash(i);
    if d.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{d}\"")
    }
}

/// Text anchor.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Appends a `<text>` element with escaped content.
pub(crate) fn text_el(
    out: &mut String,
    x: f64,
    y: f64,
    anchor: Anchor,
    size: f64,
    class: &str,
    content: &str,
) {
    out.push_str(&format!(
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\">{}</text>",
        num(x),
        num(y),
        anchor.as_str(),
        num(size),
        xml_escape(content)
    ));
}

/// The opening tag of a standalone SVG document of `width` x `height` px.
pub(crate) fn open_svg(out: &mut String, width: f64, height: f64, class: &str) {
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"{class}\" \
         width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_FAMILY}\" \
         fill=\"{TEXT_COLOUR}\">",
        w = num(width.ceil()),
        h = num(height.ceil()),
    ));
    out.push_str(&format!(
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        num(width.ceil()),
        num(height.ceil())
    ));
}

/// Marker shapes, cycled per series: circle, square, triangle up, diamond,
/// triangle down, cross.
pub(crate) fn marker(out: &mut String, shape: usize, x: f64, y: f64, colour: &str) {
    let r = 4.0;
    let common = format!("fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"0.8\"");
    let el = match shape % 6 {
        0 => format!("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {common}/>", num(x), num(y), num(r)),
        1 => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{s}\" height=\"{s}\" {common}/>",
            num(x - r * 0.9),
            num(y - r * 0.9),
            s = num(r * 1.8)
        ),
        2 => polygon(&[(x, y - r * 1.15), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)], &common),
        3 => polygon(&[(x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y)], &common),
        4 => polygon(&[(x, y + r * 1.15), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)], &common),
        _ => format!(
            "<path d=\"M{} {}l{s} {s}M{} {}l{s} -{s}\" stroke=\"{colour}\" stroke-width=\"2\" fill=\"none\"/>",
            num(x - r),
            num(y - r),
            num(x - r),
            num(y + r),
            s = num(2.0 * r)
        ),
    };
    out.push_str(&el);
}

fn polygon(points: &[(f64, f64)], attrs: &str) -> String {
    let pts: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect();
    format!("<polygon points=\"{}\" {attrs}/>", pts.join(" "))
}

/// One legend entry: a line sample (with a marker if `shape` is given) and a name.
pub(crate) struct LegendItem<'a> {
    pub name: &'a str,
    pub index: usize,
    pub shape: Option<usize>,
}

/// Width of one legend entry.
fn legend_item_width(item: &LegendItem<'_>) -> f64 {
    30.0 + crate::text::text_width(item.name, FONT_SIZE) + 20.0
}

/// Lays out a legend in rows within `max_width`; returns the rows' count.
pub(crate) fn legend_rows(items: &[LegendItem<'_>], max_width: f64) -> usize {
    let mut rows = 1;
    let mut x = 0.0;
    for item in items {
        let w = legend_item_width(item);
        if x > 0.0 && x + w > max_width {
            rows += 1;
            x = 0.0;
        }
        x += w;
    }
    rows
}

/// Row height of the legend.
pub(crate) const LEGEND_ROW: f64 = 18.0;

/// Draws a horizontal legend starting at (`x`, `y` = centre of the first row).
pub(crate) fn draw_legend(
    out: &mut String,
    items: &[LegendItem<'_>],
    x: f64,
    y: f64,
    max_width: f64,
) {
    out.push_str("<g class=\"legend\">");
    let mut cx = 0.0;
    let mut cy = y;
    for item in items {
        let w = legend_item_width(item);
        if cx > 0.0 && cx + w > max_width {
            cx = 0.0;
            cy += LEGEND_ROW;
        }
        let colour = colour(item.index);
        out.push_str(&format!(
            "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"{colour}\" stroke-width=\"2\"{3}/>",
            num(x + cx),
            num(x + cx + 24.0),
            num(cy),
            dash_attr(item.index)
        ));
        if let Some(shape) = item.shape {
            marker(out, shape, x + cx + 12.0, cy, colour);
        }
        text_el(
            out,
            x + cx + 30.0,
            cy + 4.0,
            Anchor::Start,
            FONT_SIZE,
            "legend-label",
            item.name,
        );
        cx += w;
    }
    out.push_str("</g>");
}

/// Renders a figure as a standalone SVG 1.1 document.
///
/// - [`FigureKind::Line`]: one polyline per series with distinct markers,
///   colours (Okabe-Ito) and dashes, interval bars with caps, dodged per
///   series, and marks above the bars.
/// - [`FigureKind::Step`]: post-step curves, `+` censoring ticks, annotations
///   in the emptiest corner of the plot, numbers at risk under the x axis.
/// - [`FigureKind::Consort`]: the CONSORT 2010 flow diagram.
///
/// Numbers that are not finite are left out (a point, a bar, a tick);
/// [`crate::check_report`] reports them as errors before files are written.
///
/// # Example
/// ```
/// use rct_report::{figure_svg, Figure, FigureKind, LineFigure, LinePoint, LineSeries};
/// let figure = Figure {
///     id: "f1".into(),
///     number: "Figure 1".into(),
///     title: "Median CD4 by week".into(),
///     population: "ITT".into(),
///     footnotes: vec![],
///     kind: FigureKind::Line(LineFigure {
///         x_label: "Week".into(),
///         y_label: "CD4".into(),
///         x_ticks: vec![],
///         series: vec![LineSeries {
///             name: "Placebo".into(),
///             points: vec![LinePoint { x: 0.0, y: 300.0, ..LinePoint::default() }],
///         }],
///     }),
/// };
/// let svg = figure_svg(&figure);
/// assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
/// assert!(svg.contains("Placebo"));
/// ```
pub fn figure_svg(figure: &Figure) -> String {
    match &figure.kind {
        FigureKind::Line(line) => line::render(line),
        FigureKind::Step(step) => step::render(step),
        FigureKind::Consort(consort) => consort::render(consort),
    }
}
