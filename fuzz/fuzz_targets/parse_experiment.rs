//! Fuzzes reading and validating an experiment file: any bytes must give an experiment or
//! diagnostics that render, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match queuelab::experiment::parse(Path::new("fuzz.toml"), text) {
        Ok(experiment) => {
            let _ = experiment.fingerprint();
            for scenario in experiment.scenarios.iter().take(50) {
                let _ = scenario.to_string();
            }
        }
        Err(rejected) => {
            let _ = rejected.to_string();
        }
    }
});
