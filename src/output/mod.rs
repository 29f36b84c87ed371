//! The files of a results folder: CSV tables and charts, one small file per output
//! behind the `Output` trait, so a new format is one new file.
//!
//! Owns file formats and writing files safely: every file is written whole under a
//! temporary name and renamed into place, so an interrupted run never leaves half a file,
//! and the files of one step are all written before any is renamed (`write_set`).
//! It computes no statistics; charts read only the summaries.

mod chart;
mod compare;
mod experiment_toml;
mod history;
mod meta_json;
mod published;
mod report;
mod runs_csv;
mod summary_csv;
mod summary_json;
mod theory;
mod trace_json;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::environment::Environment;
use crate::experiment::Experiment;
use crate::record::{RunRecord, Source};
use crate::stats::Summary;

pub use chart::{Chart, ChartKind, Scale, check_view, is_chart_name, metric_named, metric_names};
pub use compare::{CompareOutput, ComparedScenario, Comparison, compare_outputs};
pub use experiment_toml::{
    as_written, names_itself, overridden as overridden_settings, strip_header,
};
pub use history::{
    Content, History, HistoryOutput, Link, Measured, ScenarioAt, Version, history_outputs,
    in_one_version,
};
pub use meta_json::{Meta, MetaJson, parse as parse_meta, read as read_meta};
pub use report::Report;
pub use runs_csv::{
    ReadRuns, RunsCsv, first_run_cells, first_run_says, read as read_runs,
    read_from as read_runs_from,
};
pub use summary_csv::SummaryCsv;
pub use summary_json::SummaryJson;
pub use trace_json::{TRACE_DIR, TraceJson, Traced, write_traces};

/// Everything an output may draw on: the experiment, its runs and their summaries.
pub struct Results<'a> {
    pub experiment: &'a Experiment,
    pub source: Source,
    pub runs: &'a [RunRecord],
    pub summaries: &'a [Summary],
    /// Where and when; `None` while runs are still being made.
    pub environment: Option<&'a Environment>,
}

#[cfg(test)]
impl<'a> Results<'a> {
    /// A test's results: `runs` and their `summaries`, made on no machine in particular.
    pub fn of_runs(
        experiment: &'a Experiment,
        source: Source,
        runs: &'a [RunRecord],
        summaries: &'a [Summary],
    ) -> Self {
        Results {
            experiment,
            source,
            runs,
            summaries,
            environment: None,
        }
    }
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
    /// The whole file, in memory; `write_outputs` puts it in place.
    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError>;
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
            outputs.push(Box::new(Chart::new(kind, *format)));
        }
    }
    outputs
}

/// Why an output could not be made in memory (a chart that would not draw, say).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

/// Why a results file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot make {path}: {error}")]
    Render { path: PathBuf, error: RenderError },
    #[error("cannot write {path}: {error}")]
    Write { path: PathBuf, error: io::Error },
    #[error("cannot write {path}: a folder of that name is in the way; move or rename it")]
    InTheWay { path: PathBuf },
}

/// Writes each output into `dir` as one set (see `write_set`); returns the paths written.
/// Every output is made in memory first, so one that cannot be made writes nothing.
pub fn write_outputs(
    dir: &Path,
    results: &Results,
    outputs: &[Box<dyn Output>],
) -> Result<Vec<PathBuf>, OutputError> {
    let mut files = Vec::new();
    for output in outputs.iter().filter(|o| o.wanted(results)) {
        let path = dir.join(output.file_name(results));
        let bytes = output
            .render(results)
            .map_err(|error| OutputError::Render {
                path: path.clone(),
                error,
            })?;
        files.push((path, bytes));
    }
    write_set(&files)?;
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// Refuses a results folder where a folder stands in place of one of `experiment`'s
/// files: checked before the first run starts, so that no runs are made only to find
/// they cannot be saved.
pub fn check_outputs_can_go(dir: &Path, experiment: &Experiment) -> Result<(), OutputError> {
    let results = Results {
        experiment,
        source: Source::Measured,
        runs: &[],
        summaries: &[],
        environment: None,
    };
    let paths: Vec<PathBuf> = all_outputs(experiment)
        .iter()
        .map(|o| dir.join(o.file_name(&results)))
        .collect();
    refuse_in_the_way(paths.iter().map(PathBuf::as_path))
}

/// Refuses a folder where a file is to go: renaming onto it fails, and would fail only
/// after the files before it in a set were replaced.
pub fn refuse_in_the_way<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<(), OutputError> {
    for path in paths {
        if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(OutputError::InTheWay {
                path: path.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Writes files that belong together (a results folder's tables, charts and report): every
/// file is written whole and flushed under a temporary name before any is renamed into
/// place, so a full disk or a folder in the way leaves every old file as it was, and no
/// temporary file behind. The renames then follow one by one, each old file kept under a
/// second name (a hard link) until all are done: a rename that fails (a file made
/// immutable, say) puts the old files back, so the set is the old one or the new one.
/// Each file is whole, but a reader at that instant may see some new beside some old.
pub fn write_set(files: &[(PathBuf, Vec<u8>)]) -> Result<(), OutputError> {
    write_set_renaming(files, |from, to| fs::rename(from, to))
}

/// `write_set`, each temporary file put in place by `rename` (a test's can fail).
fn write_set_renaming(
    files: &[(PathBuf, Vec<u8>)],
    rename: impl Fn(&Path, &Path) -> io::Result<()>,
) -> Result<(), OutputError> {
    refuse_in_the_way(files.iter().map(|(path, _)| path.as_path()))?;
    let mut temps: Vec<PathBuf> = Vec::new();
    let remove = |paths: &[PathBuf]| paths.iter().for_each(|t| drop(fs::remove_file(t)));
    for (path, bytes) in files {
        match write_temporary(path, bytes) {
            Ok(tmp) => temps.push(tmp),
            Err(error) => {
                remove(&temps);
                return Err(error);
            }
        }
    }
    // Each old file's second name, where there is an old file (and the filesystem links).
    let olds: Vec<Option<PathBuf>> = files.iter().map(|(path, _)| keep_old(path)).collect();
    for (i, ((path, _), tmp)) in files.iter().zip(&temps).enumerate() {
        if let Err(error) = rename(tmp, path) {
            put_back(&files[..i], &olds[..i]);
            remove(&temps[i..]);
            remove(&olds.iter().flatten().cloned().collect::<Vec<_>>());
            return Err(OutputError::Write {
                path: path.clone(),
                error,
            });
        }
    }
    remove(&olds.into_iter().flatten().collect::<Vec<_>>());
    Ok(())
}

/// A second name for the file at `path`, if there is one: `.tmp-PID-old-NAME`, which the
/// next writer clears if this one dies.
fn keep_old(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let old = path.with_file_name(format!(".tmp-{}-old-{name}", std::process::id()));
    let _ = fs::remove_file(&old);
    fs::hard_link(path, &old).ok().map(|()| old)
}

/// Undoes the renames of `files`: each old file back under its name, and a file that had
/// none removed.
fn put_back(files: &[(PathBuf, Vec<u8>)], olds: &[Option<PathBuf>]) {
    for ((path, _), old) in files.iter().zip(olds) {
        let _ = match old {
            Some(old) => fs::rename(old, path),
            None => fs::remove_file(path),
        };
    }
}

/// Writes `bytes` under a temporary name beside `path`, flushed to disk, then renames it
/// into place: a reader sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    refuse_in_the_way([path])?;
    let tmp = write_temporary(path, bytes)?;
    fs::rename(&tmp, path).map_err(|error| {
        let _ = fs::remove_file(&tmp);
        OutputError::Write {
            path: path.to_path_buf(),
            error,
        }
    })
}

/// Writes `bytes` whole and flushed to a temporary name beside `path`; returns that name.
fn write_temporary(path: &Path, bytes: &[u8]) -> Result<PathBuf, OutputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".tmp-{}-{name}", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        io::Write::write_all(&mut file, bytes)?;
        file.sync_all()
    };
    write().map(|()| tmp.clone()).map_err(|error| {
        let _ = fs::remove_file(&tmp);
        OutputError::Write {
            path: path.to_path_buf(),
            error,
        }
    })
}

/// A whole CSV file in memory: the header, then every row.
pub fn csv_bytes<R: IntoIterator<Item = Vec<String>>>(
    header: &[&str],
    rows: R,
) -> Result<Vec<u8>, RenderError> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let result = (|| {
        csv.write_record(header)?;
        for row in rows {
            csv.write_record(row)?;
        }
        csv.flush()
    })();
    result.map_err(|e| RenderError(e.to_string()))?;
    csv.into_inner().map_err(|e| RenderError(e.to_string()))
}

/// Pretty JSON with a final newline.
pub fn json_bytes<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, RenderError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| RenderError(e.to_string()))?;
    Ok(format!("{text}\n").into_bytes())
}

/// `1 scenario`, `3 scenarios`: a count with its noun, singular or plural.
pub fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Numbers in CSV cells: fixed precision, so a rerun changes only the digits that moved.
pub fn fixed(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        // What rounds to zero is zero: `-0.000` (from -0, which an empty sum of floats
        // is, or a tiny negative) would read as a negative time or a change.
        let text = format!("{value:.decimals$}");
        match text.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
            _ => text,
        }
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests;
