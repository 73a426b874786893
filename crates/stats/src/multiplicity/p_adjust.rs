use std::str::FromStr;

use crate::StatsError;

/// A p-value adjustment for multiple comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AdjustMethod {
    /// No adjustment.
    None,
    /// Bonferroni: `min(1, m p)`; controls the family-wise error rate.
    Bonferroni,
    /// Holm (1979) step-down; FWER, uniformly more powerful than Bonferroni.
    Holm,
    /// Hochberg (1988) step-up; FWER under independence or positive dependence.
    Hochberg,
    /// Hommel (1988) closed Simes procedure; FWER, more powerful than Hochberg.
    Hommel,
    /// Benjamini & Hochberg (1995); false discovery rate.
    #[serde(rename = "BH")]
    BenjaminiHochberg,
    /// Benjamini & Yekutieli (2001); FDR under any dependence.
    #[serde(rename = "BY")]
    BenjaminiYekutieli,
}

impl AdjustMethod {
    /// R's name of the method (`p.adjust(method = ...)`).
    pub fn r_name(self) -> &'static str {
        match self {
            AdjustMethod::None => "none",
            AdjustMethod::Bonferroni => "bonferroni",
            AdjustMethod::Holm => "holm",
            AdjustMethod::Hochberg => "hochberg",
            AdjustMethod::Hommel => "hommel",
            AdjustMethod::BenjaminiHochberg => "BH",
            AdjustMethod::BenjaminiYekutieli => "BY",
        }
    }
}

impl std::fmt::Display for AdjustMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.r_name())
    }
}

impl FromStr for AdjustMethod {
    type Err = StatsError;

    /// R's names (`bonferroni`, `holm`, `hochberg`, `hommel`, `BH` or `fdr`,
    /// `BY`, `none`), case-insensitive.
    fn from_str(s: &str) -> Result<Self, StatsError> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "none" => AdjustMethod::None,
            "bonferroni" => AdjustMethod::Bonferroni,
            "holm" => AdjustMethod::Holm,
            "hochberg" => AdjustMethod::Hochberg,
            "hommel" => AdjustMethod::Hommel,
            "bh" | "fdr" => AdjustMethod::BenjaminiHochberg,
            "by" => AdjustMethod::BenjaminiYekutieli,
            _ => {
                return Err(StatsError::UnknownOption {
                    what: "p-value adjustment method".into(),
                    name: s.to_string(),
                    expected: "bonferroni, holm, hochberg, hommel, BH, BY, none".into(),
                })
            }
        })
    }
}

/// Adjusts p-values for multiple comparisons, as R's `p.adjust`.
///
/// The result is in the input order.
///
/// # Errors
/// [`StatsError::NonFinite`] for a missing value, [`StatsError::OutOfRange`]
/// for a p-value outside [0, 1].
///
/// # References
/// Holm (1979); Hochberg (1988); Hommel (1988); Benjamini & Hochberg (1995);
/// Benjamini & Yekutieli (2001). Agrees with R 4.2.2 `stats::p.adjust`.
///
/// # Example
/// ```
/// use rct_stats::multiplicity::{p_adjust, AdjustMethod};
/// let adj = p_adjust(&[0.01, 0.04, 0.03], AdjustMethod::Holm)?;
/// assert!((adj[0] - 0.03).abs() < 1e-15 && (adj[1] - 0.06).abs() < 1e-15);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn p_adjust(p: &[f64], method: AdjustMethod) -> Result<Vec<f64>, StatsError> {
    for (i, &v) in p.iter().enumerate() {
        if v.is_nan() {
            return Err(StatsError::NonFinite {
                argument: "p".into(),
                index: i,
            });
        }
        if !(0.0..=1.0).contains(&v) {
            return Err(StatsError::out_of_range(
                format!("p[{i}]"),
                v,
                "a p-value must be in [0, 1]",
            ));
        }
    }
    let m = p.len();
    if m <= 1 {
        return Ok(p.to_vec());
    }
    let mf = m as f64;
    let mut out = vec![0.0; m];
    // Order by increasing p (stable, so ties keep input order).
    let mut asc: Vec<usize> = (0..m).collect();
    asc.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    match method {
        AdjustMethod::None => out.copy_from_slice(p),
        AdjustMethod::Bonferroni => {
            for (o, &v) in out.iter_mut().zip(p) {
                *o = (v * mf).min(1.0);
            }
        }
        AdjustMethod::Holm => {
            // cummax over ascending p of (m - i + 1) p_(i)
            let mut run: f64 = 0.0;
            for (i, &k) in asc.iter().enumerate() {
                run = run.max((mf - i as f64) * p[k]);
                out[k] = run.min(1.0);
            }
        }
        AdjustMethod::Hochberg
        | AdjustMethod::BenjaminiHochberg
        | AdjustMethod::BenjaminiYekutieli => {
            // cummin over descending p of factor(i) p_(i), i the ascending rank.
            let q: f64 = match method {
                AdjustMethod::BenjaminiYekutieli => (1..=m).map(|i| 1.0 / i as f64).sum(),
                _ => 1.0,
            };
            let mut run = f64::INFINITY;
            for (i, &k) in asc.iter().enumerate().rev() {
                let rank = (i + 1) as f64;
                let factor = match method {
                    AdjustMethod::Hochberg => mf - rank + 1.0,
                    _ => q * mf / rank,
                };
                run = run.min(factor * p[k]);
                out[k] = run.min(1.0);
            }
        }
        AdjustMethod::Hommel => hommel(p, &asc, &mut out),
    }
    Ok(out)
}

/// Hommel's procedure as R computes it: for each subset size `j` from m - 1
/// down to 2, the Simes minimum over the largest `j` p-values bounds the
/// adjusted values. O(m^2), as in R.
fn hommel(p: &[f64], asc: &[usize], out: &mut [f64]) {
    let m = p.len();
    let mf = m as f64;
    let ps: Vec<f64> = asc.iter().map(|&k| p[k]).collect();
    // Start from the Simes value of the full set: min_i m p_(i) / i.
    let full = ps
        .iter()
        .enumerate()
        .map(|(i, &v)| mf * v / (i + 1) as f64)
        .fold(f64::INFINITY, f64::min);
    let mut q = vec![full; m];
    let mut pa = vec![full; m];
    for j in (2..m).rev() {
        let jf = j as f64;
        // i1 = the first m - j + 1 sorted p-values, i2 = the remaining j - 1.
        let n1 = m - j + 1;
        let q1 = (0..j - 1)
            .map(|k| jf * ps[n1 + k] / (k + 2) as f64)
            .fold(f64::INFINITY, f64::min);
        for (qi, &v) in q.iter_mut().zip(&ps).take(n1) {
            *qi = (jf * v).min(q1);
        }
        let last = q[n1 - 1];
        for qi in q.iter_mut().skip(n1) {
            *qi = last;
        }
        for (a, &b) in pa.iter_mut().zip(&q) {
            *a = a.max(b);
        }
    }
    for (i, &k) in asc.iter().enumerate() {
        out[k] = pa[i].max(ps[i]).min(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hand-worked with the closed Simes test: every intersection that
    /// contains H_i has Simes p-value 0.05 at most and the full set exactly
    /// min(5 x 0.01 / 1, ..., 5 x 0.05 / 5) = 0.05, so every adjusted value is 0.05.
    #[test]
    fn hommel_small() {
        let adj = p_adjust(&[0.01, 0.02, 0.03, 0.04, 0.05], AdjustMethod::Hommel).unwrap();
        let want = [0.05; 5];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
    }

    #[test]
    fn unknown_method_names_the_choices() {
        let e = "sidak".parse::<AdjustMethod>().unwrap_err();
        assert!(e.to_string().contains("bonferroni"));
    }

    proptest! {
        #[test]
        fn adjusted_are_probabilities_at_least_raw(p in prop::collection::vec(0.0f64..=1.0, 0..30)) {
            for m in [AdjustMethod::Bonferroni, AdjustMethod::Holm, AdjustMethod::Hochberg,
                      AdjustMethod::Hommel, AdjustMethod::BenjaminiHochberg, AdjustMethod::BenjaminiYekutieli] {
                let adj = p_adjust(&p, m).unwrap();
                for (a, r) in adj.iter().zip(&p) {
                    prop_assert!(*a >= *r - 1e-15 && *a <= 1.0);
                }
            }
        }
    }
}
