//! Runs a [`Plan`] on a study's ADaM datasets.

mod baseline;
mod common;
mod consort;
mod listing;
mod longitudinal;
mod safety;
mod tte;

use std::collections::BTreeMap;

use rct_report::{Block, ColumnHeader, Figure, Report, Section, Table};
use rct_stats::descriptive::QuantileType;

use crate::data::{StudyData, Subjects};
use crate::plan::Plan;
use crate::results::ResultRecord;
use crate::AnalysisError;

/// Everything a plan produced.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Every number of the report, machine-readable.
    pub results: Vec<ResultRecord>,
    /// The report model (tables, figures, sections).
    pub report: Report,
    /// Every seed used, by analysis.
    pub seeds: BTreeMap<String, u64>,
    /// Things a reader should know (analyses skipped and why).
    pub notes: Vec<String>,
}

/// Runs `plan` on `data`, calling `progress(step)` before each analysis.
///
/// # Errors
/// [`AnalysisError`] naming the plan section, dataset, row and variable
/// when a dataset or variable is missing or unusable, or a method refuses
/// its input.
pub fn run(
    plan: &Plan,
    data: &StudyData,
    progress: &mut dyn FnMut(&str),
) -> Result<Analysis, AnalysisError> {
    let subjects = Subjects::read(plan, data)?;
    let quantile_type = quantile_type(plan.options.quantile_type)?;
    let mut ctx = Ctx {
        plan,
        data,
        subjects,
        quantile_type,
        results: Vec::new(),
        tables: Vec::new(),
        figures: Vec::new(),
        sections: Vec::new(),
        seeds: BTreeMap::new(),
        notes: Vec::new(),
        counters: BTreeMap::new(),
    };
    if let Some(c) = plan.consort.as_ref().filter(|c| c.enabled) {
        progress("CONSORT flow");
        consort::run(&mut ctx, c)?;
    }
    if let Some(b) = &plan.baseline {
        progress("Baseline characteristics");
        baseline::run(&mut ctx, b)?;
    }
    for l in &plan.longitudinal {
        progress(&format!("{} by visit", l.label));
        longitudinal::run(&mut ctx, l)?;
    }
    for t in &plan.time_to_event {
        progress(&t.label);
        tte::run(&mut ctx, t)?;
    }
    if let Some(s) = &plan.safety {
        progress("Adverse events");
        safety::run(&mut ctx, s)?;
    }
    for l in &plan.listing {
        progress(&l.title);
        listing::run(&mut ctx, l)?;
    }
    let title = plan.study.title.replace("{studyid}", &ctx.subjects.studyid);
    let report = Report {
        title,
        subtitle: Vec::new(),
        sections: ctx.sections,
        tables: ctx.tables,
        figures: ctx.figures,
    };
    Ok(Analysis {
        results: ctx.results,
        report,
        seeds: ctx.seeds,
        notes: ctx.notes,
    })
}

fn quantile_type(t: u8) -> Result<QuantileType, AnalysisError> {
    t.to_string()
        .parse::<QuantileType>()
        .map_err(|e| AnalysisError::Plan {
            origin: "[options]".into(),
            message: format!("quantile_type: {e}"),
        })
}

/// The running state of one analysis.
pub(crate) struct Ctx<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) data: &'a StudyData,
    pub(crate) subjects: Subjects,
    pub(crate) quantile_type: QuantileType,
    pub(crate) results: Vec<ResultRecord>,
    tables: Vec<Table>,
    figures: Vec<Figure>,
    sections: Vec<Section>,
    pub(crate) seeds: BTreeMap<String, u64>,
    pub(crate) notes: Vec<String>,
    counters: BTreeMap<(char, &'static str), u32>,
}

impl Ctx<'_> {
    /// Number of arms.
    pub(crate) fn k(&self) -> usize {
        self.plan.arms.values.len()
    }

    pub(crate) fn arm_label(&self, i: usize) -> &str {
        &self.plan.arms.labels[i]
    }

    pub(crate) fn arm_code(&self, i: usize) -> &str {
        &self.plan.arms.values[i]
    }

    pub(crate) fn population_label(&self, name: &str) -> String {
        self.plan
            .populations
            .get(name)
            .map(|p| p.label.clone())
            .unwrap_or_else(|| name.to_string())
    }

    /// Column headers: the label column then one per arm with its N.
    pub(crate) fn arm_headers(&self, first: &str, n: &[usize]) -> Vec<ColumnHeader> {
        let mut h = vec![ColumnHeader {
            label: first.to_string(),
            sublabel: None,
        }];
        for (i, n) in n.iter().enumerate() {
            let desc = self
                .plan
                .arms
                .descriptions
                .get(i)
                .filter(|d| !d.is_empty())
                .map(|d| format!("{d}, "))
                .unwrap_or_default();
            h.push(ColumnHeader {
                label: self.arm_label(i).to_string(),
                sublabel: Some(format!("({desc}N = {n})")),
            });
        }
        h
    }

    /// Next TLF number in a section ("14-1"): ("t14-1-01", "Table 14-1.01").
    fn next(&mut self, kind: char, section: &'static str) -> (String, String) {
        let c = self.counters.entry((kind, section)).or_insert(0);
        *c += 1;
        let word = match kind {
            't' => "Table",
            'l' => "Listing",
            _ => "Figure",
        };
        (
            format!("{kind}{section}-{:02}", c),
            format!("{word} {section}.{:02}", c),
        )
    }

    /// Adds a table to a report section (created on first use); returns its id.
    pub(crate) fn add_table(
        &mut self,
        section: &'static str,
        heading: &str,
        mut table: Table,
    ) -> String {
        let (id, number) = self.next('t', section);
        table.id = id.clone();
        table.number = number;
        self.block(heading, Block::Table(id.clone()));
        self.tables.push(table);
        id
    }

    /// Adds a listing (numbered "Listing 16-2.01") to a report section.
    pub(crate) fn add_listing(&mut self, heading: &str, mut table: Table) -> String {
        let (id, number) = self.next('l', "16-2");
        table.id = id.clone();
        table.number = number;
        self.block(heading, Block::Table(id.clone()));
        self.tables.push(table);
        id
    }

    /// Adds a figure to a report section; returns its id.
    pub(crate) fn add_figure(
        &mut self,
        section: &'static str,
        heading: &str,
        mut figure: Figure,
    ) -> String {
        let (id, number) = self.next('f', section);
        figure.id = id.clone();
        figure.number = number;
        self.block(heading, Block::Figure(id.clone()));
        self.figures.push(figure);
        id
    }

    fn block(&mut self, heading: &str, block: Block) {
        match self.sections.iter_mut().find(|s| s.heading == heading) {
            Some(s) => s.blocks.push(block),
            None => self.sections.push(Section {
                heading: heading.to_string(),
                blocks: vec![block],
            }),
        }
    }

    /// The footnote that states the quantile definition.
    pub(crate) fn quantile_note(&self) -> String {
        let t = self.plan.options.quantile_type;
        let who = match t {
            2 => " (SAS default, PCTLDEF=5)",
            7 => " (R default)",
            6 => " (GraphPad Prism, SPSS; SAS PCTLDEF=4)",
            3 => " (SAS PCTLDEF=2)",
            1 => " (SAS PCTLDEF=3)",
            _ => "",
        };
        format!("Medians and quartiles (Q1, Q3) by the Hyndman-Fan type {t} definition{who}.")
    }
}
