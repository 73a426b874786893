//! RFC 4180 CSV for one table.

use crate::model::{Cell, RowKind, Table};

/// Renders a table as RFC 4180 CSV (CRLF line ends, fields quoted when they hold
/// a comma, quote, CR or LF, or begin or end with a space).
///
/// Layout, chosen so the file reads as the table in a spreadsheet and filters
/// cleanly in R:
/// - the first column, `group`, holds the labels of the heading rows that
///   enclose the row (joined with " / "; empty at the top level) -- it replaces
///   the indentation, so "Mean (SD)" under "Age (years)" stays identifiable;
/// - then the row label and one column per data column, headed by the column
///   label and its sublabel ("High dose (N = 24)");
/// - heading rows are kept (with empty cells where they have none);
/// - a cell's mark follows its text after a space ("0.012 a").
///
/// Title and footnotes are not part of the CSV (they would break the
/// rectangle); they are in the HTML and RTF versions.
///
/// # Example
/// ```
/// use rct_report::{table_csv, Cell, ColumnHeader, Row, Table};
/// let table = Table {
///     id: "t1".into(),
///     columns: vec![
///         ColumnHeader { label: "Characteristic".into(), sublabel: None },
///         ColumnHeader { label: "Placebo".into(), sublabel: Some("(N = 20)".into()) },
///     ],
///     rows: vec![Row { label: "Age, mean".into(), cells: vec![Cell::new("41.2")], ..Row::default() }],
///     ..Table::default()
/// };
/// assert_eq!(
///     table_csv(&table),
///     "group,Characteristic,Placebo (N = 20)\r\n,\"Age, mean\",41.2\r\n"
/// );
/// ```
pub fn table_csv(table: &Table) -> String {
    let data_columns = table
        .rows
        .iter()
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
        .max(table.columns.len().saturating_sub(1));
    let mut out = String::new();

    let mut header = vec!["group".to_string()];
    let label_header = table.columns.first().map(header_text).unwrap_or_default();
    header.push(label_header);
    for i in 0..data_columns {
        header.push(
            table
                .columns
                .get(i + 1)
                .map(header_text)
                .unwrap_or_default(),
        );
    }
    push_record(&mut out, &header);

    // Enclosing headings: (indent, label), innermost last.
    let mut headings: Vec<(u8, &str)> = Vec::new();
    for row in &table.rows {
        while headings
            .last()
            .is_some_and(|(indent, _)| *indent >= row.indent)
        {
            headings.pop();
        }
        let group = headings
            .iter()
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join(" / ");
        let mut record = vec![group, row.label.clone()];
        for i in 0..data_columns {
            record.push(row.cells.get(i).map(cell_text).unwrap_or_default());
        }
        push_record(&mut out, &record);
        if row.kind == RowKind::Heading {
            headings.push((row.indent, row.label.as_str()));
        }
    }
    out
}

fn header_text(column: &crate::model::ColumnHeader) -> String {
    match column.sublabel.as_deref() {
        Some(sub) if !sub.is_empty() => format!("{} {}", column.label, sub),
        _ => column.label.clone(),
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell.mark.as_deref() {
        Some(mark) if !mark.is_empty() && !cell.text.is_empty() => {
            format!("{} {}", cell.text, mark)
        }
        Some(mark) if !mark.is_empty() => mark.to_string(),
        _ => cell.text.clone(),
    }
}

fn push_record(out: &mut String, fields: &[String]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let needs_quotes = field.contains([',', '"', '\r', '\n'])
            || field.starts_with(' ')
            || field.ends_with(' ');
        if needs_quotes {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ColumnHeader, Row};

    fn row(label: &str, indent: u8, kind: RowKind, cells: &[&str]) -> Row {
        Row {
            label: label.into(),
            indent,
            kind,
            cells: cells.iter().map(|c| Cell::new(*c)).collect(),
        }
    }

    #[test]
    fn groups_follow_headings() {
        let table = Table {
            columns: vec![
                ColumnHeader {
                    label: "".into(),
                    sublabel: None,
                },
                ColumnHeader {
                    label: "A".into(),
                    sublabel: Some("(N = 3)".into()),
                },
            ],
            rows: vec![
                row("Age", 0, RowKind::Heading, &[]),
                row("Mean", 1, RowKind::Data, &["4"]),
                row("Sex", 0, RowKind::Heading, &[]),
                row("Female", 1, RowKind::Heading, &[]),
                row("n (%)", 2, RowKind::Data, &["1 (33%)"]),
                row("Total", 0, RowKind::Data, &["3"]),
            ],
            ..Table::default()
        };
        let csv = table_csv(&table);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "group,,A (N = 3)");
        assert_eq!(lines[1], ",Age,");
        assert_eq!(lines[2], "Age,Mean,4");
        assert_eq!(lines[4], "Sex,Female,");
        assert_eq!(lines[5], "Sex / Female,n (%),1 (33%)");
        assert_eq!(lines[6], ",Total,3");
        assert_eq!(lines[7], "");
    }

    #[test]
    fn quotes_when_needed() {
        let mut out = String::new();
        push_record(
            &mut out,
            &["a\"b".into(), "x,y".into(), " pad".into(), "ok".into()],
        );
        assert_eq!(out, "\"a\"\"b\",\"x,y\",\" pad\",ok\r\n");
    }
}
