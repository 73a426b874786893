//! Named datasets and typed access to their variables.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rct_cdisc::{Column, Dataset, TextColumn};

use crate::plan::Plan;
use crate::AnalysisError;

/// The datasets of a study, by upper-case name (ADSL, ADLB, ...).
#[derive(Debug, Clone, Default)]
pub struct StudyData {
    datasets: BTreeMap<String, Dataset>,
}

impl StudyData {
    /// Collects datasets; a later dataset of the same name replaces an earlier one.
    pub fn new(datasets: impl IntoIterator<Item = Dataset>) -> Self {
        let datasets = datasets
            .into_iter()
            .map(|d| (d.name().to_ascii_uppercase(), d))
            .collect();
        StudyData { datasets }
    }

    /// Adds or replaces one dataset.
    pub fn insert(&mut self, dataset: Dataset) {
        self.datasets
            .insert(dataset.name().to_ascii_uppercase(), dataset);
    }

    /// Whether a dataset is present.
    pub fn contains(&self, name: &str) -> bool {
        self.datasets.contains_key(&name.to_ascii_uppercase())
    }

    /// Names of the datasets present.
    pub fn names(&self) -> Vec<String> {
        self.datasets.keys().cloned().collect()
    }

    /// The dataset `name`, if present.
    pub fn dataset(&self, name: &str) -> Option<&Dataset> {
        self.datasets.get(&name.to_ascii_uppercase())
    }

    /// The dataset `name`, or an error naming the plan section that needs it.
    pub(crate) fn get(&self, name: &str, needed_by: &str) -> Result<Table<'_>, AnalysisError> {
        self.datasets
            .get(&name.to_ascii_uppercase())
            .map(|dataset| Table {
                dataset,
                needed_by: needed_by.to_string(),
            })
            .ok_or_else(|| AnalysisError::MissingDataset {
                dataset: name.to_string(),
                needed_by: needed_by.to_string(),
                found: self.names().join(", "),
            })
    }
}

/// A dataset seen by one plan section (errors name the section).
pub(crate) struct Table<'a> {
    pub(crate) dataset: &'a Dataset,
    needed_by: String,
}

impl<'a> Table<'a> {
    pub(crate) fn n_rows(&self) -> usize {
        self.dataset.n_rows()
    }

    pub(crate) fn has(&self, variable: &str) -> bool {
        self.dataset.index_of(variable).is_some()
    }

    fn column(&self, variable: &str) -> Result<&'a Column, AnalysisError> {
        self.dataset
            .get(variable)
            .map(|(_, c)| c)
            .ok_or_else(|| AnalysisError::MissingVariable {
                dataset: self.dataset.name().to_string(),
                variable: variable.to_string(),
                needed_by: self.needed_by.clone(),
            })
    }

    /// A character variable.
    ///
    /// A numeric column whose values are all missing reads as blanks: CSV
    /// files carry no types, and an all-empty column (e.g. DTYPE when
    /// nothing was imputed) is inferred as numeric.
    pub(crate) fn text(&self, variable: &str) -> Result<Cow<'a, TextColumn>, AnalysisError> {
        match self.column(variable)? {
            Column::Character(v) => Ok(Cow::Borrowed(v)),
            Column::Numeric(c) if c.values().iter().all(Option::is_none) => {
                Ok(Cow::Owned(std::iter::repeat_n("", c.len()).collect()))
            }
            Column::Numeric(_) => Err(AnalysisError::WrongType {
                dataset: self.dataset.name().to_string(),
                variable: variable.to_string(),
                expected: "character",
            }),
        }
    }

    /// A numeric variable (missing values as `None`).
    pub(crate) fn numbers(&self, variable: &str) -> Result<&'a [Option<f64>], AnalysisError> {
        self.column(variable)?
            .as_numeric()
            .map(|c| c.values())
            .ok_or_else(|| AnalysisError::WrongType {
                dataset: self.dataset.name().to_string(),
                variable: variable.to_string(),
                expected: "numeric",
            })
    }

    /// Any variable as text categories (numbers in shortest form; blank = `None`).
    pub(crate) fn categories(&self, variable: &str) -> Result<Vec<Option<String>>, AnalysisError> {
        Ok(match self.column(variable)? {
            Column::Character(v) => v
                .iter()
                .map(|s| {
                    let s = s.trim();
                    (!s.is_empty()).then(|| s.to_string())
                })
                .collect(),
            Column::Numeric(c) => c
                .values()
                .iter()
                .map(|v| v.map(|x| format!("{x}")))
                .collect(),
        })
    }

    /// Identifier values (e.g. USUBJID) as text, whether the column is
    /// character or numeric (CSV inference may make "1001" a number).
    pub(crate) fn keys(&self, variable: &str) -> Result<Cow<'a, TextColumn>, AnalysisError> {
        Ok(match self.column(variable)? {
            Column::Character(v) => Cow::Borrowed(v),
            Column::Numeric(c) => Cow::Owned(
                c.values()
                    .iter()
                    .map(|v| v.map(|x| format!("{x}")).unwrap_or_default())
                    .collect(),
            ),
        })
    }

    /// Whether each row's `variable` equals "Y".
    pub(crate) fn flag(&self, variable: &str) -> Result<Vec<bool>, AnalysisError> {
        Ok(self
            .text(variable)?
            .iter()
            .map(|s| s.trim() == "Y")
            .collect())
    }

    pub(crate) fn value_error(&self, row: usize, variable: &str, message: String) -> AnalysisError {
        AnalysisError::Value {
            dataset: self.dataset.name().to_string(),
            row: row + 1,
            variable: variable.to_string(),
            message,
        }
    }
}

/// Subjects of ADSL with their arms and population flags.
pub(crate) struct Subjects {
    index: HashMap<String, usize>,
    /// ADSL row of each row of a dataset, by dataset name (computed once).
    rows: std::cell::RefCell<HashMap<String, std::rc::Rc<Vec<usize>>>>,
    /// Planned arm index per subject (None: not in a plan arm).
    pub(crate) planned: Vec<Option<usize>>,
    /// Actual arm index per subject.
    pub(crate) actual: Vec<Option<usize>>,
    /// Population membership per subject, by population name.
    pub(crate) populations: BTreeMap<String, Vec<bool>>,
    /// STUDYID of the first subject (may be empty).
    pub(crate) studyid: String,
}

impl Subjects {
    pub(crate) fn read(plan: &Plan, data: &StudyData) -> Result<Subjects, AnalysisError> {
        let adsl = data.get("ADSL", "[arms]")?;
        let ids = adsl.keys("USUBJID")?;
        let mut index = HashMap::with_capacity(ids.len());
        for (row, id) in ids.iter().enumerate() {
            if index.insert(id.trim().to_string(), row).is_some() {
                return Err(adsl.value_error(
                    row,
                    "USUBJID",
                    format!("subject {id} appears twice"),
                ));
            }
        }
        let arm_of = |variable: &str| -> Result<Vec<Option<usize>>, AnalysisError> {
            Ok(adsl
                .categories(variable)?
                .into_iter()
                .map(|v| v.and_then(|v| plan.arms.values.iter().position(|a| *a == v)))
                .collect())
        };
        let planned = arm_of(&plan.arms.variable)?;
        let actual = match &plan.arms.actual_variable {
            Some(v) => arm_of(v)?,
            None => planned.clone(),
        };
        let mut populations = BTreeMap::new();
        for (name, p) in &plan.populations {
            populations.insert(name.clone(), adsl.flag(&p.flag)?);
        }
        let studyid = if adsl.has("STUDYID") {
            adsl.text("STUDYID")?.first().unwrap_or_default().to_owned()
        } else {
            String::new()
        };
        Ok(Subjects {
            index,
            rows: Default::default(),
            planned,
            actual,
            populations,
            studyid,
        })
    }

    pub(crate) fn row_of(&self, usubjid: &str) -> Option<usize> {
        self.index.get(usubjid.trim()).copied()
    }

    /// Arm of each ADSL subject in `population` (None if outside it or outside the plan's arms).
    pub(crate) fn arms_in(&self, population: &str, actual: bool) -> Vec<Option<usize>> {
        let arms = if actual { &self.actual } else { &self.planned };
        match self.populations.get(population) {
            Some(flags) => arms
                .iter()
                .zip(flags)
                .map(|(a, &f)| if f { *a } else { None })
                .collect(),
            None => vec![None; arms.len()],
        }
    }

    /// Subjects per arm in a population.
    pub(crate) fn counts(&self, population: &str, actual: bool, k: usize) -> Vec<usize> {
        let mut n = vec![0; k];
        for a in self.arms_in(population, actual).into_iter().flatten() {
            n[a] += 1;
        }
        n
    }

    /// For each row of `table`, the arm of its subject within the population.
    pub(crate) fn arms_of_rows(
        &self,
        table: &Table<'_>,
        population: &str,
        actual: bool,
    ) -> Result<Vec<Option<usize>>, AnalysisError> {
        let arms = self.arms_in(population, actual);
        Ok(self.subject_rows(table)?.iter().map(|&s| arms[s]).collect())
    }

    /// The ADSL row of the subject of each row of `table` (looked up once
    /// per dataset, then reused by every analysis of it).
    pub(crate) fn subject_rows(
        &self,
        table: &Table<'_>,
    ) -> Result<std::rc::Rc<Vec<usize>>, AnalysisError> {
        let key = table.dataset.name().to_ascii_uppercase();
        if let Some(rows) = self.rows.borrow().get(&key) {
            return Ok(rows.clone());
        }
        let ids = table.keys("USUBJID")?;
        let rows = ids
            .iter()
            .enumerate()
            .map(|(row, id)| {
                self.row_of(id).ok_or_else(|| {
                    table.value_error(row, "USUBJID", format!("subject {id} is not in ADSL"))
                })
            })
            .collect::<Result<Vec<usize>, _>>()?;
        let rows = std::rc::Rc::new(rows);
        self.rows.borrow_mut().insert(key, rows.clone());
        Ok(rows)
    }
}
