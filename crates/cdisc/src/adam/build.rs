//! Builds ADaM datasets column by column.

use crate::model::{Column, Dataset, Format, NumericColumn, TextColumn, Variable};
use crate::sdtm::Date;

use super::AdamError;

/// Collects variables and columns, then checks them into a [`Dataset`].
pub(crate) struct Builder {
    variables: Vec<Variable>,
    columns: Vec<Column>,
}

impl Builder {
    pub(crate) fn new() -> Self {
        Builder {
            variables: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// A character variable; its length is the longest value (at least 1).
    pub(crate) fn text<I, S>(&mut self, name: &str, label: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut column = TextColumn::new();
        for value in values {
            column.push(value.as_ref());
        }
        let length = column.max_len().max(1);
        self.variables
            .push(Variable::character(name, length).with_label(label));
        self.columns.push(Column::Character(column));
    }

    /// A numeric variable.
    pub(crate) fn num(
        &mut self,
        name: &str,
        label: &str,
        values: impl IntoIterator<Item = Option<f64>>,
    ) {
        self.variables
            .push(Variable::numeric(name).with_label(label));
        self.columns
            .push(Column::Numeric(NumericColumn::from_values(
                values.into_iter().collect(),
            )));
    }

    /// A numeric SAS date with format `DATE9.`.
    pub(crate) fn date(
        &mut self,
        name: &str,
        label: &str,
        values: impl IntoIterator<Item = Option<Date>>,
    ) {
        self.variables.push(
            Variable::numeric(name)
                .with_label(label)
                .with_format(Format::new("DATE", 9, 0)),
        );
        self.columns
            .push(Column::Numeric(NumericColumn::from_values(
                values
                    .into_iter()
                    .map(|d| d.map(|d| f64::from(d.sas_day())))
                    .collect(),
            )));
    }

    /// The dataset.
    pub(crate) fn finish(self, name: &str, label: &str) -> Result<Dataset, AdamError> {
        Ok(Dataset::new(name, label, self.variables, self.columns)?)
    }
}

/// `"Y"` or blank.
pub(crate) fn yes(flag: bool) -> &'static str {
    if flag {
        "Y"
    } else {
        ""
    }
}

/// `"Y"` or `"N"`.
pub(crate) fn yes_no(flag: bool) -> &'static str {
    if flag {
        "Y"
    } else {
        "N"
    }
}

/// The ADaM study day of `date` relative to `reference` (day 1 is the
/// reference day; there is no day 0).
pub(crate) fn study_day(date: Option<Date>, reference: Option<Date>) -> Option<f64> {
    let n = reference?.days_until(date?);
    Some(f64::from(if n >= 0 { n + 1 } else { n }))
}
