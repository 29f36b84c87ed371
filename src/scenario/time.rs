//! Produce and consume times: a fixed duration or a seeded random distribution.
//!
//! Owns the `TimeSpec` value, the distributions with their fields (one table, read by the
//! parser, the JSON Schema and `new`), the text form for CSV files, and drawing from it.
//! It does not decide which thread draws what: `draws` assigns the streams of draws so
//! that the runner and the model see the same ones.

use std::time::Duration;

use rand::Rng;
use rand_distr::{Distribution, Exp, Normal};

use super::duration::format_duration;

/// How long one step takes: fixed, or drawn per step so service times can vary as real
/// work does.
#[derive(Clone, Debug, PartialEq)]
pub enum TimeSpec {
    Fixed(Duration),
    /// Exponential with this mean (memoryless, as in M/M/c queues).
    Exp {
        mean: Duration,
    },
    /// Uniform between `low` and `high`.
    Uniform {
        low: Duration,
        high: Duration,
    },
    /// Normal, cut at zero so a draw is never negative.
    Normal {
        mean: Duration,
        sd: Duration,
    },
}

crate::words! {
    /// A distribution's name, as `dist = "..."` gives it.
    pub enum Dist {
        Exp = "exp",
        Uniform = "uniform",
        Normal = "normal",
    }
}

impl Dist {
    /// The fields the distribution takes besides `dist`, each a duration, in the order
    /// `build` reads them.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Dist::Exp => &["mean"],
            Dist::Uniform => &["low", "high"],
            Dist::Normal => &["mean", "sd"],
        }
    }

    /// The time of this distribution from its fields' values, in the order of `fields`;
    /// `Err` names the field at fault.
    pub fn build(self, values: &[Duration]) -> Result<TimeSpec, (&'static str, String)> {
        match (self, values) {
            (Dist::Exp, [mean]) => Ok(TimeSpec::Exp { mean: *mean }),
            (Dist::Normal, [mean, sd]) => Ok(TimeSpec::Normal {
                mean: *mean,
                sd: *sd,
            }),
            (Dist::Uniform, [low, high]) if low > high => {
                Err(("low", "`low` is above `high`".to_string()))
            }
            (Dist::Uniform, [low, high]) => Ok(TimeSpec::Uniform {
                low: *low,
                high: *high,
            }),
            _ => Err((
                "dist",
                format!("{} takes {}", self.name(), self.fields().join(", ")),
            )),
        }
    }
}

/// The distributions the experiment file accepts, for error messages:
/// `"exp" (mean), "uniform" (low, high), "normal" (mean, sd)`.
pub fn distributions_help() -> String {
    let each: Vec<String> = Dist::ALL
        .iter()
        .map(|d| format!("\"{}\" ({})", d.name(), d.fields().join(", ")))
        .collect();
    each.join(", ")
}

impl TimeSpec {
    /// No time at all.
    pub const ZERO: TimeSpec = TimeSpec::Fixed(Duration::ZERO);

    /// The text written to CSV files and used in labels; stable across runs.
    pub fn label(&self) -> String {
        let f = |d: &Duration| format_duration(*d);
        match self {
            TimeSpec::Fixed(d) => f(d),
            TimeSpec::Exp { mean } => format!("exp(mean={})", f(mean)),
            TimeSpec::Uniform { low, high } => format!("uniform({}..{})", f(low), f(high)),
            TimeSpec::Normal { mean, sd } => format!("normal(mean={},sd={})", f(mean), f(sd)),
        }
    }

    /// The fixed duration, if this is not random: charts can only use those on an axis.
    pub fn fixed(&self) -> Option<Duration> {
        match self {
            TimeSpec::Fixed(d) => Some(*d),
            _ => None,
        }
    }

    /// The time as its draws come out: a distribution with no spread (uniform from a
    /// time to itself, normal of sd 0, exp of mean 0) is that fixed time.
    pub fn as_drawn(&self) -> TimeSpec {
        match self {
            TimeSpec::Uniform { low, high } if low == high => TimeSpec::Fixed(*low),
            TimeSpec::Normal { mean, sd } if sd.is_zero() => TimeSpec::Fixed(*mean),
            TimeSpec::Exp { mean } if mean.is_zero() => TimeSpec::Fixed(Duration::ZERO),
            other => other.clone(),
        }
    }

    /// The mean duration (before the cut at zero for `normal`), for estimates.
    pub fn mean(&self) -> Duration {
        match self {
            TimeSpec::Fixed(d) | TimeSpec::Exp { mean: d } | TimeSpec::Normal { mean: d, .. } => *d,
            TimeSpec::Uniform { low, high } => (*low + *high) / 2,
        }
    }

    /// A sampler of this time multiplied by `time_scale`, in whole nanoseconds.
    pub fn sampler(&self, time_scale: f64) -> Sampler {
        let scaled = |d: &Duration| d.as_secs_f64() * 1e9 * time_scale;
        let shape = match self {
            TimeSpec::Fixed(d) => Shape::Fixed(scaled(d).round() as u64),
            // Exp::new fails only for a negative rate, which a Duration cannot give;
            // a zero mean is drawn as a fixed zero.
            TimeSpec::Exp { mean } => match Exp::new(1.0 / scaled(mean)) {
                Ok(exp) if scaled(mean) > 0.0 => Shape::Exp(exp),
                _ => Shape::Fixed(0),
            },
            TimeSpec::Uniform { low, high } => Shape::Uniform(scaled(low), scaled(high)),
            TimeSpec::Normal { mean, sd } => match Normal::new(scaled(mean), scaled(sd)) {
                Ok(normal) => Shape::Normal(normal),
                Err(_) => Shape::Fixed(scaled(mean).round() as u64),
            },
        };
        Sampler { shape }
    }
}

/// Draws of one `TimeSpec` at one time scale.
#[derive(Clone, Debug)]
pub struct Sampler {
    shape: Shape,
}

#[derive(Clone, Debug)]
enum Shape {
    Fixed(u64),
    Exp(Exp<f64>),
    Uniform(f64, f64),
    Normal(Normal<f64>),
}

impl Sampler {
    /// The duration in nanoseconds when every draw is the same.
    pub fn fixed_ns(&self) -> Option<u64> {
        match self.shape {
            Shape::Fixed(ns) => Some(ns),
            _ => None,
        }
    }

    /// The nanoseconds every draw comes to, where they all come to one: a fixed time, or
    /// a uniform whose ends round alike (from 1 to 1.4 ns, a time scale's 10 to 14 ns).
    pub fn only_ns(&self) -> Option<u64> {
        match self.shape {
            Shape::Fixed(ns) => Some(ns),
            Shape::Uniform(low, high) => {
                let (low, high) = (whole_ns(low.max(0.0) + 0.5), whole_ns(high.max(0.0) + 0.5));
                (low == high).then_some(low)
            }
            _ => None,
        }
    }

    /// One draw in nanoseconds; never negative. Always inline, as the model draws twice
    /// an item and a call cost about as much as an exponential draw; the normal's longer
    /// sampler stays out of line.
    #[inline(always)]
    pub fn draw_ns<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let nanos = match &self.shape {
            Shape::Fixed(ns) => return *ns,
            Shape::Exp(exp) => exp.sample(rng),
            Shape::Uniform(low, high) => low + (high - low) * unit_interval(rng),
            Shape::Normal(normal) => normal_draw(normal, rng),
        };
        // Half up by hand: `f64::round` is a library call here, and the model makes two
        // draws an item. It differs from `round` only a hair below one half, and above
        // 2^52 ns (52 days); the runner and the model draw alike either way.
        whole_ns(nanos.max(0.0) + 0.5)
    }
}

#[inline(never)]
fn normal_draw<R: Rng + ?Sized>(normal: &Normal<f64>, rng: &mut R) -> f64 {
    normal.sample(rng)
}

/// `ns as u64`, from at least 0.5: through `i64` below 2^63, which converts in fewer
/// instructions than `u64` and truncates the same there.
fn whole_ns(ns: f64) -> u64 {
    const SIGNED_LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if ns < SIGNED_LIMIT {
        ns as i64 as u64
    } else {
        ns as u64
    }
}

/// A uniform draw in [0, 1) from the top 53 bits, independent of rand's API churn.
fn unit_interval<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn labels_are_stable_text() {
        assert_eq!(TimeSpec::Fixed(ms(200)).label(), "200ms");
        assert_eq!(TimeSpec::Exp { mean: ms(250) }.label(), "exp(mean=250ms)");
        let uniform = TimeSpec::Uniform {
            low: ms(100),
            high: ms(400),
        };
        assert_eq!(uniform.label(), "uniform(100ms..400ms)");
        let normal = TimeSpec::Normal {
            mean: ms(250),
            sd: ms(50),
        };
        assert_eq!(normal.label(), "normal(mean=250ms,sd=50ms)");
    }

    #[test]
    fn fixed_times_scale_exactly() {
        let sampler = TimeSpec::Fixed(ms(250)).sampler(0.01);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(sampler.draw_ns(&mut rng), 2_500_000);
    }

    #[test]
    fn same_seed_gives_same_draws() {
        let sampler = TimeSpec::Exp { mean: ms(250) }.sampler(1.0);
        let draws = |seed| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            (0..5)
                .map(|_| sampler.draw_ns(&mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
    }

    fn mean_of(spec: &TimeSpec, n: u32) -> f64 {
        let sampler = spec.sampler(1.0);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
        (0..n)
            .map(|_| sampler.draw_ns(&mut rng) as f64)
            .sum::<f64>()
            / f64::from(n)
            / 1e6
    }

    #[test]
    fn draws_have_the_stated_mean_and_range() {
        let exp = mean_of(&TimeSpec::Exp { mean: ms(250) }, 200_000);
        assert!((exp - 250.0).abs() < 2.5, "exp mean {exp} ms");
        let uniform = TimeSpec::Uniform {
            low: ms(100),
            high: ms(400),
        };
        assert!((mean_of(&uniform, 200_000) - 250.0).abs() < 1.5);
        let normal = TimeSpec::Normal {
            mean: ms(250),
            sd: ms(50),
        };
        assert!((mean_of(&normal, 200_000) - 250.0).abs() < 1.0);
        let sampler = uniform.sampler(1.0);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..10_000 {
            let draw = sampler.draw_ns(&mut rng);
            assert!((100_000_000..=400_000_000).contains(&draw));
        }
    }

    /// The shortcut converts exactly as `as u64` does, at both ends of its range.
    #[test]
    fn whole_ns_truncates_as_a_plain_conversion() {
        let limit = 9_223_372_036_854_775_808.0_f64;
        for ns in [
            0.5,
            1.0,
            1.49,
            2.5,
            1e9 + 0.75,
            4_503_599_627_370_496.5,
            limit - 1024.0,
            limit,
            limit * 1.5,
            1.8e19,
            1e30,
            f64::INFINITY,
        ] {
            assert_eq!(whole_ns(ns), ns as u64, "{ns}");
        }
    }

    #[test]
    fn normal_is_cut_at_zero() {
        let sampler = TimeSpec::Normal {
            mean: ms(1),
            sd: ms(10),
        }
        .sampler(1.0);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let draws: Vec<u64> = (0..10_000).map(|_| sampler.draw_ns(&mut rng)).collect();
        assert!(
            draws.contains(&0),
            "about 46% of draws fall below zero and are cut"
        );
    }
}
