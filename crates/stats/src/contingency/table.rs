use crate::StatsError;

/// A validated r x c table of counts (rows of equal length, finite,
/// non-negative, no zero row or column margin).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    rows: usize,
    cols: usize,
    cells: Vec<f64>,
    row_sums: Vec<f64>,
    col_sums: Vec<f64>,
    total: f64,
}

impl Table {
    /// Validates `rows` (one slice per table row).
    ///
    /// # Errors
    /// [`StatsError::TooFew`] for fewer than 2 rows or columns,
    /// [`StatsError::LengthMismatch`] for ragged rows,
    /// [`StatsError::NonFinite`] for missing counts, [`StatsError::OutOfRange`]
    /// for negative counts, [`StatsError::Degenerate`] for a zero margin.
    pub fn new(rows: &[Vec<f64>]) -> Result<Self, StatsError> {
        let r = rows.len();
        if r < 2 {
            return Err(StatsError::TooFew {
                argument: "table rows".into(),
                needed: 2,
                found: r,
            });
        }
        let c = rows[0].len();
        if c < 2 {
            return Err(StatsError::TooFew {
                argument: "table columns".into(),
                needed: 2,
                found: c,
            });
        }
        let mut cells = Vec::with_capacity(r * c);
        for (i, row) in rows.iter().enumerate() {
            crate::common::check_same_len(format!("table[{i}]"), row.len(), "table[0]", c)?;
            for (j, &v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(StatsError::NonFinite {
                        argument: format!("table[{i}]"),
                        index: j,
                    });
                }
                if v < 0.0 {
                    return Err(StatsError::out_of_range(
                        format!("table[{i}][{j}]"),
                        v,
                        "counts must be non-negative",
                    ));
                }
                cells.push(v);
            }
        }
        let row_sums: Vec<f64> = (0..r)
            .map(|i| cells[i * c..(i + 1) * c].iter().sum())
            .collect();
        let col_sums: Vec<f64> = (0..c)
            .map(|j| (0..r).map(|i| cells[i * c + j]).sum())
            .collect();
        if let Some(i) = row_sums.iter().position(|&s| s == 0.0) {
            return Err(StatsError::degenerate(format!(
                "row {i} of the table is all zero (a zero margin)"
            )));
        }
        if let Some(j) = col_sums.iter().position(|&s| s == 0.0) {
            return Err(StatsError::degenerate(format!(
                "column {j} of the table is all zero (a zero margin)"
            )));
        }
        let total = row_sums.iter().sum();
        Ok(Table {
            rows: r,
            cols: c,
            cells,
            row_sums,
            col_sums,
            total,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Cell `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.cells[i * self.cols + j]
    }

    /// Row totals.
    pub fn row_sums(&self) -> &[f64] {
        &self.row_sums
    }

    /// Column totals.
    pub fn col_sums(&self) -> &[f64] {
        &self.col_sums
    }

    /// Grand total.
    pub fn total(&self) -> f64 {
        self.total
    }

    /// The counts as integers.
    ///
    /// # Errors
    /// [`StatsError::OutOfRange`] for a count that is not a whole number.
    pub(crate) fn integer_cells(&self) -> Result<Vec<u64>, StatsError> {
        self.cells
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                if v.fract() == 0.0 && v < 1e15 {
                    Ok(v as u64)
                } else {
                    Err(StatsError::out_of_range(
                        format!("table[{}][{}]", k / self.cols, k % self.cols),
                        v,
                        "an exact test needs whole-number counts",
                    ))
                }
            })
            .collect()
    }
}
