//! `summary.csv`: one row per scenario, the statistics of its runs beside the model.

use super::{Output, RenderError, Results, csv_bytes, fixed};
use crate::record::QueueMetric;
use crate::scenario::ScenarioKey;
use crate::stats::Summary;

/// Decimals of a time in seconds: whole nanoseconds, as `runs.csv` keeps them, so a
/// median of a few nanoseconds is not 0.
const SECONDS: usize = crate::record::SECONDS_DECIMALS as usize;

pub struct SummaryCsv;

const MEASURES: [&str; 28] = [
    "time_scale",
    "runs",
    "elapsed_median_s",
    "elapsed_median_low_s",
    "elapsed_median_high_s",
    "elapsed_mean_s",
    "elapsed_mean_low_s",
    "elapsed_mean_high_s",
    "elapsed_sd_s",
    "elapsed_min_s",
    "elapsed_max_s",
    "outliers",
    "throughput_median_per_s",
    "throughput_min_per_s",
    "throughput_max_per_s",
    "wait_p99_median_s",
    "wait_p99_min_s",
    "wait_p99_max_s",
    "predicted_s",
    "error_pct",
    "speedup",
    "efficiency",
    "usl_sigma",
    "usl_kappa",
    "usl_peak_consumers",
    "usl_r2",
    "usl_in_fit",
    "source",
];

pub fn header() -> Vec<String> {
    let mut columns = vec!["experiment".to_string(), "scenario".to_string()];
    columns.extend(ScenarioKey::ALL.iter().map(|k| k.name().to_string()));
    columns.extend(MEASURES.iter().map(|m| m.to_string()));
    // Each queue metric: the median measured, the median predicted, the median error.
    for metric in QueueMetric::ALL {
        let name = metric.name();
        columns.push(format!("{name}_median"));
        columns.push(format!("predicted_{name}"));
        columns.push(format!("{name}_error_pct"));
    }
    columns.extend(super::theory::COLUMNS.iter().map(|c| c.to_string()));
    columns
}

impl Output for SummaryCsv {
    fn file_name(&self, _: &Results) -> String {
        "summary.csv".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let header = header();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        csv_bytes(&header, results.summaries.iter().map(|s| row(results, s)))
    }
}

fn row(results: &Results, summary: &Summary) -> Vec<String> {
    let scenario = &results.experiment.scenarios[summary.scenario];
    let mut cells = vec![results.experiment.name.clone(), scenario.label.clone()];
    cells.extend(ScenarioKey::ALL.iter().map(|k| scenario.value_text(*k)));
    let e = &summary.elapsed_s;
    let t = &summary.throughput_per_s;
    let wait = |f: fn(&crate::stats::Spread) -> f64| {
        summary
            .wait_p99_s
            .as_ref()
            .map(f)
            .map(|v| fixed(v, SECONDS))
            .unwrap_or_default()
    };
    cells.extend([
        scenario.time_scale.to_string(),
        summary.runs.to_string(),
        fixed(e.median, SECONDS),
        fixed(summary.median_interval_s.0, SECONDS),
        fixed(summary.median_interval_s.1, SECONDS),
        fixed(e.mean, SECONDS),
        fixed(summary.mean_interval_s.0, SECONDS),
        fixed(summary.mean_interval_s.1, SECONDS),
        fixed(e.sd, SECONDS),
        fixed(e.min, SECONDS),
        fixed(e.max, SECONDS),
        summary.outliers.len().to_string(),
        fixed(t.median, 3),
        fixed(t.min, 3),
        fixed(t.max, 3),
        wait(|w| w.median),
        wait(|w| w.min),
        wait(|w| w.max),
        fixed(summary.predicted_s, SECONDS),
        fixed(summary.error_pct, 3),
        fixed(summary.speedup, 4),
        fixed(summary.efficiency, 4),
    ]);
    cells.extend(scaling_cells(summary));
    cells.extend([results.source.name().to_string()]);
    for metric in QueueMetric::ALL {
        let decimals = if metric.is_time() { 9 } else { 6 };
        match summary.paired(metric) {
            Some(p) => cells.extend([
                fixed(p.measured, decimals),
                fixed(p.predicted, decimals),
                fixed(p.error_pct, 3),
            ]),
            None => cells.extend([String::new(), String::new(), String::new()]),
        }
    }
    cells.extend(super::theory::csv_cells(summary));
    cells
}

/// The line's USL fit, blank where none was asked for or possible; `usl_in_fit` says
/// whether this scenario was one of the fitted points.
fn scaling_cells(summary: &Summary) -> [String; 5] {
    let Some(scaling) = summary.scaling else {
        return Default::default();
    };
    let in_fit = if scaling.in_fit { "yes" } else { "no" }.to_string();
    match scaling.usl {
        Some(usl) => [
            fixed(usl.sigma, 6),
            fixed(usl.kappa, 6),
            usl.peak().map(|p| fixed(p, 2)).unwrap_or_default(),
            fixed(usl.r2, 4),
            in_fit,
        ],
        None => [
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            in_fit,
        ],
    }
}
