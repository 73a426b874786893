//! RTF 1.x tables that Word and LibreOffice open.

use std::fmt::Write as _;

use crate::model::{Cell, RowKind, Table};

/// Usable width of a landscape US-letter/A4 page with 0.75 in margins, in twips.
const PAGE_WIDTH: u32 = 15840;
const PAGE_HEIGHT: u32 = 12240;
const MARGIN: u32 = 1080;
const TEXT_WIDTH: u32 = PAGE_WIDTH - 2 * MARGIN;
/// Indent per level of a row label, in twips (1/6 inch).
const INDENT: u32 = 240;

/// Renders a table as a standalone RTF document on a landscape page: TLF number,
/// title and population centred above; a header row (repeated on each page)
/// ruled above and below; body rows with indented labels and bold heading rows;
/// a closing rule; footnotes below in a smaller font. Non-ASCII text is written
/// as RTF Unicode escapes (`\uN?`), so the file itself is plain ASCII.
///
/// # Example
/// ```
/// use rct_report::{table_rtf, Cell, ColumnHeader, Row, Table};
/// let table = Table {
///     id: "t1".into(),
///     number: "Table 1".into(),
///     title: "Age {years} \u{2265} 18".into(),
///     columns: vec![ColumnHeader::default(), ColumnHeader { label: "A".into(), sublabel: None }],
///     rows: vec![Row { label: "n".into(), cells: vec![Cell::new("4")], ..Row::default() }],
///     ..Table::default()
/// };
/// let rtf = table_rtf(&table);
/// assert!(rtf.starts_with("{\\rtf1"));
/// assert!(rtf.contains("Age \\{years\\} \\u8805? 18"));
/// ```
pub fn table_rtf(table: &Table) -> String {
    let data_columns = table
        .rows
        .iter()
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
        .max(table.columns.len().saturating_sub(1));
    let edges = column_edges(table, data_columns);
    let mut out = String::new();
    out.push_str("{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1\n");
    out.push_str("{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}}\n");
    let _ = writeln!(
        out,
        "{{\\info{{\\title {}}}}}",
        escape(&format!("{} {}", table.number, table.title))
    );
    let _ = writeln!(
        out,
        "\\paperw{PAGE_WIDTH}\\paperh{PAGE_HEIGHT}\\margl{MARGIN}\\margr{MARGIN}\\margt{MARGIN}\\margb{MARGIN}\\landscape"
    );
    let _ = writeln!(
        out,
        "\\sectd\\lndscpsxn\\pgwsxn{PAGE_WIDTH}\\pghsxn{PAGE_HEIGHT}"
    );

    // Title block.
    for (text, bold) in [
        (&table.number, true),
        (&table.title, true),
        (&table.population, false),
    ] {
        if text.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\\pard\\plain\\qc\\keepn\\f0\\fs20{} {}\\par",
            if bold { "\\b" } else { "" },
            escape(text)
        );
    }
    out.push_str("\\pard\\plain\\f0\\fs8\\keepn\\par\n");

    // Header row: rule above and below, repeated on every page.
    out.push_str("\\trowd\\trgaph72\\trleft0\\trhdr\\trkeep\n");
    for edge in &edges {
        let _ = write!(
            out,
            "\\clbrdrt\\brdrs\\brdrw15\\clbrdrb\\brdrs\\brdrw10\\clvertalb\\cellx{edge}"
        );
    }
    out.push('\n');
    for i in 0..=data_columns {
        let column = table.columns.get(i);
        let label = column.map(|c| c.label.as_str()).unwrap_or("");
        let align = if i == 0 { "\\ql" } else { "\\qc" };
        let _ = write!(
            out,
            "\\pard\\plain\\intbl{align}\\f0\\fs18 {}",
            escape(label)
        );
        if let Some(sub) = column
            .and_then(|c| c.sublabel.as_deref())
            .filter(|s| !s.is_empty())
        {
            let _ = write!(out, "\\line {}", escape(sub));
        }
        out.push_str("\\cell\n");
    }
    out.push_str("\\row\n");

    // Body rows; the last one carries the closing rule.
    for (r, row) in table.rows.iter().enumerate() {
        let last = r + 1 == table.rows.len();
        out.push_str("\\trowd\\trgaph72\\trleft0\\trkeep\n");
        for edge in &edges {
            if last {
                out.push_str("\\clbrdrb\\brdrs\\brdrw15");
            }
            let _ = write!(out, "\\cellx{edge}");
        }
        out.push('\n');
        let heading = row.kind == RowKind::Heading;
        // Heading rows keep with the next row and get air above them.
        let keep = if heading {
            "\\keepn\\sb80\\sa20"
        } else {
            "\\sb20\\sa20"
        };
        let indent = u32::from(row.indent) * INDENT;
        let _ = writeln!(
            out,
            "\\pard\\plain\\intbl\\ql{keep}\\li{indent}\\f0\\fs18{} {}\\cell",
            if heading { "\\b" } else { "" },
            escape(&row.label)
        );
        for i in 0..data_columns {
            let _ = write!(out, "\\pard\\plain\\intbl\\qc{keep}\\f0\\fs18 ");
            if let Some(cell) = row.cells.get(i) {
                out.push_str(&cell_rtf(cell));
            }
            out.push_str("\\cell\n");
        }
        out.push_str("\\row\n");
    }

    // Footnotes.
    for (i, note) in table.footnotes.iter().enumerate() {
        let space = if i == 0 { "\\sb120" } else { "" };
        let _ = writeln!(
            out,
            "\\pard\\plain\\ql{space}\\f0\\fs16 {}\\par",
            escape(note)
        );
    }
    out.push_str("}\n");
    out
}

fn cell_rtf(cell: &Cell) -> String {
    let mut s = escape(&cell.text);
    if let Some(mark) = cell.mark.as_deref().filter(|m| !m.is_empty()) {
        let _ = write!(s, "{{\\super {}}}", escape(mark));
    }
    s
}

/// Right edges of the columns in twips: widths follow the longest text of each
/// column (within limits), scaled to fill the page width.
fn column_edges(table: &Table, data_columns: usize) -> Vec<u32> {
    let chars = |s: &str| s.chars().count();
    let mut weights = Vec::with_capacity(data_columns + 1);
    let label_len = table
        .rows
        .iter()
        .map(|r| chars(&r.label) + 2 * usize::from(r.indent))
        .chain(table.columns.first().map(|c| chars(&c.label)))
        .max()
        .unwrap_or(0);
    weights.push(label_len.clamp(18, 48) as f64);
    for i in 0..data_columns {
        let header = table.columns.get(i + 1).map_or(0, |c| {
            chars(&c.label).max(c.sublabel.as_deref().map_or(0, chars))
        });
        let longest = table
            .rows
            .iter()
            .filter_map(|r| r.cells.get(i))
            .map(|c| chars(&c.text) + c.mark.as_deref().map_or(0, chars))
            .chain([header])
            .max()
            .unwrap_or(0);
        weights.push(longest.clamp(8, 26) as f64);
    }
    let total: f64 = weights.iter().sum();
    let mut edge = 0.0;
    weights
        .iter()
        .map(|w| {
            edge += w / total * f64::from(TEXT_WIDTH);
            edge.round() as u32
        })
        .collect()
}

/// Escapes text for RTF: `\ { }` get a backslash, line breaks become `\line`,
/// tabs `\tab`, other control characters are dropped and every non-ASCII
/// character is written as `\uN?` (N the signed 16-bit UTF-16 unit; characters
/// outside the BMP as two surrogate units; `?` is the fallback for readers
/// without Unicode).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\n' => out.push_str("\\line "),
            '\t' => out.push_str("\\tab "),
            c if (c as u32) < 0x20 => {}
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{}?", *unit as i16);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials_and_unicode() {
        assert_eq!(escape(r"a\b{c}"), r"a\\b\{c\}");
        assert_eq!(escape("µ"), "\\u181?");
        assert_eq!(escape("≥"), "\\u8805?");
        // U+1F600 -> surrogates D83D DE00 as signed 16-bit values.
        assert_eq!(escape("\u{1F600}"), "\\u-10179?\\u-8704?");
        assert_eq!(escape("a\nb"), "a\\line b");
    }

    #[test]
    fn edges_fill_the_page() {
        let table = Table {
            columns: vec![Default::default(), Default::default(), Default::default()],
            ..Table::default()
        };
        let edges = column_edges(&table, 2);
        assert_eq!(edges.len(), 3);
        assert!(edges.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(*edges.last().unwrap_or(&0), TEXT_WIDTH);
    }
}
