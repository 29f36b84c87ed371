//! The formulas by hand, and the model against them on long virtual runs.
//!
//! Each run replays one seeded scenario in the model (no threads, so no load can move
//! it) and keeps every item's wait. Tolerances come from the run itself by batch means:
//! the first of 31 equal batches is dropped as the warm-up from an empty queue, the
//! statistic is computed on each of the other 30, and the model passes when it lies
//! within `Z` standard errors of the theory. Run with `--nocapture` to see the table.

use std::time::Duration;

use super::*;
use crate::model::replay_items;
use crate::scenario::{QueueImpl, QueueKind};

/// Standard errors allowed: with 30 batches (29 degrees of freedom), a correct model
/// strays further about once in 2,000 checks.
const Z: f64 = 4.0;
const BATCHES: usize = 30;
const SEED: u64 = 0x7e0_2e5;
/// Mean consume time of the random cases: 1 ms, so rounding draws to whole
/// nanoseconds moves nothing.
const SERVICE_NS: f64 = 1e6;

fn scenario(
    producers: u32,
    consumers: u32,
    items: u64,
    produce: TimeSpec,
    consume: TimeSpec,
) -> Scenario {
    Scenario {
        index: 0,
        label: "theory".into(),
        producers,
        consumers,
        items_per_producer: items,
        item_bytes: crate::scenario::key::DEFAULT_ITEM_BYTES,
        produce_time: produce,
        consume_time: consume,
        consumer: ConsumerStyle::Block,
        queue: QueueKind::Unbounded,
        queue_impl: QueueImpl::Crossbeam,
        work: WorkKind::Sleep,
        time_scale: 1.0,
    }
}

fn ns(value: f64) -> Duration {
    Duration::from_nanos(value.round() as u64)
}

fn exp(mean_ns: f64) -> TimeSpec {
    TimeSpec::Exp { mean: ns(mean_ns) }
}

/// `producers` exponential producers putting items for `consumers` consumers at
/// utilisation `rho`, with consume times `consume` of mean `SERVICE_NS`.
fn poisson(producers: u32, consumers: u32, rho: f64, total: u64, consume: TimeSpec) -> Scenario {
    let lambda_per_ns = rho * f64::from(consumers) / SERVICE_NS;
    let produce = exp(f64::from(producers) / lambda_per_ns);
    scenario(
        producers,
        consumers,
        total / u64::from(producers),
        produce,
        consume,
    )
}

/// Every item's wait in seconds, in the order taken.
fn waits(s: &Scenario) -> Vec<f64> {
    let (_, items) = replay_items(s, SEED, 2);
    assert_eq!(items.len() as u64, s.total_items(), "every item taken once");
    items
        .iter()
        .map(|(put, take)| (take - put) as f64 / 1e9)
        .collect()
}

/// A statistic of a run and its standard error by batch means.
#[derive(Clone, Copy, Debug)]
struct Estimate {
    value: f64,
    se: f64,
}

fn estimate(values: &[f64], statistic: impl Fn(&[f64]) -> f64) -> Estimate {
    let size = values.len() / (BATCHES + 1);
    // The first batch is the warm-up from an empty queue.
    let kept = &values[size..size * (BATCHES + 1)];
    let batches: Vec<f64> = kept.chunks(size).map(&statistic).collect();
    let sd = super::super::spread(&batches).sd;
    Estimate {
        value: statistic(kept),
        se: sd / (BATCHES as f64).sqrt(),
    }
}

fn mean_of(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The 99th percentile, nearest rank.
fn p99_of(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() as f64 * 0.99).ceil() as usize).saturating_sub(1)]
}

fn share_over(threshold: f64) -> impl Fn(&[f64]) -> f64 {
    move |values| values.iter().filter(|w| **w > threshold).count() as f64 / values.len() as f64
}

/// Checks `got` against `expected` within `Z` standard errors, and prints the row.
fn check(case: &str, what: &str, expected: f64, got: Estimate) {
    // Exactly equal (a rendezvous waits for nothing: both 0) is agreement, with no spread.
    if got.value == expected {
        println!("{case:<22} {what:<14} theory {expected:>12.6e}  model exactly that");
        return;
    }
    let z = (got.value - expected) / got.se;
    let off = (got.value / expected - 1.0) * 100.0;
    println!(
        "{case:<22} {what:<14} theory {expected:>12.6e}  model {:>12.6e}  ({off:+6.2}%, {z:+5.2} SE, SE {:.2}%)",
        got.value,
        got.se / expected * 100.0
    );
    assert!(
        z.abs() <= Z,
        "{case} {what}: model {} against theory {expected}: {z:.2} standard errors ({} SE)",
        got.value,
        got.se
    );
}

#[test]
fn erlang_c_by_hand() {
    // One consumer: every arrival that finds it busy waits, P = ρ.
    assert!((erlang_c_probability(0.8, 1) - 0.8).abs() < 1e-12);
    // c = 2: C = 2ρ² / (1 + ρ); at ρ = 0.5, 1/3.
    assert!((erlang_c_probability(1.0, 2) - 1.0 / 3.0).abs() < 1e-12);
    // c = 4, a = 2: Σ_{k<4} a^k/k! = 19/3; a⁴/4! · 1/(1 − ρ) = 4/3; C = (4/3)/(23/3) = 4/23.
    assert!((erlang_c_probability(2.0, 4) - 4.0 / 23.0).abs() < 1e-12);
    // A large pool stays finite where a^c / c! would overflow.
    let big = erlang_c_probability(900.0, 1000);
    assert!(big > 0.0 && big < 1.0, "{big}");
}

#[test]
fn md1_distribution_by_hand() {
    let (lambda, d) = (0.8, 1.0);
    // Below one consume time: (1 − ρ)e^{λt}; at 0 it is 1 − ρ.
    assert_eq!(md1_wait_cdf(lambda, d, 0.0), Some(1.0 - 0.8));
    let half = md1_wait_cdf(lambda, d, 0.5).expect("one term");
    assert!((half - 0.2 * (0.4f64).exp()).abs() < 1e-12);
    // Between d and 2d: (1 − ρ)(e^{λt} − λ(t − d)e^{λ(t − d)}).
    let t = 1.5;
    let by_hand = 0.2 * ((lambda * t).exp() - lambda * (t - d) * (lambda * (t - d)).exp());
    let got = md1_wait_cdf(lambda, d, t).expect("two terms");
    assert!((got - by_hand).abs() < 1e-12);
    // Far out it nears 1 and never leaves [0, 1].
    let far = md1_wait_cdf(lambda, d, 30.0).expect("31 terms");
    assert!((0.999..=1.0).contains(&far), "{far}");
}

#[test]
fn a_closed_form_only_inside_its_assumptions() {
    let mm1 = poisson(1, 1, 0.5, 20_000, exp(SERVICE_NS));
    let t = theory(&mm1).expect("M/M/1");
    assert_eq!(t.formula, Formula::ErlangC);
    assert!((t.rho - 0.5).abs() < 1e-6);
    // Wq = ρ / (μ − λ) = 0.5 / 500 per s = 1 ms.
    assert!((t.wait_mean_s - 1e-3).abs() < 1e-8, "{t:?}");
    let with = |f: &dyn Fn(&mut Scenario)| {
        let mut s = mm1.clone();
        f(&mut s);
        theory(&s)
    };
    let fixed = TimeSpec::Fixed(ns(SERVICE_NS));
    assert_eq!(
        with(&|s| s.work = WorkKind::Spin),
        Err(NotApplicable::SpinWork)
    );
    assert_eq!(
        with(&|s| s.consumer = ConsumerStyle::Poll),
        Err(NotApplicable::PollingConsumers)
    );
    assert_eq!(
        with(&|s| s.queue = QueueKind::Bounded { capacity: 8 }),
        Err(NotApplicable::BoundedQueue)
    );
    assert_eq!(
        with(&|s| s.produce_time = TimeSpec::Fixed(ns(2e6))),
        Err(NotApplicable::NotPoissonArrivals)
    );
    assert_eq!(
        with(&|s| s.consume_time = TimeSpec::Fixed(Duration::ZERO)),
        Err(NotApplicable::NoConsumeTime)
    );
    assert_eq!(
        with(&|s| s.consume_time = exp(3e6)),
        Err(NotApplicable::Overloaded { rho: 1.5 })
    );
    assert_eq!(
        with(&|s| {
            s.consumers = 2;
            s.consume_time = fixed.clone();
        }),
        Err(NotApplicable::NoClosedForm { queue: "M/D/c" })
    );
    assert_eq!(
        with(&|s| s.items_per_producer = 9_999),
        Err(NotApplicable::TooFewItems {
            items: 9_999,
            needed: 10_000
        })
    );
    // Near ρ = 1 a steady state takes far longer to reach.
    let heavy = poisson(1, 1, 0.99, 100_000, exp(SERVICE_NS));
    assert!(matches!(
        theory(&heavy),
        Err(NotApplicable::TooFewItems { .. })
    ));
    // So near that no run could reach it: said so, not as a count of 2^64 items.
    let said = NotApplicable::TooFewItems {
        items: 20_000,
        needed: u64::MAX,
    }
    .to_string();
    assert!(
        said.contains("too near 1") && !said.contains("18446744073709551615"),
        "{said}"
    );
    let cut = TimeSpec::Normal {
        mean: ns(1e6),
        sd: ns(0.5e6),
    };
    assert_eq!(
        with(&|s| s.consume_time = cut.clone()),
        Err(NotApplicable::CutNormal)
    );
    let md1 = with(&|s| s.consume_time = fixed.clone()).expect("M/D/1");
    assert_eq!(
        (md1.formula, md1.wait_p99_s),
        (Formula::PollaczekKhinchineMd1, None)
    );
}

/// M/M/c: the model's waits against Erlang C. Two producers, so the Poisson stream is a
/// superposition, as the theory says it may be.
fn mmc(consumers: u32, rho: f64, items: u64) {
    let s = poisson(2, consumers, rho, items, exp(SERVICE_NS));
    let t = theory(&s).expect("Erlang C applies");
    assert_eq!(t.formula, Formula::ErlangC);
    let w = waits(&s);
    let case = format!("M/M/{consumers} rho={rho}");
    check(&case, "mean", t.wait_mean_s, estimate(&w, mean_of));
    let p99 = t.wait_p99_s.expect("Erlang C has quantiles");
    check(&case, "p99", p99, estimate(&w, p99_of));
    check(
        &case,
        "P(W>0)",
        t.wait_positive,
        estimate(&w, share_over(0.0)),
    );
    let waited = t.waited_fraction.expect("Erlang C has the tail");
    check(&case, "P(W>20us)", waited, estimate(&w, share_over(2e-5)));
    // The tail is exponential: P(Wq > 1 ms) = C·e^{−(cμ − λ)·1 ms}.
    let drain = f64::from(consumers) * (1.0 - rho) * 1e3;
    let tail = t.wait_positive * (-drain * 1e-3).exp();
    check(&case, "P(W>1ms)", tail, estimate(&w, share_over(1e-3)));
}

// One test per queue and load, so each stays short in a debug build. Heavier loads
// need longer runs for the same precision.

#[test]
fn mm1_at_rho_0_5_matches_erlang_c() {
    mmc(1, 0.5, 200_000);
}

#[test]
fn mm1_at_rho_0_8_matches_erlang_c() {
    mmc(1, 0.8, 200_000);
}

#[test]
fn mm1_at_rho_0_9_matches_erlang_c() {
    mmc(1, 0.9, 300_000);
}

#[test]
fn mm2_at_rho_0_5_matches_erlang_c() {
    mmc(2, 0.5, 200_000);
}

#[test]
fn mm2_at_rho_0_8_matches_erlang_c() {
    mmc(2, 0.8, 200_000);
}

#[test]
fn mm2_at_rho_0_9_matches_erlang_c() {
    mmc(2, 0.9, 300_000);
}

#[test]
fn mm4_at_rho_0_5_matches_erlang_c() {
    mmc(4, 0.5, 200_000);
}

#[test]
fn mm4_at_rho_0_8_matches_erlang_c() {
    mmc(4, 0.8, 200_000);
}

#[test]
fn mm4_at_rho_0_9_matches_erlang_c() {
    mmc(4, 0.9, 300_000);
}

/// M/D/1: the mean against Pollaczek–Khinchine, the shares against Erlang's
/// distribution of the wait (P(Wq > 0) = ρ, and beyond one and a half consume times).
#[test]
fn md1_model_matches_pollaczek_khinchine() {
    for (rho, items) in [(0.5, 200_000), (0.8, 200_000), (0.9, 300_000)] {
        let s = poisson(1, 1, rho, items, TimeSpec::Fixed(ns(SERVICE_NS)));
        let t = theory(&s).expect("M/D/1 applies");
        assert_eq!(t.formula, Formula::PollaczekKhinchineMd1);
        let w = waits(&s);
        let case = format!("M/D/1 rho={rho}");
        check(&case, "mean", t.wait_mean_s, estimate(&w, mean_of));
        check(
            &case,
            "P(W>0)",
            t.wait_positive,
            estimate(&w, share_over(0.0)),
        );
        let waited = t.waited_fraction.expect("Erlang's formula at 20 µs");
        check(&case, "P(W>20us)", waited, estimate(&w, share_over(2e-5)));
        let lambda = rho / 1e-3;
        let beyond = 1.0 - md1_wait_cdf(lambda, 1e-3, 1.5e-3).expect("two terms");
        check(
            &case,
            "P(W>1.5ms)",
            beyond,
            estimate(&w, share_over(1.5e-3)),
        );
    }
}

/// M/G/1 with uniform consume times: the Pollaczek–Khinchine mean.
#[test]
fn mg1_model_matches_pollaczek_khinchine() {
    let uniform = TimeSpec::Uniform {
        low: ns(0.2 * SERVICE_NS),
        high: ns(1.8 * SERVICE_NS),
    };
    let s = poisson(1, 1, 0.8, 200_000, uniform);
    let t = theory(&s).expect("M/G/1 applies");
    assert_eq!(t.formula, Formula::PollaczekKhinchineMg1);
    let w = waits(&s);
    check(
        "M/G/1 uniform rho=0.8",
        "mean",
        t.wait_mean_s,
        estimate(&w, mean_of),
    );
    check(
        "M/G/1 uniform rho=0.8",
        "P(W>0)",
        t.wait_positive,
        estimate(&w, share_over(0.0)),
    );
}

/// D/D/c: fixed times make every wait a number worked out by hand.
#[test]
fn dd_c_waits_exactly_as_worked_out_by_hand() {
    let ms = |n: u64| TimeSpec::Fixed(Duration::from_millis(n));
    let waits_ms = |s: &Scenario| -> Vec<u64> {
        let (_, items) = replay_items(s, SEED, 2);
        items
            .iter()
            .map(|(put, take)| (take - put) / 1_000_000)
            .collect()
    };
    // Overloaded: one producer every 10 ms, three consumers of 40 ms. Consumer j takes
    // items j, j + 3, …, so item k starts at (k mod 3)·10 + ⌊k/3⌋·40 ms and was put at
    // 10k ms: it waits ⌊k/3⌋·(40 − 3·10) = ⌊k/3⌋·10 ms.
    let s = scenario(1, 3, 30, ms(10), ms(40));
    let expected: Vec<u64> = (0..30).map(|k| k / 3 * 10).collect();
    assert_eq!(waits_ms(&s), expected);
    assert_eq!(theory(&s), Err(NotApplicable::NotPoissonArrivals));
    // Underloaded: two consumers of 15 ms share one producer every 10 ms; each is free
    // again 5 ms before its next item: no item waits.
    let s = scenario(1, 2, 30, ms(10), ms(15));
    assert!(waits_ms(&s).iter().all(|w| *w == 0));
    // Two producers in step put two items every 10 ms; one consumer of 4 ms takes the
    // first at once and the second when done: waits alternate 0 and 4 ms.
    let s = scenario(2, 1, 15, ms(10), ms(4));
    let expected: Vec<u64> = (0..30).map(|k| k % 2 * 4).collect();
    assert_eq!(waits_ms(&s), expected);
}

/// One exponential producer and one exponential consumer on a queue of capacity K, a
/// full queue blocking its producer.
///
/// The state is n, the items in the system: the one being worked (a blocking consumer
/// takes it off the queue), up to K queued, and one held by a blocked producer. So n runs
/// over 0..=K+2 (the brief's "0..=K+1" counts one fewer: it leaves out the item in
/// work). A put is called at rate λ in every state but K+2, where the producer is
/// blocked; in K+1 (queue full) that put blocks, moving to K+2. The consumer finishes at
/// rate μ whenever n ≥ 1; in K+2 its next take lets the blocked put return, back to
/// K+1, and the producer's clock restarts then (memoryless, so the rate stays λ). This
/// is a birth–death chain with π_n ∝ (λ/μ)^n on 0..=K+2, the state process of M/M/1 with
/// room for K+2, but no item is lost: a put waits instead.
///
/// What is compared is well defined whatever the state: an item's wait runs from its
/// put to its take (a blocked producer's time is its own), so by Little's law
/// the mean wait is the mean count of items on the queue, E[min(max(n − 1, 0), K)], over
/// the throughput X = μ(1 − π_0). An item waits at all unless it is taken as its put
/// returns: put calls see the chain restricted to 0..=K+1 (conditional PASTA), and one
/// that finds the consumer idle (π_0 / (1 − π_{K+2}) of them) is taken at once; on a
/// rendezvous (K = 0) every item is handed over as its put returns and none waits. And
/// the mean gap between takes is 1/X.
#[test]
fn bounded_blocking_queue_matches_its_birth_death_chain() {
    for (capacity, rho) in [(0, 0.8), (4, 0.8), (4, 1.25)] {
        let lambda = rho / SERVICE_NS * 1e9;
        let mu = 1e9 / SERVICE_NS;
        let states = capacity as usize + 3;
        let weights: Vec<f64> = (0..states).map(|n| rho.powi(n as i32)).collect();
        let total: f64 = weights.iter().sum();
        let pi: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let throughput = mu * (1.0 - pi[0]);
        // Balance: what enters (puts not blocked) leaves.
        assert!((throughput - lambda * (1.0 - pi[states - 1])).abs() < 1e-9 * throughput);
        let queued: f64 = (1..states)
            .map(|n| (n - 1).min(capacity as usize) as f64 * pi[n])
            .sum();
        let mut s = scenario(1, 1, 200_000, exp(SERVICE_NS / rho), exp(SERVICE_NS));
        s.queue = QueueKind::Bounded { capacity };
        let (_, items) = replay_items(&s, SEED, 2);
        let w: Vec<f64> = items.iter().map(|(p, t)| (t - p) as f64 / 1e9).collect();
        let gaps: Vec<f64> = items
            .windows(2)
            .map(|pair| (pair[1].1 - pair[0].1) as f64 / 1e9)
            .collect();
        let case = format!("bounded K={capacity} l/m={rho}");
        check(&case, "mean", queued / throughput, estimate(&w, mean_of));
        let busy = if capacity == 0 {
            0.0
        } else {
            1.0 - pi[0] / (1.0 - pi[states - 1])
        };
        check(&case, "P(W>0)", busy, estimate(&w, share_over(0.0)));
        check(
            &case,
            "1/throughput",
            1.0 / throughput,
            estimate(&gaps, mean_of),
        );
    }
}
