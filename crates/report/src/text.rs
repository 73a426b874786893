//! Text helpers shared by the renderers: escaping, width estimates, wrapping
//! and number formatting.

use std::fmt::Write as _;

/// Escapes text for XML and HTML content and attribute values.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab/newline are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Approximate advance width of `text` in pixels at `size` px in a Helvetica-like
/// sans-serif face. The renderers never see the font, so layout (legend spacing,
/// box wrapping, margins) works from these per-character estimates, which err on
/// the wide side.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.28,
            ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.36,
            'm' | 'w' => 0.86,
            'M' | 'W' => 0.92,
            '0'..='9' => 0.56,
            'A'..='Z' => 0.70,
            'a'..='z' => 0.56,
            '*' | '+' | '=' | '<' | '>' | '#' | '$' | '_' => 0.6,
            '%' | '@' => 0.9,
            _ => 0.62,
        })
        .sum();
    em * size
}

/// Greedy word wrap of `text` into lines at most `width` px wide (a single word
/// wider than `width` gets a line of its own).
pub(crate) fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if line.is_empty() {
            line.push_str(word);
            continue;
        }
        let candidate = format!("{line} {word}");
        if text_width(&candidate, size) <= width {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A coordinate with at most two decimals and no trailing zeros ("12", "3.5").
pub(crate) fn num(v: f64) -> String {
    // Coordinates are computed from finite data only; a non-finite value here
    // would be a bug in the layout, and 0 keeps the document well-formed.
    let v = if v.is_finite() { v } else { 0.0 };
    let mut s = format!("{v:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// A tick label: `decimals` digits, a typographic minus, never "-0".
pub(crate) fn tick_label(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let negative_zero = s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.');
    if negative_zero {
        s[1..].to_string()
    } else if let Some(rest) = s.strip_prefix('-') {
        let mut out = String::from('\u{2212}');
        let _ = write!(out, "{rest}");
        out
    } else {
        s
    }
}

/// Decimals needed to print every value of `values` exactly (up to 6).
pub(crate) fn decimals_for(values: &[f64]) -> usize {
    (0..=6)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            values
                .iter()
                .all(|v| ((v * scale).round() - v * scale).abs() < 1e-6 * scale.max(1.0))
        })
        .unwrap_or(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            xml_escape(r#"a<b & "c">'"#),
            "a&lt;b &amp; &quot;c&quot;&gt;&#39;"
        );
        assert_eq!(xml_escape("µ ≥ 5"), "µ ≥ 5");
        assert_eq!(xml_escape("a\u{1}b"), "a b");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(3.5), "3.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(1.234567), "1.23");
        assert_eq!(tick_label(-0.0, 1), "0.0");
        assert_eq!(tick_label(-2.0, 0), "\u{2212}2");
        assert_eq!(decimals_for(&[0.0, 0.2, 0.4]), 1);
        assert_eq!(decimals_for(&[0.0, 4.0, 8.0]), 0);
        assert_eq!(decimals_for(&[0.25, 0.5]), 2);
    }

    #[test]
    fn wraps_on_words() {
        let lines = wrap("Not meeting inclusion criteria (n=26)", 100.0, 11.0);
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines.iter().all(|l| !l.is_empty()));
        assert_eq!(lines.join(" "), "Not meeting inclusion criteria (n=26)");
        assert_eq!(wrap("", 100.0, 11.0), vec![String::new()]);
        assert!(text_width("mmm", 10.0) > text_width("iii", 10.0));
    }
}
