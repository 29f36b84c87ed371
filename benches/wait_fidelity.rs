//! How closely real threads' queue waits follow the model's for the same draws: M/M/1,
//! M/M/4 and a bounded blocking queue, at time scales 1 and 0.1, ten runs each, printing
//! measured against predicted wait p50 and p99 per run. Run alone on an idle machine with
//! `cargo bench --bench wait_fidelity` (about 4 minutes).
//!
//! A wait below the machine's hand-off floor (the time for one thread to wake another,
//! which the model does not have) is not the model's error: such runs are marked `floor`
//! and left out of the count.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use queuelab::experiment;
use queuelab::model::{machine_cores, predict};
use queuelab::runner::run_once;
use queuelab::scenario::run_seed;

/// Waits below this are under the hand-off floor: the wait that counts as having waited
/// (`run` measures this machine's hand-over; see `environment::HandOver`).
const FLOOR_S: f64 = queuelab::waits::WAITED_NS as f64 / 1e9;
const REPEATS: u32 = 10;

const CASES: [(&str, &str); 3] = [
    (
        "M/M/1 rho 0.8",
        "[scenario]\nproducers = 1\nconsumers = 1\nitems_per_producer = 400\n\
         produce_time = { dist = \"exp\", mean = \"10ms\" }\n\
         consume_time = { dist = \"exp\", mean = \"8ms\" }\n",
    ),
    (
        "M/M/4 rho 0.8",
        "[scenario]\nproducers = 4\nconsumers = 4\nitems_per_producer = 100\n\
         produce_time = { dist = \"exp\", mean = \"40ms\" }\n\
         consume_time = { dist = \"exp\", mean = \"32ms\" }\n",
    ),
    (
        "bounded 4, 1x1",
        "[scenario]\nproducers = 1\nconsumers = 1\nitems_per_producer = 400\n\
         queue = \"bounded\"\ncapacity = 4\n\
         produce_time = { dist = \"exp\", mean = \"10ms\" }\n\
         consume_time = { dist = \"exp\", mean = \"9ms\" }\n",
    ),
];

fn main() {
    let cancel = AtomicBool::new(false);
    let (mut within, mut judged) = (0, 0);
    println!(
        "case              scale  run  p50 measured / model    p99 measured / model    error p50, p99"
    );
    for (name, text) in CASES {
        for scale in [1.0, 0.1] {
            let experiment = match experiment::parse(Path::new("fidelity.toml"), text) {
                Ok(mut e) => {
                    e.override_with(None, Some(scale), None);
                    e
                }
                Err(errors) => panic!("{errors}"),
            };
            let scenario = &experiment.scenarios[0];
            for repeat in 1..=REPEATS {
                let seed = run_seed(experiment.seed, repeat);
                let measured = match run_once(scenario, seed, &cancel) {
                    Ok(m) => m.queue,
                    Err(e) => panic!("{e}"),
                };
                let Some(model) = predict(scenario, seed, machine_cores()).queue else {
                    continue;
                };
                let error = |m: f64, p: f64| (m - p) / p * 100.0;
                let (e50, e99) = (
                    error(measured.wait_p50_s, model.wait_p50_s),
                    error(measured.wait_p99_s, model.wait_p99_s),
                );
                let floor = model.wait_p50_s < FLOOR_S;
                if !floor {
                    judged += 1;
                    within += usize::from(e50.abs() <= 2.0 && e99.abs() <= 2.0);
                }
                println!(
                    "{name:<17} {scale:>5} {repeat:>4}  {:>9.3} / {:>9.3} ms  {:>9.3} / {:>9.3} ms  {:+.2}%, {:+.2}%{}",
                    measured.wait_p50_s * 1e3,
                    model.wait_p50_s * 1e3,
                    measured.wait_p99_s * 1e3,
                    model.wait_p99_s * 1e3,
                    e50,
                    e99,
                    if floor { "  floor" } else { "" }
                );
            }
        }
    }
    println!("{within} of {judged} runs within 2% on both p50 and p99");
}
