//! `runs.csv`: one row per run, every scenario key beside the measurements.

use std::path::Path;

use super::{Output, Results, fixed, write_bytes};
use crate::experiment::ScenarioKey;
use crate::record::RunRecord;

pub struct RunsCsv;

/// The columns after the scenario keys, in file order.
const MEASURES: [&str; 14] = [
    "time_scale",
    "run_seed",
    "elapsed_s",
    "predicted_s",
    "items",
    "throughput_per_s",
    "wait_p50_s",
    "wait_p99_s",
    "wait_max_s",
    "max_depth",
    "empty_polls",
    "consumer_items_min",
    "consumer_items_max",
    "source",
];

pub fn header() -> Vec<&'static str> {
    let mut columns = vec!["experiment", "scenario", "repeat"];
    columns.extend(ScenarioKey::ALL.iter().map(|k| k.name()));
    columns.extend(MEASURES);
    columns
}

impl Output for RunsCsv {
    fn file_name(&self, _: &Results) -> String {
        "runs.csv".to_string()
    }

    fn write(&self, results: &Results, path: &Path) -> Result<(), String> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut rows: Vec<&RunRecord> = results.runs.iter().collect();
        rows.sort_by_key(|r| (r.scenario, r.repeat));
        let result = (|| {
            csv.write_record(header())?;
            for run in rows {
                csv.write_record(row(results, run))?;
            }
            csv.flush()
        })();
        result.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let bytes = csv.into_inner().map_err(|e| e.to_string())?;
        write_bytes(path, &bytes)
    }
}

fn row(results: &Results, run: &RunRecord) -> Vec<String> {
    let scenario = &results.experiment.scenarios[run.scenario];
    let mut cells = vec![
        results.experiment.name.clone(),
        scenario.label.clone(),
        run.repeat.to_string(),
    ];
    cells.extend(ScenarioKey::ALL.iter().map(|k| scenario.value_text(*k)));
    let queue = run.queue.as_ref();
    let seconds = |v: Option<f64>| v.map(|v| fixed(v, 9)).unwrap_or_default();
    let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    cells.extend([
        scenario.time_scale.to_string(),
        run.run_seed.to_string(),
        fixed(run.elapsed_s, 6),
        fixed(run.predicted_s, 6),
        run.items.to_string(),
        fixed(run.throughput_per_s(), 3),
        seconds(queue.map(|q| q.wait_p50_s)),
        seconds(queue.map(|q| q.wait_p99_s)),
        seconds(queue.map(|q| q.wait_max_s)),
        count(queue.map(|q| q.max_depth)),
        count(queue.map(|q| q.empty_polls)),
        count(queue.map(|q| q.consumer_items_min)),
        count(queue.map(|q| q.consumer_items_max)),
        run.source.name().to_string(),
    ]);
    cells
}
