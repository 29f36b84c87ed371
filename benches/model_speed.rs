//! How fast the model predicts: the seed sweep, a 1,000-scenario sweep, and one scenario
//! of 10 million items (items per second, every queue metric included).
//! Run with `cargo bench --bench model_speed`.

use std::path::Path;
use std::time::Instant;

use queuelab::experiment;
use queuelab::model::predict;

fn time_sweep(label: &str, text: &str) {
    // The label has spaces, which no results folder may: the file is named plainly.
    let experiment = match experiment::parse(Path::new("sweep.toml"), text) {
        Ok(experiment) => experiment,
        Err(errors) => panic!("{errors:?}"),
    };
    let start = Instant::now();
    let mut total = 0.0;
    for scenario in &experiment.scenarios {
        total += predict(scenario, 1, 2).elapsed_s;
    }
    let took = start.elapsed();
    println!(
        "{label}: {} scenarios modelled in {:.3} ms ({:.1} us each; {total:.1} s of virtual time)",
        experiment.scenarios.len(),
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e6 / experiment.scenarios.len() as f64
    );
}

fn main() {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/seed.toml"),
    )
    .expect("experiments/seed.toml");
    time_sweep("seed", &seed);
    let consumers: Vec<String> = (1..=100).map(|c| c.to_string()).collect();
    let thousand = format!(
        "[scenario]\nitems_per_producer = 5\nproduce_time = \"200ms\"\nconsume_time = \"250ms\"\n\
         consumer = \"poll\"\n[sweep]\nproducers = [1, 2, 4, 6, 8, 10, 12, 14, 16, 20]\nconsumers = [{}]\n",
        consumers.join(", ")
    );
    time_sweep("1000-scenario poll sweep", &thousand);
    let random = thousand
        .replace(
            "consume_time = \"250ms\"",
            "consume_time = { dist = \"exp\", mean = \"250ms\" }",
        )
        .replace("consumer = \"poll\"", "consumer = \"block\"");
    time_sweep("1000-scenario block sweep, exp times", &random);
    items_per_second();
}

/// One long scenario: 4 × 4 blocking consumers, exponential times, 10 million items.
fn items_per_second() {
    let text = "[scenario]\nproducers = 4\nconsumers = 4\nitems_per_producer = 2500000\n\
                produce_time = { dist = \"exp\", mean = \"1ms\" }\n\
                consume_time = { dist = \"exp\", mean = \"900us\" }\n";
    let experiment = match experiment::parse(Path::new("long.toml"), text) {
        Ok(experiment) => experiment,
        Err(errors) => panic!("{errors:?}"),
    };
    let scenario = &experiment.scenarios[0];
    let start = Instant::now();
    let prediction = predict(scenario, 1, 2);
    let took = start.elapsed().as_secs_f64();
    println!(
        "one scenario of {} items: {:.2} s, {:.1} M items/s (wait p99 {:?} s)",
        prediction.items,
        took,
        prediction.items as f64 / took / 1e6,
        prediction.queue.map(|q| q.wait_p99_s)
    );
}
