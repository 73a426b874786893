//! The portable generator and its integer draws.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// ChaCha20 seeded from a u64, with unbiased bounded draws.
pub(crate) struct Rng(ChaCha20Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(ChaCha20Rng::seed_from_u64(seed))
    }

    /// Uniform in 0..n (n > 0), Lemire's multiply-and-reject.
    pub fn below(&mut self, n: usize) -> usize {
        let s = n as u64;
        let threshold = s.wrapping_neg() % s;
        loop {
            let m = u128::from(self.0.next_u64()) * u128::from(s);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}
