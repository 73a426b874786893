//! Missing data: last observation carried forward (LOCF).

use crate::StatsError;

/// Last observation carried forward within each subject.
///
/// Rows are put in (id, time) order (stably, so rows with equal keys keep
/// their input order); within an id, a missing `y` takes the last observed
/// value before it; leading missing values stay missing. The result is in
/// the input row order, so it lines up with the caller's data.
///
/// LOCF is what the seed trial's analysis used; it is kept for
/// reproducing such analyses, with MMRM as the modern sensitivity analysis.
///
/// # Errors
/// [`StatsError::LengthMismatch`] when `id`, `time` and `y` differ in
/// length; [`StatsError::NonFinite`] for a missing or infinite time (the
/// order would be undefined) or an infinite `y`.
///
/// # References
/// Agrees with R 4.2.2 tidyr 1.3.0 `fill(y, .direction = "down")` within
/// id after sorting by (id, time), and pandas `groupby().ffill()`.
///
/// # Example
/// ```
/// use rct_stats::missing::locf;
/// let y = locf(&[1, 1, 1, 2, 2], &[0.0, 4.0, 12.0, 0.0, 4.0],
///              &[Some(200.0), None, Some(250.0), None, Some(80.0)])?;
/// assert_eq!(y, vec![Some(200.0), Some(200.0), Some(250.0), None, Some(80.0)]);
/// # Ok::<(), rct_stats::StatsError>(())
/// ```
pub fn locf<K: Ord>(
    id: &[K],
    time: &[f64],
    y: &[Option<f64>],
) -> Result<Vec<Option<f64>>, StatsError> {
    let n = y.len();
    for (name, len) in [("id", id.len()), ("time", time.len())] {
        crate::common::check_same_len(name, len, "y", n)?;
    }
    crate::common::check_finite("time", time)?;
    if let Some(index) = y.iter().position(|v| v.is_some_and(|v| !v.is_finite())) {
        return Err(StatsError::NonFinite {
            argument: "y".into(),
            index,
        });
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| id[a].cmp(&id[b]).then(time[a].total_cmp(&time[b])));
    let mut out = vec![None; n];
    let mut last: Option<f64> = None;
    for (pos, &row) in order.iter().enumerate() {
        if pos > 0 && id[order[pos - 1]] != id[row] {
            last = None;
        }
        if let Some(v) = y[row] {
            last = Some(v);
        }
        out[row] = last;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked: the value does not cross from subject 1 to subject 2.
    #[test]
    fn does_not_carry_across_subjects() {
        let y = locf(
            &[2, 1, 1, 2],
            &[1.0, 1.0, 2.0, 2.0],
            &[None, Some(5.0), None, None],
        )
        .unwrap();
        assert_eq!(y, vec![None, Some(5.0), Some(5.0), None]);
    }

    #[test]
    fn missing_time_is_an_error() {
        assert!(matches!(
            locf(&[1, 1], &[1.0, f64::NAN], &[Some(1.0), None]),
            Err(StatsError::NonFinite { .. })
        ));
    }
}
