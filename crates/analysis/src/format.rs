//! Number formatting as journals and clinical study reports print them.

/// A p-value: "< 0.001" below 0.001, otherwise three decimals
/// ("0.038", "1.000"); "NA" when there is none.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_finite() => {
            if p < 0.001 {
                "< 0.001".to_string()
            } else {
                format!("{:.3}", p.min(1.0))
            }
        }
        _ => "NA".to_string(),
    }
}

/// A number with fixed decimals, with the minus sign of a negative zero dropped.
pub fn fixed(x: f64, decimals: u8) -> String {
    let s = format!("{:.*}", usize::from(decimals), x);
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// "median (Q1, Q3)".
pub fn median_iqr(median: f64, q1: f64, q3: f64, decimals: u8) -> String {
    format!(
        "{} ({}, {})",
        fixed(median, decimals),
        fixed(q1, decimals),
        fixed(q3, decimals)
    )
}

/// "n (pct%)" with one decimal, "0" for zero counts.
pub fn n_pct(n: usize, of: usize) -> String {
    if n == 0 || of == 0 {
        return "0".to_string();
    }
    format!("{n} ({:.1}%)", 100.0 * n as f64 / of as f64)
}

/// Significance stars: "**" below 0.01, "*" below 0.05.
pub fn stars(p: Option<f64>) -> Option<String> {
    match p {
        Some(p) if p < 0.01 => Some("**".into()),
        Some(p) if p < 0.05 => Some("*".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_print_as_journals_do() {
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(p_value(Some(0.001)), "0.001");
        assert_eq!(p_value(Some(0.0384)), "0.038");
        assert_eq!(p_value(Some(0.99996)), "1.000");
        assert_eq!(p_value(None), "NA");
        assert_eq!(p_value(Some(f64::NAN)), "NA");
    }

    #[test]
    fn fixed_drops_negative_zero() {
        assert_eq!(fixed(-0.0004, 2), "0.00");
        assert_eq!(fixed(-0.004, 2), "-0.00".trim_start_matches('-'));
        assert_eq!(fixed(-1.25, 1), "-1.2");
        assert_eq!(median_iqr(179.0, 144.0, 224.5, 0), "179 (144, 224)");
        assert_eq!(n_pct(12, 24), "12 (50.0%)");
        assert_eq!(n_pct(0, 24), "0");
    }
}
