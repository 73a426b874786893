//! Mid-ranks and tie bookkeeping shared by the rank tests.

/// Mid-ranks of a sample with the tie information the tests need.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranks {
    /// `ranks[i]` is the mid-rank (1-based; tied values share the mean of
    /// their positions) of `values[i]`.
    pub ranks: Vec<f64>,
    /// `sum(t^3 - t)` over the tie groups, for tie corrections.
    pub tie_term: f64,
    /// The sizes of the tie groups with more than one member.
    pub tie_sizes: Vec<usize>,
}

/// Mid-ranks of `values`. Values must be finite (callers check first); ties
/// are exact floating-point equality, as in R's `rank`.
pub fn midranks(values: &[f64]) -> Ranks {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; n];
    let mut tie_term = 0.0;
    let mut tie_sizes = Vec::new();
    let mut start = 0;
    while start < n {
        let v = values[order[start]];
        let mut end = start + 1;
        // `==` treats -0.0 and 0.0 as tied, as R does.
        while end < n && values[order[end]] == v {
            end += 1;
        }
        let t = end - start;
        // Positions start+1 ..= end share their mean rank.
        let mid = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = mid;
        }
        if t > 1 {
            let tf = t as f64;
            tie_term += tf * tf * tf - tf;
            tie_sizes.push(t);
        }
        start = end;
    }
    Ranks {
        ranks,
        tie_term,
        tie_sizes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Source: R 4.2.2 `rank(c(3, 1, 4, 1, 5))` = 3.0 1.5 4.0 1.5 5.0.
    #[test]
    fn midranks_match_r() {
        let r = midranks(&[3.0, 1.0, 4.0, 1.0, 5.0]);
        assert_eq!(r.ranks, vec![3.0, 1.5, 4.0, 1.5, 5.0]);
        assert_eq!(r.tie_term, 6.0);
        assert_eq!(r.tie_sizes, vec![2]);
    }
}
