//! Linear scales, "nice" 1-2-5 ticks and axis drawing.

use super::{text_el, Anchor, AXIS_COLOUR, FONT_SIZE, GRID_COLOUR};
use crate::text::{decimals_for, num, text_width, tick_label};

/// Maps data values in `d0..d1` to pixels in `r0..r1`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span.abs() < f64::EPSILON {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// Tick positions and the decimals their labels need.
#[derive(Debug, Clone)]
pub(crate) struct Ticks {
    pub values: Vec<f64>,
    pub decimals: usize,
}

impl Ticks {
    pub fn labels(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| tick_label(*v, self.decimals))
            .collect()
    }

    /// Widest label in pixels.
    pub fn max_label_width(&self) -> f64 {
        self.labels()
            .iter()
            .map(|l| text_width(l, FONT_SIZE))
            .fold(0.0, f64::max)
    }
}

/// A step of 1, 2 or 5 times a power of ten giving about `target` intervals over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target.max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalized = raw / magnitude;
    let factor = if normalized <= 1.0 {
        1.0
    } else if normalized <= 2.0 {
        2.0
    } else if normalized <= 5.0 {
        5.0
    } else {
        10.0
    };
    factor * magnitude
}

/// Nice ticks covering `min..max`: the axis runs from the tick at or below `min`
/// to the tick at or above `max`, in 1-2-5 steps, about `target` intervals.
pub(crate) fn nice_ticks(min: f64, max: f64, target: f64) -> (f64, f64, Ticks) {
    let (mut min, mut max) = if min.is_finite() && max.is_finite() && min <= max {
        (min, max)
    } else {
        (0.0, 1.0)
    };
    if max - min < 1e-12 * min.abs().max(max.abs()).max(1e-300) || max == min {
        let pad = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
        min -= pad;
        max += pad;
    }
    let step = nice_step(max - min, target);
    let first = (min / step + 1e-9).floor() as i64;
    let last = (max / step - 1e-9).ceil() as i64;
    let values: Vec<f64> = (first..=last).map(|k| clean(k as f64 * step)).collect();
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil().max(0.0) as usize
    };
    let lo = values.first().copied().unwrap_or(min);
    let hi = values.last().copied().unwrap_or(max);
    (lo, hi, Ticks { values, decimals })
}

/// Ticks at given positions (sorted, duplicates dropped).
pub(crate) fn given_ticks(values: &[f64]) -> Ticks {
    let mut values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let decimals = decimals_for(&values);
    Ticks { values, decimals }
}

/// Removes floating-point noise such as 0.30000000000000004.
fn clean(v: f64) -> f64 {
    let r = (v * 1e9).round() / 1e9;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Draws the x axis line at `y`, outward ticks, labels and the axis title.
/// The axis line runs over `extent` (the plot width, which may be wider than
/// the scale's range when the data are inset from the edges).
pub(crate) fn draw_x_axis(
    out: &mut String,
    scale: &Scale,
    ticks: &Ticks,
    y: f64,
    extent: (f64, f64),
    title: &str,
) {
    out.push_str("<g class=\"x-axis\">");
    let (x0, x1) = extent;
    out.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{AXIS_COLOUR}\"/>",
        num(x0),
        num(y),
        num(x1),
        num(y)
    ));
    for (v, label) in ticks.values.iter().zip(ticks.labels()) {
        let x = scale.map(*v);
        out.push_str(&format!(
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{AXIS_COLOUR}\"/>",
            num(x),
            num(y),
            num(y + 5.0)
        ));
        text_el(out, x, y + 18.0, Anchor::Middle, FONT_SIZE, "tick", &label);
    }
    if !title.is_empty() {
        text_el(
            out,
            (x0 + x1) / 2.0,
            y + 38.0,
            Anchor::Middle,
            FONT_SIZE + 1.0,
            "axis-title",
            title,
        );
    }
    out.push_str("</g>");
}

/// Draws the y axis line at `x`, outward ticks, labels, light horizontal grid
/// lines across to `grid_to` and the rotated axis title at `title_x`.
pub(crate) fn draw_y_axis(
    out: &mut String,
    scale: &Scale,
    ticks: &Ticks,
    x: f64,
    grid_to: f64,
    title: &str,
    title_x: f64,
) {
    out.push_str("<g class=\"y-axis\">");
    for v in &ticks.values {
        let y = scale.map(*v);
        out.push_str(&format!(
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{GRID_COLOUR}\"/>",
            num(x),
            num(y),
            num(grid_to)
        ));
    }
    let (y0, y1) = (scale.r0.min(scale.r1), scale.r0.max(scale.r1));
    out.push_str(&format!(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{AXIS_COLOUR}\"/>",
        num(x),
        num(y0),
        num(y1)
    ));
    for (v, label) in ticks.values.iter().zip(ticks.labels()) {
        let y = scale.map(*v);
        out.push_str(&format!(
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{AXIS_COLOUR}\"/>",
            num(x - 5.0),
            num(y),
            num(x)
        ));
        text_el(
            out,
            x - 8.0,
            y + 4.0,
            Anchor::End,
            FONT_SIZE,
            "tick",
            &label,
        );
    }
    if !title.is_empty() {
        let cy = (y0 + y1) / 2.0;
        out.push_str(&format!(
            "<text class=\"axis-title\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" \
             font-size=\"{2}\" transform=\"rotate(-90 {0} {1})\">{3}</text>",
            num(title_x),
            num(cy),
            num(FONT_SIZE + 1.0),
            crate::text::xml_escape(title)
        ));
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_one_two_five() {
        let (lo, hi, t) = nice_ticks(0.0, 1.0, 5.0);
        assert_eq!((lo, hi), (0.0, 1.0));
        assert_eq!(t.values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(t.labels()[1], "0.2");
        let (lo, hi, t) = nice_ticks(143.0, 611.0, 5.0);
        assert_eq!((lo, hi), (100.0, 700.0));
        assert_eq!(t.values.len(), 7);
        assert_eq!(t.labels()[0], "100");
        let (lo, hi, t) = nice_ticks(-3.2, 7.9, 5.0);
        assert_eq!((lo, hi), (-5.0, 10.0));
        assert_eq!(t.labels()[0], "\u{2212}5");
        let (lo, hi, _) = nice_ticks(5.0, 5.0, 5.0);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, hi, _) = nice_ticks(f64::NAN, 1.0, 5.0);
        assert_eq!((lo, hi), (0.0, 1.0));
    }

    #[test]
    fn scale_maps_linearly() {
        let s = Scale {
            d0: 0.0,
            d1: 10.0,
            r0: 100.0,
            r1: 0.0,
        };
        assert_eq!(s.map(0.0), 100.0);
        assert_eq!(s.map(5.0), 50.0);
        let g = given_ticks(&[8.0, 0.0, 4.0, 4.0]);
        assert_eq!(g.values, vec![0.0, 4.0, 8.0]);
        assert_eq!(g.decimals, 0);
    }
}
