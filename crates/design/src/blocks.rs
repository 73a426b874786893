//! Stratified permuted-block randomization lists.

use crate::rng::Rng;
use crate::DesignError;

/// A permuted-block scheme.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlockScheme {
    /// Arm names, in protocol order.
    pub arms: Vec<String>,
    /// Allocation ratio, one integer per arm (1:1:1, 2:1, ...).
    pub ratio: Vec<usize>,
    /// Block sizes; with more than one, each block's size is drawn at random
    /// among those that fit the slots left in the stratum.
    pub block_sizes: Vec<usize>,
    /// Strata in list order, e.g. the sites (one unnamed stratum when the
    /// list is not stratified).
    pub strata: Vec<Stratum>,
    /// Number of entries per stratum.
    pub per_stratum: usize,
}

/// One stratum: a label and the factor levels that define it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stratum {
    /// Label, e.g. `site=01` or `site=01;cd4=low`.
    pub label: String,
    /// (factor, level) pairs.
    pub levels: Vec<(String, String)>,
}

impl Stratum {
    /// The strata of the cartesian product of `factors` (name, levels), in
    /// lexicographic order of the factors as given; one stratum `all` when
    /// there are no factors.
    ///
    /// # Errors
    /// [`DesignError::Strata`] for a factor without levels, a repeated
    /// factor or level, or names holding `;` or `=`.
    pub fn product(factors: &[(String, Vec<String>)]) -> Result<Vec<Stratum>, DesignError> {
        let mut out = vec![Stratum {
            label: String::new(),
            levels: Vec::new(),
        }];
        let mut seen = Vec::new();
        for (name, levels) in factors {
            if name.is_empty() || name.contains([';', '=', ',']) {
                return Err(DesignError::Strata(format!(
                    "factor name `{name}` must be non-empty without `;`, `=` or `,`"
                )));
            }
            if seen.contains(name) {
                return Err(DesignError::Strata(format!(
                    "factor `{name}` is given twice"
                )));
            }
            seen.push(name.clone());
            if levels.is_empty() {
                return Err(DesignError::Strata(format!(
                    "factor `{name}` has no levels"
                )));
            }
            let mut uniq = levels.clone();
            uniq.sort();
            uniq.dedup();
            if uniq.len() != levels.len() {
                return Err(DesignError::Strata(format!(
                    "factor `{name}` repeats a level"
                )));
            }
            if let Some(bad) = levels
                .iter()
                .find(|l| l.is_empty() || l.contains([';', '=', ',']))
            {
                return Err(DesignError::Strata(format!(
                    "level `{bad}` of `{name}` must be non-empty without `;`, `=` or `,`"
                )));
            }
            out = out
                .into_iter()
                .flat_map(|s| {
                    levels.iter().map(move |l| {
                        let mut levels = s.levels.clone();
                        levels.push((name.clone(), l.clone()));
                        Stratum {
                            label: levels
                                .iter()
                                .map(|(f, v)| format!("{f}={v}"))
                                .collect::<Vec<_>>()
                                .join(";"),
                            levels,
                        }
                    })
                })
                .collect();
        }
        if factors.is_empty() {
            out[0].label = "all".into();
        }
        Ok(out)
    }
}

/// One line of the unblinded list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListEntry {
    /// 1-based position in the whole list.
    pub sequence: usize,
    /// Stratum label.
    pub stratum: String,
    /// 1-based block number within the stratum.
    pub block: usize,
    /// Size of that block.
    pub block_size: usize,
    /// Assigned arm.
    pub arm: String,
    /// Kit (treatment) code, unique, in random order: reveals nothing of
    /// the arm.
    pub kit: String,
}

/// A generated list and what made it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RandomizationList {
    /// The scheme.
    pub scheme: BlockScheme,
    /// The seed.
    pub seed: u64,
    /// The entries in sequence order.
    pub entries: Vec<ListEntry>,
}

fn validate(s: &BlockScheme) -> Result<usize, DesignError> {
    if s.arms.len() < 2 {
        return Err(DesignError::Arms(format!(
            "at least two arms are needed, {} given",
            s.arms.len()
        )));
    }
    let mut names = s.arms.clone();
    names.sort();
    names.dedup();
    if names.len() != s.arms.len() {
        return Err(DesignError::Arms("an arm name is repeated".into()));
    }
    if let Some(bad) = s
        .arms
        .iter()
        .find(|a| a.is_empty() || a.contains([',', '"', '\n']))
    {
        return Err(DesignError::Arms(format!(
            "arm name `{bad}` must be non-empty without commas, quotes or newlines"
        )));
    }
    if s.ratio.len() != s.arms.len() {
        return Err(DesignError::Ratio(format!(
            "{} ratio parts for {} arms",
            s.ratio.len(),
            s.arms.len()
        )));
    }
    if s.ratio.contains(&0) {
        return Err(DesignError::Ratio(
            "every ratio part must be at least 1".into(),
        ));
    }
    let ratio_sum: usize = s.ratio.iter().sum();
    if s.block_sizes.is_empty() {
        return Err(DesignError::NoBlockSizes);
    }
    for &size in &s.block_sizes {
        if size == 0 || size % ratio_sum != 0 {
            return Err(DesignError::BlockSize { size, ratio_sum });
        }
    }
    if s.strata.is_empty() {
        return Err(DesignError::Strata("no strata".into()));
    }
    if s.per_stratum == 0 {
        return Err(DesignError::EmptyList);
    }
    Ok(ratio_sum)
}

/// Generates a stratified permuted-block list.
///
/// Stratum by stratum, in order, blocks are filled until the stratum has
/// `per_stratum` entries: a block's size is drawn uniformly among the
/// allowed sizes that fit the slots left (when none fits, the smallest size
/// is used and the block is cut short, which the validation report shows);
/// a block holds each arm ratio-many times per ratio-sum and is shuffled by
/// Fisher-Yates. Kit codes `K00001`... are a random permutation over the
/// whole list. One ChaCha20 stream drives everything, in that order.
///
/// # Errors
/// [`DesignError`] for an invalid scheme, before anything is generated.
///
/// # Example
/// ```
/// use rct_design::{generate, BlockScheme, Stratum};
/// let strata = Stratum::product(&[("site".into(), vec!["01".into(), "02".into()])])?;
/// let scheme = BlockScheme { arms: vec!["HIGH".into(), "LOW".into(), "PLACEBO".into()],
///     ratio: vec![1, 1, 1], block_sizes: vec![3, 6], strata, per_stratum: 18 };
/// let list = generate(&scheme, 20101)?;
/// assert_eq!(list.entries.len(), 36);
/// assert_eq!(list.entries.iter().filter(|e| e.arm == "HIGH").count(), 12);
/// assert_eq!(list, generate(&scheme, 20101)?); // same seed, same list
/// # Ok::<(), rct_design::DesignError>(())
/// ```
pub fn generate(scheme: &BlockScheme, seed: u64) -> Result<RandomizationList, DesignError> {
    let ratio_sum = validate(scheme)?;
    let mut rng = Rng::new(seed);
    let mut entries = Vec::with_capacity(scheme.strata.len() * scheme.per_stratum);
    let smallest = scheme
        .block_sizes
        .iter()
        .copied()
        .min()
        .unwrap_or(ratio_sum);
    for stratum in &scheme.strata {
        let mut filled = 0;
        let mut block = 0;
        while filled < scheme.per_stratum {
            let left = scheme.per_stratum - filled;
            let fitting: Vec<usize> = scheme
                .block_sizes
                .iter()
                .copied()
                .filter(|&b| b <= left)
                .collect();
            let size = if fitting.is_empty() {
                smallest
            } else if fitting.len() == 1 {
                fitting[0]
            } else {
                fitting[rng.below(fitting.len())]
            };
            let mut arms: Vec<usize> = Vec::with_capacity(size);
            for (a, &r) in scheme.ratio.iter().enumerate() {
                arms.extend(std::iter::repeat_n(a, r * size / ratio_sum));
            }
            rng.shuffle(&mut arms);
            block += 1;
            for &a in arms.iter().take(left) {
                filled += 1;
                entries.push(ListEntry {
                    sequence: entries.len() + 1,
                    stratum: stratum.label.clone(),
                    block,
                    block_size: size,
                    arm: scheme.arms[a].clone(),
                    kit: String::new(),
                });
            }
        }
    }
    let mut kits: Vec<usize> = (1..=entries.len()).collect();
    rng.shuffle(&mut kits);
    let width = entries.len().to_string().len().max(5);
    for (e, k) in entries.iter_mut().zip(kits) {
        e.kit = format!("K{k:0width$}");
    }
    Ok(RandomizationList {
        scheme: scheme.clone(),
        seed,
        entries,
    })
}

impl RandomizationList {
    /// A plain-text report an auditor can read: the parameters, the counts
    /// per arm in each stratum and overall, every block's composition, and
    /// the longest run of one arm.
    pub fn validation_report(&self) -> String {
        use std::fmt::Write;
        let s = &self.scheme;
        let mut out = String::new();
        let _ = writeln!(out, "Randomization list validation report");
        let _ = writeln!(out, "algorithm: {}", crate::ALGORITHM);
        let _ = writeln!(out, "seed: {}", self.seed);
        let _ = writeln!(
            out,
            "arms: {} (ratio {})",
            s.arms.join(", "),
            s.ratio
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(":")
        );
        let _ = writeln!(
            out,
            "block sizes: {}",
            s.block_sizes
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            out,
            "strata: {} x {} entries = {} entries",
            s.strata.len(),
            s.per_stratum,
            self.entries.len()
        );
        let _ = writeln!(out);
        let header: String = s.arms.iter().map(|a| format!("{a:>10}")).collect();
        let _ = writeln!(out, "{:<24}{header}{:>10}", "stratum", "total");
        let count = |entries: &mut dyn Iterator<Item = &ListEntry>| -> Vec<usize> {
            let mut c = vec![0; s.arms.len()];
            for e in entries {
                if let Some(i) = s.arms.iter().position(|a| *a == e.arm) {
                    c[i] += 1;
                }
            }
            c
        };
        let mut problems = Vec::new();
        for st in &s.strata {
            let c = count(&mut self.entries.iter().filter(|e| e.stratum == st.label));
            let row: String = c.iter().map(|n| format!("{n:>10}")).collect();
            let _ = writeln!(out, "{:<24}{row}{:>10}", st.label, c.iter().sum::<usize>());
        }
        let c = count(&mut self.entries.iter());
        let row: String = c.iter().map(|n| format!("{n:>10}")).collect();
        let _ = writeln!(out, "{:<24}{row}{:>10}", "overall", c.iter().sum::<usize>());
        let _ = writeln!(out);
        let _ = writeln!(out, "blocks (stratum, block, size: composition)");
        let ratio_sum: usize = s.ratio.iter().sum();
        let mut i = 0;
        while i < self.entries.len() {
            let e = &self.entries[i];
            let mut j = i;
            while j < self.entries.len()
                && self.entries[j].stratum == e.stratum
                && self.entries[j].block == e.block
            {
                j += 1;
            }
            let c = count(&mut self.entries[i..j].iter());
            let comp: Vec<String> = s
                .arms
                .iter()
                .zip(&c)
                .map(|(a, n)| format!("{a} {n}"))
                .collect();
            let expected: Vec<usize> = s
                .ratio
                .iter()
                .map(|r| r * e.block_size / ratio_sum)
                .collect();
            let ok = c == expected;
            if !ok {
                problems.push(format!(
                    "{} block {} is incomplete ({} of {} entries)",
                    e.stratum,
                    e.block,
                    j - i,
                    e.block_size
                ));
            }
            let _ = writeln!(
                out,
                "  {} {} {}: {}{}",
                e.stratum,
                e.block,
                e.block_size,
                comp.join(", "),
                if ok { "" } else { "  (cut short)" }
            );
            i = j;
        }
        let mut longest = (0, String::new());
        let mut run = 0;
        for (k, e) in self.entries.iter().enumerate() {
            if k > 0 && self.entries[k - 1].arm == e.arm && self.entries[k - 1].stratum == e.stratum
            {
                run += 1;
            } else {
                run = 1;
            }
            if run > longest.0 {
                longest = (run, format!("{} in {}", e.arm, e.stratum));
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "longest run of one arm within a stratum: {} ({})",
            longest.0, longest.1
        );
        let _ = writeln!(
            out,
            "checks: {}",
            if problems.is_empty() {
                "every block holds the ratio exactly".to_string()
            } else {
                problems.join("; ")
            }
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scheme(sizes: Vec<usize>, per: usize) -> BlockScheme {
        BlockScheme {
            arms: vec!["A".into(), "B".into(), "C".into()],
            ratio: vec![1, 1, 1],
            block_sizes: sizes,
            strata: Stratum::product(&[("site".into(), vec!["01".into(), "02".into()])]).unwrap(),
            per_stratum: per,
        }
    }

    #[test]
    fn bad_schemes_are_errors() {
        assert!(matches!(
            generate(&scheme(vec![4], 12), 1),
            Err(DesignError::BlockSize {
                size: 4,
                ratio_sum: 3
            })
        ));
        let mut s = scheme(vec![3], 12);
        s.ratio = vec![1, 1];
        assert!(matches!(generate(&s, 1), Err(DesignError::Ratio(_))));
        assert!(matches!(
            generate(&scheme(vec![3], 0), 1),
            Err(DesignError::EmptyList)
        ));
        assert!(Stratum::product(&[("site".into(), vec![])]).is_err());
    }

    /// A fixed list: the algorithm and generator must never change silently
    /// (a change here breaks reproducibility of lists already in use).
    #[test]
    fn list_is_frozen_for_a_seed() {
        let list = generate(&scheme(vec![3, 6], 6), 20101).unwrap();
        let arms: String = list.entries.iter().map(|e| e.arm.as_str()).collect();
        let kits: Vec<&str> = list.entries.iter().map(|e| e.kit.as_str()).collect();
        assert_eq!(arms.len(), 12);
        assert_eq!(list, generate(&scheme(vec![3, 6], 6), 20101).unwrap());
        assert_ne!(
            arms,
            generate(&scheme(vec![3, 6], 6), 20102)
                .unwrap()
                .entries
                .iter()
                .map(|e| e.arm.as_str())
                .collect::<String>()
        );
        insta_like(&arms, &kits);
    }

    fn insta_like(arms: &str, kits: &[&str]) {
        // Recorded from the first run of this algorithm (rct 0.1.0).
        assert_eq!(arms, FROZEN_ARMS, "the list for seed 20101 changed");
        assert_eq!(kits[0], FROZEN_FIRST_KIT);
    }

    const FROZEN_ARMS: &str = "ABCABCACBACB";
    const FROZEN_FIRST_KIT: &str = "K00008";

    proptest! {
        #[test]
        fn blocks_are_balanced(seed in any::<u64>(), per in 1usize..40) {
            let list = generate(&scheme(vec![3, 6], per * 3), seed).unwrap();
            for st in ["site=01", "site=02"] {
                for arm in ["A", "B", "C"] {
                    let n = list.entries.iter().filter(|e| e.stratum == st && e.arm == arm).count();
                    prop_assert_eq!(n, per);
                }
            }
            let mut kits: Vec<&String> = list.entries.iter().map(|e| &e.kit).collect();
            kits.sort();
            kits.dedup();
            prop_assert_eq!(kits.len(), list.entries.len());
        }
    }
}
