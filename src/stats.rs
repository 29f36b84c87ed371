//! Statistics of repeated runs: the numbers a person compares, computed apart from
//! measuring and from plotting.
//!
//! Owns turning `RunRecord`s into one `Summary` per scenario; it reads no clock and draws
//! nothing.

use crate::record::RunRecord;

/// Centre and spread of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single value.
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

/// One scenario's runs, summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub scenario: usize,
    pub runs: usize,
    pub elapsed_s: Spread,
    pub throughput_median_per_s: f64,
    /// The median of the model's predictions for each run's own draws.
    pub predicted_s: f64,
    /// The median of each run's distance above (+) or below (−) its own prediction, in
    /// percent: with random times, runs differ in their draws, and each is compared
    /// with the prediction for exactly those draws.
    pub error_pct: f64,
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

pub fn spread(values: &[f64]) -> Spread {
    let mean = mean(values);
    let n = values.len();
    let sd = if n > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    Spread {
        median: median(values),
        mean,
        sd,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// One summary per scenario that has runs, in scenario order.
pub fn summarise(runs: &[RunRecord]) -> Vec<Summary> {
    let mut scenarios: Vec<usize> = runs.iter().map(|r| r.scenario).collect();
    scenarios.sort_unstable();
    scenarios.dedup();
    scenarios
        .into_iter()
        .map(|scenario| {
            let mine: Vec<&RunRecord> = runs.iter().filter(|r| r.scenario == scenario).collect();
            let pick = |f: fn(&RunRecord) -> f64| mine.iter().map(|r| f(r)).collect::<Vec<f64>>();
            let elapsed_s = spread(&pick(|r| r.elapsed_s));
            let predicted_s = median(&pick(|r| r.predicted_s));
            let errors = pick(|r| percent_over(r.elapsed_s, r.predicted_s));
            Summary {
                scenario,
                runs: mine.len(),
                elapsed_s,
                throughput_median_per_s: median(&pick(RunRecord::throughput_per_s)),
                predicted_s,
                error_pct: median(&errors),
            }
        })
        .collect()
}

/// `(value − reference) / reference` in percent; 0 when both are 0, and NaN (no number)
/// when only the reference is 0, as for a run of zero-time work.
pub fn percent_over(value: f64, reference: f64) -> f64 {
    if reference == 0.0 {
        if value == 0.0 { 0.0 } else { f64::NAN }
    } else {
        (value - reference) / reference * 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_by_hand() {
        // 1, 2, 4, 9: mean 4, deviations −3 −2 0 5, squares 9 4 0 25 = 38, /3 → sd √12.67.
        let s = spread(&[4.0, 1.0, 9.0, 2.0]);
        assert_eq!((s.median, s.mean, s.min, s.max), (3.0, 4.0, 1.0, 9.0));
        assert!((s.sd - (38.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(spread(&[5.0]).sd, 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }

    fn run(repeat: u32, elapsed_s: f64, predicted_s: f64) -> RunRecord {
        RunRecord {
            scenario: 0,
            repeat,
            run_seed: 0,
            source: crate::record::Source::Measured,
            elapsed_s,
            predicted_s,
            items: 10,
            queue: None,
        }
    }

    #[test]
    fn each_run_is_compared_with_its_own_prediction() {
        // Random draws: the runs differ by ±20%, but each lands 1% over its prediction.
        let runs = [run(1, 1.01, 1.0), run(2, 1.212, 1.2), run(3, 0.808, 0.8)];
        let summary = &summarise(&runs)[0];
        assert!((summary.error_pct - 1.0).abs() < 1e-9, "{summary:?}");
        assert_eq!(summary.predicted_s, 1.0);
        assert_eq!(summary.elapsed_s.median, 1.01);
        assert_eq!(summary.throughput_median_per_s, 10.0 / 1.01);
    }

    #[test]
    fn percent_over_the_prediction() {
        assert!((percent_over(1.01, 1.0) - 1.0).abs() < 1e-9);
        assert!((percent_over(0.99, 1.0) + 1.0).abs() < 1e-9);
        assert_eq!(percent_over(0.0, 0.0), 0.0);
        assert!(percent_over(0.1, 0.0).is_nan());
    }
}
