//! The CONSORT 2010 flow diagram.
//!
//! Layout (Schulz, Altman & Moher 2010, figure 1): an enrolment column
//! (assessed -> randomized, with the excluded box to the right), then one
//! column per arm with allocation, follow-up and analysis boxes; stage labels
//! run down the left edge. Box heights are equal across arms within a stage.

use super::{open_svg, text_el, Anchor};
use crate::model::{ConsortFigure, ConsortReason};
use crate::text::{num, text_width, wrap, xml_escape};

const SIZE: f64 = 11.5;
const LINE: f64 = 15.0;
const PAD: f64 = 7.0;
const MARGIN: f64 = 12.0;
const STAGE_W: f64 = 24.0;
const GAP: f64 = 22.0;
const V_GAP: f64 = 26.0;
const MIN_AREA: f64 = 500.0;
const COL_W: f64 = 236.0;
const COL_MAX: f64 = 260.0;
const CENTRE_W: f64 = 240.0;
const EXCLUDED_MAX: f64 = 320.0;
const STROKE: &str = "#333333";

/// One logical line of a box: level 0 plain, 1 bulleted, 2 dashed sub-item.
struct Entry {
    level: u8,
    text: String,
}

fn entry(level: u8, text: String) -> Entry {
    Entry { level, text }
}

fn counted(label: &str, n: usize) -> String {
    format!("{label} (n={n})")
}

fn reasons(level: u8, list: &[ConsortReason]) -> impl Iterator<Item = Entry> + '_ {
    list.iter()
        .map(move |r| entry(level, counted(&r.reason, r.n)))
}

/// A laid-out line: x offset inside the box, bullet and text.
struct Line {
    bullet_x: f64,
    text_x: f64,
    bullet: Option<&'static str>,
    text: String,
}

fn layout(entries: &[Entry], width: f64) -> Vec<Line> {
    let inner = width - 2.0 * PAD;
    let mut lines = Vec::new();
    for e in entries {
        // Bullet position and the (hanging) indent of the text.
        let (bullet, bullet_x, text_x) = match e.level {
            0 => (None, 0.0, 0.0),
            1 => (Some("\u{2022}"), 0.0, 11.0),
            _ => (Some("\u{2013}"), 11.0, 22.0),
        };
        for (i, text) in wrap(&e.text, inner - text_x, SIZE).into_iter().enumerate() {
            let bullet = if i == 0 { bullet } else { None };
            lines.push(Line {
                bullet_x,
                text_x,
                bullet,
                text,
            });
        }
    }
    lines
}

fn box_height(lines: &[Line]) -> f64 {
    lines.len() as f64 * LINE + 2.0 * PAD - 2.0
}

/// Draws a box with its lines; `h` may exceed the lines' height (rows are equalized).
fn draw_box(out: &mut String, class: &str, x: f64, y: f64, w: f64, h: f64, lines: &[Line]) {
    out.push_str(&format!("<g class=\"box {class}\">"));
    out.push_str(&format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" stroke=\"{STROKE}\" stroke-width=\"1.2\"/>",
        num(x),
        num(y),
        num(w),
        num(h)
    ));
    for (i, line) in lines.iter().enumerate() {
        let ty = y + PAD + (i as f64) * LINE + SIZE - 1.0;
        if let Some(b) = line.bullet {
            text_el(
                out,
                x + PAD + line.bullet_x,
                ty,
                Anchor::Start,
                SIZE,
                "bullet",
                b,
            );
        }
        text_el(
            out,
            x + PAD + line.text_x,
            ty,
            Anchor::Start,
            SIZE,
            "line",
            &line.text,
        );
    }
    out.push_str("</g>");
}

fn arrow_down(out: &mut String, x: f64, y0: f64, y1: f64) {
    out.push_str(&format!(
        "<path class=\"arrow\" d=\"M{0} {1}V{2}\" stroke=\"{STROKE}\" stroke-width=\"1.2\" fill=\"none\"/>\
         <polygon points=\"{3},{4} {5},{4} {0},{6}\" fill=\"{STROKE}\"/>",
        num(x),
        num(y0),
        num(y1 - 6.0),
        num(x - 4.0),
        num(y1 - 7.0),
        num(x + 4.0),
        num(y1)
    ));
}

fn arrow_right(out: &mut String, x0: f64, x1: f64, y: f64) {
    out.push_str(&format!(
        "<path class=\"arrow\" d=\"M{0} {1}H{2}\" stroke=\"{STROKE}\" stroke-width=\"1.2\" fill=\"none\"/>\
         <polygon points=\"{3},{4} {3},{5} {6},{1}\" fill=\"{STROKE}\"/>",
        num(x0),
        num(y),
        num(x1 - 6.0),
        num(x1 - 7.0),
        num(y - 4.0),
        num(y + 4.0),
        num(x1)
    ));
}

fn stage_label(out: &mut String, label: &str, y0: f64, y1: f64) {
    let cx = MARGIN + STAGE_W / 2.0;
    let cy = (y0 + y1) / 2.0;
    out.push_str(&format!(
        "<g class=\"stage\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"5\" fill=\"#dce9f5\" stroke=\"#7ea6cf\"/>\
         <text x=\"{cxs}\" y=\"{cys}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\" \
         dominant-baseline=\"central\" transform=\"rotate(-90 {cxs} {cys})\">{}</text></g>",
        num(MARGIN),
        num(y0),
        num(STAGE_W),
        num((y1 - y0).max(STAGE_W)),
        num(SIZE + 0.5),
        xml_escape(label),
        cxs = num(cx),
        cys = num(cy),
    ));
}

pub(crate) fn render(c: &ConsortFigure) -> String {
    let k = c.arms.len();
    let x0 = MARGIN + STAGE_W + 14.0;
    let area = (k as f64 * COL_W + (k.max(1) - 1) as f64 * GAP).max(MIN_AREA);
    let width = x0 + area + MARGIN;
    let cx = x0 + area / 2.0;
    let col_w = if k == 0 {
        COL_MAX
    } else {
        ((area - (k - 1) as f64 * GAP) / k as f64).min(COL_MAX)
    };
    let col_centre = |i: usize| x0 + area * (2.0 * i as f64 + 1.0) / (2.0 * k.max(1) as f64);

    // Enrolment.
    let assessed = layout(
        &[entry(0, counted("Assessed for eligibility", c.assessed))],
        CENTRE_W,
    );
    let excl_x = cx + 30.0;
    let excl_w = (x0 + area - excl_x).min(EXCLUDED_MAX);
    let mut excl_entries = vec![entry(0, counted("Excluded", c.excluded))];
    excl_entries.extend(reasons(1, &c.excluded_reasons));
    let excluded = layout(&excl_entries, excl_w);
    let randomized = layout(&[entry(0, counted("Randomized", c.randomized))], CENTRE_W);

    let y_assessed = MARGIN;
    let h_assessed = box_height(&assessed);
    let y_excluded = y_assessed + h_assessed + 18.0;
    let h_excluded = box_height(&excluded);
    let y_random = y_excluded + h_excluded + 18.0;
    let h_random = box_height(&randomized);
    let y_bus = y_random + h_random + 16.0;

    // Arm boxes, per stage.
    let alloc: Vec<Vec<Line>> = c
        .arms
        .iter()
        .map(|a| {
            let mut e = vec![
                entry(0, counted(&format!("Allocated to {}", a.name), a.allocated)),
                entry(1, counted("Received allocated intervention", a.received)),
                entry(
                    1,
                    counted(
                        "Did not receive allocated intervention",
                        a.allocated.saturating_sub(a.received),
                    ),
                ),
            ];
            e.extend(reasons(2, &a.not_received));
            layout(&e, col_w)
        })
        .collect();
    let follow: Vec<Vec<Line>> = c
        .arms
        .iter()
        .map(|a| {
            let lost: usize = a.discontinued.iter().map(|r| r.n).sum();
            let mut e = vec![entry(0, counted("Lost to follow-up or discontinued", lost))];
            e.extend(reasons(1, &a.discontinued));
            layout(&e, col_w)
        })
        .collect();
    let analysis: Vec<Vec<Line>> = c
        .arms
        .iter()
        .map(|a| {
            let excluded: usize = a.excluded_from_analysis.iter().map(|r| r.n).sum();
            let mut e = vec![
                entry(0, counted("Analysed", a.analysed)),
                entry(1, counted("Excluded from analysis", excluded)),
            ];
            e.extend(reasons(2, &a.excluded_from_analysis));
            layout(&e, col_w)
        })
        .collect();
    // Equal heights across arms, and tall enough for the rotated stage label.
    let row_h = |rows: &[Vec<Line>], stage: &str| {
        let label = text_width(stage, SIZE + 0.5) + 16.0;
        rows.iter().map(|l| box_height(l)).fold(label, f64::max)
    };
    let h_alloc = row_h(&alloc, "Allocation");
    let h_follow = row_h(&follow, "Follow-Up");
    let h_analysis = row_h(&analysis, "Analysis");
    let y_alloc = y_bus + 18.0;
    let y_follow = y_alloc + h_alloc + V_GAP;
    let y_analysis = y_follow + h_follow + V_GAP;
    let height = if k == 0 {
        y_random + h_random + MARGIN
    } else {
        y_analysis + h_analysis + MARGIN
    };

    let mut out = String::new();
    open_svg(&mut out, width, height, "figure consort");
    out.push_str(&format!("<g font-size=\"{}\">", num(SIZE)));

    stage_label(&mut out, "Enrollment", y_assessed, y_random + h_random);
    draw_box(
        &mut out,
        "assessed",
        cx - CENTRE_W / 2.0,
        y_assessed,
        CENTRE_W,
        h_assessed,
        &assessed,
    );
    draw_box(
        &mut out, "excluded", excl_x, y_excluded, excl_w, h_excluded, &excluded,
    );
    draw_box(
        &mut out,
        "randomized",
        cx - CENTRE_W / 2.0,
        y_random,
        CENTRE_W,
        h_random,
        &randomized,
    );
    // Assessed -> randomized, with a branch to the excluded box.
    out.push_str(&format!(
        "<path class=\"arrow\" d=\"M{0} {1}V{2}\" stroke=\"{STROKE}\" stroke-width=\"1.2\" fill=\"none\"/>",
        num(cx),
        num(y_assessed + h_assessed),
        num(y_excluded + h_excluded / 2.0)
    ));
    arrow_right(&mut out, cx, excl_x, y_excluded + h_excluded / 2.0);
    arrow_down(&mut out, cx, y_excluded + h_excluded / 2.0, y_random);

    if k > 0 {
        stage_label(&mut out, "Allocation", y_alloc, y_alloc + h_alloc);
        stage_label(&mut out, "Follow-Up", y_follow, y_follow + h_follow);
        stage_label(&mut out, "Analysis", y_analysis, y_analysis + h_analysis);
        // Randomized -> bus -> each arm.
        out.push_str(&format!(
            "<path class=\"arrow\" d=\"M{0} {1}V{2}M{3} {2}H{4}\" stroke=\"{STROKE}\" stroke-width=\"1.2\" fill=\"none\"/>",
            num(cx),
            num(y_random + h_random),
            num(y_bus),
            num(col_centre(0)),
            num(col_centre(k - 1))
        ));
        for i in 0..k {
            let mx = col_centre(i);
            let bx = mx - col_w / 2.0;
            arrow_down(&mut out, mx, y_bus, y_alloc);
            draw_box(
                &mut out,
                "allocation",
                bx,
                y_alloc,
                col_w,
                h_alloc,
                &alloc[i],
            );
            arrow_down(&mut out, mx, y_alloc + h_alloc, y_follow);
            draw_box(
                &mut out,
                "follow-up",
                bx,
                y_follow,
                col_w,
                h_follow,
                &follow[i],
            );
            arrow_down(&mut out, mx, y_follow + h_follow, y_analysis);
            draw_box(
                &mut out,
                "analysis",
                bx,
                y_analysis,
                col_w,
                h_analysis,
                &analysis[i],
            );
        }
    }
    out.push_str("</g></svg>");
    out
}
