//! Sorting floating-point data fast: an LSD radix sort on the
//! order-preserving integer image of an f64.
//!
//! Rank tests on millions of values spend nearly all their time sorting; a
//! radix sort does it in a fixed number of linear passes (skipping digits
//! that every key shares), several times faster than a comparison sort.

/// Maps a finite f64 to a u64 with the same order (`-0.0` and `0.0` map
/// to the same key, so they tie as they do in R).
#[inline]
pub(crate) fn key(v: f64) -> u64 {
    let v = if v == 0.0 { 0.0 } else { v };
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The f64 of a key made by [`key`].
#[inline]
pub(crate) fn value(k: u64) -> f64 {
    let bits = if k >> 63 == 1 { k & !(1 << 63) } else { !k };
    f64::from_bits(bits)
}

const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;
const PASSES: u32 = 64_u32.div_ceil(BITS);

/// Sorts `keys` ascending with an LSD radix sort (stable, 6 passes of 11
/// bits at most; a pass is skipped when every key has the same digit).
pub(crate) fn radix_sort_u64(keys: &mut Vec<u64>) {
    let n = keys.len();
    if n < 256 {
        keys.sort_unstable();
        return;
    }
    // One pass over the data counts every digit of every pass.
    let mut counts = vec![[0usize; BUCKETS]; PASSES as usize];
    for &k in keys.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[((k >> (p as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    let mut buf = vec![0u64; n];
    for (p, c) in counts.iter_mut().enumerate() {
        if c.contains(&n) {
            continue; // every key shares this digit
        }
        let mut sum = 0;
        for x in c.iter_mut() {
            let t = *x;
            *x = sum;
            sum += t;
        }
        let shift = p as u32 * BITS;
        for &k in keys.iter() {
            let d = ((k >> shift) as usize) & (BUCKETS - 1);
            buf[c[d]] = k;
            c[d] += 1;
        }
        std::mem::swap(keys, &mut buf);
    }
}

/// The stable ascending order of finite `values` (indices as u32), by an
/// LSD radix sort of (key, index) pairs.
///
/// # Panics
/// If there are more than `u32::MAX` values (an invariant the callers keep).
#[cfg(test)]
pub(crate) fn radix_argsort(values: &[f64]) -> Vec<u32> {
    assert!(
        u32::try_from(values.len()).is_ok(),
        "invariant: fewer than 2^32 values"
    );
    let mut pairs: Vec<(u64, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (key(v), i as u32))
        .collect();
    radix_sort_pairs(&mut pairs);
    pairs.into_iter().map(|(_, i)| i).collect()
}

/// Sorts (key, payload) pairs by key, stably, with an LSD radix sort.
pub(crate) fn radix_sort_pairs<P: Copy + Default>(pairs: &mut Vec<(u64, P)>) {
    let n = pairs.len();
    if n < 256 {
        pairs.sort_by_key(|p| p.0);
        return;
    }
    let mut counts = vec![[0usize; BUCKETS]; PASSES as usize];
    for &(k, _) in pairs.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[((k >> (p as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    let mut buf = vec![(0u64, P::default()); n];
    for (p, c) in counts.iter_mut().enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for x in c.iter_mut() {
            let t = *x;
            *x = sum;
            sum += t;
        }
        let shift = p as u32 * BITS;
        for &pair in pairs.iter() {
            let d = ((pair.0 >> shift) as usize) & (BUCKETS - 1);
            buf[c[d]] = pair;
            c[d] += 1;
        }
        std::mem::swap(pairs, &mut buf);
    }
}

/// `values` sorted ascending by the LSD radix sort the survival and rank
/// methods use (-0.0 as 0.0). Exposed as the floor the survival
/// benchmarks compare against: the time it takes just to sort a time column.
pub fn sort_times(values: &[f64]) -> Vec<f64> {
    // Collecting u64 into f64 reuses the buffer (same size and alignment).
    sorted_keys(values).into_iter().map(value).collect()
}

/// Sorted order-preserving keys of finite values.
pub(crate) fn sorted_keys(values: &[f64]) -> Vec<u64> {
    let mut keys: Vec<u64> = values.iter().map(|&v| key(v)).collect();
    radix_sort_u64(&mut keys);
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn radix_matches_comparison_sort(v in prop::collection::vec(-1e300f64..1e300, 0..2000)) {
            let got: Vec<f64> = sorted_keys(&v).into_iter().map(value).collect();
            let mut want = v.clone();
            want.sort_by(f64::total_cmp);
            prop_assert_eq!(got, want);
        }
    }

    proptest! {
        #[test]
        fn argsort_is_stable_and_sorted(v in prop::collection::vec(-5i32..5, 0..1000)) {
            let v: Vec<f64> = v.into_iter().map(f64::from).collect();
            let got = radix_argsort(&v);
            let mut want: Vec<u32> = (0..v.len() as u32).collect();
            want.sort_by(|&a, &b| v[a as usize].total_cmp(&v[b as usize]));
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn zeros_tie() {
        assert_eq!(key(-0.0), key(0.0));
        assert!(key(-1.0) < key(-0.5) && key(-0.5) < key(0.0) && key(0.0) < key(1e-300));
    }
}
