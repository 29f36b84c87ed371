//! How fast the model predicts: the seed sweep, and a 1,000-scenario sweep.
//! Run with `cargo bench --bench model_speed`.

use std::path::Path;
use std::time::Instant;

use queuelab::experiment;
use queuelab::model::predict;

fn time_sweep(label: &str, text: &str) {
    let experiment = match experiment::parse(Path::new(label), text) {
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
}
