//! The runner's own cost per item, side by side with a bare crossbeam-channel loop: the
//! same zero-time scenario (4 producers, 4 blocking consumers, 2,000,000 items) through
//! both, in one run. Run with `cargo bench --bench overhead`.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::thread;
use std::time::Instant;

use queuelab::experiment;
use queuelab::runner::run_once;

const PRODUCERS: u64 = 4;
const CONSUMERS: u64 = 4;
const ITEMS: u64 = 2_000_000;
const ROUNDS: usize = 11;

/// Items per second through a bare unbounded channel, 4 × 4 threads, no bookkeeping.
fn bare() -> f64 {
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    let start = Instant::now();
    thread::scope(|s| {
        for p in 0..PRODUCERS {
            let tx = tx.clone();
            s.spawn(move || {
                for i in 0..ITEMS / PRODUCERS {
                    let _ = tx.send(p * ITEMS + i);
                }
            });
        }
        drop(tx);
        for _ in 0..CONSUMERS {
            let rx = rx.clone();
            s.spawn(move || {
                let mut sum = 0u64;
                while let Ok(v) = rx.recv() {
                    sum = sum.wrapping_add(v);
                }
                std::hint::black_box(sum);
            });
        }
    });
    ITEMS as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let text = format!(
        "[scenario]\nproducers = {PRODUCERS}\nconsumers = {CONSUMERS}\nitems_per_producer = {}\n\
         produce_time = \"0ms\"\nconsume_time = \"0ms\"\nconsumer = \"block\"\n",
        ITEMS / PRODUCERS
    );
    let experiment = match experiment::parse(Path::new("overhead.toml"), &text) {
        Ok(e) => e,
        Err(errors) => panic!("{errors:?}"),
    };
    let scenario = &experiment.scenarios[0];
    let cancel = AtomicBool::new(false);
    let (mut bare_rates, mut runner_rates) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Alternate which goes first, so drift of the machine favours neither.
        let runner = || match run_once(scenario, round as u64, &cancel) {
            Ok(m) => m.items as f64 / m.elapsed_s,
            Err(e) => panic!("{e}"),
        };
        if round % 2 == 0 {
            bare_rates.push(bare());
            runner_rates.push(runner());
        } else {
            runner_rates.push(runner());
            bare_rates.push(bare());
        }
    }
    // Each round's ratio pairs two runs made moments apart, so a machine busy for a
    // while slows both sides of it; the median of those ratios is the figure.
    let mut ratios: Vec<f64> = runner_rates
        .iter()
        .zip(&bare_rates)
        .map(|(r, b)| r / b)
        .collect();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (bare, runner) = (median(&mut bare_rates), median(&mut runner_rates));
    let ratio = median(&mut ratios);
    println!("4 producers x 4 consumers, {ITEMS} items, zero time, median of {ROUNDS} rounds:");
    println!("  bare crossbeam loop  {:>6.2} M items/s", bare / 1e6);
    println!("  queuelab runner      {:>6.2} M items/s", runner / 1e6);
    println!(
        "  ratio runner/bare    {ratio:>6.2}  (median of the rounds' ratios, {:.2} to {:.2}; goal: at least 0.5)",
        ratios[0],
        ratios[ratios.len() - 1]
    );
}
