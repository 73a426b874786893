//! # rct-simulate
//!
//! Synthetic trials shaped like the seed trial (CD4 trajectories by arm with
//! a random patient effect, dropout, time to immunological response), and
//! power by simulation: many trials generated and analysed exactly as the
//! analysis would be (GEE Wald test of arm, k-arm log-rank of response), in
//! parallel, reproducibly (trial `i` always uses ChaCha20 stream `i` of the
//! seed, whatever the thread count or sharding).
//!
//! [`demo`] simulates a whole study shaped like the seed trial as SDTM
//! datasets (DM, SUPPDM, VS, LB, TV, SV, EX, AE, DS), at the seed trial's
//! size or any other.

pub mod demo;
mod power;
mod rng;
mod scenario;

pub use power::{merge, simulate, PowerReport, Shard, TestPower};
pub use scenario::{ArmSpec, BinaryScenario, Cd4Analysis, Cd4Scenario, Scenario, SimulatedTrial};

/// Why a simulation cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// The scenario is not valid.
    #[error("scenario: {0}")]
    Scenario(String),
    /// A shard specification is not valid.
    #[error("shard: {0}")]
    Shard(String),
    /// Shard results that cannot be merged.
    #[error("merge: {0}")]
    Merge(String),
    /// Every simulated trial failed to analyse.
    #[error("analysis failed in every trial; first error: {0}")]
    Analysis(rct_stats::StatsError),
}
