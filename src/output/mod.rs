//! The files of a results folder: CSV tables and charts, one small file per output
//! behind the `Output` trait, so a new format is one new file.
//!
//! Owns file formats and writing files safely: every file is written whole under a
//! temporary name and renamed into place, so an interrupted run never leaves half a file.
//! It computes no statistics; charts read only the summaries.

mod chart;
mod compare;
mod experiment_toml;
mod meta_json;
mod report;
mod runs_csv;
mod summary_csv;
mod summary_json;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::environment::Environment;
use crate::experiment::Experiment;
use crate::record::{RunRecord, Source};
use crate::stats::Summary;

pub use chart::{Chart, ChartKind};
pub use compare::{CompareOutput, ComparedScenario, Comparison, compare_outputs};
pub use meta_json::{Meta, MetaJson, read as read_meta};
pub use report::Report;
pub use runs_csv::{ReadRuns, RunsCsv, read as read_runs};
pub use summary_csv::SummaryCsv;
pub use summary_json::SummaryJson;

/// Everything an output may draw on: the experiment, its runs and their summaries.
pub struct Results<'a> {
    pub experiment: &'a Experiment,
    pub source: Source,
    pub runs: &'a [RunRecord],
    pub summaries: &'a [Summary],
    /// Where and when; `None` while runs are still being made.
    pub environment: Option<&'a Environment>,
}

/// One file of a results folder.
pub trait Output {
    /// The file's name inside the results folder.
    fn file_name(&self, results: &Results) -> String;
    /// Whether there is anything to write (a chart of queue waits has none for the model).
    fn wanted(&self, _results: &Results) -> bool {
        true
    }
    /// True for a record of how the results were made (runs, settings, the file), which
    /// `queuelab plot` reads and never rewrites.
    fn is_record(&self) -> bool {
        false
    }
    /// Writes the whole file at `path` (a temporary name; the caller renames it).
    fn write(&self, results: &Results, path: &Path) -> Result<(), String>;
}

/// The outputs of a finished experiment: tables, then the charts its `[plot]` asks for.
pub fn all_outputs(experiment: &Experiment) -> Vec<Box<dyn Output>> {
    let mut outputs: Vec<Box<dyn Output>> = vec![
        Box::new(RunsCsv),
        Box::new(SummaryCsv),
        Box::new(SummaryJson),
        Box::new(MetaJson),
        Box::new(Report),
        Box::new(experiment_toml::ExperimentToml),
    ];
    for kind in chart::KINDS {
        for format in &experiment.plot.formats {
            outputs.push(Box::new(Chart {
                kind,
                format: *format,
            }));
        }
    }
    outputs
}

/// Writes each output into `dir`, each whole or not at all; returns the paths written.
pub fn write_outputs(
    dir: &Path,
    results: &Results,
    outputs: &[Box<dyn Output>],
) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for output in outputs.iter().filter(|o| o.wanted(results)) {
        let path = dir.join(output.file_name(results));
        write_atomically(&path, |tmp| output.write(results, tmp))?;
        written.push(path);
    }
    Ok(written)
}

/// Runs `write` on a temporary path beside `path`, then renames it into place. The
/// temporary name keeps the extension, since image encoders choose the format by it.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".tmp-{}-{name}", std::process::id()));
    let result = write(&tmp).and_then(|()| {
        fs::rename(&tmp, path)
            .map_err(|e| format!("cannot move {} into place: {e}", path.display()))
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates `path` with `bytes`, for outputs that build their text in memory.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(path)?;
        io::Write::write_all(&mut file, bytes)?;
        file.sync_all()
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes a whole CSV file at `path`: the header, then every row.
pub fn write_csv<R: IntoIterator<Item = Vec<String>>>(
    path: &Path,
    header: &[&str],
    rows: R,
) -> Result<(), String> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let result = (|| {
        csv.write_record(header)?;
        for row in rows {
            csv.write_record(row)?;
        }
        csv.flush()
    })();
    result.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let bytes = csv.into_inner().map_err(|e| e.to_string())?;
    write_bytes(path, &bytes)
}

/// Numbers in CSV cells: fixed precision, so a rerun changes only the digits that moved.
pub fn fixed(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        String::new()
    }
}
