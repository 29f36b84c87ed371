//! Queueing theory beside the model and the measurement: the closed form that holds for a
//! scenario, or the typed reason none does.
//!
//! Owns the formulas and, above all, when they apply. A closed form is used only inside
//! its assumptions:
//!
//! - arrivals are Poisson: every producer's produce time is exponential (P producers with
//!   mean produce time m put a Poisson stream of rate λ = P / m, their superposition);
//! - consumers block (a polling consumer adds its poll period to every wait);
//! - the queue is unbounded (a full bounded queue blocks its producer, which breaks the
//!   Poisson stream);
//! - work sleeps (spin work shares the cores, so service rates depend on the load);
//! - ρ = λ / (cμ) < 1, and the run is long enough to be near steady state: at least
//!   `MIN_ITEMS` items and `RELAXATIONS` relaxation times (see `items_needed`).
//!
//! Then, with c consumers and exponential consume times, Erlang C (M/M/c) gives P(Wq > 0),
//! the mean and every quantile of the wait in queue; with one consumer and fixed consume
//! times, Pollaczek–Khinchine (M/D/1) gives the mean, and Erlang's M/D/1 waiting-time
//! distribution gives P(Wq > 20 µs); with one consumer and uniform or normal consume
//! times, Pollaczek–Khinchine (M/G/1) gives the mean only. M/D/c and M/G/c (c > 1) have
//! no simple closed form, and none is approximated.
//!
//! The wait is queueing theory's Wq, the time in queue: the model and the runner measure
//! from put to take, and a blocking consumer takes as soon as it is free, then works.
//! Their "waited" share counts waits of at least `waits::WAITED_NS` (20 µs), so the
//! theory's partner of it is P(Wq > 20 µs), not P(Wq > 0).

use std::fmt;

use super::Summary;
use crate::scenario::{ConsumerStyle, QueueKind, Scenario, TimeSpec, WorkKind};
use crate::waits::WAITED_NS;

/// Fewer items than this are too few to call a run's waits a steady state, however
/// light the load.
pub const MIN_ITEMS: u64 = 10_000;

/// Relaxation times a run must last. A queue started empty approaches its steady state
/// over about one relaxation time; a run of 100 of them has a start-up bias of its mean
/// wait of about 1%.
pub const RELAXATIONS: f64 = 100.0;

/// A normal consume time is used as uncut only when its mean is at least this many
/// standard deviations above zero: the cut then moves the moments by under 1e-9.
const NORMAL_UNCUT_SDS: f64 = 6.0;

/// Above this many terms Erlang's M/D/1 sum loses precision to cancellation; the share
/// waited is then left out rather than computed badly.
const MD1_MAX_TERMS: u64 = 40;

/// The closed form used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formula {
    /// M/M/c: Poisson arrivals, exponential consume times, c consumers.
    ErlangC,
    /// M/D/1: Poisson arrivals, one consumer with a fixed consume time.
    PollaczekKhinchineMd1,
    /// M/G/1: Poisson arrivals, one consumer with uniform or normal consume times; the
    /// mean wait only.
    PollaczekKhinchineMg1,
}

impl Formula {
    /// The formula's name, as the summary files give it.
    pub fn name(self) -> &'static str {
        match self {
            Formula::ErlangC => "Erlang C (M/M/c)",
            Formula::PollaczekKhinchineMd1 => "Pollaczek-Khinchine (M/D/1)",
            Formula::PollaczekKhinchineMg1 => "Pollaczek-Khinchine (M/G/1, mean only)",
        }
    }
}

/// What the theory predicts for the wait in queue (Wq) of a scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theory {
    pub formula: Formula,
    /// Utilisation λ / (cμ): the share of time each consumer works.
    pub rho: f64,
    pub wait_mean_s: f64,
    /// `None` where the formula gives no quantiles (M/D/1, M/G/1).
    pub wait_p99_s: Option<f64>,
    /// P(Wq > 0): the share of items that find every consumer busy.
    pub wait_positive: f64,
    /// P(Wq > 20 µs), the partner of the measured share that waited (`waits::WAITED_NS`);
    /// `None` where the formula does not give it (M/G/1).
    pub waited_fraction: Option<f64>,
}

/// Why no closed form is shown for a scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NotApplicable {
    /// Spin work shares the cores: service rates change with the load.
    SpinWork,
    /// A polling consumer adds its poll period to the wait.
    PollingConsumers,
    /// A full queue blocks its producer: arrivals are no longer Poisson.
    BoundedQueue,
    /// Produce times are not exponential (or take no time): arrivals are not Poisson.
    NotPoissonArrivals,
    /// Consume times of zero: nothing ever queues for a consumer.
    NoConsumeTime,
    /// Producers put no items, or there are no consumers.
    Empty,
    /// ρ ≥ 1: the queue grows without bound, there is no steady state.
    Overloaded { rho: f64 },
    /// The queue (M/D/c, M/G/c) has no simple closed form.
    NoClosedForm { queue: &'static str },
    /// Normal consume times with a mean under 6 sd: the cut at zero changes the moments.
    CutNormal,
    /// The run is too short to be near steady state.
    TooFewItems { items: u64, needed: u64 },
}

impl fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotApplicable::SpinWork => write!(f, "spin work shares the cores"),
            NotApplicable::PollingConsumers => write!(f, "polling consumers"),
            NotApplicable::BoundedQueue => write!(f, "bounded queue"),
            NotApplicable::NotPoissonArrivals => {
                write!(f, "arrivals not Poisson (produce time not exponential)")
            }
            NotApplicable::NoConsumeTime => write!(f, "consume time is zero"),
            NotApplicable::Empty => write!(f, "no items or no consumers"),
            NotApplicable::Overloaded { rho } => {
                write!(f, "rho = {rho:.3} >= 1: no steady state")
            }
            NotApplicable::NoClosedForm { queue } => write!(f, "{queue} has no closed form"),
            NotApplicable::CutNormal => {
                write!(f, "normal consume time cut at zero (mean under 6 sd)")
            }
            // So near 1 that no run could move enough: the count would read as 2^64.
            NotApplicable::TooFewItems { needed, .. } if *needed >= NEAR_ONE_ITEMS => write!(
                f,
                "utilisation too near 1 for a steady state within any run (it needs over \
                 {NEAR_ONE_ITEMS} items)"
            ),
            NotApplicable::TooFewItems { items, needed } => {
                write!(f, "too few items for steady state ({items} < {needed})")
            }
        }
    }
}

/// The theory of `scenario`, or why there is none.
pub fn theory(scenario: &Scenario) -> Result<Theory, NotApplicable> {
    if scenario.work == WorkKind::Spin {
        return Err(NotApplicable::SpinWork);
    }
    if scenario.consumer == ConsumerStyle::Poll {
        return Err(NotApplicable::PollingConsumers);
    }
    if matches!(scenario.queue, QueueKind::Bounded { .. }) {
        return Err(NotApplicable::BoundedQueue);
    }
    let seconds = |d: &std::time::Duration| d.as_secs_f64() * scenario.time_scale;
    let produce_mean = match &scenario.produce_time {
        TimeSpec::Exp { mean } if seconds(mean) > 0.0 => seconds(mean),
        _ => return Err(NotApplicable::NotPoissonArrivals),
    };
    let items = scenario.total_items();
    if items == 0 || scenario.consumers == 0 {
        return Err(NotApplicable::Empty);
    }
    let c = scenario.consumers;
    let lambda = f64::from(scenario.producers) / produce_mean;
    // Consume time: its mean and second moment, in seconds.
    let (mean, second) = match &scenario.consume_time {
        TimeSpec::Fixed(d) => (seconds(d), seconds(d).powi(2)),
        TimeSpec::Exp { mean } => (seconds(mean), 2.0 * seconds(mean).powi(2)),
        TimeSpec::Uniform { low, high } => {
            let (a, b) = (seconds(low), seconds(high));
            ((a + b) / 2.0, (a * a + a * b + b * b) / 3.0)
        }
        TimeSpec::Normal { mean, sd } => {
            let (m, s) = (seconds(mean), seconds(sd));
            if m < NORMAL_UNCUT_SDS * s {
                return Err(NotApplicable::CutNormal);
            }
            (m, m * m + s * s)
        }
    };
    if mean <= 0.0 || !mean.is_finite() {
        return Err(NotApplicable::NoConsumeTime);
    }
    let rho = lambda * mean / f64::from(c);
    if rho >= 1.0 || rho.is_nan() {
        return Err(NotApplicable::Overloaded { rho });
    }
    let found = match (&scenario.consume_time, c) {
        (TimeSpec::Exp { .. }, _) => erlang_c(lambda, 1.0 / mean, c),
        (TimeSpec::Fixed(_), 1) => md1(lambda, mean),
        (_, 1) => mg1(lambda, mean, second),
        (TimeSpec::Fixed(_), _) => return Err(NotApplicable::NoClosedForm { queue: "M/D/c" }),
        _ => return Err(NotApplicable::NoClosedForm { queue: "M/G/c" }),
    };
    let needed = items_needed(rho);
    if items < needed {
        return Err(NotApplicable::TooFewItems { items, needed });
    }
    Ok(found)
}

/// Items beyond any run's (`items_per_producer` × `producers` is at most 10^13): a
/// steady state needing more is told as out of reach, not as a count.
const NEAR_ONE_ITEMS: u64 = 1_000_000_000_000_000;

/// Items a run needs to be near steady state at utilisation `rho`: at least `MIN_ITEMS`
/// and `RELAXATIONS` relaxation times. The relaxation time of M/M/1 is
/// 1 / (μ(1 − √ρ)²) (Morse), which is ρ / (1 − √ρ)² arrivals; M/M/c in heavy traffic
/// relaxes like M/M/1 of rate cμ, which is the same count of arrivals. A rule of thumb
/// for M/G/1 too: it grows as the load nears 1, as every queue's does.
pub fn items_needed(rho: f64) -> u64 {
    let relaxation = rho / (1.0 - rho.sqrt()).powi(2);
    (RELAXATIONS * relaxation).ceil().max(MIN_ITEMS as f64) as u64
}

/// The probability that an arrival finds all `c` consumers busy (Erlang C) at offered
/// load `a` = λ/μ < c, through the Erlang B recursion, which stays exact for large c
/// where a^c / c! would overflow.
pub fn erlang_c_probability(a: f64, c: u32) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

/// M/M/c: P(Wq > t) = C·e^{−(cμ − λ)t}, so the mean is C / (cμ − λ) and the p99 is
/// ln(C / 0.01) / (cμ − λ), or 0 when at most 1% wait at all.
fn erlang_c(lambda: f64, mu: f64, c: u32) -> Theory {
    let capacity = f64::from(c) * mu;
    let waiting = erlang_c_probability(lambda / mu, c);
    let drain = capacity - lambda;
    let p99 = if waiting > 0.01 {
        (waiting / 0.01).ln() / drain
    } else {
        0.0
    };
    Theory {
        formula: Formula::ErlangC,
        rho: lambda / capacity,
        wait_mean_s: waiting / drain,
        wait_p99_s: Some(p99),
        wait_positive: waiting,
        waited_fraction: Some(waiting * (-drain * WAITED_NS as f64 / 1e9).exp()),
    }
}

/// M/D/1 with consume time `d`: Pollaczek–Khinchine's mean λd² / (2(1 − ρ)); P(Wq > 0)
/// = ρ as in every M/G/1 queue, and P(Wq > 20 µs) from Erlang's distribution of the wait.
fn md1(lambda: f64, d: f64) -> Theory {
    let rho = lambda * d;
    Theory {
        formula: Formula::PollaczekKhinchineMd1,
        rho,
        wait_mean_s: lambda * d * d / (2.0 * (1.0 - rho)),
        wait_p99_s: None,
        wait_positive: rho,
        waited_fraction: md1_wait_cdf(lambda, d, WAITED_NS as f64 / 1e9).map(|p| 1.0 - p),
    }
}

/// Erlang's M/D/1 waiting-time distribution (1909), exact:
/// P(Wq ≤ t) = (1 − ρ) Σ_{k=0}^{⌊t/d⌋} (λ(kd − t))^k / k! · e^{−λ(kd − t)}.
/// For t < d it is (1 − ρ)e^{λt}. `None` where the alternating sum would need more than
/// `MD1_MAX_TERMS` terms.
pub fn md1_wait_cdf(lambda: f64, d: f64, t: f64) -> Option<f64> {
    if t < 0.0 {
        return Some(0.0);
    }
    let terms = (t / d).floor();
    if terms > MD1_MAX_TERMS as f64 {
        return None;
    }
    let mut sum = 0.0;
    for k in 0..=terms as u64 {
        let x = lambda * (k as f64 * d - t);
        let factorial: f64 = (1..=k).map(|j| j as f64).product();
        sum += x.powi(k as i32) / factorial * (-x).exp();
    }
    Some(((1.0 - lambda * d) * sum).clamp(0.0, 1.0))
}

/// M/G/1 with consume times of mean `mean` and second moment `second`:
/// Pollaczek–Khinchine's mean λE[S²] / (2(1 − ρ)); P(Wq > 0) = ρ.
fn mg1(lambda: f64, mean: f64, second: f64) -> Theory {
    let rho = lambda * mean;
    Theory {
        formula: Formula::PollaczekKhinchineMg1,
        rho,
        wait_mean_s: lambda * second / (2.0 * (1.0 - rho)),
        wait_p99_s: None,
        wait_positive: rho,
        waited_fraction: None,
    }
}

/// Fills each summary's `theory` from its scenario, which `scenario` gives by index.
pub fn add_theory<'a>(summaries: &mut [Summary], scenario: impl Fn(usize) -> &'a Scenario) {
    for summary in summaries {
        summary.theory = Some(theory(scenario(summary.scenario)));
    }
}

#[cfg(test)]
mod tests;
