//! The runner's own cost per item, for every queue implementation: each implementation's
//! bare loop (its own send and receive, nothing else) beside queuelab's runner with that
//! `queue_impl`, on the same zero-time case: 4 producers, 4 blocking consumers, an
//! unbounded queue, 2,000,000 items of 8 bytes.
//!
//! Rounds are paired: in each round every implementation runs its bare loop and the
//! runner moments apart, alternating which goes first, so a machine busy for a while
//! slows both sides of a pair; the figure is the median of the pairs' ratios (runner
//! items/s over bare items/s), with their range as the spread. The goal is a ratio of at
//! least 0.85 for every implementation. Run on a quiet machine:
//!
//! ```sh
//! cargo bench --bench overhead                    # every implementation, about 1-2 minutes
//! cargo bench --bench overhead -- flume kanal     # some of them
//! QUEUELAB_OVERHEAD_ITEMS=20000 QUEUELAB_OVERHEAD_ROUNDS=1 cargo bench --bench overhead
//! ```
//!
//! (the last only proves it works: figures of 20,000 items mean nothing).
//!
//! `QUEUELAB_OVERHEAD_ONLY=bare` or `=runner` runs that side alone, once per
//! implementation named, with no warm-up and no figures: a process whose work is one side,
//! for `valgrind --tool=callgrind` to count (see `benches/overhead_instructions.sh`).

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Instant;

use queuelab::experiment;
use queuelab::runner::{locked, run_once};
use queuelab::scenario::{QueueImpl, Scenario};

const PRODUCERS: u64 = 4;
const CONSUMERS: u64 = 4;
const ITEMS: u64 = 2_000_000;
const ROUNDS: usize = 11;
const GOAL: f64 = 0.85;

/// A whole number from the environment, or `default`.
fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text} is not a whole number")),
        Err(_) => default,
    }
}

/// `PRODUCERS` threads each putting their share of `items` numbers with `put`, and
/// `CONSUMERS` threads taking with `take` until it answers `None` (every producer gone),
/// summing what they take so the compiler keeps it. A macro rather than a function
/// taking closures: each loop is then written out in its thread as plain code would be,
/// and the compiler inlines the crate's calls into it as it would there.
macro_rules! drive {
    ($items:expr, $tx:expr, |$t:ident, $v:ident| $put:expr, $rx:expr, |$r:ident| $take:expr) => {{
        let per = $items / PRODUCERS;
        let (tx, rx) = ($tx, $rx);
        thread::scope(|s| {
            for p in 0..PRODUCERS {
                let $t = tx.clone();
                s.spawn(move || {
                    for i in 0..per {
                        let $v = p * per + i;
                        let _ = $put;
                    }
                });
            }
            drop(tx);
            for _ in 0..CONSUMERS {
                let $r = rx.clone();
                s.spawn(move || {
                    let mut sum = 0u64;
                    while let Some(v) = $take {
                        sum = sum.wrapping_add(v);
                    }
                    black_box(sum);
                });
            }
            drop(rx);
        });
    }};
}

/// Items per second through `implementation`'s own blocking send and receive, with no
/// bookkeeping. `std`'s one receiver is shared behind a mutex and `mutex` is queuelab's
/// `Mutex<VecDeque>` itself, as the runner has them.
fn bare(implementation: QueueImpl, items: u64) -> f64 {
    let start = Instant::now();
    match implementation {
        QueueImpl::Crossbeam => {
            let (tx, rx) = crossbeam_channel::unbounded::<u64>();
            drive!(items, tx, |tx, v| tx.send(v), rx, |rx| rx.recv().ok());
        }
        QueueImpl::Std => {
            let (tx, rx) = mpsc::channel::<u64>();
            let rx = Arc::new(Mutex::new(rx));
            drive!(items, tx, |tx, v| tx.send(v), rx, |rx| rx
                .lock()
                .ok()
                .and_then(|rx| rx.recv().ok()));
        }
        QueueImpl::Mutex => {
            let stop = AtomicBool::new(false);
            let (tx, rx) = locked::<u64>(None);
            let stop = &stop;
            drive!(items, tx, |tx, v| tx.put(v, stop), rx, |rx| rx.take(stop));
        }
        QueueImpl::Flume => {
            let (tx, rx) = flume::unbounded::<u64>();
            drive!(items, tx, |tx, v| tx.send(v), rx, |rx| rx.recv().ok());
        }
        QueueImpl::Kanal => {
            let (tx, rx) = kanal::unbounded::<u64>();
            drive!(items, tx, |tx, v| tx.send(v), rx, |rx| rx.recv().ok());
        }
    }
    items as f64 / start.elapsed().as_secs_f64()
}

/// Items per second through queuelab's runner.
fn runner(scenario: &Scenario, seed: u64) -> f64 {
    match run_once(scenario, seed, &AtomicBool::new(false)) {
        Ok(m) => m.items as f64 / m.elapsed_s,
        Err(e) => panic!("{e}"),
    }
}

/// The same case as the bare loops, as an experiment file would say it.
fn scenario(implementation: QueueImpl, items: u64) -> Scenario {
    let text = format!(
        "[scenario]\nproducers = {PRODUCERS}\nconsumers = {CONSUMERS}\nitems_per_producer = {}\n\
         produce_time = \"0ms\"\nconsume_time = \"0ms\"\nconsumer = \"block\"\nqueue_impl = \"{}\"\n",
        items / PRODUCERS,
        implementation.name()
    );
    match experiment::parse(Path::new("overhead.toml"), &text) {
        Ok(e) => e.scenarios[0].clone(),
        Err(errors) => panic!("{errors:?}"),
    }
}

/// The implementations named on the command line (cargo adds `--bench`), or all.
fn chosen() -> Vec<QueueImpl> {
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if named.is_empty() {
        return QueueImpl::ALL.to_vec();
    }
    named
        .iter()
        .map(|n| {
            QueueImpl::from_name(n)
                .unwrap_or_else(|| panic!("`{n}` is not one of {:?}", QueueImpl::NAMES))
        })
        .collect()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One implementation's pairs: bare and runner items/s of each round.
struct Pairs {
    implementation: QueueImpl,
    scenario: Scenario,
    bare: Vec<f64>,
    runner: Vec<f64>,
}

/// Which side `QUEUELAB_OVERHEAD_ONLY` asks for alone, if any.
#[derive(Clone, Copy)]
enum Side {
    Bare,
    Runner,
}

fn only() -> Option<Side> {
    match std::env::var("QUEUELAB_OVERHEAD_ONLY").as_deref() {
        Err(_) => None,
        Ok("bare") => Some(Side::Bare),
        Ok("runner") => Some(Side::Runner),
        Ok(other) => panic!("QUEUELAB_OVERHEAD_ONLY={other}: allowed are `bare` and `runner`"),
    }
}

/// One side once per chosen implementation, for an instruction counter: prints what ran,
/// never a speed (under a counter it would mean nothing).
fn run_side(side: Side, items: u64) {
    for implementation in chosen() {
        let name = match side {
            Side::Bare => {
                black_box(bare(implementation, items));
                "bare"
            }
            Side::Runner => {
                black_box(runner(&scenario(implementation, items), 0));
                "runner"
            }
        };
        println!("{name} {} {items} items", implementation.name());
    }
}

fn main() {
    let items = setting("QUEUELAB_OVERHEAD_ITEMS", ITEMS);
    if let Some(side) = only() {
        return run_side(side, items);
    }
    let rounds = setting("QUEUELAB_OVERHEAD_ROUNDS", ROUNDS as u64).max(1) as usize;
    let mut all: Vec<Pairs> = chosen()
        .into_iter()
        .map(|implementation| Pairs {
            implementation,
            scenario: scenario(implementation, items),
            bare: Vec::new(),
            runner: Vec::new(),
        })
        .collect();
    // Round 0 warms up (thread stacks, allocator arenas) and is not counted.
    for round in 0..=rounds {
        for pairs in &mut all {
            let seed = round as u64;
            let (b, r) = if round % 2 == 0 {
                let b = bare(pairs.implementation, items);
                (b, runner(&pairs.scenario, seed))
            } else {
                let r = runner(&pairs.scenario, seed);
                (bare(pairs.implementation, items), r)
            };
            if round > 0 {
                pairs.bare.push(b);
                pairs.runner.push(r);
            }
        }
    }
    println!(
        "{PRODUCERS} producers x {CONSUMERS} blocking consumers, unbounded, {items} items of 8 bytes, \
         zero time; {rounds} paired round{}",
        if rounds == 1 { "" } else { "s" }
    );
    println!(
        "  {:<10} {:>11} {:>13} {:>15} {:>13}",
        "queue_impl", "bare M/s", "runner M/s", "ratio (median)", "ratio range"
    );
    for mut pairs in all {
        let mut ratios: Vec<f64> = pairs
            .runner
            .iter()
            .zip(&pairs.bare)
            .map(|(r, b)| r / b)
            .collect();
        let ratio = median(&mut ratios);
        let verdict = if ratio >= GOAL {
            ""
        } else {
            "  below the goal"
        };
        println!(
            "  {:<10} {:>11.2} {:>13.2} {:>15.2} {:>6.2} – {:.2}{verdict}",
            pairs.implementation.name(),
            median(&mut pairs.bare) / 1e6,
            median(&mut pairs.runner) / 1e6,
            ratio,
            ratios[0],
            ratios[ratios.len() - 1],
        );
    }
    println!(
        "goal: a ratio of at least {GOAL} for every implementation (runner items/s over bare)"
    );
}
