//! The runner's own cost per item, for every queue implementation: each implementation's
//! bare loop (its own send and receive, nothing else) beside queuelab's runner with that
//! `queue_impl`, on the same zero-time case: 4 producers, 4 blocking consumers, an
//! unbounded queue, items of 8 bytes.
//!
//! Each run is long enough that a scheduler's whim on a 2-core machine does not decide
//! it: every implementation moves its own number of items (`default_items`), meant as
//! about half a second to a second of its bare loop (crossbeam 20 million, std 10
//! million, mutex 3 million, flume 2 million, kanal 30 million).
//!
//! Rounds are paired: in each round every implementation runs its bare loop and the
//! runner moments apart, so a machine busy for a while slows both. The figure is the
//! median of the rounds' ratios (runner items/s over bare items/s) with its
//! 95% bootstrap interval (`stats::median_interval`, as `summary.csv` gives for elapsed
//! times); the ratio of every round follows, in order. The goal is a ratio of at least
//! 0.85 for every implementation: met where the whole interval lies at or above it,
//! missed where it lies below, undecided otherwise (more rounds, or a quieter machine).
//!
//! Each round runs a third loop beside them: the bare loop whose consumers keep the
//! runner's exactly-once check (`runner::Checksum`, the same code), checked once all
//! items are taken. Its ratios split the runner's cost in two: the check's (`chk/bare`)
//! and the rest of the runner's (`run/chk`). The check is the runner's first promise and
//! stays; this says how much of a shortfall it explains. The two ratios multiply to the
//! runner's only roughly: each is a median of its own rounds' ratios. The three loops
//! run in each of their six orders in turn (`ORDERS`), so over a multiple of six rounds
//! each runs before each other as often as after.
//!
//! 24 rounds after one to warm up: by the rates in `default_items`, about 5 minutes on
//! an idle 2-core machine (2 minutes on one twice as fast). Run on a quiet machine:
//!
//! ```sh
//! cargo bench --bench overhead                    # every implementation, about 5 minutes
//! cargo bench --bench overhead -- flume kanal     # some of them
//! QUEUELAB_OVERHEAD_ROUNDS=192 cargo bench --bench overhead -- std   # a narrower interval
//! QUEUELAB_OVERHEAD_ITEMS=20000 QUEUELAB_OVERHEAD_ROUNDS=1 cargo bench --bench overhead
//! ```
//!
//! `QUEUELAB_OVERHEAD_ITEMS` sets the items of every implementation at once (the last
//! line only proves the bench works: figures of 20,000 items mean nothing).
//!
//! `QUEUELAB_OVERHEAD_ONLY=bare`, `=checked` or `=runner` runs that loop alone, once per
//! implementation named, with no warm-up and no figures: a process whose work is one side,
//! for `valgrind --tool=callgrind` to count (see `benches/overhead_instructions.sh`).

use std::hint::black_box;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::Instant;

use queuelab::experiment;
use queuelab::runner::{Checksum, locked, run_once};
use queuelab::scenario::{QueueImpl, Scenario};
use queuelab::stats::{median, median_interval};

const PRODUCERS: u64 = 4;
const CONSUMERS: u64 = 4;
const ROUNDS: u64 = 24;
const GOAL: f64 = 0.85;
/// Fewer rounds than this give no interval worth judging by.
const MIN_ROUNDS_TO_JUDGE: u64 = 5;

/// Items per run of `implementation`: about half a second to a second of its bare loop
/// on an idle 2-core machine, so that each run outlasts the scheduler's time
/// slices and runs of other programs many times over. The bare rates this assumes
/// (crossbeam about 33 million items/s, std 13, mutex 4, flume 2.6, kanal 44) are the
/// runner's 4 × 4 zero-time rates in `results/channel_suite` over the last measured
/// ratios; change the sizes here if this bench finds them far off.
fn default_items(implementation: QueueImpl) -> u64 {
    match implementation {
        QueueImpl::Crossbeam => 20_000_000,
        QueueImpl::Std => 10_000_000,
        QueueImpl::Mutex => 3_000_000,
        QueueImpl::Flume => 2_000_000,
        QueueImpl::Kanal => 30_000_000,
    }
}

/// A whole number from the environment, if set.
fn setting(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    match text.parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={text} is not a whole number"),
    }
}

/// The items `implementation` moves per run: `QUEUELAB_OVERHEAD_ITEMS` for every
/// implementation if set, else its own default; a whole number per producer.
fn items_of(implementation: QueueImpl) -> u64 {
    let items = setting("QUEUELAB_OVERHEAD_ITEMS").unwrap_or(default_items(implementation));
    (items / PRODUCERS).max(1) * PRODUCERS
}

/// `PRODUCERS` threads each putting their share of `items` numbers with `put`, and
/// `CONSUMERS` threads taking with `take` until it answers `None` (every producer gone).
/// A bare loop's consumers sum what they take, so the compiler keeps it; a checked
/// loop's count every number in a `Checksum`, as the runner's consumers do, and the
/// numbers are checked once all are taken. A macro rather than a function taking
/// closures: each loop is then written out in its thread as plain code would be, and
/// the compiler inlines the crate's calls into it as it would there.
macro_rules! drive {
    ($checked:expr, $items:expr, $tx:expr, |$t:ident, $v:ident| $put:expr, $rx:expr, |$r:ident| $take:expr) => {{
        let per = $items / PRODUCERS;
        let (tx, rx) = ($tx, $rx);
        let taken = Mutex::new(Checksum::default());
        let taken = &taken;
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
                    if $checked {
                        let mut ids = Checksum::default();
                        while let Some(v) = $take {
                            ids.add(v);
                        }
                        let mut taken = taken.lock().unwrap_or_else(PoisonError::into_inner);
                        *taken = taken.merge(ids);
                    } else {
                        let mut sum = 0u64;
                        while let Some(v) = $take {
                            sum = sum.wrapping_add(v);
                        }
                        black_box(sum);
                    }
                });
            }
            drop(rx);
        });
        let taken = taken.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(
            !$checked || taken.each_once($items),
            "the checked loop took {} of {} numbers, or not each once",
            taken.count(),
            $items
        );
    }};
}

/// Items per second through `implementation`'s own blocking send and receive: with no
/// bookkeeping, or (`checked`) with only the runner's exactly-once check. `std`'s one receiver is shared behind a mutex and `mutex` is
/// queuelab's `Mutex<VecDeque>` itself, as the runner has them.
fn bare(implementation: QueueImpl, items: u64, checked: bool) -> f64 {
    let start = Instant::now();
    match implementation {
        QueueImpl::Crossbeam => {
            let (tx, rx) = crossbeam_channel::unbounded::<u64>();
            drive!(checked, items, tx, |tx, v| tx.send(v), rx, |rx| rx
                .recv()
                .ok());
        }
        QueueImpl::Std => {
            let (tx, rx) = mpsc::channel::<u64>();
            let rx = Arc::new(Mutex::new(rx));
            drive!(checked, items, tx, |tx, v| tx.send(v), rx, |rx| rx
                .lock()
                .ok()
                .and_then(|rx| rx.recv().ok()));
        }
        QueueImpl::Mutex => {
            let stop = AtomicBool::new(false);
            let (tx, rx) = locked::<u64>(None);
            let stop = &stop;
            drive!(checked, items, tx, |tx, v| tx.put(v, stop), rx, |rx| rx
                .take(stop));
        }
        QueueImpl::Flume => {
            let (tx, rx) = flume::unbounded::<u64>();
            drive!(checked, items, tx, |tx, v| tx.send(v), rx, |rx| rx
                .recv()
                .ok());
        }
        QueueImpl::Kanal => {
            let (tx, rx) = kanal::unbounded::<u64>();
            drive!(checked, items, tx, |tx, v| tx.send(v), rx, |rx| rx
                .recv()
                .ok());
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

/// Which loop: the implementation's bare loop, the same with the runner's exactly-once
/// check, or queuelab's runner. Each is its own index into `Rounds::rates`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Bare = 0,
    Checked = 1,
    Runner = 2,
}

/// The orders the loops run in, one per round in turn: all six, so that over a multiple
/// of six rounds each loop runs before each other as often as after, and a machine
/// growing busier within a round favours none.
const ORDERS: [[Side; 3]; 6] = {
    use Side::{Bare as B, Checked as C, Runner as R};
    [
        [B, C, R],
        [R, C, B],
        [C, R, B],
        [B, R, C],
        [R, B, C],
        [C, B, R],
    ]
};

impl Side {
    const ALL: [Side; 3] = [Side::Bare, Side::Checked, Side::Runner];

    fn name(self) -> &'static str {
        match self {
            Side::Bare => "bare",
            Side::Checked => "checked",
            Side::Runner => "runner",
        }
    }
}

/// One implementation's rounds: items/s of each side in each round.
struct Rounds {
    implementation: QueueImpl,
    items: u64,
    scenario: Scenario,
    /// Per side (in `Side::ALL`'s order), items/s of each round.
    rates: [Vec<f64>; 3],
}

impl Rounds {
    fn new(implementation: QueueImpl) -> Self {
        let items = items_of(implementation);
        Rounds {
            implementation,
            items,
            scenario: scenario(implementation, items),
            rates: Default::default(),
        }
    }

    /// Items per second of one run of `side`.
    fn run(&self, side: Side, seed: u64) -> f64 {
        match side {
            Side::Runner => runner(&self.scenario, seed),
            Side::Bare | Side::Checked => {
                bare(self.implementation, self.items, side == Side::Checked)
            }
        }
    }

    /// One round: the three loops moments apart, in order `round mod 6` of `ORDERS`.
    /// Kept only if `counted` (round 0 warms up).
    fn round(&mut self, round: u64, counted: bool) {
        let mut rates = [0.0; 3];
        for side in ORDERS[(round % ORDERS.len() as u64) as usize] {
            rates[side as usize] = self.run(side, round);
        }
        if counted {
            for (kept, rate) in self.rates.iter_mut().zip(rates) {
                kept.push(rate);
            }
        }
    }

    /// `side`'s items/s, round by round.
    fn rates(&self, side: Side) -> &[f64] {
        &self.rates[side as usize]
    }

    /// `over` side's items/s over `under` side's, round by round.
    fn ratios(&self, over: Side, under: Side) -> Vec<f64> {
        self.rates(over)
            .iter()
            .zip(self.rates(under))
            .map(|(o, u)| o / u)
            .collect()
    }
}

/// Which loop `QUEUELAB_OVERHEAD_ONLY` asks for alone, if any.
fn only() -> Option<Side> {
    let text = std::env::var("QUEUELAB_OVERHEAD_ONLY").ok()?;
    match Side::ALL.into_iter().find(|side| side.name() == text) {
        Some(side) => Some(side),
        None => panic!("QUEUELAB_OVERHEAD_ONLY={text}: allowed are `bare`, `checked` and `runner`"),
    }
}

/// One side once per chosen implementation, for an instruction counter: prints what ran,
/// never a speed (under a counter it would mean nothing).
fn run_side(side: Side) {
    for implementation in chosen() {
        let rounds = Rounds::new(implementation);
        black_box(rounds.run(side, 0));
        println!(
            "{} {} {} items",
            side.name(),
            implementation.name(),
            rounds.items
        );
    }
}

/// Where the goal stands for a median ratio with 95% interval `(low, high)` from
/// `rounds` rounds.
fn verdict((low, high): (f64, f64), rounds: u64) -> &'static str {
    if rounds < MIN_ROUNDS_TO_JUDGE {
        "too few rounds to judge"
    } else if low >= GOAL {
        "meets the goal"
    } else if high < GOAL {
        "below the goal"
    } else {
        "undecided"
    }
}

fn main() {
    if let Some(side) = only() {
        return run_side(side);
    }
    let rounds = setting("QUEUELAB_OVERHEAD_ROUNDS").unwrap_or(ROUNDS).max(1);
    let mut all: Vec<Rounds> = chosen().into_iter().map(Rounds::new).collect();
    // Round 0 warms up (thread stacks, allocator arenas) and is not counted.
    let progress = std::io::stderr().is_terminal();
    for round in 0..=rounds {
        if progress {
            let warm_up = if round == 0 {
                " (warm-up)"
            } else {
                "          "
            };
            eprint!("\rround {round} of {rounds}{warm_up}");
        }
        for implementation in &mut all {
            implementation.round(round, round > 0);
        }
    }
    if progress {
        eprintln!();
    }
    print_table(&all, rounds);
}

/// Per implementation: the median rates, the ratio with its interval and verdict, and the
/// ratios that split it; then every round's ratio.
fn print_table(all: &[Rounds], rounds: u64) {
    println!(
        "{PRODUCERS} producers x {CONSUMERS} blocking consumers, unbounded, 8-byte items, zero \
         time; {rounds} round{} after one to warm up",
        if rounds == 1 { "" } else { "s" }
    );
    println!(
        "  {:<10} {:>10} {:>9} {:>9} {:>11} {:>6} {:>13}  {:<24}  {:>7} {:>7}",
        "queue_impl",
        "items",
        "bare M/s",
        "chk M/s",
        "runner M/s",
        "ratio",
        "95% interval",
        "verdict",
        "chk/bare",
        "run/chk"
    );
    for (index, each) in all.iter().enumerate() {
        let ratios = each.ratios(Side::Runner, Side::Bare);
        let interval = median_interval(&ratios, index as u64);
        println!(
            "  {:<10} {:>10} {:>9.2} {:>9.2} {:>11.2} {:>6.2} {:>6.2} – {:<4.2}  {:<24}  {:>7.2} {:>7.2}",
            each.implementation.name(),
            each.items,
            median(each.rates(Side::Bare)) / 1e6,
            median(each.rates(Side::Checked)) / 1e6,
            median(each.rates(Side::Runner)) / 1e6,
            median(&ratios),
            interval.0,
            interval.1,
            verdict(interval, rounds),
            median(&each.ratios(Side::Checked, Side::Bare)),
            median(&each.ratios(Side::Runner, Side::Checked)),
        );
    }
    println!("ratio (runner over bare) of each round, in order:");
    for each in all {
        let ratios: Vec<String> = each
            .ratios(Side::Runner, Side::Bare)
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect();
        println!("  {:<10} {}", each.implementation.name(), ratios.join(" "));
    }
    println!(
        "goal: a median ratio (runner items/s over bare) of at least {GOAL} for every \
         implementation, met where its whole 95% interval is at or above {GOAL}"
    );
    println!(
        "chk/bare: the bare loop with the runner's exactly-once check (a count, a sum and a \
         sum of squares per item) over the bare loop; run/chk: the runner over that checked \
         loop, the rest of the runner's cost"
    );
}
