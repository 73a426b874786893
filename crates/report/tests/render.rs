//! Renders a small CSR-like report in every format and checks the structure
//! of what comes out (CSV parses back, RTF groups and rows, SVG/HTML markup).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::PathBuf;

use rct_report::{
    check_report, figure_svg, report_html, table_csv, table_rtf, write_report, Block, Cell,
    ColumnHeader, ConsortArm, ConsortFigure, ConsortReason, Figure, FigureKind, LineFigure,
    LinePoint, LineSeries, Report, ReportError, Row, RowKind, Section, StepFigure, StepSeries,
    Table,
};

/// The label that must survive escaping in every format.
const NASTY: &str = "Ratio <&> \"adj\" µ ≥ 5 {x} \\";

fn header(label: &str, sub: Option<&str>) -> ColumnHeader {
    ColumnHeader {
        label: label.into(),
        sublabel: sub.map(Into::into),
    }
}

fn row(label: &str, indent: u8, cells: &[&str]) -> Row {
    Row {
        label: label.into(),
        indent,
        kind: RowKind::Data,
        cells: cells.iter().map(|c| Cell::new(*c)).collect(),
    }
}

fn heading(label: &str) -> Row {
    Row {
        label: label.into(),
        indent: 0,
        kind: RowKind::Heading,
        cells: vec![],
    }
}

fn table1() -> Table {
    let mut marked = row(NASTY, 1, &["1.2", "1.4", "1.9"]);
    marked.cells[2].mark = Some("a".into());
    Table {
        id: "t14-1-01".into(),
        number: "Table 14-1.01".into(),
        title: "Baseline characteristics by arm".into(),
        population: "Intent-to-treat population".into(),
        columns: vec![
            header("Characteristic", None),
            header("Placebo", Some("(N = 24)")),
            header("Low dose", Some("(N = 24)")),
            header("High dose", Some("(N = 24)")),
        ],
        rows: vec![
            heading("Age (years)"),
            row("Mean (SD)", 1, &["41.2 (9.8)", "43.0 (10.1)", "40.7 (8.9)"]),
            row(
                "Median (Q1, Q3)",
                1,
                &["40 (35, 48)", "44 (36, 50)", "41, 5 (34, 47)"],
            ),
            heading("Sex, n (%)"),
            row("Female", 1, &["12 (50.0%)", "11 (45.8%)", "13 (54.2%)"]),
            row("Male", 1, &["12 (50.0%)", "13 (54.2%)", "11 (45.8%)"]),
            heading("Baseline CD4 (cells/µL)"),
            row("≥ 350", 1, &["10 (41.7%)", "9 (37.5%)", "12 (50.0%)"]),
            marked,
            // A short row: the missing cells render empty.
            row("Missing", 1, &["0"]),
        ],
        footnotes: vec![
            "Percentages are of the arm's N.".into(),
            "a Kruskal-Wallis test, P < 0.05 <&>.".into(),
        ],
    }
}

fn line_figure() -> Figure {
    let arms = ["Placebo", "Low dose", "High dose"];
    let series = arms
        .iter()
        .enumerate()
        .map(|(k, name)| LineSeries {
            name: (*name).into(),
            points: (0..10)
                .map(|w| {
                    let x = f64::from(w) * 2.0;
                    let y = 300.0 + x * (5.0 + 8.0 * k as f64) + (f64::from(w) * 1.7).sin() * 10.0;
                    LinePoint {
                        x,
                        y,
                        lo: Some(y - 60.0 - 3.0 * x),
                        hi: Some(y + 55.0 + 2.0 * x),
                        mark: match (k, w) {
                            (2, 6..=9) => Some("**".into()),
                            (1, 8 | 9) => Some("*".into()),
                            _ => None,
                        },
                    }
                })
                .collect(),
        })
        .collect();
    Figure {
        id: "f14-2-01".into(),
        number: "Figure 14-2.01".into(),
        title: "Median CD4 count (IQR) by week and arm".into(),
        population: "Intent-to-treat population".into(),
        footnotes: vec!["* P < 0.05, ** P < 0.01 vs placebo (Wilcoxon rank-sum).".into()],
        kind: FigureKind::Line(LineFigure {
            x_label: "Week".into(),
            y_label: "CD4 (cells/µL)".into(),
            x_ticks: (0..10).map(|w| f64::from(w) * 2.0).collect(),
            series,
        }),
    }
}

fn step_series(name: &str, rate: f64, at_risk: Vec<usize>) -> StepSeries {
    // A decreasing survival-like curve with a jump every 2.5 weeks.
    let mut times = vec![0.0];
    let mut values = vec![1.0];
    let mut v = 1.0;
    for i in 1..=9 {
        v *= 1.0 - rate * (1.0 + 0.1 * f64::from(i % 3));
        times.push(f64::from(i) * 2.5 + rate);
        values.push(v);
    }
    let censored = vec![(3.1, values[1]), (11.0, values[4]), (26.0, v)];
    StepSeries {
        name: name.into(),
        times,
        values,
        censored,
        at_risk,
    }
}

fn step_figure() -> Figure {
    Figure {
        id: "f14-2-02".into(),
        number: "Figure 14-2.02".into(),
        title: "Time to treatment failure".into(),
        population: "Intent-to-treat population".into(),
        footnotes: vec!["+ censored.".into()],
        kind: FigureKind::Step(StepFigure {
            x_label: "Weeks since first infusion".into(),
            y_label: "Probability without failure".into(),
            y_range: (0.0, 1.0),
            x_ticks: vec![],
            series: vec![
                step_series("Placebo", 0.08, vec![24, 20, 15, 12, 9, 7, 4]),
                step_series("Low dose", 0.05, vec![24, 22, 19, 16, 14, 11, 8]),
                step_series("High dose", 0.03, vec![24, 23, 21, 19, 18, 15, 13]),
            ],
            annotations: vec![
                "Log-rank P = 0.013".into(),
                "HR (high vs placebo) 0.41".into(),
            ],
            risk_times: vec![0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0],
        }),
    }
}

fn reason(reason: &str, n: usize) -> ConsortReason {
    ConsortReason {
        reason: reason.into(),
        n,
    }
}

fn consort_figure() -> Figure {
    let arm = |name: &str, received: usize, lost: usize| ConsortArm {
        name: name.into(),
        allocated: 24,
        received,
        not_received: if received < 24 {
            vec![reason("Withdrew consent", 24 - received)]
        } else {
            vec![]
        },
        discontinued: vec![
            reason("Lost to follow-up", lost),
            reason("Adverse event", 1),
        ],
        analysed: 24,
        excluded_from_analysis: vec![],
    };
    Figure {
        id: "f14-1-01".into(),
        number: "Figure 14-1.01".into(),
        title: "CONSORT flow diagram".into(),
        population: "All screened subjects".into(),
        footnotes: vec![],
        kind: FigureKind::Consort(ConsortFigure {
            assessed: 100,
            excluded: 28,
            excluded_reasons: vec![
                reason("Not meeting inclusion criteria", 20),
                reason("Declined to participate", 6),
                reason("Other reasons", 2),
            ],
            randomized: 72,
            arms: vec![
                arm("Placebo", 24, 2),
                arm("Low dose", 23, 1),
                arm("High dose", 22, 0),
            ],
        }),
    }
}

fn report() -> Report {
    Report {
        title: "RCT-DEMO-01: Statistical analysis <draft>".into(),
        subtitle: vec!["Data cut 2024-05-01".into(), "rct 0.1.0".into()],
        sections: vec![
            Section {
                heading: "Subject disposition".into(),
                blocks: vec![
                    Block::Paragraph("Seventy-two subjects were randomized.".into()),
                    Block::Figure("f14-1-01".into()),
                ],
            },
            Section {
                heading: "Baseline characteristics".into(),
                blocks: vec![Block::Table("t14-1-01".into())],
            },
            Section {
                heading: "Efficacy".into(),
                blocks: vec![
                    Block::Figure("f14-2-01".into()),
                    Block::Figure("f14-2-02".into()),
                ],
            },
        ],
        tables: vec![table1()],
        figures: vec![consort_figure(), line_figure(), step_figure()],
    }
}

// ---------------------------------------------------------------- CSV

fn expected_cell(cell: &Cell) -> String {
    match &cell.mark {
        Some(m) => format!("{} {}", cell.text, m),
        None => cell.text.clone(),
    }
}

#[test]
fn csv_parses_back_to_the_cells() {
    let table = table1();
    let text = table_csv(&table);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), table.rows.len() + 1);
    let head: Vec<&str> = records[0].iter().collect();
    assert_eq!(
        head,
        [
            "group",
            "Characteristic",
            "Placebo (N = 24)",
            "Low dose (N = 24)",
            "High dose (N = 24)"
        ]
    );
    for (record, row) in records[1..].iter().zip(&table.rows) {
        assert_eq!(record.len(), 5, "every record is as wide as the header");
        assert_eq!(&record[1], row.label);
        for i in 0..3 {
            let want = row.cells.get(i).map(expected_cell).unwrap_or_default();
            assert_eq!(record[2 + i], want, "row {:?}, column {i}", row.label);
        }
    }
    // The group column names the enclosing heading.
    assert_eq!(&records[2][0], "Age (years)");
    assert_eq!(&records[9][0], "Baseline CD4 (cells/µL)");
    assert_eq!(&records[9][1], NASTY);
    assert_eq!(&records[9][4], "1.9 a");
    assert_eq!(&records[1][0], "", "a top-level heading has no group");
    assert!(text.ends_with("\r\n"));
}

// ---------------------------------------------------------------- RTF

/// Control words of an RTF text (names only), skipping escaped characters.
fn rtf_control_words(rtf: &str) -> (Vec<String>, i64, i64) {
    let bytes = rtf.as_bytes();
    let (mut words, mut depth, mut min_depth) = (Vec::new(), 0i64, 0i64);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
                    j += 1;
                }
                if j == start {
                    i = start + 1; // control symbol such as \\ \{ \}
                    continue;
                }
                words.push(rtf[start..j].to_string());
                i = j;
            }
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                min_depth = min_depth.min(depth);
                i += 1;
            }
            _ => i += 1,
        }
    }
    (words, depth, min_depth)
}

#[test]
fn rtf_groups_balance_and_rows_match() {
    let table = table1();
    let rtf = table_rtf(&table);
    assert!(rtf.starts_with("{\\rtf1\\ansi"));
    assert!(rtf.is_ascii(), "non-ASCII goes out as \\uN? escapes");
    let (words, depth, min_depth) = rtf_control_words(&rtf);
    assert_eq!(depth, 0, "braces balance");
    assert_eq!(min_depth, 0, "no group closes before it opens");
    let count = |w: &str| words.iter().filter(|x| *x == w).count();
    assert_eq!(
        count("row"),
        table.rows.len() + 1,
        "one \\row per body row plus the header"
    );
    assert_eq!(count("trowd"), table.rows.len() + 1);
    assert_eq!(
        count("cell"),
        (table.rows.len() + 1) * 4,
        "every row has all four cells"
    );
    assert_eq!(count("cellx"), (table.rows.len() + 1) * 4);
    assert_eq!(count("trhdr"), 1, "the header repeats on each page");
    assert_eq!(
        count("b"),
        3 + 2,
        "number and title bold, three bold heading rows"
    );
    assert!(count("landscape") == 1 && count("super") == 1);
    // Escaping: the nasty label is there, escaped.
    assert!(rtf.contains("Ratio <&> \"adj\" \\u181? \\u8805? 5 \\{x\\} \\\\"));
    assert!(rtf.contains("Baseline CD4 (cells/\\u181?L)"));
    assert!(rtf.contains("\\li240"), "indented labels");
    assert!(
        rtf.contains("\\fs16 a Kruskal-Wallis"),
        "footnotes in a smaller font"
    );
}

/// Converts the RTF with LibreOffice when it is installed (not needed for CI).
#[test]
fn rtf_opens_in_libreoffice_if_installed() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|p| {
        std::process::Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        println!("note: LibreOffice not installed; RTF conversion test skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("rct-report-lo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("t.rtf");
    std::fs::write(&input, table_rtf(&table1())).unwrap();
    let status = std::process::Command::new(soffice)
        .args(["--headless", "--convert-to", "txt:Text", "--outdir"])
        .arg(&dir)
        .arg(&input)
        .env("HOME", &dir)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let text = std::fs::read_to_string(dir.join("t.txt")).unwrap();
    assert!(text.contains("Baseline characteristics by arm"), "{text}");
    assert!(
        text.contains(NASTY.trim_end_matches('\\').trim_end()),
        "{text}"
    );
    assert!(text.contains("41.2 (9.8)"));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- SVG

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
}

fn has_class(node: &roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn with_class<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    tag: &str,
    class: &str,
) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && has_class(n, class))
        .collect()
}

fn all_text(node: &roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_root(doc: &roxmltree::Document<'_>) {
    let root = doc.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    assert_eq!(root.attribute("version"), Some("1.1"));
    let vb: Vec<f64> = root
        .attribute("viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(vb[2].to_string(), root.attribute("width").unwrap());
    assert_eq!(vb[3].to_string(), root.attribute("height").unwrap());
    assert!(root
        .attribute("font-family")
        .unwrap()
        .contains("sans-serif"));
    // No ids: several figures share one HTML page.
    assert!(doc.descendants().all(|n| n.attribute("id").is_none()));
    // Every coordinate-like attribute is a finite number.
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in [
            "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height",
        ] {
            if let Some(v) = n.attribute(a) {
                assert!(v.parse::<f64>().is_ok_and(f64::is_finite), "{a}={v}");
            }
        }
    }
}

#[test]
fn line_figure_has_one_line_per_series() {
    let figure = line_figure();
    let svg = figure_svg(&figure);
    let doc = parse(&svg);
    check_root(&doc);
    let lines: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .collect();
    assert_eq!(lines.len(), 3);
    let colours: std::collections::HashSet<_> = lines
        .iter()
        .map(|l| l.attribute("stroke").unwrap())
        .collect();
    assert_eq!(colours.len(), 3, "distinct colours");
    for l in &lines {
        assert_eq!(l.attribute("points").unwrap().split(' ').count(), 10);
    }
    // Bars: one path per series with a stem and two caps per point.
    let bars = with_class(&doc, "path", "bars");
    assert_eq!(bars.len(), 3);
    for b in &bars {
        assert_eq!(b.attribute("d").unwrap().matches('M').count(), 30);
    }
    // Dodge: the same week is drawn at three different x positions.
    let first_x: Vec<&str> = lines
        .iter()
        .map(|l| l.attribute("points").unwrap().split(',').next().unwrap())
        .collect();
    assert!(first_x[0] != first_x[1] && first_x[1] != first_x[2]);
    // Markers: distinct shapes per series (circle, square, triangle).
    let markers = with_class(&doc, "g", "markers");
    let shapes: Vec<&str> = markers
        .iter()
        .map(|g| g.first_element_child().unwrap().tag_name().name())
        .collect();
    assert_eq!(shapes, ["circle", "rect", "polygon"]);
    assert!(markers
        .iter()
        .all(|g| g.children().filter(|c| c.is_element()).count() == 10));
    // Marks drawn above the bar tops.
    let marks = with_class(&doc, "text", "mark");
    assert_eq!(marks.iter().filter(|m| m.text() == Some("**")).count(), 4);
    assert_eq!(marks.iter().filter(|m| m.text() == Some("*")).count(), 2);
    // Legend in series order, axis titles, 1-2-5 y ticks.
    let legend: Vec<_> = with_class(&doc, "text", "legend-label")
        .iter()
        .map(|t| t.text().unwrap())
        .collect();
    assert_eq!(legend, ["Placebo", "Low dose", "High dose"]);
    let titles: Vec<String> = with_class(&doc, "text", "axis-title")
        .iter()
        .map(all_text)
        .collect();
    assert!(titles.contains(&"Week".to_string()) && titles.contains(&"CD4 (cells/µL)".to_string()));
    let x_ticks: Vec<String> = doc
        .descendants()
        .filter(|n| has_class(n, "x-axis"))
        .flat_map(|g| with_class_in(&g, "tick"))
        .collect();
    assert_eq!(
        x_ticks,
        ["0", "2", "4", "6", "8", "10", "12", "14", "16", "18"]
    );
    let y_ticks: Vec<f64> = doc
        .descendants()
        .filter(|n| has_class(n, "y-axis"))
        .flat_map(|g| with_class_in(&g, "tick"))
        .map(|t| t.replace('\u{2212}', "-").parse().unwrap())
        .collect();
    let steps: Vec<f64> = y_ticks.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(steps.iter().all(|s| (s - steps[0]).abs() < 1e-9));
    let mantissa = steps[0] / 10f64.powf(steps[0].log10().floor());
    assert!(
        [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9),
        "{steps:?}"
    );
}

fn with_class_in(node: &roxmltree::Node<'_, '_>, class: &str) -> Vec<String> {
    node.descendants()
        .filter(|n| has_class(n, class))
        .map(|n| all_text(&n))
        .collect()
}

#[test]
fn step_figure_has_curves_censoring_and_numbers_at_risk() {
    let figure = step_figure();
    let FigureKind::Step(step) = &figure.kind else {
        unreachable!()
    };
    let svg = figure_svg(&figure);
    let doc = parse(&svg);
    check_root(&doc);
    let curves = with_class(&doc, "path", "curve");
    assert_eq!(curves.len(), 3);
    for c in &curves {
        let d = c.attribute("d").unwrap();
        // Post-step: each jump is a horizontal then a vertical move.
        assert_eq!(d.matches('V').count(), 9, "{d}");
        assert!(d.find('H').unwrap() < d.find('V').unwrap());
        assert!(d.ends_with(|ch: char| ch.is_ascii_digit()));
    }
    let censor = with_class(&doc, "path", "censor");
    assert_eq!(censor.len(), 3);
    assert!(censor
        .iter()
        .all(|c| c.attribute("d").unwrap().matches('M').count() == 6));
    // Numbers at risk: one row per series, in order, with the given numbers.
    let rows: Vec<_> = doc
        .descendants()
        .filter(|n| has_class(n, "at-risk-row"))
        .collect();
    assert_eq!(rows.len(), 3);
    for (row, series) in rows.iter().zip(&step.series) {
        assert_eq!(
            with_class_in(row, "at-risk-label"),
            std::slice::from_ref(&series.name)
        );
        let numbers: Vec<usize> = with_class_in(row, "at-risk")
            .iter()
            .map(|t| t.parse().unwrap())
            .collect();
        assert_eq!(numbers, series.at_risk);
    }
    assert_eq!(
        with_class_in(&doc.root_element(), "at-risk-title"),
        ["Number at risk"]
    );
    // The numbers sit under the tick of their time.
    let tick_x: Vec<f64> = doc
        .descendants()
        .filter(|n| has_class(n, "x-axis"))
        .flat_map(|g| {
            g.descendants()
                .filter(|n| has_class(n, "tick"))
                .collect::<Vec<_>>()
        })
        .map(|t| t.attribute("x").unwrap().parse().unwrap())
        .collect();
    let risk_x: Vec<f64> = rows[0]
        .descendants()
        .filter(|n| has_class(n, "at-risk"))
        .map(|t| t.attribute("x").unwrap().parse().unwrap())
        .collect();
    assert_eq!(tick_x, risk_x);
    // Annotations: both lines, in the upper half of the plot.
    let notes = with_class(&doc, "text", "annotation");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].text(), Some("Log-rank P = 0.013"));
    let y_axis_ticks: Vec<String> = doc
        .descendants()
        .filter(|n| has_class(n, "y-axis"))
        .flat_map(|g| with_class_in(&g, "tick"))
        .collect();
    assert_eq!(y_axis_ticks, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
}

#[test]
fn step_annotations_avoid_the_curves() {
    // Rising curves (cumulative incidence): the upper-left corner is free.
    let mut figure = step_figure();
    let FigureKind::Step(step) = &mut figure.kind else {
        unreachable!()
    };
    for s in &mut step.series {
        for v in &mut s.values {
            *v = 1.0 - v.powi(4);
        }
        s.censored.clear();
    }
    let rising = figure_svg(&figure);
    let doc = parse(&rising);
    let x_rising: f64 = with_class(&doc, "text", "annotation")[0]
        .attribute("x")
        .unwrap()
        .parse()
        .unwrap();
    let falling = figure_svg(&step_figure());
    let doc = parse(&falling);
    let x_falling: f64 = with_class(&doc, "text", "annotation")[0]
        .attribute("x")
        .unwrap()
        .parse()
        .unwrap();
    assert!(x_rising < 200.0, "upper left for rising curves: {x_rising}");
    assert!(
        x_falling > 400.0,
        "upper right for falling curves: {x_falling}"
    );
}

#[test]
fn consort_has_every_box_with_its_counts() {
    let svg = figure_svg(&consort_figure());
    let doc = parse(&svg);
    check_root(&doc);
    let boxes: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("g") && has_class(n, "box"))
        .collect();
    assert_eq!(boxes.len(), 3 + 3 * 3);
    let text_of = |class: &str| -> Vec<String> {
        boxes
            .iter()
            .filter(|b| has_class(b, class))
            .map(all_text)
            .collect()
    };
    assert_eq!(text_of("assessed"), ["Assessed for eligibility (n=100)"]);
    assert_eq!(text_of("randomized"), ["Randomized (n=72)"]);
    let excluded = text_of("excluded").join(" ");
    for want in [
        "Excluded (n=28)",
        "(n=20)",
        "Declined to participate (n=6)",
        "Other reasons (n=2)",
    ] {
        assert!(excluded.contains(want), "{want} in {excluded}");
    }
    let alloc = text_of("allocation");
    assert_eq!(alloc.len(), 3);
    assert!(
        alloc[0].contains("Allocated to Placebo (n=24)"),
        "{}",
        alloc[0]
    );
    assert!(alloc[2].contains("High dose (n=24)"));
    assert!(alloc[2].contains("intervention (n=22)"));
    assert!(alloc[2].contains("Withdrew consent (n=2)"));
    let follow = text_of("follow-up");
    assert!(follow[0].contains("(n=3)") && follow[0].contains("Lost to follow-up (n=2)"));
    let analysis = text_of("analysis");
    assert!(analysis.iter().all(|a| a.contains("Analysed (n=24)")));
    // Stage labels and arrows.
    let stages: Vec<String> = doc
        .descendants()
        .filter(|n| has_class(n, "stage"))
        .map(|n| all_text(&n))
        .collect();
    assert_eq!(
        stages,
        ["Enrollment", "Allocation", "Follow-Up", "Analysis"]
    );
    assert!(with_class(&doc, "path", "arrow").len() >= 2 + 3 * 3);
    // Boxes within a stage have equal height and do not overlap each other.
    let rects: Vec<(f64, f64, f64, f64)> = boxes
        .iter()
        .map(|b| {
            let r = b.first_element_child().unwrap();
            let f = |a| r.attribute(a).unwrap().parse::<f64>().unwrap();
            (f("x"), f("y"), f("width"), f("height"))
        })
        .collect();
    for (i, a) in rects.iter().enumerate() {
        for b in &rects[i + 1..] {
            let apart =
                a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
    }
    // Wrapped lines stay inside their box (by the renderer's width estimate).
    let width: f64 = doc
        .root_element()
        .attribute("width")
        .unwrap()
        .parse()
        .unwrap();
    assert!(rects.iter().all(|r| r.0 + r.2 <= width));
}

// ---------------------------------------------------------------- HTML

/// Checks that non-void tags balance (outside <style>), returning the tag names opened.
fn check_tags(html: &str) -> Vec<String> {
    const VOID: [&str; 6] = ["meta", "br", "img", "link", "hr", "col"];
    let mut stack: Vec<String> = Vec::new();
    let mut opened = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if rest.starts_with('!') {
            continue;
        }
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        opened.push(name.clone());
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest.find("</style>").unwrap();
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    opened
}

#[test]
fn html_is_one_balanced_page_with_every_tlf() {
    let report = report();
    let html = report_html(&report);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<title>RCT-DEMO-01: Statistical analysis &lt;draft&gt;</title>"));
    let tags = check_tags(&html);
    for forbidden in ["script", "link", "img", "iframe"] {
        assert!(
            !tags.iter().any(|t| t == forbidden),
            "no <{forbidden}>: self-contained"
        );
    }
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    // Every table and figure: an anchor, a contents link and its number.
    for (id, number) in report
        .tables
        .iter()
        .map(|t| (&t.id, &t.number))
        .chain(report.figures.iter().map(|f| (&f.id, &f.number)))
    {
        assert_eq!(html.matches(&format!("id=\"{id}\"")).count(), 1, "{id}");
        assert_eq!(
            html.matches(&format!("href=\"#{id}\"")).count(),
            2,
            "section entry + list entry for {id}"
        );
        assert!(html.contains(number.as_str()));
    }
    // Sections in order.
    let pos = |s: &str| html.find(&format!("{s}</h2>")).unwrap();
    assert!(pos("1. Subject disposition") < pos("2. Baseline characteristics"));
    assert!(pos("2. Baseline characteristics") < pos("3. Efficacy"));
    // The table: head and body, heading rows, N in the header, footnotes.
    assert_eq!(tags.iter().filter(|t| *t == "table").count(), 1);
    assert_eq!(tags.iter().filter(|t| *t == "thead").count(), 1);
    assert_eq!(
        tags.iter().filter(|t| *t == "tr").count(),
        table1().rows.len() + 1
    );
    assert!(html.contains("<th scope=\"rowgroup\" colspan=\"4\">Age (years)</th>"));
    assert!(html.contains("High dose<br><span class=\"sublabel\">(N = 24)</span>"));
    assert!(html.contains("<li>a Kruskal-Wallis test, P &lt; 0.05 &lt;&amp;&gt;.</li>"));
    assert!(html.contains("1.9<sup class=\"mark\">a</sup>"));
    // Every inline SVG is well-formed XML on its own.
    let mut svgs = 0;
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        parse(&rest[start..end]);
        svgs += 1;
        rest = &rest[end..];
    }
    assert_eq!(svgs, 3);
    // Print CSS.
    assert!(html.contains("page-break-inside: avoid"));
}

#[test]
fn nasty_text_survives_every_format() {
    let report = report();
    let html = report_html(&report);
    let escaped = "Ratio &lt;&amp;&gt; &quot;adj&quot; µ ≥ 5 {x} \\";
    assert!(html.contains(escaped));
    // In CSV it comes back verbatim (checked in csv_parses_back_to_the_cells);
    // in RTF as escapes (rtf_groups_balance_and_rows_match); in SVG as text.
    let mut figure = line_figure();
    let FigureKind::Line(line) = &mut figure.kind else {
        unreachable!()
    };
    line.series[0].name = NASTY.into();
    line.y_label = NASTY.into();
    let svg = figure_svg(&figure);
    let doc = parse(&svg);
    assert_eq!(
        with_class(&doc, "text", "legend-label")[0].text(),
        Some(NASTY)
    );
    assert!(with_class(&doc, "text", "axis-title")
        .iter()
        .any(|t| t.text() == Some(NASTY)));
    let mut consort = consort_figure();
    let FigureKind::Consort(c) = &mut consort.kind else {
        unreachable!()
    };
    c.arms[0].name = NASTY.into();
    let svg = figure_svg(&consort);
    let doc = parse(&svg);
    let text: String = all_text(&doc.root_element());
    assert!(text.contains("Ratio <&> \"adj\""), "{text}");
}

#[test]
fn unreferenced_and_repeated_tlfs_still_get_one_anchor() {
    let mut report = report();
    report.sections[2].blocks.pop(); // the step figure is no longer referenced
    report.sections[0]
        .blocks
        .push(Block::Table("t14-1-01".into())); // referenced twice
    let html = report_html(&report);
    check_tags(&html);
    assert!(html.contains("Other tables and figures</h2>"));
    assert_eq!(html.matches("id=\"f14-2-02\"").count(), 1);
    assert_eq!(html.matches("id=\"t14-1-01\"").count(), 1);
    assert!(html.contains("See <a href=\"#t14-1-01\">Table 14-1.01</a>."));
}

// ---------------------------------------------------------------- files

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rct-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn write_report_writes_every_file() {
    let dir = out_dir("write");
    let report = report();
    let written = write_report(&dir, &report).unwrap();
    let names: Vec<String> = written
        .files
        .iter()
        .map(|p| {
            p.strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    assert_eq!(
        names,
        [
            "report.html",
            "tables/t14-1-01.rtf",
            "tables/t14-1-01.csv",
            "figures/f14-1-01.svg",
            "figures/f14-2-01.svg",
            "figures/f14-2-02.svg"
        ]
    );
    for path in &written.files {
        assert!(
            std::fs::metadata(path).unwrap().len() > 100,
            "{}",
            path.display()
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("tables/t14-1-01.csv")).unwrap(),
        table_csv(&report.tables[0])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn write_report_names_the_path_it_cannot_write() {
    let dir = out_dir("blocked");
    std::fs::create_dir_all(&dir).unwrap();
    // A file where the tables folder should be.
    std::fs::write(dir.join("tables"), "not a folder").unwrap();
    let err = write_report(&dir, &report()).unwrap_err();
    match &err {
        ReportError::Io { path, .. } => assert_eq!(path, &dir.join("tables")),
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(err.to_string().contains("tables"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_report_rejects_what_cannot_be_drawn_faithfully() {
    let mut r = report();
    r.sections[1].blocks.push(Block::Table("t99".into()));
    let err = check_report(&r).unwrap_err();
    assert!(
        matches!(&err, ReportError::UnknownReference { id, .. } if id == "t99"),
        "{err}"
    );
    assert!(err.to_string().contains("Baseline characteristics"));

    let mut r = report();
    r.figures[1].id = "t14-1-01".into();
    assert!(matches!(
        check_report(&r),
        Err(ReportError::DuplicateId { .. })
    ));

    let mut r = report();
    r.tables[0].id = "../evil".into();
    assert!(matches!(check_report(&r), Err(ReportError::BadId { .. })));

    let mut r = report();
    r.tables[0].rows[1].cells.push(Cell::new("extra"));
    let err = check_report(&r).unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::RowTooWide {
                row: 1,
                cells: 4,
                columns: 3,
                ..
            }
        ),
        "{err}"
    );

    let mut r = report();
    let FigureKind::Line(line) = &mut r.figures[1].kind else {
        unreachable!()
    };
    line.series[1].points[4].hi = Some(f64::NAN);
    let err = check_report(&r).unwrap_err();
    assert!(
        err.to_string().contains("Low dose") && err.to_string().contains("point 4"),
        "{err}"
    );
    // The renderer itself leaves the bar out rather than writing NaN.
    let svg = figure_svg(&r.figures[1]);
    assert!(!svg.contains("NaN"));
    parse(&svg);

    let mut r = report();
    let FigureKind::Step(step) = &mut r.figures[2].kind else {
        unreachable!()
    };
    step.series[0].at_risk.pop();
    assert!(matches!(
        check_report(&r),
        Err(ReportError::LengthMismatch {
            argument: "at_risk",
            ..
        })
    ));

    let mut r = report();
    let FigureKind::Consort(c) = &mut r.figures[0].kind else {
        unreachable!()
    };
    c.arms[0].allocated = 25;
    let err = check_report(&r).unwrap_err();
    assert!(
        matches!(&err, ReportError::Consort { .. }) && err.to_string().contains("73"),
        "{err}"
    );

    assert!(check_report(&report()).is_ok());
}

/// `target/report-example`, where rendered examples are left for eyeballing.
fn example_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("report-example")
}

/// Writes the example report where it can be looked at:
/// `target/report-example/report.html` (and tables/, figures/).
#[test]
fn example_report_for_eyeballing() {
    let dir = example_dir();
    let written = write_report(&dir, &report()).unwrap();
    assert_eq!(written.files.len(), 6);
    println!("example report: {}", dir.join("report.html").display());
}

#[test]
fn degenerate_figures_still_render_well_formed() {
    let mut figures = Vec::new();
    // Empty line figure, a single point, a flat line without bars.
    let mut line = line_figure();
    let FigureKind::Line(l) = &mut line.kind else {
        unreachable!()
    };
    l.series.clear();
    l.x_ticks.clear();
    figures.push(line.clone());
    let FigureKind::Line(l) = &mut line.kind else {
        unreachable!()
    };
    l.series = vec![LineSeries {
        name: "Only".into(),
        points: vec![LinePoint {
            x: 4.0,
            y: 7.0,
            lo: None,
            hi: None,
            mark: Some("*".into()),
        }],
    }];
    figures.push(line.clone());
    let FigureKind::Line(l) = &mut line.kind else {
        unreachable!()
    };
    l.series[0].points.push(LinePoint {
        x: 8.0,
        y: 7.0,
        ..LinePoint::default()
    });
    figures.push(line);
    // Step figure without numbers at risk or annotations, and an empty one.
    let mut step = step_figure();
    let FigureKind::Step(s) = &mut step.kind else {
        unreachable!()
    };
    s.risk_times.clear();
    s.annotations.clear();
    for series in &mut s.series {
        series.at_risk.clear();
    }
    figures.push(step.clone());
    let FigureKind::Step(s) = &mut step.kind else {
        unreachable!()
    };
    s.series.clear();
    s.y_range = (0.0, 0.0);
    figures.push(step);
    // CONSORT with no arm, one arm and six arms with long names.
    let mut consort = consort_figure();
    let FigureKind::Consort(c) = &mut consort.kind else {
        unreachable!()
    };
    let arms = std::mem::take(&mut c.arms);
    figures.push(consort.clone());
    let FigureKind::Consort(c) = &mut consort.kind else {
        unreachable!()
    };
    c.arms = vec![arms[0].clone()];
    figures.push(consort.clone());
    let FigureKind::Consort(c) = &mut consort.kind else {
        unreachable!()
    };
    c.arms = (0..6)
        .map(|i| ConsortArm {
            name: format!("Arm {i}: a rather long treatment name, 10 mg/kg every two weeks"),
            ..arms[i % 3].clone()
        })
        .collect();
    figures.push(consort);

    let eyeball = example_dir().join("degenerate");
    std::fs::create_dir_all(&eyeball).unwrap();
    for (i, figure) in figures.iter().enumerate() {
        let svg = figure_svg(figure);
        std::fs::write(eyeball.join(format!("{i}.svg")), &svg).unwrap();
        let doc = parse(&svg);
        check_root(&doc);
        for n in doc.descendants() {
            for a in ["d", "points", "transform"] {
                let v = n.attribute(a).unwrap_or("");
                assert!(!v.contains("NaN") && !v.contains("inf"), "{a}={v}");
            }
        }
    }
    // The single point still draws its marker and mark.
    let doc_svg = figure_svg(&figures[1]);
    let doc = parse(&doc_svg);
    assert_eq!(with_class(&doc, "g", "markers")[0].children().count(), 1);
    assert_eq!(with_class(&doc, "text", "mark").len(), 1);
    // Six arms: six columns of three boxes, wider than three arms.
    let six = figure_svg(&figures[7]);
    let doc = parse(&six);
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("g") && has_class(n, "box"))
            .count(),
        3 + 18
    );
    let width = |svg: &str| -> f64 {
        parse(svg)
            .root_element()
            .attribute("width")
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(width(&six) > width(&figure_svg(&consort_figure())));
}
