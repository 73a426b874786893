//! Survival: Kaplan-Meier, log-rank, two-stage test for crossing hazards, Cox.

pub mod cox;
mod data;
mod kaplan_meier;
mod logrank;
mod two_stage;

pub use crate::rank::sort::sort_times;
pub use cox::{CoxData, CoxFit, CoxOptions, CoxPh, Ties};
pub use data::{GroupedSurvival, SurvivalData};
pub use kaplan_meier::{kaplan_meier, ConfType, KaplanMeier, KaplanMeierOptions};
pub use logrank::{logrank, Logrank, LogrankOptions};
pub use two_stage::{two_stage_crossing, TwoStage, TwoStageOptions};
