//! The demo study: a synthetic trial shaped like the seed trial (hUC-MSC
//! infusions for HIV immune non-responders), written as SDTM datasets
//! (DM, SUPPDM, VS, LB, TV, SV, EX, AE, DS) by the rct study data contract.
//!
//! Reproducible: study-level choices (sites, screening outcomes, the
//! stratified permuted-block list, which subjects have adverse events or are
//! lost) come from ChaCha20 stream 0 of the seed; subject `i` (in USUBJID
//! order) is simulated from stream `i + 1`, so the datasets are the same
//! whatever the thread count. Normal draws use the pure-Rust `libm`, and
//! numbers are rounded as a lab reports them before they become text, so
//! the same seed gives byte-identical datasets on every machine.
//!
//! In [`DemoConfig::seed_trial`] the numbers of subjects per arm, with
//! adverse events and lost to follow-up come out exactly as in the paper;
//! lab values are random around calibrated trajectories.
//!
//! # Scale
//! Subjects are simulated in parallel into compact rows; each dataset's
//! columns are then made in parallel. The cost at scale is the text cells
//! themselves (figures measured when every `Column::Character` cell was its
//! own `String`; each column is now one `TextColumn` buffer):
//! `DemoConfig::scaled(100_000)` screens 138,889 subjects and writes about
//! 9.2 million rows (5.1 million in LB), some 110 million strings and
//! 6.5 GB resident. On a shared 2-core machine under a load average of 3
//! that took 16-17 s in release mode (70,000 randomized 6.5 s, 30,000
//! 1-2 s); glibc's
//! `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (transparent huge pages for
//! malloc) saves some of the page-fault time.

mod config;
mod plan;
mod subject;
mod tables;
mod terms;

#[cfg(test)]
mod tests;

use rayon::prelude::*;
use rct_cdisc::Dataset;

pub use config::{ArmConfig, DemoConfig, Ineligibility, MarkerModel, VisitConfig};

use subject::{Rows, SubjectSim};

/// Why a demo study cannot be simulated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The configuration is not valid.
    #[error("demo config: `{field}` {problem}")]
    Config {
        /// The field at fault.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The randomization list could not be made.
    #[error("demo randomization: {0}")]
    Randomization(#[from] rct_design::DesignError),
    /// A dataset could not be built (an internal inconsistency).
    #[error("demo dataset: {0}")]
    Dataset(#[from] rct_cdisc::CdiscError),
}

/// The SDTM datasets of a simulated demo study.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DemoStudy {
    /// DM, SUPPDM, VS, LB, TV, SV, EX, AE, DS, in that order; dataset names
    /// are the upper-case domain names.
    pub datasets: Vec<Dataset>,
}

impl DemoStudy {
    /// The dataset called `name` (ignoring case), if any.
    pub fn get(&self, name: &str) -> Option<&Dataset> {
        self.datasets
            .iter()
            .find(|d| d.name().eq_ignore_ascii_case(name))
    }
}

/// Subjects per parallel work item.
const CHUNK: usize = 512;
/// Work items per progress report.
const WAVE: usize = 32;

/// Simulates the demo study `config` under `seed`.
///
/// # Errors
/// [`DemoError::Config`] for an invalid configuration (see
/// [`DemoConfig::validate`]); the other variants only on an internal fault.
///
/// # Example
/// ```
/// use rct_simulate::demo::{simulate_study, DemoConfig};
/// let study = simulate_study(&DemoConfig::seed_trial(), 2021)?;
/// let dm = study.get("DM").unwrap();
/// assert_eq!(dm.n_rows(), 100);
/// # Ok::<(), rct_simulate::demo::DemoError>(())
/// ```
pub fn simulate_study(config: &DemoConfig, seed: u64) -> Result<DemoStudy, DemoError> {
    simulate_study_with_progress(config, seed, &mut |_, _| {})
}

/// As [`simulate_study`], calling `progress(done, total)` with the number of
/// screened subjects simulated so far, from the calling thread, after each
/// batch of subjects (and once at the end).
///
/// # Errors
/// As [`simulate_study`].
pub fn simulate_study_with_progress(
    config: &DemoConfig,
    seed: u64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<DemoStudy, DemoError> {
    config.validate()?;
    let first_consent = rct_cdisc::from_iso(&config.first_consent, rct_cdisc::Temporal::Date)
        .ok_or_else(|| DemoError::Config {
            field: "first_consent".into(),
            problem: "is not an ISO 8601 date".into(),
        })? as i32;
    let plan = plan::plan(config, seed, first_consent)?;
    let last_dosing = config.visits.iter().rposition(|v| v.dosing).unwrap_or(1);
    let sim = SubjectSim {
        config,
        seed,
        last_dosing,
    };

    let total = plan.subjects.len();
    let mut rows = Rows::default();
    let chunks: Vec<(usize, &[plan::Planned])> = plan
        .subjects
        .chunks(CHUNK)
        .enumerate()
        .map(|(k, c)| (k * CHUNK, c))
        .collect();
    let mut done = 0;
    for wave in chunks.chunks(WAVE) {
        let parts: Vec<Rows> = wave
            .par_iter()
            .map(|&(start, subjects)| {
                let mut part = Rows::default();
                for (k, s) in subjects.iter().enumerate() {
                    sim.simulate(start + k, s, &mut part);
                }
                part
            })
            .collect();
        for part in parts {
            rows.append(part);
        }
        done += wave.iter().map(|(_, s)| s.len()).sum::<usize>();
        progress(done.min(total), total);
    }
    let (sw, nw) = (plan.site_width, plan.number_width);
    let mut ctx = tables::Ctx {
        config,
        usubjid: Vec::with_capacity(total),
        subjid: Vec::with_capacity(total),
        siteid: Vec::with_capacity(total),
    };
    for s in &plan.subjects {
        let site = format!("{:0sw$}", s.site + 1);
        let subjid = format!("{site}-{:0nw$}", s.number);
        ctx.usubjid.push(format!("{}-{subjid}", config.study_id));
        ctx.subjid.push(subjid);
        ctx.siteid.push(site);
    }
    // Largest first, releasing each domain's rows once its dataset is made.
    let lb = tables::lb(&std::mem::take(&mut rows.lb), &ctx)?;
    let sv = tables::sv(&std::mem::take(&mut rows.sv), &ctx)?;
    let datasets = vec![
        tables::dm(&rows.dm, &ctx)?,
        tables::suppdm(&rows.suppdm, &ctx)?,
        tables::vs(&rows.vs, &ctx)?,
        lb,
        tables::tv(config, &ctx)?,
        sv,
        tables::ex(&rows.ex, &ctx)?,
        tables::ae(&rows.ae, &ctx)?,
        tables::ds(&rows.ds, &ctx)?,
    ];
    Ok(DemoStudy { datasets })
}
