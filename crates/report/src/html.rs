//! The report as one self-contained HTML5 page.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::model::{Block, Cell, Figure, Report, RowKind, Table};
use crate::svg::figure_svg;
use crate::text::xml_escape as esc;

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif;
  color: #1a1a1a; background: #fff; margin: 2rem auto; max-width: 68rem; padding: 0 1.5rem;
  font-size: 15px; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 .4rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .8rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
.subtitle { margin: 0; color: #444; }
nav.toc { margin: 1.5rem 0 2rem; }
nav.toc h2 { margin-top: 0; }
nav.toc h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
nav.toc ol, nav.toc ul { margin: .2rem 0; padding-left: 1.4rem; }
nav.toc ul.tlf-list { list-style: none; padding-left: 0; }
a { color: #0b5394; text-decoration: none; }
a:hover { text-decoration: underline; }
.tlf { margin: 1.2rem 0 2rem; page-break-inside: avoid; break-inside: avoid; }
.tlf-scroll { overflow-x: auto; }
.tlf-head { font-weight: 600; margin-bottom: .4rem; text-align: left; }
.tlf-head span { display: block; }
.tlf-head .tlf-population { font-weight: normal; font-style: italic; }
table.tlf-table { border-collapse: collapse; font-size: .9rem; border-top: 2px solid #000;
  border-bottom: 2px solid #000; min-width: 60%; }
table.tlf-table caption { caption-side: top; }
table.tlf-table thead th { border-bottom: 1px solid #000; vertical-align: bottom; text-align: center;
  font-weight: 600; padding: .35rem .8rem; }
table.tlf-table thead th:first-child { text-align: left; }
table.tlf-table thead .sublabel { font-weight: normal; white-space: nowrap; }
table.tlf-table tbody th { text-align: left; font-weight: normal; padding: .12rem .8rem; }
table.tlf-table tbody td { text-align: center; padding: .12rem .8rem; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
table.tlf-table tbody tr.heading th { font-weight: 600; padding-top: .45rem; }
table.tlf-table sup.mark { font-size: .75em; padding-left: .1em; }
ul.footnotes { list-style: none; margin: .35rem 0 0; padding: 0; font-size: .8rem; color: #333; }
figure.tlf { margin-left: 0; margin-right: 0; }
figure.tlf .plot svg { max-width: 100%; height: auto; display: block; }
p.missing { color: #a00; font-weight: 600; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  nav.toc { page-break-after: always; break-after: page; }
  a { color: inherit; }
  h2 { page-break-after: avoid; break-after: avoid; }
  .tlf-scroll { overflow: visible; }
}
"#;

/// Renders the whole report as one self-contained HTML5 page: inline CSS, no
/// script, figures inlined as SVG. A contents list links to every section,
/// table and figure (by TLF number); sections follow in order with their
/// paragraphs, tables and figures. Tables or figures that no section refers to
/// are shown in a closing "Other tables and figures" section, so every one of
/// them has an anchor; a table referred to twice is drawn once and linked the
/// second time. All text is escaped.
///
/// # Example
/// ```
/// use rct_report::{report_html, Block, Report, Section, Table};
/// let report = Report {
///     title: "Demo <1>".into(),
///     sections: vec![Section { heading: "Results".into(), blocks: vec![Block::Table("t1".into())] }],
///     tables: vec![Table { id: "t1".into(), number: "Table 1".into(), ..Table::default() }],
///     ..Report::default()
/// };
/// let html = report_html(&report);
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("<title>Demo &lt;1&gt;</title>"));
/// assert!(html.contains("href=\"#t1\""));
/// ```
pub fn report_html(report: &Report) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", esc(&report.title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");

    out.push_str("<header class=\"report-head\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&report.title));
    for line in &report.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", esc(line));
    }
    out.push_str("</header>\n");

    let plan = plan(report);
    toc(&mut out, report, &plan);

    out.push_str("<main>\n");
    let mut drawn: HashSet<&str> = HashSet::new();
    for (i, section) in plan.iter().enumerate() {
        let _ = writeln!(out, "<section id=\"section-{}\">", i + 1);
        let _ = writeln!(out, "<h2>{}. {}</h2>", i + 1, esc(section.heading));
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "<p>{}</p>", esc(text));
                }
                Block::Table(id) => match report.tables.iter().find(|t| &t.id == id) {
                    Some(t) if drawn.insert(t.id.as_str()) => table_html(&mut out, t),
                    Some(t) => see_also(&mut out, &t.id, &t.number),
                    None => missing(&mut out, "Table", id),
                },
                Block::Figure(id) => match report.figures.iter().find(|f| &f.id == id) {
                    Some(f) if drawn.insert(f.id.as_str()) => figure_html(&mut out, f),
                    Some(f) => see_also(&mut out, &f.id, &f.number),
                    None => missing(&mut out, "Figure", id),
                },
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A section as laid out: the report's sections plus, if needed, one more
/// holding the tables and figures no section refers to.
struct Planned<'a> {
    heading: &'a str,
    blocks: Vec<Block>,
}

fn plan(report: &Report) -> Vec<Planned<'_>> {
    let mut referenced: HashSet<&str> = HashSet::new();
    let mut sections: Vec<Planned<'_>> = report
        .sections
        .iter()
        .map(|s| {
            for b in &s.blocks {
                if let Block::Table(id) | Block::Figure(id) = b {
                    referenced.insert(id.as_str());
                }
            }
            Planned {
                heading: &s.heading,
                blocks: s.blocks.clone(),
            }
        })
        .collect();
    let mut rest: Vec<Block> = Vec::new();
    for t in &report.tables {
        if !referenced.contains(t.id.as_str()) {
            rest.push(Block::Table(t.id.clone()));
        }
    }
    for f in &report.figures {
        if !referenced.contains(f.id.as_str()) {
            rest.push(Block::Figure(f.id.clone()));
        }
    }
    if !rest.is_empty() {
        sections.push(Planned {
            heading: "Other tables and figures",
            blocks: rest,
        });
    }
    sections
}

fn toc(out: &mut String, report: &Report, plan: &[Planned<'_>]) {
    out.push_str("<nav class=\"toc\" aria-labelledby=\"toc-heading\">\n");
    out.push_str("<h2 id=\"toc-heading\">Contents</h2>\n<ol>\n");
    for (i, section) in plan.iter().enumerate() {
        let _ = write!(
            out,
            "<li><a href=\"#section-{}\">{}</a>",
            i + 1,
            esc(section.heading)
        );
        let mut items = String::new();
        let mut listed: HashSet<&str> = HashSet::new();
        for block in &section.blocks {
            let entry = match block {
                Block::Paragraph(_) => None,
                Block::Table(id) => report
                    .tables
                    .iter()
                    .find(|t| &t.id == id)
                    .map(|t| (t.id.as_str(), t.number.as_str(), t.title.as_str())),
                Block::Figure(id) => report
                    .figures
                    .iter()
                    .find(|f| &f.id == id)
                    .map(|f| (f.id.as_str(), f.number.as_str(), f.title.as_str())),
            };
            if let Some((id, number, title)) = entry {
                if listed.insert(id) {
                    toc_entry(&mut items, id, number, title);
                }
            }
        }
        if !items.is_empty() {
            let _ = write!(out, "\n<ul class=\"tlf-list\">\n{items}</ul>\n");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    if !report.tables.is_empty() {
        out.push_str("<h3>List of tables</h3>\n<ul class=\"tlf-list\">\n");
        for t in &report.tables {
            toc_entry(out, &t.id, &t.number, &t.title);
        }
        out.push_str("</ul>\n");
    }
    if !report.figures.is_empty() {
        out.push_str("<h3>List of figures</h3>\n<ul class=\"tlf-list\">\n");
        for f in &report.figures {
            toc_entry(out, &f.id, &f.number, &f.title);
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</nav>\n");
}

fn toc_entry(out: &mut String, id: &str, number: &str, title: &str) {
    let number = if number.is_empty() { id } else { number };
    let _ = writeln!(
        out,
        "<li><a href=\"#{}\">{}</a> {}</li>",
        esc(id),
        esc(number),
        esc(title)
    );
}

fn head_spans(out: &mut String, number: &str, title: &str, population: &str) {
    for (class, text) in [
        ("tlf-number", number),
        ("tlf-title", title),
        ("tlf-population", population),
    ] {
        if !text.is_empty() {
            let _ = write!(out, "<span class=\"{class}\">{}</span>", esc(text));
        }
    }
}

fn footnotes(out: &mut String, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    out.push_str("<ul class=\"footnotes\">\n");
    for note in notes {
        let _ = writeln!(out, "<li>{}</li>", esc(note));
    }
    out.push_str("</ul>\n");
}

fn cell_html(cell: &Cell) -> String {
    let mut s = esc(&cell.text);
    if let Some(mark) = cell.mark.as_deref().filter(|m| !m.is_empty()) {
        let _ = write!(s, "<sup class=\"mark\">{}</sup>", esc(mark));
    }
    s
}

fn table_html(out: &mut String, table: &Table) {
    let data_columns = table
        .rows
        .iter()
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
        .max(table.columns.len().saturating_sub(1));
    let _ = writeln!(
        out,
        "<div class=\"tlf tlf-table-block\" id=\"{}\">",
        esc(&table.id)
    );
    out.push_str(
        "<div class=\"tlf-scroll\">\n<table class=\"tlf-table\">\n<caption class=\"tlf-head\">",
    );
    head_spans(out, &table.number, &table.title, &table.population);
    out.push_str("</caption>\n<thead>\n<tr>");
    for i in 0..=data_columns {
        let column = table.columns.get(i);
        let _ = write!(
            out,
            "<th scope=\"col\">{}",
            esc(column.map_or("", |c| c.label.as_str()))
        );
        if let Some(sub) = column
            .and_then(|c| c.sublabel.as_deref())
            .filter(|s| !s.is_empty())
        {
            let _ = write!(out, "<br><span class=\"sublabel\">{}</span>", esc(sub));
        }
        out.push_str("</th>");
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &table.rows {
        let heading = row.kind == RowKind::Heading;
        let pad = if row.indent > 0 {
            format!(
                " style=\"padding-left: calc(.8rem + {}em)\"",
                1.5 * f64::from(row.indent)
            )
        } else {
            String::new()
        };
        if heading && row.cells.is_empty() {
            let _ = writeln!(
                out,
                "<tr class=\"heading\"><th scope=\"rowgroup\" colspan=\"{}\"{pad}>{}</th></tr>",
                data_columns + 1,
                esc(&row.label)
            );
            continue;
        }
        let class = if heading { " class=\"heading\"" } else { "" };
        let _ = write!(
            out,
            "<tr{class}><th scope=\"row\"{pad}>{}</th>",
            esc(&row.label)
        );
        for i in 0..data_columns {
            let _ = write!(
                out,
                "<td>{}</td>",
                row.cells.get(i).map(cell_html).unwrap_or_default()
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    footnotes(out, &table.footnotes);
    out.push_str("</div>\n");
}

fn figure_html(out: &mut String, figure: &Figure) {
    let _ = writeln!(
        out,
        "<figure class=\"tlf tlf-figure\" id=\"{}\">",
        esc(&figure.id)
    );
    out.push_str("<figcaption class=\"tlf-head\">");
    head_spans(out, &figure.number, &figure.title, &figure.population);
    out.push_str("</figcaption>\n<div class=\"plot\">\n");
    out.push_str(&figure_svg(figure));
    out.push_str("\n</div>\n");
    footnotes(out, &figure.footnotes);
    out.push_str("</figure>\n");
}

fn see_also(out: &mut String, id: &str, number: &str) {
    let number = if number.is_empty() { id } else { number };
    let _ = writeln!(
        out,
        "<p class=\"see-also\">See <a href=\"#{}\">{}</a>.</p>",
        esc(id),
        esc(number)
    );
}

fn missing(out: &mut String, what: &str, id: &str) {
    let _ = writeln!(
        out,
        "<p class=\"missing\">{what} `{}` is missing from the report.</p>",
        esc(id)
    );
}
