//! The seeded streams of random draws: which thread draws which times in which run, so
//! the threaded runner and the model see exactly the same ones.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

use super::time::Sampler;

/// The seed of repeat `repeat` in an experiment seeded with `seed`. Every scenario's
/// repeat k draws from the same seed (common random numbers): scenarios that differ only
/// in, say, capacity then meet the same produce and consume times, so the difference
/// between them is the capacity's, not the luck of the draw.
pub fn run_seed(seed: u64, repeat: u32) -> u64 {
    splitmix(splitmix(seed) ^ u64::from(repeat))
}

/// The generator of one role's thread in one run.
pub(super) fn stream(run_seed: u64, role: u64, thread: u32) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix(run_seed ^ (role << 40) ^ u64::from(thread)))
}

/// SplitMix64's finaliser: spreads nearby integers into unrelated seeds.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Draws addressed by number, so threads can share them without a shared generator.
pub struct WorkDraws {
    pub(super) seed: u64,
    pub(super) sampler: Sampler,
}

impl WorkDraws {
    /// The fixed time, when every draw is the same: then no take needs numbering.
    pub fn fixed_ns(&self) -> Option<u64> {
        self.sampler.fixed_ns()
    }

    /// The `n`-th draw, from a generator seeded for that draw alone.
    pub fn nth_ns(&self, n: u64) -> u64 {
        // A fixed time reads no generator: seeding one would be most of the work.
        if let Some(ns) = self.fixed_ns() {
            return ns;
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix(self.seed ^ splitmix(n)));
        self.sampler.draw_ns(&mut rng)
    }
}

/// One thread's stream of produce or consume times, in nanoseconds after scaling.
pub struct Draws {
    pub(super) rng: Xoshiro256PlusPlus,
    pub(super) sampler: Sampler,
}

impl Draws {
    pub fn next_ns(&mut self) -> u64 {
        self.sampler.draw_ns(&mut self.rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TimeSpec;
    use std::time::Duration;

    fn work_draws(time: TimeSpec) -> WorkDraws {
        WorkDraws {
            seed: splitmix(7),
            sampler: time.sampler(1.0),
        }
    }

    /// Numbered draws of an exponential time keep its distribution: the mean, the
    /// spread (its standard deviation is its mean) and the share below the mean
    /// (1 - 1/e), over consecutive numbers as the takes of a run use them.
    #[test]
    fn numbered_exponential_draws_keep_their_distribution() {
        let draws = work_draws(TimeSpec::Exp {
            mean: Duration::from_millis(1),
        });
        let n = 200_000;
        let all: Vec<f64> = (0..n).map(|k| draws.nth_ns(k) as f64 / 1e6).collect();
        let mean = all.iter().sum::<f64>() / n as f64;
        let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        let below = all.iter().filter(|&&x| x < 1.0).count() as f64 / n as f64;
        assert!((mean - 1.0).abs() < 0.01, "mean {mean} ms");
        assert!((sd - 1.0).abs() < 0.02, "sd {sd} ms");
        assert!((below - (1.0 - (-1.0f64).exp())).abs() < 0.005, "{below}");
    }

    /// Numbered uniform draws fill their range evenly, and the same number draws the
    /// same time again.
    #[test]
    fn numbered_uniform_draws_are_even_and_repeatable() {
        let draws = work_draws(TimeSpec::Uniform {
            low: Duration::from_millis(100),
            high: Duration::from_millis(200),
        });
        let mut tenths = [0u32; 10];
        for k in 0..100_000 {
            let ns = draws.nth_ns(k);
            assert_eq!(ns, draws.nth_ns(k));
            let tenth = ((ns - 100_000_000) / 10_000_000).min(9) as usize;
            tenths[tenth] += 1;
        }
        assert!(
            tenths.iter().all(|&c| (9_500..=10_500).contains(&c)),
            "{tenths:?}"
        );
    }
}
