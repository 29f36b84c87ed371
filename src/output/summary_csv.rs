//! `summary.csv`: one row per scenario, the statistics of its runs beside the model.

use std::path::Path;

use super::{Output, Results, fixed, write_bytes};
use crate::experiment::ScenarioKey;
use crate::stats::Summary;

pub struct SummaryCsv;

const MEASURES: [&str; 11] = [
    "time_scale",
    "runs",
    "elapsed_median_s",
    "elapsed_mean_s",
    "elapsed_sd_s",
    "elapsed_min_s",
    "elapsed_max_s",
    "throughput_median_per_s",
    "predicted_s",
    "error_pct",
    "source",
];

pub fn header() -> Vec<&'static str> {
    let mut columns = vec!["experiment", "scenario"];
    columns.extend(ScenarioKey::ALL.iter().map(|k| k.name()));
    columns.extend(MEASURES);
    columns
}

impl Output for SummaryCsv {
    fn file_name(&self, _: &Results) -> String {
        "summary.csv".to_string()
    }

    fn write(&self, results: &Results, path: &Path) -> Result<(), String> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        let result = (|| {
            csv.write_record(header())?;
            for summary in results.summaries {
                csv.write_record(row(results, summary))?;
            }
            csv.flush()
        })();
        result.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let bytes = csv.into_inner().map_err(|e| e.to_string())?;
        write_bytes(path, &bytes)
    }
}

fn row(results: &Results, summary: &Summary) -> Vec<String> {
    let scenario = &results.experiment.scenarios[summary.scenario];
    let mut cells = vec![results.experiment.name.clone(), scenario.label.clone()];
    cells.extend(ScenarioKey::ALL.iter().map(|k| scenario.value_text(*k)));
    let e = &summary.elapsed_s;
    cells.extend([
        scenario.time_scale.to_string(),
        summary.runs.to_string(),
        fixed(e.median, 6),
        fixed(e.mean, 6),
        fixed(e.sd, 6),
        fixed(e.min, 6),
        fixed(e.max, 6),
        fixed(summary.throughput_median_per_s, 3),
        fixed(summary.predicted_s, 6),
        fixed(summary.error_pct, 3),
        results.source.name().to_string(),
    ]);
    cells
}
