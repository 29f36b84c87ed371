//! Medians of bootstrap resamples, drawn fast enough for `history` to summarise a hundred
//! versions of an archive at once.
//!
//! Owns one trick and nothing else: a resample's median is the same number whether the
//! resample is sorted or its draws are counted per rank of the sorted values, and the
//! counting is linear. The generator is called exactly as the plain bootstrap calls it
//! (one draw per value, `next_u64() % n`), so every interval and verdict is bit for bit
//! the one sorting would give; `tests` holds the two side by side.

use rand::Rng;
use rand::rngs::Xoshiro256PlusPlus;
use strength_reduce::StrengthReducedU64;

/// Draws medians of resamples (with replacement, as many values as the sample) of one
/// sample.
pub struct MedianResampler {
    /// The values in `total_cmp` order, as `median` sorts them.
    sorted: Vec<f64>,
    /// For each position of the sample as given, the rank of its value in `sorted`.
    rank: Vec<usize>,
    /// Draws of each rank in the current resample.
    counts: Vec<u32>,
    /// The sample's size, for a remainder without a hardware division (the same result).
    len: Option<StrengthReducedU64>,
}

impl MedianResampler {
    pub fn new(values: &[f64]) -> Self {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        let mut rank = vec![0; values.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        MedianResampler {
            sorted: order.iter().map(|&i| values[i]).collect(),
            rank,
            counts: vec![0; values.len()],
            len: (!values.is_empty()).then(|| StrengthReducedU64::new(values.len() as u64)),
        }
    }

    /// The median of one more resample; NaN for an empty sample, as `median` gives.
    pub fn draw(&mut self, rng: &mut Xoshiro256PlusPlus) -> f64 {
        let Some(len) = self.len else {
            return f64::NAN;
        };
        self.counts.fill(0);
        for _ in 0..self.sorted.len() {
            self.counts[self.rank[(rng.next_u64() % len) as usize]] += 1;
        }
        self.middle()
    }

    /// The median of the current resample, in one pass over the counts: the middle value,
    /// or the mean of the two middle values, as `median` takes them from a sorted copy.
    fn middle(&self) -> f64 {
        let n = self.sorted.len();
        let (first, second) = (n.saturating_sub(1) / 2, n / 2);
        let mut seen = 0;
        let mut low = None;
        for (value, &count) in self.sorted.iter().zip(&self.counts) {
            seen += count as usize;
            if low.is_none() && seen > first {
                low = Some(*value);
            }
            if seen > second {
                return match low {
                    Some(low) if first != second => (low + *value) / 2.0,
                    _ => *value,
                };
            }
        }
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RESAMPLES, bootstrap_interval, compare_runs, median, median_interval};
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    /// The plain bootstrap of a median: sort every resample.
    fn sorted_draw(values: &[f64], rng: &mut Xoshiro256PlusPlus) -> f64 {
        let resample: Vec<f64> = (0..values.len())
            .map(|_| values[(rng.next_u64() % values.len() as u64) as usize])
            .collect();
        median(&resample)
    }

    fn sample() -> impl Strategy<Value = Vec<f64>> {
        // Few distinct values make ties, which ranks must order as sorting does.
        let value = prop_oneof![
            (0..4u8).prop_map(f64::from),
            -1e3..1e3f64,
            Just(-0.0),
            Just(0.0),
        ];
        proptest::collection::vec(value, 0..40)
    }

    proptest! {
        #[test]
        fn counting_draws_the_medians_sorting_draws(values in sample(), seed in any::<u64>()) {
            let mut counted = MedianResampler::new(&values);
            let (mut a, mut b) = (
                Xoshiro256PlusPlus::seed_from_u64(seed),
                Xoshiro256PlusPlus::seed_from_u64(seed),
            );
            for _ in 0..50 {
                let (x, y) = (counted.draw(&mut a), if values.is_empty() { f64::NAN } else { sorted_draw(&values, &mut b) });
                prop_assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{x} vs {y}");
            }
        }

        #[test]
        fn the_median_interval_is_the_plain_bootstraps(values in sample(), seed in any::<u64>()) {
            let fast = median_interval(&values, seed);
            let plain = bootstrap_interval(&values, seed, median);
            prop_assert_eq!(format!("{fast:?}"), format!("{plain:?}"));
        }
    }

    #[test]
    fn compare_runs_keeps_the_plain_bootstraps_interval() {
        let a = [10.0, 10.4, 9.7, 10.1, 9.9];
        let b = [20.2, 19.6, 20.9];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut ratios: Vec<f64> = (0..RESAMPLES)
            .map(|_| {
                let over = sorted_draw(&b, &mut rng);
                over / sorted_draw(&a, &mut rng)
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        let at = |q: f64| ratios[((RESAMPLES - 1) as f64 * q).round() as usize];
        assert_eq!(
            compare_runs(&a, &b, 2.0, 7).interval,
            (at(0.025), at(0.975))
        );
    }
}
