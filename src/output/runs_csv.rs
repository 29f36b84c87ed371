//! `runs.csv`: one row per run, every scenario key beside the measurements; written after
//! every run and read back by `--resume`.

use std::collections::HashMap;
use std::path::Path;

use super::{Output, RenderError, Results, csv_bytes, fixed};
use crate::experiment::Experiment;
use crate::record::QueueMetrics;
use crate::record::{FRACTION_DECIMALS, RunRecord, SECONDS_DECIMALS, Source, WAIT_DECIMALS};
use crate::scenario::{Scenario, ScenarioKey};
use crate::settings::{Setting, is_time_scale};

pub struct RunsCsv;

/// The columns after the scenario keys and before the queue's, in file order.
const MEASURES: [&str; 7] = [
    "time_scale",
    "run_seed",
    "elapsed_s",
    "predicted_s",
    "items",
    "throughput_per_s",
    "ns_per_item",
];

/// What the queue did, measured, in the order of `queue_cells`.
const QUEUE: [&str; 11] = [
    "wait_p50_s",
    "wait_p99_s",
    "wait_max_s",
    "wait_mean_s",
    "waited_fraction",
    "max_depth",
    "empty_polls",
    "consumer_items_min",
    "consumer_items_max",
    "blocked_total_s",
    "blocked_p99_s",
];

/// The model's partner of each of `QUEUE`, in the same order.
const PREDICTED_QUEUE: [&str; 11] = [
    "predicted_wait_p50_s",
    "predicted_wait_p99_s",
    "predicted_wait_max_s",
    "predicted_wait_mean_s",
    "predicted_waited_fraction",
    "predicted_max_depth",
    "predicted_empty_polls",
    "predicted_consumer_items_min",
    "predicted_consumer_items_max",
    "predicted_blocked_total_s",
    "predicted_blocked_p99_s",
];

/// Columns that came later: archives written before them lack them, and read the same.
const ADDED_LATER: [&str; 4] = [
    "wait_mean_s",
    "waited_fraction",
    "blocked_total_s",
    "blocked_p99_s",
];

pub fn header() -> Vec<&'static str> {
    let mut columns = vec!["experiment", "scenario", "repeat"];
    columns.extend(ScenarioKey::ALL.iter().map(|k| k.name()));
    columns.extend(MEASURES);
    columns.extend(QUEUE);
    columns.extend(["source", "experiment_hash"]);
    columns.extend(PREDICTED_QUEUE);
    columns
}

impl Output for RunsCsv {
    fn is_record(&self) -> bool {
        true
    }

    fn file_name(&self, _: &Results) -> String {
        "runs.csv".to_string()
    }

    /// Refuses to write a row its own reader would refuse (a NaN time, a repeat beyond the
    /// experiment's, two rows of one run): every row goes through the reader's checks first.
    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let mut rows: Vec<&RunRecord> = results.runs.iter().collect();
        rows.sort_by_key(|r| (r.scenario, r.repeat));
        let hash = results.experiment.fingerprint();
        let header = header();
        let columns = Columns::of(header.iter().copied());
        let mut checks = Checks::new(
            results.experiment.repeats,
            Some(results.experiment.time_scale),
        );
        let mut cells = Vec::with_capacity(rows.len());
        for run in rows {
            let row = row(results, run, &hash);
            let cell = |column: &str| columns.get(column).map_or("", |i| row[i].as_str());
            let scenario = &results.experiment.scenarios[run.scenario];
            let checked = checks.row(cell, 0, run.scenario);
            if let Err(problem) = checked.and_then(|_| wrong_items(run, scenario)) {
                return Err(RenderError(format!(
                    "not written: {scenario} repeat {}: {}",
                    run.repeat,
                    problem.text(&columns)
                )));
            }
            cells.push(row);
        }
        csv_bytes(&header, cells)
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
    // Non-finite values are written as they are (`NaN`, `inf`) so that the checks refuse
    // them by name; `fixed` would write an empty cell.
    let time = |v: f64, decimals: i32| {
        if v.is_finite() {
            fixed(v, decimals as usize)
        } else {
            v.to_string()
        }
    };
    cells.extend([
        scenario.time_scale.to_string(),
        run.run_seed.to_string(),
        time(run.elapsed_s, SECONDS_DECIMALS),
        run.predicted_s
            .map(|p| time(p, SECONDS_DECIMALS))
            .unwrap_or_default(),
        run.items.to_string(),
        run.throughput_per_s()
            .map(|t| fixed(t, 3))
            .unwrap_or_default(),
        run.ns_per_item().map(|ns| fixed(ns, 1)).unwrap_or_default(),
    ]);
    cells.extend(queue_cells(queue, time));
    cells.extend([run.source.name().to_string(), hash.to_string()]);
    cells.extend(queue_cells(run.predicted_queue.as_ref(), time));
    cells
}

/// The cells of `QUEUE` (or `PREDICTED_QUEUE`) for `queue`; empty where there is none.
fn queue_cells(queue: Option<&QueueMetrics>, time: impl Fn(f64, i32) -> String) -> [String; 11] {
    let Some(q) = queue else {
        return Default::default();
    };
    let seconds = |v: f64| time(v, WAIT_DECIMALS);
    // A run read from an archive older than `ADDED_LATER`'s columns has them as not
    // measured (NaN): written back empty, as it was read, so `--resume` keeps it.
    let later = |v: f64, decimals: i32| match v.is_nan() {
        true => String::new(),
        false => time(v, decimals),
    };
    let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    [
        seconds(q.wait_p50_s),
        seconds(q.wait_p99_s),
        seconds(q.wait_max_s),
        later(q.wait_mean_s, WAIT_DECIMALS),
        later(q.waited_fraction, FRACTION_DECIMALS),
        count(q.max_depth),
        q.empty_polls.to_string(),
        q.consumer_items_min.to_string(),
        q.consumer_items_max.to_string(),
        later(q.blocked_total_s, WAIT_DECIMALS),
        later(q.blocked_p99_s, WAIT_DECIMALS),
    ]
}

/// The longest time the model can predict: its most items, each produced and consumed
/// in the longest duration at the largest time scale, one after another. Beyond, a
/// damaged file.
pub const MAX_PREDICTED_S: f64 = 2.0
    * crate::model::MAX_MODELLED_ITEMS as f64
    * crate::scenario::duration::MAX_DURATION.as_secs_f64()
    * crate::settings::TIME_SCALE.1;

/// A measured run longer than this is a damaged file, not a measurement.
pub const MAX_MEASURED_S: f64 = 10.0 * 24.0 * 3600.0;

/// One run read back from a `runs.csv`, with what it was made by.
pub struct ReadRun {
    pub run: RunRecord,
    /// The fingerprint of the experiment that made it (`experiment_hash`).
    pub hash: String,
    pub time_scale: f64,
    /// Where the row's scenario settings differ from those of the experiment's scenario
    /// of its name: the file, line and column, and both values. Such a row is a run of
    /// another experiment (a `runs.csv` copied from elsewhere, or made before the file
    /// changed), whatever its name says.
    pub other_scenario: Option<String>,
    /// Its line in the file (1 = the header), for messages.
    pub line: u64,
}

/// Characters of a cell an error quotes at most: a cell of a megabyte, or a number of
/// 300 digits, is told by its start.
const QUOTED: usize = 40;

/// `cell` as an error quotes it, cut after `QUOTED` characters with `…`.
fn quoted(cell: &str) -> String {
    match cell.char_indices().nth(QUOTED) {
        Some((at, _)) => format!("{}…", &cell[..at]),
        None => cell.to_string(),
    }
}

/// Runs read back from a `runs.csv`.
pub struct ReadRuns {
    /// Runs of scenarios the experiment has.
    pub runs: Vec<ReadRun>,
    /// Rows naming a scenario the experiment does not have.
    pub unknown: usize,
    /// The first of them, as an error names it: `runs.csv:LINE: column 2 `scenario`: ...`.
    pub first_unknown: Option<String>,
}

/// The cell of `column` in the first run of `runs` (a `runs.csv`), read leniently, with
/// none of `read`'s checks: for what a caller needs before, or instead of, reading it all.
pub fn first_run_says(runs: impl std::io::Read, column: &str) -> Option<String> {
    first_run_cells(runs, &[column])?.pop().flatten()
}

/// As `first_run_says`, for several columns at one read: each cell, `None` where the
/// column is not there; `None` without a first run.
pub fn first_run_cells(runs: impl std::io::Read, columns: &[&str]) -> Option<Vec<Option<String>>> {
    let mut reader = csv::Reader::from_reader(runs);
    let header = reader.headers().ok()?.clone();
    let row = reader.records().next()?.ok()?;
    let cell = |column: &&str| {
        let at = header.iter().position(|c| c == *column)?;
        row.get(at).map(str::to_string)
    };
    Some(columns.iter().map(cell).collect())
}

/// `bytes` with every CRLF or lone CR line end made LF (a file saved by a spreadsheet,
/// an old Mac's "CSV", or checked out with git's `autocrlf`): the csv crate reads them
/// all as line ends but counts a line only at LF (rust-csv issue 395), and errors name
/// the line an editor shows.
fn lf_lines(bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.contains(&b'\r') {
        return bytes;
    }
    let mut lf = Vec::with_capacity(bytes.len());
    for (at, &byte) in bytes.iter().enumerate() {
        match (byte, bytes.get(at + 1)) {
            (b'\r', Some(b'\n')) => {}
            (b'\r', _) => lf.push(b'\n'),
            _ => lf.push(byte),
        }
    }
    lf
}

/// Reads `path` back as runs of `experiment`. Every row is checked: numbers, times
/// (finite, not negative, measured ones at most `MAX_MEASURED_S`), repeats (1..=`max_repeat`), no
/// run twice, one source throughout, and with `time_scale` given, rows made at it. An
/// error names the file, the line (1 = the header, as an editor counts) and the column
/// by name and number.
pub fn read(
    path: &Path,
    experiment: &Experiment,
    max_repeat: u32,
    time_scale: Option<f64>,
) -> Result<ReadRuns, String> {
    let file = crate::regular_file::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    read_from(path, file, experiment, max_repeat, time_scale)
}

/// As `read`, from `input` rather than a file (a version of `runs.csv` that git holds,
/// say); `path` names it in errors.
pub fn read_from(
    path: &Path,
    mut input: impl std::io::Read,
    experiment: &Experiment,
    max_repeat: u32,
    time_scale: Option<f64>,
) -> Result<ReadRuns, String> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut reader = csv::Reader::from_reader(std::io::Cursor::new(lf_lines(bytes)));
    let header = reader
        .headers()
        .map_err(|e| format!("{}:1: {e}", path.display()))?
        .clone();
    let columns = Columns::of(header.iter());
    // The model's columns came together: an archive has all of them (those added later
    // aside) or none.
    let predicted = PREDICTED_QUEUE.iter().any(|c| columns.get(c).is_some());
    let model_columns = PREDICTED_QUEUE
        .into_iter()
        .filter(|c| predicted && !added_later(c));
    for column in header_required().into_iter().chain(model_columns) {
        if columns.get(column).is_none() {
            return Err(format!(
                "{}:1: no column `{column}`; is it a queuelab runs.csv?",
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
        first_unknown: None,
    };
    let mut checks = Checks::new(max_repeat, time_scale);
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            format!("{}:{line}: not a CSV row: {e}", path.display())
        })?;
        let line = row.position().map_or(0, |p| p.line());
        let cell = |column: &str| columns.get(column).and_then(|i| row.get(i)).unwrap_or("");
        let Some(&scenario) = labels.get(cell("scenario")) else {
            read.unknown += 1;
            read.first_unknown.get_or_insert_with(|| {
                let column = columns.get("scenario").map_or(0, |i| i + 1);
                format!(
                    "{}:{line}: column {column} `scenario`: `{}` is not a scenario of {}",
                    path.display(),
                    quoted(cell("scenario")),
                    experiment.file.display()
                )
            });
            continue;
        };
        let mut run = checks
            .row(cell, line, scenario)
            .map_err(|problem| format!("{}:{line}: {}", path.display(), problem.text(&columns)))?;
        let at = |p: Problem| format!("{}:{line}: {}", path.display(), p.text(&columns));
        let differs = other_scenario(&columns, &row, experiment, scenario);
        if differs.is_none() {
            wrong_items(&run.run, &experiment.scenarios[scenario]).map_err(at)?;
        }
        run.other_scenario = differs.map(at);
        read.runs.push(run);
    }
    Ok(read)
}

/// A run of a scenario moves every one of its items; a row saying otherwise is damaged.
fn wrong_items(run: &RunRecord, scenario: &Scenario) -> Result<(), Problem> {
    let total = scenario.total_items();
    if run.items == total {
        return Ok(());
    }
    Err(Problem {
        column: "items",
        message: format!(
            "{}, where every run of `{}` moves {total} (producers × items_per_producer)",
            run.items, scenario.label
        ),
    })
}

/// The first setting of a row that differs from the experiment's (its name) or from
/// those of its scenario, if any. A column the file lacks (one added after it was
/// written) is not compared.
fn other_scenario(
    columns: &Columns,
    row: &csv::StringRecord,
    experiment: &Experiment,
    scenario: usize,
) -> Option<Problem> {
    let named = columns.get("experiment").and_then(|i| row.get(i));
    if let Some(name) = named.filter(|name| *name != experiment.name) {
        return Some(Problem {
            column: "experiment",
            message: format!(
                "`{}`, where the experiment is `{}`: a run of another experiment",
                quoted(name),
                experiment.name
            ),
        });
    }
    let scenario = &experiment.scenarios[scenario];
    ScenarioKey::ALL.iter().find_map(|key| {
        let found = row.get(columns.get(key.name())?).unwrap_or("");
        let expected = scenario.value_text(*key);
        (found != expected).then(|| Problem {
            column: key.name(),
            message: format!(
                "`{}`, where the experiment's scenario `{}` has `{expected}`: a run of \
                 another experiment",
                quoted(found),
                scenario.label
            ),
        })
    })
}

/// Column names to their 0-based positions.
struct Columns(HashMap<String, usize>);

impl Columns {
    fn of<'a>(names: impl Iterator<Item = &'a str>) -> Self {
        Columns(names.enumerate().map(|(i, c)| (c.to_string(), i)).collect())
    }

    fn get(&self, column: &str) -> Option<usize> {
        self.0.get(column).copied()
    }
}

/// What is wrong with a row, and in which column.
struct Problem {
    column: &'static str,
    message: String,
}

impl Problem {
    fn text(&self, columns: &Columns) -> String {
        let number = columns.get(self.column).map_or(0, |i| i + 1);
        format!("column {number} `{}`: {}", self.column, self.message)
    }
}

/// The checks of every row, and of rows against each other.
struct Checks {
    max_repeat: u32,
    time_scale: Option<f64>,
    /// Line of each (scenario, repeat) seen.
    seen: HashMap<(usize, u32), u64>,
    source: Option<(Source, u64)>,
}

impl Checks {
    fn new(max_repeat: u32, time_scale: Option<f64>) -> Self {
        Checks {
            max_repeat,
            time_scale,
            seen: HashMap::new(),
            source: None,
        }
    }

    fn row<'r>(
        &mut self,
        cell: impl Fn(&str) -> &'r str,
        line: u64,
        scenario: usize,
    ) -> Result<ReadRun, Problem> {
        let problem = |column: &'static str, message: String| Problem { column, message };
        let count = |column: &'static str| {
            cell(column).parse::<u64>().map_err(|_| {
                problem(
                    column,
                    format!("`{}` is not a whole number", quoted(cell(column))),
                )
            })
        };
        let number = |column: &'static str| {
            cell(column).parse::<f64>().map_err(|_| {
                problem(
                    column,
                    format!("`{}` is not a number", quoted(cell(column))),
                )
            })
        };
        let time = |column: &'static str, most: f64| {
            let value = number(column)?;
            // `-0` too: printed back, it would show a negative time.
            if !value.is_finite() || value.is_sign_negative() {
                Err(problem(
                    column,
                    format!(
                        "`{}` is not a time: a run's times are finite and not negative",
                        quoted(cell(column))
                    ),
                ))
            } else if value > most {
                Err(problem(
                    column,
                    format!(
                        "`{}` s is beyond {most} s ({} days): not a time a run could take",
                        quoted(cell(column)),
                        most / (24.0 * 3600.0)
                    ),
                ))
            } else {
                Ok(value)
            }
        };
        let source = Source::read(cell("source")).map_err(|why| problem("source", why))?;
        let repeat = cell("repeat").parse::<u32>().map_err(|_| {
            problem(
                "repeat",
                format!(
                    "`{}` is not a repeat: a whole number from 1",
                    quoted(cell("repeat"))
                ),
            )
        })?;
        if repeat == 0 || repeat > self.max_repeat {
            let whose = match u64::from(self.max_repeat) == crate::settings::REPEATS.1 {
                true => "the repeats an experiment may have",
                false => "the experiment's repeats",
            };
            return Err(problem(
                "repeat",
                format!(
                    "repeat {repeat} is outside 1..={}, {whose}",
                    self.max_repeat
                ),
            ));
        }
        let scale = number("time_scale")?;
        if !is_time_scale(scale) {
            return Err(problem(
                "time_scale",
                format!(
                    "`{}` is not a time scale: {}",
                    quoted(cell("time_scale")),
                    Setting::TimeScale.spec().accepts.allowed()
                ),
            ));
        }
        if let Some(expected) = self.time_scale
            && scale != expected
        {
            return Err(problem(
                "time_scale",
                format!("a run made at time_scale {scale} in an archive made at {expected}"),
            ));
        }
        // Measured times are capped; the model may predict a sweep of months.
        let most = match source {
            Source::Measured => MAX_MEASURED_S,
            Source::Model => f64::MAX,
        };
        let elapsed_s = time("elapsed_s", most)?;
        // Under half a nanosecond is written back as no time at all, which the writer
        // would refuse: refused here, before a `--resume` makes runs it cannot save.
        if source == Source::Measured && elapsed_s < 0.5e-9 {
            return Err(problem(
                "elapsed_s",
                format!(
                    "`{}` s: a measured run takes some time (only the model's zero-time \
                     work takes none)",
                    quoted(cell("elapsed_s"))
                ),
            ));
        }
        // Empty where the run was too large to model.
        let predicted_s = match cell("predicted_s") {
            "" => None,
            _ => Some(time("predicted_s", MAX_PREDICTED_S)?),
        };
        // A column an older archive lacks reads as not measured (NaN); one present is
        // checked like any other.
        let later_time = |column: &'static str| match cell(column) {
            "" if added_later(column) => Ok(f64::NAN),
            _ => time(column, MAX_MEASURED_S),
        };
        let fraction = |column: &'static str| match cell(column) {
            "" if added_later(column) => Ok(f64::NAN),
            text => match number(column)? {
                share if (0.0..=1.0).contains(&share) && !share.is_sign_negative() => Ok(share),
                _ => Err(problem(
                    column,
                    format!("`{}` is not a share: from 0 to 1", quoted(text)),
                )),
            },
        };
        let queue_of = |c: &[&'static str; 11]| -> Result<Option<QueueMetrics>, Problem> {
            if cell(c[0]).is_empty() {
                return Ok(None);
            }
            Ok(Some(QueueMetrics {
                wait_p50_s: time(c[0], MAX_MEASURED_S)?,
                wait_p99_s: time(c[1], MAX_MEASURED_S)?,
                wait_max_s: time(c[2], MAX_MEASURED_S)?,
                wait_mean_s: later_time(c[3])?,
                waited_fraction: fraction(c[4])?,
                max_depth: match cell(c[5]) {
                    "" => None,
                    _ => Some(count(c[5])?),
                },
                empty_polls: count(c[6])?,
                consumer_items_min: count(c[7])?,
                consumer_items_max: count(c[8])?,
                blocked_total_s: later_time(c[9])?,
                blocked_p99_s: later_time(c[10])?,
            }))
        };
        let queue = queue_of(&QUEUE)?;
        let predicted_queue = queue_of(&PREDICTED_QUEUE)?;
        let run = RunRecord {
            scenario,
            repeat,
            run_seed: count("run_seed")?,
            source,
            elapsed_s,
            predicted_s,
            items: count("items")?,
            queue,
            predicted_queue,
        };
        match self.source {
            Some((first, at)) if first != source => {
                return Err(problem(
                    "source",
                    format!(
                        // Which of the two was edited, the rows cannot say.
                        "`{}`, where line {at} is `{}`: a folder holds runs of one source, \
                         so one of these two lines is not this folder's",
                        source.name(),
                        first.name()
                    ),
                ));
            }
            Some(_) => {}
            None => self.source = Some((source, line)),
        }
        if let Some(at) = self.seen.insert((scenario, repeat), line) {
            return Err(problem(
                "repeat",
                format!(
                    "repeat {repeat} of `{}` is already on line {at}",
                    cell("scenario")
                ),
            ));
        }
        Ok(ReadRun {
            run,
            hash: cell("experiment_hash").to_string(),
            other_scenario: None,
            line,
            time_scale: scale,
        })
    }
}

/// Whether `column` (measured or the model's) came after the first archives, which read
/// it as not measured.
fn added_later(column: &str) -> bool {
    ADDED_LATER.contains(&column.strip_prefix("predicted_").unwrap_or(column))
}

/// Columns computed from others for people to read, never read back: archives written
/// before one of them existed (versions `history` reads from git) read the same.
const DERIVED: [&str; 2] = ["throughput_per_s", "ns_per_item"];

fn header_required() -> Vec<&'static str> {
    header()
        .into_iter()
        .filter(|c| !ScenarioKey::ALL.iter().any(|k| k.name() == *c))
        .filter(|c| !ADDED_LATER.contains(c) && !PREDICTED_QUEUE.contains(c))
        .filter(|c| !DERIVED.contains(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The queue's columns are named in three lists (measured, the model's partners, and
    /// the metrics summaries pair): they must say the same names, in the same order.
    #[test]
    fn the_queue_s_column_lists_agree() {
        for (measured, predicted) in QUEUE.iter().zip(PREDICTED_QUEUE) {
            assert_eq!(predicted, format!("predicted_{measured}"));
        }
        let paired: Vec<&str> = crate::record::QueueMetric::ALL
            .iter()
            .map(|m| m.name())
            .collect();
        let in_order: Vec<&str> = QUEUE
            .iter()
            .copied()
            .filter(|c| paired.contains(c))
            .collect();
        assert_eq!(
            in_order, paired,
            "every paired metric is a column, in the same order"
        );
        for later in ADDED_LATER {
            assert!(
                QUEUE.contains(&later) || PREDICTED_QUEUE.contains(&later),
                "{later}"
            );
        }
    }
    use crate::experiment::parse;
    use proptest::prelude::*;

    fn experiment() -> Experiment {
        let text = "name = \"p\"\nrepeats = 3\ntime_scale = 0.5\n[sweep]\nconsumers = [1, 2]\n";
        parse(Path::new("p.toml"), text).expect("valid")
    }

    /// Any f64, the awkward ones often.
    fn float() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            Just(MAX_MEASURED_S),
            0.0..1e3f64,
            -1e3..0.0f64,
            any::<f64>(),
        ]
    }

    fn queue_metrics() -> impl Strategy<Value = QueueMetrics> {
        (
            (float(), float(), float(), float()),
            prop_oneof![0.0..=1.0f64, float()],
            any::<Option<u64>>(),
            any::<u64>(),
        )
            .prop_map(
                |((p50, p99, max, mean), share, depth, polls)| QueueMetrics {
                    wait_p50_s: p50,
                    wait_p99_s: p99,
                    wait_max_s: max,
                    wait_mean_s: mean,
                    waited_fraction: share,
                    max_depth: depth,
                    empty_polls: polls,
                    consumer_items_min: polls / 2,
                    consumer_items_max: polls,
                    blocked_total_s: mean,
                    blocked_p99_s: p99,
                },
            )
    }

    fn record() -> impl Strategy<Value = RunRecord> {
        // Every scenario of `experiment()` moves the same items; mostly the right count.
        let total = experiment().scenarios[0].total_items();
        (
            0..2usize,
            prop_oneof![1..4u32, any::<u32>()],
            any::<u64>(),
            any::<bool>(),
            (float(), proptest::option::of(float())),
            prop_oneof![3 => Just(total), 1 => any::<u64>()],
            (
                proptest::option::of(queue_metrics()),
                proptest::option::of(queue_metrics()),
            ),
        )
            .prop_map(
                |(scenario, repeat, run_seed, model, (elapsed_s, predicted_s), items, queues)| {
                    RunRecord {
                        scenario,
                        repeat,
                        run_seed,
                        source: if model {
                            Source::Model
                        } else {
                            Source::Measured
                        },
                        elapsed_s,
                        predicted_s,
                        items,
                        queue: queues.0,
                        predicted_queue: queues.1,
                    }
                },
            )
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9_f64.max(a.abs() * 1e-15) * 2.0
    }

    /// `runs.csv` of one measured run of 0.25 s of `experiment`'s first scenario, with
    /// `queue` measured and predicted alike.
    fn one_run_written(
        experiment: &Experiment,
        predicted_s: Option<f64>,
        queue: Option<QueueMetrics>,
    ) -> String {
        let run = RunRecord {
            scenario: 0,
            repeat: 1,
            run_seed: 1,
            source: Source::Measured,
            elapsed_s: 0.25,
            predicted_s,
            items: experiment.scenarios[0].total_items(),
            queue: queue.clone(),
            predicted_queue: queue,
        };
        let runs = [run];
        let results = Results::of_runs(experiment, Source::Measured, &runs, &[]);
        String::from_utf8(RunsCsv.render(&results).expect("renders")).expect("text")
    }

    #[test]
    fn an_error_quotes_a_cell_by_its_start() {
        let experiment = experiment();
        let text = one_run_written(&experiment, None, None);
        let huge = format!("1{}", "0".repeat(300));
        assert!(text.contains(",0.250000000,"), "{text}");
        let damaged = text.replacen(",0.250000000,", &format!(",{huge},"), 1);
        let refused = read_from(
            Path::new("runs.csv"),
            damaged.as_bytes(),
            &experiment,
            3,
            None,
        )
        .err()
        .expect("a time beyond 10 days");
        assert!(
            refused.contains("`1000000000000000000000000000000000000000…` s is beyond"),
            "{refused}"
        );
        assert!(refused.len() < 200, "{refused}");
    }

    /// A hand edit is refused by line and column, in the words of what the column holds:
    /// a negative zero time, a measured run of no time, a share below zero, a column of
    /// the model's missing while the others are there (one added later reads as not
    /// measured, as its measured partner does).
    #[test]
    fn hand_edits_are_refused_naming_what_the_column_holds() {
        let experiment = experiment();
        let queue = QueueMetrics {
            wait_p50_s: 0.001,
            wait_p99_s: 0.002,
            wait_max_s: 0.003,
            wait_mean_s: 0.0015,
            waited_fraction: 0.25,
            max_depth: Some(3),
            empty_polls: 0,
            consumer_items_min: 1,
            consumer_items_max: 2,
            blocked_total_s: 0.0,
            blocked_p99_s: 0.0,
        };
        let text = one_run_written(&experiment, Some(0.25), Some(queue));
        let refused = |damaged: &str| {
            read_from(
                Path::new("runs.csv"),
                damaged.as_bytes(),
                &experiment,
                3,
                None,
            )
            .err()
            .unwrap_or_else(|| panic!("not refused: {damaged}"))
        };
        let edited = |cell: &str, to: &str| {
            assert!(text.contains(cell), "{text}");
            refused(&text.replacen(cell, to, 1))
        };
        let m = edited(",0.250000000,", ",-0.0,");
        assert!(
            m.contains("runs.csv:2: column 17 `elapsed_s`: `-0.0` is not a time"),
            "{m}"
        );
        // Saved with CRLF or CR line ends (a spreadsheet, git's autocrlf, an old Mac), the
        // line is the same.
        // A prediction beyond anything the model can predict is a damaged cell.
        let m = edited(",0.250000000,0.250000000,", ",0.250000000,1e308,");
        assert!(
            m.contains("column 18 `predicted_s`: `1e308` s is beyond"),
            "{m}"
        );
        for end in ["\r\n", "\r"] {
            let saved = text
                .replace('\n', end)
                .replacen(",0.250000000,", ",-0.0,", 1);
            let m = refused(&saved);
            assert!(
                m.contains("runs.csv:2: column 17 `elapsed_s`"),
                "{end:?}: {m}"
            );
        }
        for (written, quoted) in [(",0,", "`0` s"), (",1e-12,", "`1e-12` s")] {
            let m = edited(",0.250000000,", written);
            let says = format!("`elapsed_s`: {quoted}: a measured run takes some time");
            assert!(m.contains(&says), "{m}");
        }
        let m = edited(",0.250000,", ",-0.5,");
        assert!(
            m.contains("`waited_fraction`: `-0.5` is not a share: from 0 to 1"),
            "{m}"
        );
        let dropped = {
            let mut lines = text.lines().map(|line| line.split(',').collect::<Vec<_>>());
            let header = lines.next().expect("header");
            let at = header
                .iter()
                .position(|c| *c == "predicted_wait_p99_s")
                .expect("a column of the model's");
            std::iter::once(header)
                .chain(lines)
                .map(|mut cells| {
                    cells.remove(at);
                    cells.join(",") + "\n"
                })
                .collect::<String>()
        };
        let m = refused(&dropped);
        assert!(
            m.contains("runs.csv:1: no column `predicted_wait_p99_s`"),
            "{m}"
        );
    }

    /// A column added later is written empty when not measured (NaN) and read back so.
    fn same_later(a: f64, b: f64, near: fn(f64, f64) -> bool) -> bool {
        (a.is_nan() && b.is_nan()) || near(a, b)
    }

    proptest! {
        /// Whatever the writer accepts, the reader reads back as the same runs; what the
        /// reader would refuse, the writer refuses to write.
        #[test]
        fn what_is_written_reads_back(runs in proptest::collection::vec(record(), 0..6)) {
            let experiment = experiment();
            let results = Results::of_runs(&experiment, Source::Measured, &runs, &[]);
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("runs.csv");
            let Ok(bytes) = RunsCsv.render(&results) else {
                return Ok(());
            };
            std::fs::write(&path, bytes).expect("write");
            let read = read(&path, &experiment, experiment.repeats, Some(0.5));
            prop_assert!(read.is_ok(), "written but refused: {:?}", read.err());
            let read = read.expect("checked");
            prop_assert_eq!(read.unknown, 0);
            let mut sorted = runs.clone();
            sorted.sort_by_key(|r| (r.scenario, r.repeat));
            prop_assert_eq!(read.runs.len(), sorted.len());
            for (back, run) in read.runs.iter().zip(&sorted) {
                let back = &back.run;
                prop_assert_eq!(
                    (back.scenario, back.repeat, back.run_seed, back.source, back.items),
                    (run.scenario, run.repeat, run.run_seed, run.source, run.items)
                );
                prop_assert!(close(back.elapsed_s, run.elapsed_s), "{} {}", back.elapsed_s, run.elapsed_s);
                prop_assert_eq!(back.predicted_s.is_some(), run.predicted_s.is_some());
                if let (Some(b), Some(p)) = (back.predicted_s, run.predicted_s) {
                    prop_assert!(close(b, p));
                }
                for (back, run) in [(&back.queue, &run.queue), (&back.predicted_queue, &run.predicted_queue)] {
                    prop_assert_eq!(back.is_some(), run.is_some());
                    if let (Some(b), Some(q)) = (back, run) {
                        prop_assert!(close(b.wait_p99_s, q.wait_p99_s));
                        prop_assert!(
                            same_later(b.wait_mean_s, q.wait_mean_s, close),
                            "{} {}", b.wait_mean_s, q.wait_mean_s
                        );
                        let fraction = |a: f64, b: f64| (a - b).abs() <= 1e-6;
                        prop_assert!(same_later(b.waited_fraction, q.waited_fraction, fraction));
                        prop_assert!(same_later(b.blocked_total_s, q.blocked_total_s, close));
                        prop_assert_eq!(b.max_depth, q.max_depth);
                    }
                }
            }
        }
    }
}
