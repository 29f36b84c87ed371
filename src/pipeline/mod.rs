//! The commands' steps wired together: load experiments, run or model them, summarise,
//! write the results folder, and tell the person what happened.
//!
//! Owns the order of the steps and what is printed; each step itself lives in its own
//! module. Nothing here parses, measures or draws.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::diagnostic::Rejected;
use crate::environment::{Before, Environment};
use crate::experiment::{self, Axis, Experiment};
use crate::model::{MAX_MODELLED_ITEMS, Prediction, machine_cores, modelled_items, predict};
use crate::output::{
    OutputError, RenderError, Results, all_outputs, check_outputs_can_go, write_outputs, write_set,
};
use crate::plan::{PlanSettings, RunPlan, plan_runs, with_warmups};
use crate::record::{RunRecord, Source};
use crate::scenario::ScenarioKey;
use crate::scenario::duration::seconds_text_precise;
use crate::settings::{MODEL_SUFFIX, RunOrder};
use crate::stats::theory::add_theory;
use crate::stats::{Summary, add_scaling_fits, add_speedups, median, summarise};

mod archive;
mod estimate;
mod history;
mod lock;
pub(crate) mod print;
mod run;
mod traces;
mod view;

use crate::output::counted;
pub use archive::{CompareOptions, compare, plot};
pub use history::{HistoryOptions, history};
use lock::Held;
pub use print::{human, status};
use print::{model_table, scenario_table};
pub use run::{resume_with, run};
pub use view::{View, plot_view};

/// Why a command did not succeed, and so its exit code.
#[derive(Debug)]
pub enum Failure {
    /// The input is wrong (exit code 2); the text says where and why. Nothing was written.
    BadInput(String),
    /// Something went wrong while running or writing (exit code 1).
    Failed(String),
    /// The person stopped the run (exit code 130, as for SIGINT); what finished is saved.
    /// `said` is the output of what finished (for stdout, as on success), `why` what was
    /// stopped and how to go on.
    Interrupted { said: String, why: String },
    /// The command did its work, and `said` is its output as on success (for stdout, so
    /// a report redirected to a file is whole), but something it was asked for failed:
    /// `why` (exit code 1), such as runs that failed or a `--fail-if-slower` gate.
    Unmet { said: String, why: String },
}

/// The exit code of a command the person stopped, as a shell gives for SIGINT.
pub const INTERRUPTED_EXIT: i32 = 130;

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::BadInput(_) => 2,
            Failure::Failed(_) | Failure::Unmet { .. } => 1,
            Failure::Interrupted { .. } => INTERRUPTED_EXIT,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::BadInput(m) | Failure::Failed(m) => m,
            Failure::Unmet { why, .. } | Failure::Interrupted { why, .. } => why,
        }
    }

    /// What the person sees: an error says so on its first line (`error: ...`), as every
    /// diagnostic does; an interruption is not an error.
    pub fn to_text(&self) -> String {
        let message = self.message();
        let says_error = message.lines().any(|line| line.starts_with("error:"));
        match self {
            Failure::Interrupted { .. } => message.to_string(),
            _ if says_error => message.to_string(),
            _ => format!("error: {message}"),
        }
    }
}

impl From<OutputError> for Failure {
    fn from(error: OutputError) -> Self {
        let mended_by_person = match &error {
            OutputError::InTheWay { .. } => true,
            OutputError::Write { error, .. } => theirs_to_mend(error),
            OutputError::Render { .. } => false,
        };
        if mended_by_person {
            Failure::BadInput(error.to_string())
        } else {
            Failure::Failed(error.to_string())
        }
    }
}

/// Command-line settings that override the experiment file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub repeats: Option<u32>,
    pub time_scale: Option<f64>,
    pub seed: Option<u64>,
    pub warmup: Option<u32>,
    pub order: Option<RunOrder>,
}

/// Settings of `run` and `simulate`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub out: PathBuf,
    pub overrides: Overrides,
    pub quiet: bool,
    /// Runs at once; `None` takes the file's `jobs`.
    pub jobs: Option<usize>,
    /// Keep the runs already in `runs.csv` and make only the missing ones.
    pub resume: bool,
    /// With `resume`: keep runs even of a changed experiment file.
    pub force: bool,
    /// Replace a folder of runs made at another time_scale, seed or repeats.
    pub replace: bool,
    /// Run experiments estimated to take over an hour without asking.
    pub yes: bool,
    /// Threads one run may start; `None` reads the system's limits.
    pub max_threads: Option<u64>,
    /// Raised to stop: no run starts, runs in flight are abandoned.
    pub cancel: Arc<AtomicBool>,
    /// `--trace`: which repeat to trace and how to draw it.
    pub trace: Option<crate::trace::TraceOptions>,
}

/// Loads every file, reporting the problems of all of them at once.
pub fn load_all(files: &[PathBuf], overrides: &Overrides) -> Result<Vec<Experiment>, Failure> {
    let mut experiments = Vec::new();
    let mut report = String::new();
    let mut count = 0;
    // Errors told in full over all the files, as within one (`Rejected::SHOWN`).
    let mut shown = 0;
    for file in files {
        match experiment::load_at(file, overrides.time_scale) {
            Ok(mut experiment) => {
                experiment.override_with(overrides.repeats, None, overrides.seed);
                experiment.warmup = overrides.warmup.unwrap_or(experiment.warmup);
                experiment.order = overrides.order.unwrap_or(experiment.order);
                if let Some(problem) = PlanSettings::of(&experiment).too_large() {
                    count += 1;
                    let _ = writeln!(
                        report,
                        "error: {}: `repeats` with the command line's overrides: {problem}",
                        experiment.file.display()
                    );
                    continue;
                }
                experiments.push(experiment);
            }
            Err(rejected) => {
                count += rejected.count();
                // A file told counts whole: it says itself how many of its own it left out.
                if shown < Rejected::SHOWN {
                    shown += rejected.count();
                    let _ = writeln!(report, "{rejected}");
                }
            }
        }
    }
    if count > shown {
        let _ = writeln!(
            report,
            "error: {} in other files not shown; mend those above first",
            counted((count - shown) as u64, "error")
        );
    }
    if count > 0 {
        let _ = write!(
            report,
            "{}; nothing was run or written",
            counted(count as u64, "error")
        );
        return Err(Failure::BadInput(report));
    }
    Ok(experiments)
}

/// `path` with every link and `..` resolved, so two names of one file or folder compare
/// equal; as given if it cannot be resolved (it does not exist).
fn resolved(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Refuses, before anything runs, two experiments that would write one results folder:
/// the second would silently replace the first's runs.
fn refuse_shared_names(experiments: &[Experiment], suffix: &str) -> Result<(), Failure> {
    let mut problems = String::new();
    let same_file = |a: &Experiment, b: &Experiment| resolved(&a.file) == resolved(&b.file);
    for (i, later) in experiments.iter().enumerate() {
        if let Some(first) = experiments[..i].iter().find(|e| same_file(e, later)) {
            let _ = writeln!(
                problems,
                "{} is named twice (as {}); name each file once",
                later.file.display(),
                first.file.display()
            );
        } else if let Some(first) = experiments[..i].iter().find(|e| e.name == later.name) {
            let _ = writeln!(
                problems,
                "{} and {} are both experiment `{}` and would write one folder, {}{suffix}/; \
                 give one of them another `name = ...`",
                first.file.display(),
                later.file.display(),
                later.name,
                later.name
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        problems.push_str("nothing was run or written");
        Err(Failure::BadInput(problems))
    }
}

/// Items `check` models in all, so it answers within a second or two whatever the file:
/// runs beyond this are listed as not predicted (`simulate` models every run).
const CHECK_MODELLED_ITEMS: u64 = 5_000_000;

/// The model's prediction for every planned run: `None` for a run over the model's limit
/// (`MAX_MODELLED_ITEMS`) or, when `budget` is given, once that many items are modelled.
fn predictions(
    experiment: &Experiment,
    plans: &[RunPlan],
    mut budget: Option<&mut u64>,
) -> Vec<Option<Prediction>> {
    let cores = machine_cores();
    plans
        .iter()
        .map(|plan| {
            let scenario = &experiment.scenarios[plan.scenario];
            let items = modelled_items(scenario);
            if items > MAX_MODELLED_ITEMS {
                return None;
            }
            if let Some(left) = budget.as_deref_mut() {
                *left = left.checked_sub(items)?;
            }
            Some(predict(scenario, plan.run_seed, cores))
        })
        .collect()
}

/// A line saying how many runs the model did not predict, and why; empty when it
/// predicted them all.
fn not_predicted_note<T>(predicted: &[Option<T>]) -> String {
    let missing = predicted.iter().filter(|p| p.is_none()).count();
    if missing == 0 {
        return String::new();
    }
    format!(
        "  {missing} of {} runs not predicted: over {} items a run, or beyond the {} items \
         `check` models in all (`queuelab simulate` models every run up to the limit)\n",
        predicted.len(),
        MAX_MODELLED_ITEMS,
        CHECK_MODELLED_ITEMS
    )
}

/// `queuelab check`: validates and describes each experiment; prints nothing else. The
/// estimate is for `jobs` runs at once, or the file's `jobs`.
pub fn check(
    files: &[PathBuf],
    overrides: &Overrides,
    jobs: Option<usize>,
) -> Result<String, Failure> {
    let experiments = load_all(files, overrides)?;
    // As `run` and `simulate` would refuse them, so `check` says so first.
    refuse_shared_names(&experiments, "")?;
    let mut text = String::new();
    let mut budget = CHECK_MODELLED_ITEMS;
    for experiment in &experiments {
        // Warm-ups too: they take time. Modelled once, within check's budget.
        let plans = with_warmups(
            &PlanSettings::of(experiment),
            &plan_runs(&PlanSettings::of(experiment)),
        );
        let predicted = predictions(experiment, &plans, Some(&mut budget));
        // Every scenario's median prediction, NaN where none of its runs was modelled
        // (listed as not predicted). The medians alone: check prints no interval, and
        // bootstrapping each of 100,000 scenarios' would take most of its time.
        let mut of_scenario: Vec<Vec<f64>> = vec![Vec::new(); experiment.scenarios.len()];
        for (plan, p) in plans.iter().zip(&predicted) {
            if let (false, Some(p)) = (plan.is_warmup(), p) {
                of_scenario[plan.scenario].push(p.elapsed_s);
            }
        }
        let medians: Vec<(usize, f64)> = of_scenario
            .iter()
            .enumerate()
            .map(|(scenario, seconds)| (scenario, median(seconds)))
            .collect();
        let _ = writeln!(
            text,
            "{}: ok, experiment `{}`",
            experiment.file.display(),
            experiment.name
        );
        let _ = writeln!(
            text,
            "  {} × {} at time_scale {}, seed {}",
            counted(experiment.scenarios.len() as u64, "scenario"),
            counted(u64::from(experiment.repeats), "repeat"),
            experiment.time_scale,
            experiment.seed
        );
        if let Some(sweep) = experiment.sweep_words() {
            let _ = writeln!(text, "  swept: {sweep}");
        }
        text.push_str(&model_table(experiment, &medians));
        text.push_str(&not_predicted_note(&predicted));
        let at_least = if predicted.iter().any(Option::is_none) {
            "at least "
        } else {
            ""
        };
        let jobs = jobs.unwrap_or(experiment.jobs);
        let total = run::estimate_of(&plans, &predicted, jobs);
        let one_at_a_time = run::estimate_of(&plans, &predicted, 1);
        let zero_time = experiment
            .scenarios
            .iter()
            .all(|s| s.produce_is_instant() && s.consume_is_instant());
        let _ = if one_at_a_time == 0.0 && zero_time {
            writeln!(
                text,
                "  estimated run time: unknown; zero-time work takes as long as the queue does \
                 (the progress bar estimates it from the first runs)\n"
            )
        } else if one_at_a_time == 0.0 {
            writeln!(
                text,
                "  estimated run time: unknown; the model did not predict these runs (the \
                 progress bar estimates them from the first runs)\n"
            )
        } else if jobs > 1 {
            writeln!(
                text,
                "  estimated run time: {at_least}{} with {jobs} jobs at once, longest first ({} one at a \
                 time; from the model)\n",
                human(total),
                human(one_at_a_time)
            )
        } else {
            writeln!(
                text,
                "  estimated run time: {at_least}{} (from the model)\n",
                human(total)
            )
        };
    }
    Ok(text)
}

/// The model's runs as records: one per predicted run (a run not predicted has none).
fn model_records(plans: &[RunPlan], predicted: &[Option<Prediction>]) -> Vec<RunRecord> {
    plans
        .iter()
        .zip(predicted)
        .filter_map(|(plan, predicted)| {
            let p = predicted.as_ref()?;
            Some(RunRecord {
                scenario: plan.scenario,
                repeat: plan.repeat,
                run_seed: plan.run_seed,
                source: Source::Model,
                elapsed_s: p.elapsed_s,
                predicted_s: Some(p.elapsed_s),
                items: p.items,
                queue: p.queue.clone(),
                predicted_queue: p.queue.clone(),
            })
        })
        .collect()
}

/// `queuelab simulate`: the model alone, into `out/NAME-model/` so real results stay.
pub fn simulate(files: &[PathBuf], options: &RunOptions) -> Result<String, Failure> {
    let experiments = load_all(files, &options.overrides)?;
    refuse_shared_names(&experiments, MODEL_SUFFIX)?;
    traces::check(&experiments, options)?;
    // Every refusal before the first folder is written.
    for experiment in &experiments {
        let name = format!("{}{MODEL_SUFFIX}", experiment.name);
        let dir = options.out.join(&name);
        refuse_link(&dir, &name)?;
        refuse_measured_runs(&dir)?;
    }
    let mut text = String::new();
    for experiment in &experiments {
        let name = format!("{}{MODEL_SUFFIX}", experiment.name);
        let before = Before::read(&experiment.file, &options.out.join(&name));
        // A folder made here and left with nothing written (a write that failed) goes.
        let mut held = Held::default();
        held.note_if_missing(&options.out.join(&name));
        let dir = prepare_dir(&options.out, &name, experiment)?;
        traces::refuse_file_in_place_of_trace_folder(&dir, experiment, options)?;
        held.lock(&dir)?;
        let started = std::time::SystemTime::now();
        let plans = plan_runs(&PlanSettings::of(experiment));
        let predicted = predictions(experiment, &plans, None);
        let records = model_records(&plans, &predicted);
        if records.is_empty() {
            return Err(Failure::BadInput(format!(
                "{}: no run can be modelled: every scenario has over {MAX_MODELLED_ITEMS} items",
                experiment.file.display()
            )));
        }
        text.push_str(&not_predicted_note(&predicted));
        let environment = Environment::read(&before, started);
        text.push_str(&finish(
            experiment,
            &dir,
            Source::Model,
            &records,
            Some(&environment),
            Rewrite::NewRuns,
        )?);
        // The model's runs just replaced the folder's, and with them their traces.
        let removed = traces::remove_replaced(&dir);
        text.push_str(&traces::write(
            experiment,
            &dir,
            &plans,
            Vec::new(),
            options,
            (None, removed),
        )?);
    }
    Ok(text)
}

/// Refuses a link in place of results folder `dir` (of `name`): through it, results
/// would land outside the folder the person named. Checked for every experiment of a
/// command before any folder is made.
pub(crate) fn refuse_link(dir: &Path, name: &str) -> Result<(), Failure> {
    if !dir
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Ok(());
    }
    let to = fs::read_link(dir).map_or(String::new(), |t| format!(" (to {})", t.display()));
    Err(Failure::BadInput(format!(
        "{} is a link{to}, where queuelab writes the results folder of `{name}`: it \
         writes only into a folder of its own inside --out. Remove the link, or give \
         --out the folder that holds its target. Nothing was run or written.",
        dir.display()
    )))
}

/// Refuses to model over measured runs (an archive copied or renamed into a `-model`
/// folder): the model's runs are remade in a moment, measured ones are not.
fn refuse_measured_runs(dir: &Path) -> Result<(), Failure> {
    // What runs.csv says, or meta.json where runs.csv cannot.
    let source = crate::regular_file::open(&dir.join("runs.csv"))
        .ok()
        .and_then(|file| crate::output::first_run_says(file, "source"))
        .and_then(|word| Source::from_name(&word))
        .or_else(|| {
            crate::output::read_meta(&dir.join("meta.json"))
                .ok()
                .map(|m| m.source)
        });
    match source {
        Some(Source::Measured) => Err(Failure::BadInput(format!(
            "{}: holds measured runs, which the model's would replace; move them, or \
             simulate into another folder with --out. Nothing was written.",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// Removes the charts in `dir` that queuelab names as it names charts (of any scenario
/// key, or of a group of `experiment`) and did not just write: those of an earlier
/// sweep's x, and views `plot --x` drew of the runs these replace. Returns a line
/// naming them, if any went.
fn remove_other_charts(dir: &Path, written: &[PathBuf], experiment: &Experiment) -> String {
    let groups = experiment.sweep.iter().map(|s| s.axis.name().to_string());
    let keys: Vec<String> = ScenarioKey::ALL
        .iter()
        .map(|k| k.name().to_string())
        .chain(groups)
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let Ok(entries) = fs::read_dir(dir) else {
        return String::new();
    };
    let mut removed: Vec<String> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = crate::output::is_chart_name(&name, &keys)
            && !written
                .iter()
                .any(|w| w.file_name() == Some(entry.file_name().as_os_str()))
            && entry.file_type().is_ok_and(|t| t.is_file());
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed.push(name);
        }
    }
    removed.sort();
    match removed.is_empty() {
        true => String::new(),
        false => format!(
            "  removed {} chart(s) of runs these replace: {}\n",
            removed.len(),
            removed.join(", ")
        ),
    }
}

/// One line on the terminal per scenario with runs far from the others.
fn warn_of_outliers(experiment: &Experiment, summaries: &[Summary]) {
    for s in summaries.iter().filter(|s| !s.outliers.is_empty()) {
        let scenario = &experiment.scenarios[s.scenario];
        // As the report's outlier table gives them, to the same digits.
        let times: Vec<String> = s
            .outliers
            .iter()
            .map(|&o| seconds_text_precise(o))
            .collect();
        status(&format!(
            "warning: {} {scenario}: {} of {} runs far from the others ({}; median {}); \
             was the machine busy? Rerunning with more repeats would tell",
            experiment.name,
            s.outliers.len(),
            s.runs,
            times.join(", "),
            seconds_text_precise(s.elapsed_s.median)
        ));
    }
}

/// Creates the results folder `name` of `experiment` and proves its files can be
/// written, before any run starts.
fn prepare_dir(out: &Path, name: &str, experiment: &Experiment) -> Result<PathBuf, Failure> {
    // Its callers refused a link in its place (`refuse_link`) for every experiment first.
    let dir = out.join(name);
    create_folder(&dir, "results")?;
    let probe = dir.join(format!(".probe-{}", std::process::id()));
    fs::write(&probe, b"").map_err(|e| cannot_write("results", &dir, e))?;
    let _ = fs::remove_file(&probe);
    check_outputs_can_go(&dir, experiment)?;
    Ok(dir)
}

/// Creates `dir`, a folder the person named (or one inside it), to write `what` into.
pub(crate) fn create_folder(dir: &Path, what: &str) -> Result<(), Failure> {
    fs::create_dir_all(dir).map_err(|e| cannot_write(what, dir, e))
}

/// Why `what` cannot be written into folder `dir`: a file in the way or a place the
/// person may not write is theirs to mend (exit 2, nothing written); anything else, such
/// as a full disk, is a failure.
fn cannot_write(what: &str, dir: &Path, e: std::io::Error) -> Failure {
    use std::io::ErrorKind::{AlreadyExists, NotADirectory};
    let said = format!("cannot write {what} to {}: {e}", dir.display());
    match e.kind() {
        AlreadyExists | NotADirectory => Failure::BadInput(format!(
            "{said}; a file is in the way: name a folder (created if missing)"
        )),
        _ if theirs_to_mend(&e) => Failure::BadInput(said),
        _ => Failure::Failed(said),
    }
}

/// Whether a write failed for a reason the person mends (exit 2): something in the way,
/// a place they may not write, or a path the system cannot have (a name over 255 bytes,
/// a path over 4096, a loop of links).
fn theirs_to_mend(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{
        AlreadyExists, IsADirectory, NotADirectory, PermissionDenied, ReadOnlyFilesystem,
    };
    let impossible = matches!(e.raw_os_error(), Some(libc::ENAMETOOLONG | libc::ELOOP));
    impossible
        || matches!(
            e.kind(),
            AlreadyExists | IsADirectory | NotADirectory | PermissionDenied | ReadOnlyFilesystem
        )
}

/// Writes the files `rendered` names (each with its bytes, or why it could not be made)
/// into the folder `out` as one set (`write_set`), creating the folder if missing and
/// locking it meanwhile; returns their names. `what` names the files in errors.
fn write_rendered(
    out: &Path,
    what: &str,
    rendered: Vec<(String, Result<Vec<u8>, RenderError>)>,
) -> Result<Vec<String>, Failure> {
    // A folder made here and left with nothing written (a write that failed) goes.
    let mut held = Held::default();
    held.note_if_missing(out);
    create_folder(out, what)?;
    held.lock(out)?;
    let (mut names, mut files) = (Vec::new(), Vec::new());
    for (name, bytes) in rendered {
        let path = out.join(&name);
        let bytes = bytes.map_err(|error| OutputError::Render {
            path: path.clone(),
            error,
        })?;
        files.push((path, bytes));
        names.push(name);
    }
    write_set(&files)?;
    Ok(names)
}

/// What `finish` writes a folder's files from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rewrite {
    /// `plot`: the same runs, whose records are not written again.
    Redraw,
    /// A `run --resume` that made no run: every file, and views of the runs still hold.
    SameRuns,
    /// Runs made (or modelled) now: charts of the runs they replace go.
    NewRuns,
}

/// Every scenario's summary of `records`, with what the experiment adds to it: speedup
/// per thread, theory and scaling fits. One place, so `plot` and a view of the same
/// folder summarise it alike.
pub fn summaries_of(experiment: &Experiment, records: &[RunRecord]) -> Vec<Summary> {
    let mut summaries = summarise(records);
    // Speedup per thread added; against a capacity or a consume_time it means nothing.
    if matches!(
        experiment.plot.x,
        Axis::Key(ScenarioKey::Producers | ScenarioKey::Consumers)
    ) {
        add_speedups(&mut summaries, |i| experiment.line_of(i));
    }
    add_theory(&mut summaries, |i| &experiment.scenarios[i]);
    add_scaling_fits(
        &mut summaries,
        |i| experiment.line_of(i),
        |i| experiment.scaling_point(i),
    );
    summaries
}

/// Summarises, writes the outputs (for a `Rewrite::Redraw`, all but the records of the
/// runs) and describes the result.
fn finish(
    experiment: &Experiment,
    dir: &Path,
    source: Source,
    records: &[RunRecord],
    environment: Option<&Environment>,
    rewrite: Rewrite,
) -> Result<String, Failure> {
    let records: Vec<RunRecord> = records.iter().map(RunRecord::archived).collect();
    let records = records.as_slice();
    let summaries = summaries_of(experiment, records);
    warn_of_outliers(experiment, &summaries);
    let results = Results {
        experiment,
        source,
        runs: records,
        summaries: &summaries,
        environment,
    };
    let mut outputs = all_outputs(experiment);
    outputs.retain(|o| !(rewrite == Rewrite::Redraw && o.is_record()));
    let written = write_outputs(dir, &results, &outputs)?;
    let removed = match rewrite {
        Rewrite::NewRuns => remove_other_charts(dir, &written, experiment),
        Rewrite::SameRuns | Rewrite::Redraw => String::new(),
    };
    let mut text = format!(
        "{} ({}), {}:\n",
        experiment.name,
        source.name(),
        dir.display()
    );
    text.push_str(&scenario_table(
        experiment,
        &summaries,
        source == Source::Measured,
    ));
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let _ = writeln!(text, "  wrote {}", names.join(", "));
    text.push_str(&removed);
    text.push('\n');
    Ok(text)
}
