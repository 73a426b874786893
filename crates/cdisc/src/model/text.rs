//! [`TextColumn`]: the cells of a character column, end to end in one buffer.

use std::fmt;
use std::iter::FusedIterator;
use std::ops::Index;

/// The text of a character column: every cell stored end to end in one
/// `String`, with the byte offset where each cell ends.
///
/// A `Vec<String>` costs 24 bytes and a heap allocation per cell (50 to 60
/// bytes with the allocator's overhead for a short SDTM value such as `CD4`);
/// here a cell costs its bytes plus one offset, and a column two allocations.
///
/// The offsets are `usize`, not `u32`: 4 more bytes per cell, but no column
/// can outgrow them, so [`push`](TextColumn::push), [`FromIterator`] and
/// [`From<Vec<String>>`](TextColumn#impl-From<Vec<String>>-for-TextColumn)
/// cannot fail. With `u32`, a column of more than 4 GiB of text (a large LB
/// or a free-text column in tens of millions of rows) would need every
/// builder to return an error.
///
/// Equality is cell by cell: two columns are equal when they hold the same
/// strings in the same order.
///
/// # Example
/// ```
/// use rct_cdisc::TextColumn;
/// let mut col = TextColumn::new();
/// col.push("CD4");
/// col.push("");
/// col.push("Zürich");
/// assert_eq!(col.len(), 3);
/// assert_eq!(&col[0], "CD4");
/// assert_eq!(col.get(1), Some(""));
/// assert_eq!(col.get(3), None);
/// assert_eq!(col.max_len(), 7); // bytes, not characters
/// assert_eq!(col.iter().rev().next(), Some("Zürich"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct TextColumn {
    /// All cells, one after another.
    text: String,
    /// The end of cell `i` in `text`; cell `i` starts where cell `i - 1`
    /// ends (cell 0 at 0). Non-decreasing, each on a char boundary.
    ends: Vec<usize>,
}

impl TextColumn {
    /// An empty column.
    pub fn new() -> Self {
        TextColumn::default()
    }

    /// An empty column with room for `rows` cells holding `bytes` bytes of
    /// text in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        TextColumn {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Appends a cell.
    pub fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    /// Appends a cell made of `chars` (decoded text, say), without an
    /// allocation of its own.
    pub fn push_chars<I: IntoIterator<Item = char>>(&mut self, chars: I) {
        self.text.extend(chars);
        self.ends.push(self.text.len());
    }

    /// The cell at `row`, or `None` when `row` is out of range.
    pub fn get(&self, row: usize) -> Option<&str> {
        let end = *self.ends.get(row)?;
        self.text.get(self.start(row)..end)
    }

    /// The first cell, or `None` when the column is empty.
    pub fn first(&self) -> Option<&str> {
        self.get(0)
    }

    /// The last cell, or `None` when the column is empty.
    pub fn last(&self) -> Option<&str> {
        self.get(self.len().checked_sub(1)?)
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of text in all cells together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The length in bytes of the longest cell (0 for an empty column), as a
    /// SAS character variable's length counts it.
    pub fn max_len(&self) -> usize {
        let mut start = 0;
        let mut longest = 0;
        for &end in &self.ends {
            longest = longest.max(end - start);
            start = end;
        }
        longest
    }

    /// The cells in order, front to back (or back to front with `rev`).
    pub fn iter(&self) -> TextIter<'_> {
        TextIter {
            column: self,
            front: 0,
            back: self.ends.len(),
        }
    }

    /// The cells as owned strings (one allocation per cell; for tests and
    /// small columns).
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// Shrinks the buffers to fit the cells they hold.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// The offset where cell `row` starts (its predecessor's end).
    fn start(&self, row: usize) -> usize {
        match row.checked_sub(1) {
            Some(previous) => self.ends.get(previous).copied().unwrap_or(0),
            None => 0,
        }
    }

    /// Cell `row`, which the caller knows is in range; panics otherwise, as
    /// slice indexing does.
    fn cell(&self, row: usize) -> &str {
        &self.text[self.start(row)..self.ends[row]]
    }
}

impl Index<usize> for TextColumn {
    type Output = str;

    /// The cell at `row`.
    ///
    /// # Panics
    /// If `row` is out of range, as indexing a slice does; use
    /// [`TextColumn::get`] to get an `Option`.
    fn index(&self, row: usize) -> &str {
        self.cell(row)
    }
}

impl fmt::Debug for TextColumn {
    /// Shows the cells as a list, like `Vec<String>` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl From<Vec<String>> for TextColumn {
    fn from(values: Vec<String>) -> Self {
        TextColumn::from(values.as_slice())
    }
}

impl From<&[String]> for TextColumn {
    fn from(values: &[String]) -> Self {
        let bytes = values.iter().map(String::len).sum();
        let mut col = TextColumn::with_capacity(values.len(), bytes);
        col.extend(values.iter().map(String::as_str));
        col
    }
}

impl From<Vec<&str>> for TextColumn {
    fn from(values: Vec<&str>) -> Self {
        let bytes = values.iter().map(|s| s.len()).sum();
        let mut col = TextColumn::with_capacity(values.len(), bytes);
        col.extend(values);
        col
    }
}

impl From<TextColumn> for Vec<String> {
    fn from(col: TextColumn) -> Self {
        col.to_vec()
    }
}

impl<'s> Extend<&'s str> for TextColumn {
    fn extend<I: IntoIterator<Item = &'s str>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.ends.reserve(iter.size_hint().0);
        for s in iter {
            self.push(s);
        }
    }
}

impl<'s> Extend<&'s String> for TextColumn {
    fn extend<I: IntoIterator<Item = &'s String>>(&mut self, iter: I) {
        self.extend(iter.into_iter().map(String::as_str));
    }
}

impl Extend<String> for TextColumn {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.ends.reserve(iter.size_hint().0);
        for s in iter {
            self.push(&s);
        }
    }
}

impl<'s> FromIterator<&'s str> for TextColumn {
    fn from_iter<I: IntoIterator<Item = &'s str>>(iter: I) -> Self {
        let mut col = TextColumn::new();
        col.extend(iter);
        col
    }
}

impl<'s> FromIterator<&'s String> for TextColumn {
    fn from_iter<I: IntoIterator<Item = &'s String>>(iter: I) -> Self {
        let mut col = TextColumn::new();
        col.extend(iter);
        col
    }
}

impl FromIterator<String> for TextColumn {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        let mut col = TextColumn::new();
        col.extend(iter);
        col
    }
}

impl<'a> IntoIterator for &'a TextColumn {
    type Item = &'a str;
    type IntoIter = TextIter<'a>;

    fn into_iter(self) -> TextIter<'a> {
        self.iter()
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for TextColumn {
    /// Whether the column holds exactly these strings, in order.
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for TextColumn {
    /// Whether the column holds exactly these strings, in order.
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for TextColumn {
    /// Whether the column holds exactly these strings, in order.
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

/// The cells of a [`TextColumn`], in order; see [`TextColumn::iter`].
#[derive(Debug, Clone)]
pub struct TextIter<'a> {
    column: &'a TextColumn,
    /// The next row from the front.
    front: usize,
    /// One past the next row from the back.
    back: usize,
}

impl<'a> Iterator for TextIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.front == self.back {
            return None;
        }
        let s = self.column.cell(self.front);
        self.front += 1;
        Some(s)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<&'a str> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl DoubleEndedIterator for TextIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        Some(self.column.cell(self.back))
    }
}

impl ExactSizeIterator for TextIter<'_> {}

impl FusedIterator for TextIter<'_> {}

#[cfg(test)]
mod tests {
    use super::TextColumn;
    use proptest::prelude::*;

    fn sample() -> Vec<String> {
        [
            "CD4",
            "",
            "01-701-1015",
            "Zürich",
            "",
            "日本語テキスト",
            "x",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    }

    #[test]
    fn an_empty_column_has_no_cells() {
        let col = TextColumn::new();
        assert!(col.is_empty());
        assert_eq!(col.len(), 0);
        assert_eq!(col.get(0), None);
        assert_eq!(col.first(), None);
        assert_eq!(col.last(), None);
        assert_eq!(col.max_len(), 0);
        assert_eq!(col.iter().next(), None);
        assert_eq!(col, TextColumn::default());
        assert_eq!(format!("{col:?}"), "[]");
    }

    #[test]
    fn cells_come_back_as_pushed_including_empty_and_multibyte_ones() {
        let mut col = TextColumn::with_capacity(3, 16);
        col.push("");
        col.push("Zürich");
        col.push("");
        assert_eq!(col.len(), 3);
        assert!(!col.is_empty());
        assert_eq!(col.get(0), Some(""));
        assert_eq!(col.get(1), Some("Zürich"));
        assert_eq!(col.get(2), Some(""));
        assert_eq!(col.get(3), None);
        assert_eq!(col.first(), Some(""));
        assert_eq!(col.last(), Some(""));
        assert_eq!(col.text_len(), "Zürich".len());
        // "ü" is two bytes: the length is in bytes, as SAS counts it.
        assert_eq!(col.max_len(), 7);
    }

    #[test]
    fn index_gives_the_cell() {
        let col = TextColumn::from(sample());
        assert_eq!(&col[0], "CD4");
        assert_eq!(&col[1], "");
        assert_eq!(&col[5], "日本語テキスト");
        assert_eq!(&col[6], "x");
        assert_eq!(col.first(), Some("CD4"));
        assert_eq!(col.last(), Some("x"));
    }

    #[test]
    #[should_panic]
    fn index_out_of_range_panics_like_a_slice() {
        let col = TextColumn::from(vec!["a"]);
        let _ = &col[1];
    }

    #[test]
    fn iteration_runs_both_ways_and_knows_its_length() {
        let want = sample();
        let col = TextColumn::from(want.clone());
        let mut it = col.iter();
        assert_eq!(it.len(), want.len());
        assert_eq!(it.next(), Some("CD4"));
        assert_eq!(it.next_back(), Some("x"));
        assert_eq!(it.len(), want.len() - 2);
        let middle: Vec<&str> = it.collect();
        assert_eq!(middle, want[1..want.len() - 1]);
        let backwards: Vec<&str> = col.iter().rev().collect();
        let mut reversed: Vec<&str> = want.iter().map(String::as_str).collect();
        reversed.reverse();
        assert_eq!(backwards, reversed);
        assert_eq!(col.iter().nth(3), Some("Zürich"));
        assert_eq!(col.iter().nth(7), None);
        let by_ref: Vec<&str> = (&col).into_iter().collect();
        assert_eq!(by_ref, want);
    }

    #[test]
    fn a_vec_of_strings_round_trips() {
        let want = sample();
        let col = TextColumn::from(want.clone());
        assert_eq!(col.to_vec(), want);
        assert_eq!(Vec::<String>::from(col.clone()), want);
        assert_eq!(col, want);
        assert_eq!(col.max_len(), "日本語テキスト".len());
        assert_eq!(format!("{col:?}"), format!("{want:?}"));
    }

    #[test]
    fn collecting_strs_and_strings_gives_the_same_column() {
        let want = sample();
        let from_strs: TextColumn = want.iter().map(String::as_str).collect();
        let from_refs: TextColumn = want.iter().collect();
        let from_owned: TextColumn = want.clone().into_iter().collect();
        assert_eq!(from_strs, from_owned);
        assert_eq!(from_refs, from_owned);
        assert_eq!(from_owned, TextColumn::from(want));
    }

    #[test]
    fn pushed_chars_make_one_cell() {
        let mut col = TextColumn::new();
        col.push_chars("ab".chars());
        col.push_chars(std::iter::empty());
        col.push_chars(['é', '\u{20AC}']);
        assert_eq!(col, ["ab", "", "é€"]);
    }

    #[test]
    fn equality_is_cell_by_cell() {
        let ab = TextColumn::from(vec!["a", "b"]);
        assert_eq!(ab, ["a", "b"]);
        assert_ne!(ab, TextColumn::from(vec!["ab", ""]));
        assert_ne!(ab, TextColumn::from(vec!["a", "b", ""]));
        assert_ne!(ab, ["a"]);
        let mut grown = TextColumn::new();
        grown.extend(["a", "b"]);
        grown.shrink_to_fit();
        assert_eq!(grown, ab);
    }

    proptest! {
        #[test]
        fn a_column_gives_back_the_strings_it_was_built_from(
            values in proptest::collection::vec("\\PC{0,12}", 0..40)
        ) {
            let col = TextColumn::from(values.clone());
            prop_assert_eq!(col.len(), values.len());
            prop_assert_eq!(col.to_vec(), values.clone());
            for (i, v) in values.iter().enumerate() {
                prop_assert_eq!(col.get(i), Some(v.as_str()));
                prop_assert_eq!(&col[i], v.as_str());
            }
            prop_assert_eq!(col.get(values.len()), None);
            let longest = values.iter().map(String::len).max().unwrap_or(0);
            prop_assert_eq!(col.max_len(), longest);
            let back: Vec<&str> = col.iter().rev().collect();
            prop_assert!(back.into_iter().rev().eq(values.iter().map(String::as_str)));
        }
    }
}
