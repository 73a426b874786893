//! # rct-design
//!
//! Randomization for a trial: permuted-block lists (fixed or randomly
//! varying block sizes, any allocation ratio, stratified by any factors) and
//! Pocock-Simon minimization with a random element, patient by patient.
//!
//! Pure and deterministic: randomness comes from a ChaCha20 generator seeded
//! by a `u64`, and every draw is an integer operation (Lemire's unbiased
//! bounded draws, Fisher-Yates shuffles), so the same seed and parameters give
//! the same list on every machine and every version that keeps this
//! algorithm (`ALGORITHM` names it; a change to it is a new name).

mod blocks;
mod error;
mod minimization;
mod rng;

pub use blocks::{generate, BlockScheme, ListEntry, RandomizationList, Stratum};
pub use error::DesignError;
pub use minimization::{Assignment, Factor, Minimizer, MinimizerOptions};

/// The name and version of the list algorithm, written into manifests.
pub const ALGORITHM: &str =
    "rct permuted blocks v1 (ChaCha20 from rand_chacha 0.9, Lemire bounded draws, Fisher-Yates)";
