//! Step functions (Kaplan-Meier, cumulative incidence) with censoring ticks,
//! annotations and a numbers-at-risk table.

use super::axis::{draw_x_axis, draw_y_axis, given_ticks, nice_ticks, Scale, Ticks};
use super::{
    colour, dash_attr, draw_legend, legend_rows, open_svg, text_el, Anchor, LegendItem, FONT_SIZE,
    LEGEND_ROW,
};
use crate::model::{StepFigure, StepSeries};
use crate::text::{num, text_width};

const WIDTH: f64 = 720.0;
const PLOT_HEIGHT: f64 = 300.0;
const RISK_ROW: f64 = 18.0;
const ANNOTATION_LINE: f64 = 16.0;

/// A series' drawable steps (finite pairs) and where its line ends.
fn steps(s: &StepSeries) -> (Vec<(f64, f64)>, f64) {
    let pts: Vec<(f64, f64)> = s
        .times
        .iter()
        .zip(&s.values)
        .filter(|(t, v)| t.is_finite() && v.is_finite())
        .map(|(t, v)| (*t, *v))
        .collect();
    let last = pts.last().map_or(f64::NEG_INFINITY, |p| p.0);
    // The last value holds until the last censoring time, if that is later.
    let end = s
        .censored
        .iter()
        .map(|c| c.0)
        .filter(|t| t.is_finite())
        .fold(last, f64::max);
    (pts, end)
}

pub(crate) fn render(fig: &StepFigure) -> String {
    let curves: Vec<(Vec<(f64, f64)>, f64)> = fig.series.iter().map(steps).collect();

    // y: the given range when usable, else the data.
    let (y_lo, y_hi, y_ticks) = {
        let (a, b) = fig.y_range;
        if a.is_finite() && b.is_finite() && a < b {
            let (_, _, t) = nice_ticks(a, b, 5.0);
            let values: Vec<f64> = t
                .values
                .iter()
                .copied()
                .filter(|v| *v >= a - 1e-9 && *v <= b + 1e-9)
                .collect();
            (
                a,
                b,
                Ticks {
                    values,
                    decimals: t.decimals,
                },
            )
        } else {
            let vals = curves.iter().flat_map(|c| c.0.iter().map(|p| p.1));
            let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
            nice_ticks(lo, hi, 5.0)
        }
    };

    // x: given ticks, else the risk times, else automatic from 0.
    let x_ticks = if fig.x_ticks.iter().any(|v| v.is_finite()) {
        given_ticks(&fig.x_ticks)
    } else if fig.risk_times.iter().any(|v| v.is_finite()) {
        given_ticks(&fig.risk_times)
    } else {
        let hi = curves.iter().map(|c| c.1).fold(0.0, f64::max);
        nice_ticks(0.0, hi, 6.0).2
    };
    let xs = curves
        .iter()
        .flat_map(|c| c.0.iter().map(|p| p.0).chain([c.1]))
        .chain(x_ticks.values.iter().copied())
        .chain(fig.risk_times.iter().copied())
        .filter(|v| v.is_finite());
    let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (x_lo, x_hi) = if x_lo.is_finite() {
        (x_lo, x_hi)
    } else {
        (0.0, 1.0)
    };

    let show_risk = !fig.risk_times.is_empty() && fig.series.iter().any(|s| !s.at_risk.is_empty());
    let name_width = fig
        .series
        .iter()
        .map(|s| text_width(&s.name, FONT_SIZE))
        .fold(0.0, f64::max);
    let mut left = 18.0 + 12.0 + y_ticks.max_label_width() + 10.0;
    if show_risk {
        left = left
            .max(12.0 + name_width + 24.0)
            .max(12.0 + text_width("Number at risk", FONT_SIZE));
    }
    let right = WIDTH - 24.0;
    let items: Vec<LegendItem<'_>> = fig
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            name: &s.name,
            index: i,
            shape: None,
        })
        .collect();
    let rows = if items.is_empty() {
        0
    } else {
        legend_rows(&items, right - left)
    };
    let legend_y = 16.0;
    let top = legend_y + rows as f64 * LEGEND_ROW + 10.0;
    let bottom = top + PLOT_HEIGHT;
    let risk_rows = fig.series.iter().filter(|s| !s.at_risk.is_empty()).count();
    let height = bottom
        + 50.0
        + if show_risk {
            26.0 + risk_rows as f64 * RISK_ROW
        } else {
            0.0
        };

    let xs_scale = Scale {
        d0: x_lo,
        d1: x_hi,
        r0: left,
        r1: right,
    };
    let ys_scale = Scale {
        d0: y_lo,
        d1: y_hi,
        r0: bottom,
        r1: top,
    };

    let mut out = String::new();
    open_svg(&mut out, WIDTH, height, "figure step-figure");
    draw_y_axis(
        &mut out,
        &ys_scale,
        &y_ticks,
        left,
        right,
        &fig.y_label,
        18.0,
    );
    draw_x_axis(
        &mut out,
        &xs_scale,
        &x_ticks,
        bottom,
        (left, right),
        &fig.x_label,
    );
    if !items.is_empty() {
        draw_legend(&mut out, &items, left, legend_y, right - left);
    }

    // Pixel paths, kept for placing the annotations.
    let mut occupied: Vec<(f64, f64)> = Vec::new();
    for (k, (pts, end)) in curves.iter().enumerate() {
        let c = colour(k);
        out.push_str("<g class=\"series\">");
        let mut d = String::new();
        let mut prev: Option<(f64, f64)> = None;
        for &(t, v) in pts {
            let (x, y) = (xs_scale.map(t), ys_scale.map(v));
            match prev {
                None => d.push_str(&format!("M{} {}", num(x), num(y))),
                Some((px, py)) => {
                    d.push_str(&format!("H{}V{}", num(x), num(y)));
                    sample(&mut occupied, (px, py), (x, py));
                    sample(&mut occupied, (x, py), (x, y));
                }
            }
            prev = Some((x, y));
        }
        if let Some((px, py)) = prev {
            let xe = xs_scale.map(*end);
            if xe > px {
                d.push_str(&format!("H{}", num(xe)));
                sample(&mut occupied, (px, py), (xe, py));
            }
        }
        if !d.is_empty() {
            out.push_str(&format!(
                "<path class=\"curve\" d=\"{d}\" stroke=\"{c}\" stroke-width=\"2\" fill=\"none\"{}/>",
                dash_attr(k)
            ));
        }
        let mut ticks = String::new();
        for &(t, v) in &fig.series[k].censored {
            if !(t.is_finite() && v.is_finite()) {
                continue;
            }
            let (x, y) = (xs_scale.map(t), ys_scale.map(v));
            ticks.push_str(&format!(
                "M{0} {1}V{2}M{3} {4}H{5}",
                num(x),
                num(y - 4.5),
                num(y + 4.5),
                num(x - 4.5),
                num(y),
                num(x + 4.5)
            ));
        }
        if !ticks.is_empty() {
            out.push_str(&format!(
                "<path class=\"censor\" d=\"{ticks}\" stroke=\"{c}\" stroke-width=\"1.4\" fill=\"none\"/>"
            ));
        }
        out.push_str("</g>");
    }

    draw_annotations(
        &mut out,
        &fig.annotations,
        &occupied,
        (left, top, right, bottom),
    );

    if show_risk {
        out.push_str("<g class=\"at-risk-table\">");
        let header_y = bottom + 64.0;
        out.push_str("<g font-weight=\"bold\">");
        text_el(
            &mut out,
            12.0,
            header_y,
            Anchor::Start,
            FONT_SIZE,
            "at-risk-title",
            "Number at risk",
        );
        out.push_str("</g>");
        let mut row = 0.0;
        for (k, s) in fig.series.iter().enumerate() {
            if s.at_risk.is_empty() {
                continue;
            }
            row += 1.0;
            let y = header_y + row * RISK_ROW;
            out.push_str(&format!("<g class=\"at-risk-row\" fill=\"{}\">", colour(k)));
            text_el(
                &mut out,
                12.0,
                y,
                Anchor::Start,
                FONT_SIZE,
                "at-risk-label",
                &s.name,
            );
            for (t, n) in fig.risk_times.iter().zip(&s.at_risk) {
                if t.is_finite() {
                    let x = xs_scale.map(*t);
                    text_el(
                        &mut out,
                        x,
                        y,
                        Anchor::Middle,
                        FONT_SIZE,
                        "at-risk",
                        &n.to_string(),
                    );
                }
            }
            out.push_str("</g>");
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Points every few pixels along a segment, to measure how crowded a region is.
fn sample(into: &mut Vec<(f64, f64)>, a: (f64, f64), b: (f64, f64)) {
    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let n = (len / 4.0).ceil().max(1.0) as usize;
    for i in 0..=n {
        let f = i as f64 / n as f64;
        into.push((a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1)));
    }
}

/// Draws the annotation lines in the corner of the plot that the curves cross
/// least (upper corners preferred on ties).
fn draw_annotations(
    out: &mut String,
    lines: &[String],
    occupied: &[(f64, f64)],
    plot: (f64, f64, f64, f64),
) {
    if lines.is_empty() {
        return;
    }
    let (left, top, right, bottom) = plot;
    let w = lines
        .iter()
        .map(|l| text_width(l, FONT_SIZE))
        .fold(0.0, f64::max)
        + 8.0;
    let h = lines.len() as f64 * ANNOTATION_LINE + 6.0;
    let pad = 10.0;
    let corners = [
        (right - pad - w, top + pad),
        (left + pad, top + pad),
        (left + pad, bottom - pad - h),
        (right - pad - w, bottom - pad - h),
    ];
    let crowding = |(x, y): (f64, f64)| {
        occupied
            .iter()
            .filter(|p| {
                p.0 >= x - 4.0 && p.0 <= x + w + 4.0 && p.1 >= y - 4.0 && p.1 <= y + h + 4.0
            })
            .count()
    };
    let mut best = corners[0];
    let mut best_score = crowding(best);
    for corner in &corners[1..] {
        let score = crowding(*corner);
        if score < best_score {
            best = *corner;
            best_score = score;
        }
    }
    out.push_str("<g class=\"annotations\">");
    for (i, line) in lines.iter().enumerate() {
        let y = best.1 + 3.0 + (i as f64 + 1.0) * ANNOTATION_LINE - 4.0;
        text_el(
            out,
            best.0 + 4.0,
            y,
            Anchor::Start,
            FONT_SIZE,
            "annotation",
            line,
        );
    }
    out.push_str("</g>");
}
