//! Per-trial random streams and normal draws.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The generator of trial `trial` under `seed`: ChaCha20 stream `trial`.
pub(crate) struct TrialRng(ChaCha20Rng);

impl TrialRng {
    pub fn new(seed: u64, trial: u64) -> Self {
        let mut r = ChaCha20Rng::seed_from_u64(seed);
        r.set_stream(trial);
        TrialRng(r)
    }

    /// Uniform in (0, 1).
    pub fn unit(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal by Box-Muller (one draw per call; portable, no
    /// platform libm differences beyond ln/cos/sqrt).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Bernoulli(p).
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// Standard normal by Box-Muller with `ln`, `cos` and `sqrt` from the
    /// `libm` crate (pure Rust), so that the draw is the same bits on every
    /// platform, whatever its C math library: the demo study promises
    /// byte-identical datasets for a seed.
    pub fn portable_normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        libm::sqrt(-2.0 * libm::log(u)) * libm::cos(2.0 * std::f64::consts::PI * v)
    }

    /// Uniform integer in `lo..=hi` (`lo` when `hi < lo`).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo + 1) as usize;
        lo + self.below(span) as i64
    }

    /// A raw 64-bit draw (to seed another generator).
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}
