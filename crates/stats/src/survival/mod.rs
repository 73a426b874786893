//! Survival: Kaplan-Meier, log-rank, two-stage test for crossing hazards, Cox.

mod data;
mod kaplan_meier;
mod logrank;

pub use data::SurvivalData;
pub use kaplan_meier::{kaplan_meier, ConfType, KaplanMeier, KaplanMeierOptions};
pub use logrank::{logrank, Logrank, LogrankOptions};
