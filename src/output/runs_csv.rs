//! `runs.csv`: one row per run, every scenario key beside the measurements; written after
//! every run and read back by `--resume`.

use std::collections::HashMap;
use std::path::Path;

use super::{Output, RenderError, Results, csv_bytes, fixed};
use crate::experiment::Experiment;
use crate::record::QueueMetrics;
use crate::record::{RunRecord, SECONDS_DECIMALS, Source, WAIT_DECIMALS};
use crate::scenario::ScenarioKey;

pub struct RunsCsv;

/// The columns after the scenario keys, in file order.
const MEASURES: [&str; 16] = [
    "time_scale",
    "run_seed",
    "elapsed_s",
    "predicted_s",
    "items",
    "throughput_per_s",
    "ns_per_item",
    "wait_p50_s",
    "wait_p99_s",
    "wait_max_s",
    "max_depth",
    "empty_polls",
    "consumer_items_min",
    "consumer_items_max",
    "source",
    "experiment_hash",
];

pub fn header() -> Vec<&'static str> {
    let mut columns = vec!["experiment", "scenario", "repeat"];
    columns.extend(ScenarioKey::ALL.iter().map(|k| k.name()));
    columns.extend(MEASURES);
    columns
}

impl Output for RunsCsv {
    fn is_record(&self) -> bool {
        true
    }

    fn file_name(&self, _: &Results) -> String {
        "runs.csv".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let mut rows: Vec<&RunRecord> = results.runs.iter().collect();
        rows.sort_by_key(|r| (r.scenario, r.repeat));
        let hash = results.experiment.fingerprint();
        csv_bytes(
            &header(),
            rows.into_iter().map(|run| row(results, run, &hash)),
        )
    }
}

fn row(results: &Results, run: &RunRecord, hash: &str) -> Vec<String> {
    let scenario = &results.experiment.scenarios[run.scenario];
    let mut cells = vec![
        results.experiment.name.clone(),
        scenario.label.clone(),
        run.repeat.to_string(),
    ];
    cells.extend(ScenarioKey::ALL.iter().map(|k| scenario.value_text(*k)));
    let queue = run.queue.as_ref();
    let seconds = |v: Option<f64>| {
        v.map(|v| fixed(v, WAIT_DECIMALS as usize))
            .unwrap_or_default()
    };
    let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    cells.extend([
        scenario.time_scale.to_string(),
        run.run_seed.to_string(),
        fixed(run.elapsed_s, SECONDS_DECIMALS as usize),
        fixed(run.predicted_s, SECONDS_DECIMALS as usize),
        run.items.to_string(),
        fixed(run.throughput_per_s(), 3),
        run.ns_per_item().map(|ns| fixed(ns, 1)).unwrap_or_default(),
        seconds(queue.map(|q| q.wait_p50_s)),
        seconds(queue.map(|q| q.wait_p99_s)),
        seconds(queue.map(|q| q.wait_max_s)),
        count(queue.and_then(|q| q.max_depth)),
        count(queue.map(|q| q.empty_polls)),
        count(queue.map(|q| q.consumer_items_min)),
        count(queue.map(|q| q.consumer_items_max)),
        run.source.name().to_string(),
        hash.to_string(),
    ]);
    cells
}

/// Runs read back from a `runs.csv`.
pub struct ReadRuns {
    /// Runs of scenarios the experiment has, measured by an experiment with `hash`.
    pub runs: Vec<(RunRecord, String)>,
    /// Rows naming a scenario the experiment does not have.
    pub unknown: usize,
}

/// Reads `path` back as runs of `experiment`; a missing column or a bad number is an
/// error naming the file, the line and the column.
pub fn read(path: &Path, experiment: &Experiment) -> Result<ReadRuns, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let header = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    let columns: HashMap<&str, usize> = header.iter().enumerate().map(|(i, c)| (c, i)).collect();
    for column in header_required() {
        if !columns.contains_key(column) {
            return Err(format!(
                "{}: no column `{column}`; is it a queuelab runs.csv?",
                path.display()
            ));
        }
    }
    let labels: HashMap<&str, usize> = experiment
        .scenarios
        .iter()
        .map(|s| (s.label.as_str(), s.index))
        .collect();
    let mut read = ReadRuns {
        runs: Vec::new(),
        unknown: 0,
    };
    for (line, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("{}: {e}", path.display()))?;
        let cell = |column: &str| row.get(columns[column]).unwrap_or("");
        let Some(&scenario) = labels.get(cell("scenario")) else {
            read.unknown += 1;
            continue;
        };
        let at = |column: &str| format!("{}:{}: column `{column}`", path.display(), line + 2);
        let number = |column: &str| {
            cell(column)
                .parse::<f64>()
                .map_err(|_| format!("{}: not a number", at(column)))
        };
        let count = |column: &str| {
            cell(column)
                .parse::<u64>()
                .map_err(|_| format!("{}: not a whole number", at(column)))
        };
        let queue = match cell("wait_p50_s") {
            "" => None,
            _ => Some(QueueMetrics {
                wait_p50_s: number("wait_p50_s")?,
                wait_p99_s: number("wait_p99_s")?,
                wait_max_s: number("wait_max_s")?,
                max_depth: match cell("max_depth") {
                    "" => None,
                    _ => Some(count("max_depth")?),
                },
                empty_polls: count("empty_polls")?,
                consumer_items_min: count("consumer_items_min")?,
                consumer_items_max: count("consumer_items_max")?,
            }),
        };
        let source = match cell("source") {
            "model" => Source::Model,
            _ => Source::Measured,
        };
        let run = RunRecord {
            scenario,
            repeat: count("repeat")? as u32,
            run_seed: count("run_seed")?,
            source,
            elapsed_s: number("elapsed_s")?,
            predicted_s: number("predicted_s")?,
            items: count("items")?,
            queue,
        };
        read.runs.push((run, cell("experiment_hash").to_string()));
    }
    Ok(read)
}

fn header_required() -> Vec<&'static str> {
    header()
        .into_iter()
        .filter(|c| !ScenarioKey::ALL.iter().any(|k| k.name() == *c))
        .collect()
}
