//! Lines over time with interval bars (e.g. medians with IQR by arm and week).

use super::axis::{draw_x_axis, draw_y_axis, given_ticks, nice_ticks, Scale};
use super::{
    colour, dash_attr, draw_legend, legend_rows, marker, open_svg, text_el, Anchor, LegendItem,
    FONT_SIZE, LEGEND_ROW,
};
use crate::model::LineFigure;
use crate::text::num;

const WIDTH: f64 = 720.0;
const PLOT_HEIGHT: f64 = 320.0;
/// Inset of the first and last x position from the plot edges, so bars and
/// markers do not sit on the y axis.
const X_INSET: f64 = 18.0;
/// Largest horizontal offset between neighbouring series, in px.
const MAX_DODGE: f64 = 8.0;
/// Space kept above a marked bar for its mark, in px.
const MARK_ROOM: f64 = 20.0;

pub(crate) fn render(fig: &LineFigure) -> String {
    let finite = |v: &f64| v.is_finite();
    // Points that can be drawn, per series.
    let series: Vec<Vec<&crate::model::LinePoint>> = fig
        .series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter(|p| p.x.is_finite() && p.y.is_finite())
                .collect()
        })
        .collect();
    let ys = series
        .iter()
        .flatten()
        .flat_map(|p| [Some(p.y), p.lo, p.hi].into_iter().flatten().filter(finite));
    let (y_min, y_max) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (y_lo, y_hi, y_ticks) = nice_ticks(y_min, y_max, 5.0);

    let xs: Vec<f64> = series.iter().flatten().map(|p| p.x).collect();
    let x_ticks = if fig.x_ticks.iter().any(|v| v.is_finite()) {
        given_ticks(&fig.x_ticks)
    } else {
        let (lo, hi) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        nice_ticks(lo, hi, 8.0).2
    };
    let all_x = xs.iter().chain(&x_ticks.values);
    let (x_lo, x_hi) = all_x.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(*v), b.max(*v))
    });
    let (x_lo, x_hi) = if x_lo.is_finite() {
        (x_lo, x_hi)
    } else {
        (0.0, 1.0)
    };

    let left = 18.0 + 12.0 + y_ticks.max_label_width() + 10.0;
    let right = WIDTH - 20.0;
    let items: Vec<LegendItem<'_>> = fig
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            name: &s.name,
            index: i,
            shape: Some(i),
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
    let height = bottom + 50.0;

    let xs_scale = Scale {
        d0: x_lo,
        d1: x_hi,
        r0: left + X_INSET,
        r1: right - X_INSET,
    };
    // Room above the highest marked bar for its mark ("**"): stretch the scale
    // past the last tick rather than adding a tick.
    let marked_top = series
        .iter()
        .flatten()
        .filter(|p| p.mark.as_deref().is_some_and(|m| !m.is_empty()))
        .map(|p| p.hi.filter(finite).map_or(p.y, |hi| hi.max(p.y)))
        .fold(f64::NEG_INFINITY, f64::max);
    let room = MARK_ROOM / PLOT_HEIGHT;
    let y_hi = if marked_top.is_finite() && y_hi > y_lo {
        let needed = y_lo + (marked_top - y_lo) / (1.0 - room);
        y_hi.max(needed)
    } else {
        y_hi
    };
    let ys_scale = Scale {
        d0: y_lo,
        d1: y_hi,
        r0: bottom,
        r1: top,
    };

    let mut out = String::new();
    open_svg(&mut out, WIDTH, height, "figure line-figure");
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

    // Dodge: a fraction of the smallest gap between distinct x positions.
    let mut distinct: Vec<f64> = xs.iter().map(|x| xs_scale.map(*x)).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup_by(|a, b| (*a - *b).abs() < 0.5);
    let min_gap = distinct
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let n = series.len().max(1) as f64;
    let step = if min_gap.is_finite() {
        (min_gap * 0.5 / n).min(MAX_DODGE)
    } else {
        MAX_DODGE
    };

    for (k, points) in series.iter().enumerate() {
        let offset = (k as f64 - (n - 1.0) / 2.0) * step;
        let c = colour(k);
        out.push_str("<g class=\"series\">");
        let px = |x: f64| xs_scale.map(x) + offset;
        // Interval bars with caps.
        let mut bars = String::new();
        for p in points {
            if let (Some(lo), Some(hi)) = (p.lo.filter(finite), p.hi.filter(finite)) {
                let (x, ylo, yhi) = (px(p.x), ys_scale.map(lo), ys_scale.map(hi));
                bars.push_str(&format!(
                    "M{0} {1}V{2}M{3} {1}H{4}M{3} {2}H{4}",
                    num(x),
                    num(ylo),
                    num(yhi),
                    num(x - 3.5),
                    num(x + 3.5)
                ));
            }
        }
        if !bars.is_empty() {
            out.push_str(&format!(
                "<path class=\"bars\" d=\"{bars}\" stroke=\"{c}\" stroke-width=\"1.2\" fill=\"none\"/>"
            ));
        }
        let pts: Vec<String> = points
            .iter()
            .map(|p| format!("{},{}", num(px(p.x)), num(ys_scale.map(p.y))))
            .collect();
        if !pts.is_empty() {
            out.push_str(&format!(
                "<polyline class=\"line\" points=\"{}\" stroke=\"{c}\" stroke-width=\"2\" \
                 fill=\"none\" stroke-linejoin=\"round\"{}/>",
                pts.join(" "),
                dash_attr(k)
            ));
        }
        out.push_str("<g class=\"markers\">");
        for p in points {
            marker(&mut out, k, px(p.x), ys_scale.map(p.y), c);
        }
        out.push_str("</g>");
        for p in points {
            let Some(mark) = p.mark.as_deref().filter(|m| !m.is_empty()) else {
                continue;
            };
            let top_value = p.hi.filter(finite).map_or(p.y, |hi| hi.max(p.y));
            let y = ys_scale.map(top_value) - 5.0;
            // A white halo keeps the mark readable where it crosses another bar.
            out.push_str(&format!(
                "<g fill=\"{c}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">"
            ));
            text_el(
                &mut out,
                px(p.x),
                y,
                Anchor::Middle,
                FONT_SIZE + 1.0,
                "mark",
                mark,
            );
            out.push_str("</g>");
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}
