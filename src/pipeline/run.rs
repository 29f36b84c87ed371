//! `queuelab run`: checks before anything runs (folders writable, thread limits, long
//! runs confirmed), then every run with a progress bar, `runs.csv` rewritten as runs
//! finish (`Checkpoint`),
//! `--resume` and Ctrl-C handled, and the results folder written from what finished.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use super::estimate::Estimate;
use super::lock::Held;
use super::print::{human, scenario_line, shell_quote, status, status_inline};
use super::{
    Failure, Rewrite, RunOptions, finish, load_all, predictions, prepare_dir, refuse_shared_names,
};
use crate::environment::{Before, Environment, HandOver, SleepOvershoot};
use crate::experiment::{Experiment, MAX_FILE_BYTES};
use crate::model::{Prediction, machine_cores};
use crate::output::{
    Meta, Output, Results, RunsCsv, first_run_cells, first_run_says, read_meta, read_runs,
    strip_header, write_atomically,
};
use crate::plan::{PlanSettings, RunPlan, plan_runs, with_warmups};
use crate::record::{RunRecord, Source};
use crate::regular_file;
use crate::runner::{RunError, run_plans};
use crate::scenario::WorkKind;
use crate::scenario::duration::{format_duration, seconds_text_precise};
use crate::stats::summarise_scenario;

/// Experiments estimated to run longer than this ask first.
const CONFIRM_ABOVE_S: f64 = 3600.0;

/// The command that goes on from where this `run` stops, once it has checked its files:
/// for a second Ctrl-C, which quits at once and has no time to work it out.
static RESUME_WITH: OnceLock<String> = OnceLock::new();

/// `RESUME_WITH`, once a run has started.
pub fn resume_with() -> Option<&'static str> {
    RESUME_WITH.get().map(String::as_str)
}

/// `queuelab run`: every experiment with real threads, each into `out/NAME/`.
pub fn run(files: &[PathBuf], options: &RunOptions) -> Result<String, Failure> {
    let experiments = load_all(files, &options.overrides)?;
    let _ = RESUME_WITH.set(resume_command(files, options));
    let prepared = prepare(&experiments, options)?;
    let machine = Machine {
        overshoot: SleepOvershoot::measure(),
        hand_over: HandOver::measure(),
    };
    let mut outcome = Outcome {
        all_ran: true,
        ..Outcome::default()
    };
    let folders = prepared
        .dirs
        .iter()
        .zip(prepared.kept)
        .zip(prepared.befores);
    for (experiment, ((dir, kept), before)) in experiments.iter().zip(folders) {
        if options.cancel.load(Ordering::SeqCst) {
            outcome.all_ran = false;
            break;
        }
        let folder = Folder { dir, kept, before };
        run_one(experiment, folder, &machine, (files, options), &mut outcome)?;
    }
    // Held until every experiment is written: one writer per folder.
    drop(prepared.held);
    outcome.end(files, options)
}

/// What `run` has checked and set up before any run: each experiment's folder, locked,
/// with the runs `--resume` keeps there and what was known before the first write.
struct Prepared {
    dirs: Vec<PathBuf>,
    kept: Vec<Kept>,
    befores: Vec<Before>,
    /// The folders' locks, and the folders this command made (taken away if it writes
    /// nothing in them).
    held: Held,
}

/// Every refusal `run` can make before a run starts, in the order that leaves the least
/// behind: those that need no folder first, then each folder made, locked and read.
fn prepare(experiments: &[Experiment], options: &RunOptions) -> Result<Prepared, Failure> {
    refuse_shared_names(experiments, "")?;
    // Before the first write, so the folder this run fills does not make the tree dirty.
    let befores: Vec<Before> = experiments
        .iter()
        .map(|e| Before::read(&e.file, &options.out.join(&e.name)))
        .collect();
    super::traces::check(experiments, options)?;
    // --max-threads lowers the limit; past the system's, a thread's start could abort.
    let system = system_thread_limit();
    let thread_limit = match options.max_threads {
        Some(n) if n <= system.threads() => ThreadLimit::Flag(n),
        _ => system,
    };
    check_threads(experiments, thread_limit, options.jobs)?;
    confirm_long_runs(experiments, options)?;
    // Before any folder is made: links refused, and those this command makes noted, so
    // that it may take them away.
    let mut held = Held::default();
    for experiment in experiments {
        let dir = options.out.join(&experiment.name);
        super::refuse_link(&dir, &experiment.name)?;
        held.note_if_missing(&dir);
    }
    let dirs: Vec<PathBuf> = experiments
        .iter()
        .map(|e| prepare_dir(&options.out, &e.name, e))
        .collect::<Result<_, _>>()?;
    for (dir, experiment) in dirs.iter().zip(experiments) {
        super::traces::refuse_file_in_place_of_trace_folder(dir, experiment, options)?;
    }
    for dir in &dirs {
        held.lock(dir)?;
    }
    // Every folder's earlier runs are read (and any refusal made) before a run starts.
    let kept = experiments
        .iter()
        .zip(&dirs)
        .map(|(experiment, dir)| kept_in(experiment, dir, options))
        .collect::<Result<_, _>>()?;
    Ok(Prepared {
        dirs,
        kept,
        befores,
        held,
    })
}

/// What `run` keeps of `dir`: with `--resume`, the runs of this very experiment; else
/// none, once sure the folder holds no other experiment's runs (or `--replace`).
fn kept_in(experiment: &Experiment, dir: &Path, options: &RunOptions) -> Result<Kept, Failure> {
    if options.resume {
        let meta = read_meta(&dir.join("meta.json")).ok();
        refuse_another_experiment(experiment, dir, meta.as_ref(), &options.out)?;
        return earlier_runs(experiment, dir, options.force);
    }
    if !options.replace {
        refuse_other_settings(experiment, dir, &options.out)?;
    }
    Ok(Kept {
        replaces: true,
        ..Kept::default()
    })
}

/// What `run` measures of the machine once, before any run, for every folder's
/// `meta.json`.
struct Machine {
    overshoot: SleepOvershoot,
    hand_over: Option<HandOver>,
}

/// One experiment's folder as `prepare` left it.
struct Folder<'a> {
    dir: &'a Path,
    kept: Kept,
    before: Before,
}

/// What `run` has made so far, over every experiment.
#[derive(Default)]
struct Outcome {
    /// The tables and notes printed on success.
    text: String,
    failures: Vec<RunError>,
    /// Whether this command made a run: an interruption before the first leaves every
    /// folder as it was, and `--resume` with this command's settings may then find other
    /// runs there.
    made_any: bool,
    /// Whether every run asked for was made (or failed): a Ctrl-C after the last run
    /// stopped nothing, and the command ends as if it had not come.
    all_ran: bool,
}

/// Runs one experiment into its folder and writes the folder from what finished.
fn run_one(
    experiment: &Experiment,
    folder: Folder,
    machine: &Machine,
    (files, options): (&[PathBuf], &RunOptions),
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let Folder { dir, kept, before } = folder;
    let started = SystemTime::now();
    for note in &kept.notes {
        status(note);
    }
    warn_of_short_waits(experiment, machine.hand_over.as_ref());
    let jobs = options.jobs.unwrap_or(experiment.jobs);
    // Repeats made earlier beyond those asked for stay, and the archive says so.
    let mut experiment = experiment.clone();
    let planned = plan_runs(&PlanSettings::of(&experiment));
    experiment.repeats = kept
        .runs
        .iter()
        .map(|r| r.repeat)
        .fold(experiment.repeats, u32::max);
    let mut traced = Vec::new();
    let kept_runs = kept.runs.len();
    let made_earlier: HashSet<(usize, u32)> =
        kept.runs.iter().map(|r| (r.scenario, r.repeat)).collect();
    let replaces = kept.replaces;
    let made = run_experiment(
        &experiment,
        &planned,
        dir,
        kept.runs,
        options,
        &mut traced,
        replaces,
    )
    .map_err(|(failure, resumable)| match resumable {
        true => runs_are_saved(
            failure,
            DURING_THE_RUNS,
            Some(resume_command(files, options)),
        ),
        false => runs_are_saved(failure, NONE_SAVED, None),
    })?;
    let (records, failed) = (made.records, made.failures);
    outcome.all_ran &= made.all_ran;
    let made_runs = records.len() > kept_runs;
    outcome.made_any |= made_runs;
    outcome.failures.extend(failed);
    // Stopped before a run of its own finished, an experiment leaves its folder as it
    // was, summary and all.
    let stopped_idle = !made_runs && !made.all_ran;
    if records.is_empty() || stopped_idle {
        return Ok(());
    }
    let before = Before {
        sleep_overshoot: Some(machine.overshoot),
        hand_over: machine.hand_over,
        ..before
    };
    let mut environment = Environment::read(&before, started);
    environment.jobs = Some(jobs);
    environment.warmup = Some(experiment.warmup);
    environment.order = Some(experiment.order.name().to_string());
    // The runs are in runs.csv by now: a file that cannot be written is no longer bad
    // input of which nothing was made, and --resume writes the rest.
    let runs_kept = |failure| match made_runs {
        true => runs_are_saved(
            failure,
            AFTER_THE_RUNS,
            Some(resume_command(files, options)),
        ),
        false => failure,
    };
    let rewrite = match made_runs {
        true => Rewrite::NewRuns,
        false => Rewrite::SameRuns,
    };
    let written = finish(
        &experiment,
        dir,
        Source::Measured,
        &records,
        Some(&environment),
        rewrite,
    );
    outcome.text.push_str(&written.map_err(runs_kept)?);
    let traces = super::traces::write(
        &experiment,
        dir,
        &planned,
        traced,
        options,
        (Some(&made_earlier), made.traces_removed),
    );
    // Not `runs_kept`: the folder's files are new by now, and `--resume` makes no trace
    // of a run it keeps.
    outcome.text.push_str(&traces?);
    Ok(())
}

impl Outcome {
    /// How the command ends: interrupted (what finished is saved), some runs failed, or
    /// done.
    fn end(self, files: &[PathBuf], options: &RunOptions) -> Result<String, Failure> {
        let text = self.text;
        let cancelled = options.cancel.load(Ordering::SeqCst);
        if cancelled && self.all_ran {
            status("Ctrl-C came after the last run: every run was made and is saved");
        } else if cancelled {
            let why = match self.made_any {
                false => "interrupted before a run finished: the results folders are as they \
                          were; run the same command again to start"
                    .to_string(),
                true => format!(
                    "interrupted: finished runs are saved. Go on with:\n  {}",
                    resume_command(files, options)
                ),
            };
            return Err(Failure::Interrupted { said: text, why });
        }
        if self.failures.is_empty() {
            return Ok(text);
        }
        let others = match self.made_any {
            true => "the others are saved",
            false => "no other run was made",
        };
        let mut why = format!("error: {} run(s) failed; {others}:\n", self.failures.len());
        for failure in &self.failures {
            let _ = writeln!(why, "  {failure}");
        }
        Err(Failure::Unmet { said: text, why })
    }
}

/// Where a folder stands when its other files could not be written after the runs.
const AFTER_THE_RUNS: &str = "The runs made are saved in runs.csv, beside the folder's other \
     files as they were. Once that is mended, this writes the rest without running them again:";

/// Where a folder stands when `runs.csv` itself could not be rewritten as runs finished.
const DURING_THE_RUNS: &str = "runs.csv holds the runs saved before this, if any. Once that is \
     mended, this goes on without running them again:";

/// Where a folder stands when `runs.csv` could not be written at all by a command that
/// replaces it: as it was.
const NONE_SAVED: &str = "No run of this command was saved: the folder is as it was. Once \
     that is mended, run the same command again.";

/// `failure` to write a folder once runs were made: a failure (exit 1; runs were made,
/// so not bad input of which nothing was), saying where the folder stands (`stands`)
/// and, where there is one, the command that goes on from the runs saved.
fn runs_are_saved(failure: Failure, stands: &str, go_on: Option<String>) -> Failure {
    let said = match failure {
        Failure::BadInput(m) | Failure::Failed(m) => m,
        Failure::Unmet { why, .. } | Failure::Interrupted { why, .. } => why,
    };
    let go_on = go_on.map_or(String::new(), |command| format!("\n  {command}"));
    Failure::Failed(format!("{said}\n{stands}{go_on}"))
}

/// The command that goes on after an interruption: `--resume` with every setting that
/// was given, paths quoted for the shell, so that pasted as it is it finds the same runs.
fn resume_command(files: &[PathBuf], options: &RunOptions) -> String {
    let mut words: Vec<String> = ["queuelab", "run", "--resume"].map(String::from).to_vec();
    let mut with = |flag: &str, value: String| {
        words.push(flag.to_string());
        words.push(value);
    };
    with("--out", shell_quote(&options.out.to_string_lossy()));
    let o = &options.overrides;
    if let Some(scale) = o.time_scale {
        // Rust prints the shortest text that parses back to the same f64.
        with("--time-scale", scale.to_string());
    }
    if let Some(seed) = o.seed {
        with("--seed", seed.to_string());
    }
    if let Some(repeats) = o.repeats {
        with("--repeats", repeats.to_string());
    }
    if let Some(warmup) = o.warmup {
        with("--warmup", warmup.to_string());
    }
    if let Some(order) = o.order {
        with("--order", order.name().to_string());
    }
    if let Some(jobs) = options.jobs {
        with("--jobs", jobs.to_string());
    }
    if let Some(max) = options.max_threads {
        with("--max-threads", max.to_string());
    }
    if let Some(trace) = &options.trace {
        with("--trace-repeat", trace.repeat.to_string());
        if let Some(window) = &trace.window {
            let (start, end) = (window.start, window.end);
            with(
                "--trace-window",
                format!("{}..{}", format_duration(start), format_duration(end)),
            );
        }
    }
    let switches = [
        (options.trace.is_some(), "--trace"),
        (options.yes, "--yes"),
        (options.quiet, "--quiet"),
    ];
    words.extend(
        switches
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, flag)| flag.to_string()),
    );
    // After `--`, a file named like an option is still a file.
    words.push("--".to_string());
    words.extend(files.iter().map(|f| shell_quote(&f.to_string_lossy())));
    words.join(" ")
}

/// What `run_experiment` made of an experiment.
struct Made {
    /// Every run, those kept by `--resume` first.
    records: Vec<RunRecord>,
    failures: Vec<RunError>,
    /// Trace files removed as the first run was saved (`traces::remove_replaced`).
    traces_removed: super::traces::Removed,
    /// Whether every run to do was made or failed: none was stopped by Ctrl-C.
    all_ran: bool,
}

/// Runs what `runs.csv` does not hold yet. Where this `replaces` runs, the traces in
/// `trace/` go as the first new run is saved.
fn run_experiment(
    experiment: &Experiment,
    plans: &[RunPlan],
    dir: &Path,
    mut records: Vec<RunRecord>,
    options: &RunOptions,
    traced: &mut Vec<super::traces::MeasuredTrace>,
    replaces: bool,
) -> Result<Made, (Failure, bool)> {
    let made: HashSet<(usize, u32)> = records.iter().map(|r| (r.scenario, r.repeat)).collect();
    let todo: Vec<RunPlan> = plans
        .iter()
        .filter(|p| !made.contains(&(p.scenario, p.repeat)))
        .copied()
        .collect();
    let todo = with_warmups(&PlanSettings::of(experiment), &todo);
    let todo: Vec<(RunPlan, Option<Prediction>)> = todo
        .iter()
        .copied()
        .zip(predictions(experiment, &todo, None))
        .collect();
    // Each run's prediction found at once when it finishes, not by a search of the plan.
    let predicted: HashMap<RunPlan, Option<&Prediction>> =
        todo.iter().map(|(plan, p)| (*plan, p.as_ref())).collect();
    let jobs = options.jobs.unwrap_or(experiment.jobs);
    warn_if_spin_shares_cores(experiment, jobs, options.quiet);
    // Runs too large to model count as the model's zero-time runs do: the estimate takes
    // their pace from the runs made, and the runner starts them in the same order.
    let by_length = model_times(&todo);
    let estimate = Arc::new(Mutex::new(Estimate::new(experiment, &by_length, jobs)));
    let progress = progress_bar(experiment, todo.len(), &estimate, options.quiet);
    let mut failures = Vec::new();
    let mut save_error = None;
    let mut checkpoint = Checkpoint::new();
    let (mut traces_cleared, mut traces_removed) = (false, Default::default());
    // Each scenario's runs (some perhaps kept by --resume) by their place in `records`:
    // scenarios are counted complete, and summarised, from their own runs as these
    // finish, not by a pass over every run each time.
    let mut made_of: Vec<Vec<usize>> = vec![Vec::new(); experiment.scenarios.len()];
    for (at, run) in records.iter().enumerate() {
        if let Some(made) = made_of.get_mut(run.scenario) {
            made.push(at);
        }
    }
    let repeats = experiment.repeats as usize;
    let mut complete = made_of.iter().filter(|made| made.len() >= repeats).count();
    // Runs (warm-ups too) that ended on their own, failed or not.
    let mut ended = 0;
    run_plans(
        &experiment.scenarios,
        &by_length,
        jobs,
        &options.cancel,
        options.trace.map(|t| t.repeat),
        |plan, result| {
            let elapsed = result.as_ref().ok().map(|m| m.elapsed_s);
            estimate
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .finished(plan, elapsed);
            progress.inc(1);
            if !matches!(&result, Err(error) if error.cancelled) {
                ended += 1;
            }
            let predicted = predicted.get(plan).copied().flatten();
            let predicted_s = predicted.map(|p| p.elapsed_s);
            let measured = match result {
                Ok(_) if plan.is_warmup() => return,
                Ok(mut measured) => {
                    super::traces::keep(traced, plan, &mut measured);
                    measured
                }
                Err(error) if error.cancelled => return,
                Err(error) => {
                    progress.println(format!("run failed: {error}"));
                    failures.push(error);
                    return;
                }
            };
            records.push(RunRecord {
                scenario: plan.scenario,
                repeat: plan.repeat,
                run_seed: plan.run_seed,
                source: Source::Measured,
                elapsed_s: measured.elapsed_s,
                predicted_s,
                items: measured.items,
                queue: Some(measured.queue),
                predicted_queue: predicted.and_then(|p| p.queue.clone()),
            });
            match checkpoint.save_if_due(experiment, dir, &records) {
                Err(error) => {
                    save_error = Some(error);
                    options.cancel.store(true, Ordering::SeqCst);
                }
                // The first save replaced the runs the traces were of.
                Ok(()) if replaces && !traces_cleared => {
                    traces_removed = super::traces::remove_replaced(dir);
                    traces_cleared = true;
                }
                Ok(()) => {}
            }
            let mine = &mut made_of[plan.scenario];
            mine.push(records.len() - 1);
            if mine.len() == repeats {
                complete += 1;
                if !options.quiet {
                    let runs = mine.iter().map(|&at| &records[at]).collect();
                    let summary = summarise_scenario(plan.scenario, runs);
                    progress.println(scenario_line(experiment, &summary, complete));
                }
            }
        },
    );
    progress.finish_and_clear();
    if save_error.is_none() {
        save_error = checkpoint.save_rest(experiment, dir, &records).err();
    }
    match save_error {
        // Resumable where runs.csv holds this command's runs (or, for `--resume`, those
        // it keeps); a replacing run that saved none left the old runs there.
        Some(error) => Err((error, checkpoint.last.is_some() || !replaces)),
        None => Ok(Made {
            records,
            failures,
            traces_removed,
            all_ran: ended == todo.len(),
        }),
    }
}

/// When `runs.csv` is rewritten while runs finish: after every run, but at most once a
/// second, and once a rewrite takes over a tenth of a second (a file of many thousand
/// runs), at most once in ten times that, up to `MAX_GAP`: each rewrite writes every
/// run so far, and a sweep of thousands of millisecond runs spent minutes rewriting. So
/// `kill -9` loses at most the runs in flight and those finished since the last rewrite;
/// the rest are saved when the runs end.
struct Checkpoint {
    /// When the last rewrite ended and how long it took; `None` before the first.
    last: Option<(Instant, Duration)>,
    unsaved: bool,
    /// Runs finishing within this of the last rewrite wait for the next.
    min_gap: Duration,
}

impl Checkpoint {
    /// The longest runs wait to be saved, however slow a rewrite.
    const MAX_GAP: Duration = Duration::from_secs(10);

    fn new() -> Self {
        Checkpoint {
            last: None,
            unsaved: false,
            min_gap: Duration::from_secs(1),
        }
    }

    fn save_if_due(
        &mut self,
        experiment: &Experiment,
        dir: &Path,
        records: &[RunRecord],
    ) -> Result<(), Failure> {
        self.unsaved = true;
        match self.last {
            Some((at, took)) if at.elapsed() < self.min_gap.max(took * 10).min(Self::MAX_GAP) => {
                Ok(())
            }
            _ => self.save_rest(experiment, dir, records),
        }
    }

    /// Saves the runs not yet saved, if any.
    fn save_rest(
        &mut self,
        experiment: &Experiment,
        dir: &Path,
        records: &[RunRecord],
    ) -> Result<(), Failure> {
        if !self.unsaved {
            return Ok(());
        }
        let start = Instant::now();
        save_runs(experiment, dir, records)?;
        self.last = Some((Instant::now(), start.elapsed()));
        self.unsaved = false;
        Ok(())
    }
}

/// What `--resume` keeps of a folder, and what it says about it.
#[derive(Default)]
struct Kept {
    runs: Vec<RunRecord>,
    notes: Vec<String>,
    /// Whether this command replaces runs in `runs.csv`: every run without `--resume`,
    /// those of a changed experiment with `--force`. Their traces then go (see
    /// `traces::remove_replaced`); which runs a trace file traced is not in its name.
    replaces: bool,
}

/// The runs `--resume` keeps: every run in `runs.csv` made by this very experiment (file,
/// time_scale and seed), whatever its repeat, each exactly as it was measured. Runs of a
/// changed experiment are refused, or with `force` discarded after saying how many:
/// keeping them would file runs made at another time_scale or seed under this one.
fn earlier_runs(experiment: &Experiment, dir: &Path, force: bool) -> Result<Kept, Failure> {
    let path = dir.join("runs.csv");
    if !path.exists() {
        return Ok(Kept::default());
    }
    // Any repeat an experiment may have, not only this one's: meta.json is written only
    // when a run ends, so after a `kill -9` it may speak of fewer repeats than runs.csv
    // holds, and those runs count. Beyond that, the archive could not be read again.
    let most = u32::try_from(crate::settings::REPEATS.1).unwrap_or(u32::MAX);
    let read = read_runs(&path, experiment, most, None).map_err(Failure::BadInput)?;
    let hash = experiment.fingerprint();
    let (same, foreign): (Vec<_>, Vec<_>) = read
        .runs
        .into_iter()
        .partition(|r| r.hash == hash && r.other_scenario.is_none());
    let discarded = foreign.len() + read.unknown;
    let mut kept = Kept {
        runs: same.into_iter().map(|r| r.run).collect(),
        notes: Vec::new(),
        replaces: discarded > 0,
    };
    if discarded == 0 {
        return Ok(kept);
    }
    // What differs, where the folder tells: the runs' time_scale, meta.json's seed, the
    // copy of the experiment file.
    let mut made_at: Vec<String> = foreign
        .iter()
        .filter(|r| r.time_scale != experiment.time_scale)
        .map(|r| format!("time_scale {}", r.time_scale))
        .collect();
    made_at.sort();
    made_at.dedup();
    if !foreign.is_empty() {
        if let Some(meta) = read_meta(&dir.join("meta.json")).ok()
            && meta.seed != experiment.seed
        {
            made_at.push(format!("seed {}", meta.seed));
        }
        let copy = regular_file::read_text(&dir.join("experiment.toml"), MAX_FILE_BYTES).ok();
        if copy.is_some_and(|copy| strip_header(&copy) != experiment.source) {
            made_at.push("another version of the experiment file".to_string());
        }
    }
    let made_at = match made_at.is_empty() {
        true => String::new(),
        false => format!(" (made at {})", made_at.join(", ")),
    };
    // A row of other scenario settings under a name this file has says where it differs.
    let differs = foreign.iter().find_map(|r| r.other_scenario.as_ref());
    let made_at = match differs.or(read.first_unknown.as_ref()) {
        Some(differs) => format!("{made_at}, such as {differs}"),
        None => made_at,
    };
    let now = format!(
        "time_scale {}, seed {}",
        experiment.time_scale, experiment.seed
    );
    if !force {
        return Err(Failure::BadInput(format!(
            "{}: {discarded} run(s) come from a different experiment file, time_scale or seed{made_at}; \
             this run is at {now}, so --resume will not mix them in. Resume with the settings they \
             were made with, run with --replace instead of --resume to start over, or add --force to discard \
             those runs and keep the {} that match.",
            path.display(),
            kept.runs.len()
        )));
    }
    kept.notes.push(format!(
        "--force: discarding {discarded} run(s) of {} made by a different experiment file, \
         time_scale or seed{made_at}; keeping {} made at {now}",
        path.display(),
        kept.runs.len()
    ));
    Ok(kept)
}

/// Refuses to replace runs of this very experiment file made at another time_scale,
/// seed or repeats: `results/` is an archive, and a quick run at `--time-scale 0.2` must
/// not overwrite the runs made at 1 by accident. A changed file replaces its runs (that
/// is how an archive moves on; git keeps the old one), and so does `--replace`.
fn refuse_other_settings(experiment: &Experiment, dir: &Path, out: &Path) -> Result<(), Failure> {
    let runs = dir.join("runs.csv");
    let meta = read_meta(&dir.join("meta.json")).ok();
    // With no runs.csv (removed, or a run stopped before its first), meta.json still tells.
    if !runs.exists() && meta.is_none() {
        return Ok(());
    }
    refuse_another_experiment(experiment, dir, meta.as_ref(), out)?;
    let now = (experiment.time_scale, experiment.seed, experiment.repeats);
    let copy = regular_file::read_text(&dir.join("experiment.toml"), MAX_FILE_BYTES).ok();
    let made = match copy {
        // Another file: a new experiment, which replaces the old one's runs.
        Some(copy) if strip_header(&copy) != experiment.source => return Ok(()),
        Some(_) => meta.map(|meta| (meta.time_scale, meta.seed, meta.repeats)),
        // No copy of the file: meta.json's fingerprint tells whether it was this one.
        None => meta
            .filter(|m| same_file(experiment, m))
            .map(|m| (m.time_scale, m.seed, m.repeats)),
    };
    let mut differ = Vec::new();
    match made {
        Some(made) => {
            if made.0 != now.0 {
                differ.push(format!("time_scale {} (this run: {})", made.0, now.0));
            }
            if made.1 != now.1 {
                differ.push(format!("seed {} (this run: {})", made.1, now.1));
            }
            if made.2 != now.2 {
                differ.push(format!("{} repeats (this run: {})", made.2, now.2));
            }
        }
        // No settings on record (a first run stopped before it finished, or killed): the
        // runs themselves tell their time_scale, and their seeds whether they were drawn
        // from this seed (the seed itself is not in them). Read leniently: a damaged
        // file is `plot`'s and `--resume`'s to refuse, not a plain run's, which replaces it.
        None => {
            let cells = regular_file::open(&runs)
                .ok()
                .and_then(|f| first_run_cells(f, &["time_scale", "repeat", "run_seed"]))
                .unwrap_or_default();
            let cell = |at: usize| cells.get(at).cloned().flatten();
            if let Some(scale) = cell(0).and_then(|t| t.parse::<f64>().ok())
                && scale != now.0
            {
                differ.push(format!("time_scale {scale} (this run: {})", now.0));
            }
            if let (Some(Ok(repeat)), Some(Ok(drawn))) = (
                cell(1).map(|r| r.parse::<u32>()),
                cell(2).map(|d| d.parse::<u64>()),
            ) && drawn != crate::scenario::run_seed(now.1, repeat)
            {
                differ.push(format!("another seed (this run: {})", now.1));
            }
        }
    }
    if differ.is_empty() {
        return Ok(());
    }
    Err(Failure::BadInput(format!(
        "{}: holds the runs of this experiment made at {}; this run would replace them. \
         {}",
        dir.display(),
        differ.join(", "),
        keep_them(out)
    )))
}

/// Whether `meta` was written for runs of `experiment`'s very file (at whatever
/// settings): its fingerprint is the file's at the settings it records.
fn same_file(experiment: &Experiment, meta: &Meta) -> bool {
    let mut at_its_settings = experiment.clone();
    at_its_settings.time_scale = meta.time_scale;
    at_its_settings.seed = meta.seed;
    at_its_settings.fingerprint() == meta.experiment_hash
}

/// Refuses a folder holding another experiment's runs (a folder copied or renamed to this
/// experiment's name: an archive, not an earlier version of this experiment), as `meta`
/// (the folder's `meta.json`, if readable) says, or its `runs.csv` where that cannot;
/// `--replace` replaces them.
fn refuse_another_experiment(
    experiment: &Experiment,
    dir: &Path,
    meta: Option<&Meta>,
    out: &Path,
) -> Result<(), Failure> {
    let made_by = meta.map(|m| m.experiment.clone()).or_else(|| {
        regular_file::open(&dir.join("runs.csv"))
            .ok()
            .and_then(|file| first_run_says(file, "experiment"))
    });
    match made_by.filter(|name| *name != experiment.name) {
        Some(name) => Err(Failure::BadInput(format!(
            "{}: holds the runs of experiment `{name}`; this run of `{}` would replace them. \
             {}",
            dir.display(),
            experiment.name,
            keep_them(out)
        ))),
        None => Ok(()),
    }
}

/// How to go on from a refusal to replace runs: `--replace`, or another `--out`.
fn keep_them(out: &Path) -> String {
    let scratch = out
        .parent()
        .map_or(PathBuf::from("scratch"), |p| p.join("scratch"));
    format!(
        "To replace them, add --replace (without --resume); to keep them, write elsewhere, \
         e.g. --out {} (ignored by git). Nothing was run or written.",
        shell_quote(&scratch.to_string_lossy())
    )
}

fn save_runs(experiment: &Experiment, dir: &Path, records: &[RunRecord]) -> Result<(), Failure> {
    let results = Results {
        experiment,
        source: Source::Measured,
        runs: records,
        summaries: &[],
        environment: None,
    };
    let path = dir.join(RunsCsv.file_name(&results));
    let bytes = RunsCsv
        .render(&results)
        .map_err(|e| Failure::Failed(format!("cannot make {}: {e}", path.display())))?;
    Ok(write_atomically(&path, &bytes)?)
}

/// How many threads one run may start, and who said so.
#[derive(Clone, Copy, Debug)]
enum ThreadLimit {
    /// `--max-threads N`.
    Flag(u64),
    /// The lowest of the system's limits (`system_thread_limit`), and which it is.
    System(u64, &'static str),
}

impl ThreadLimit {
    fn threads(self) -> u64 {
        match self {
            ThreadLimit::Flag(n) | ThreadLimit::System(n, _) => n,
        }
    }

    /// Who allows how many, and what the person can raise.
    fn says(self) -> String {
        match self {
            ThreadLimit::Flag(n) => format!(
                "--max-threads allows {n}. Lower jobs, producers or consumers, or raise --max-threads"
            ),
            ThreadLimit::System(n, which) => format!(
                "this system allows {n} ({which}). Lower jobs, producers or consumers, or \
                 raise that limit"
            ),
        }
    }
}

/// Refuses, before anything runs, an experiment whose runs would start more threads at
/// once than `limit` allows: with `jobs` runs at once, its `jobs` largest scenarios may
/// run together.
fn check_threads(
    experiments: &[Experiment],
    limit: ThreadLimit,
    jobs: Option<usize>,
) -> Result<(), Failure> {
    let mut problems = String::new();
    for experiment in experiments {
        let jobs = jobs.unwrap_or(experiment.jobs).max(1);
        let mut threads: Vec<u64> = experiment.scenarios.iter().map(|s| s.threads()).collect();
        threads.sort_unstable_by(|a, b| b.cmp(a));
        let at_once: u64 = threads.iter().take(jobs).sum();
        if at_once > limit.threads() {
            let largest = experiment
                .scenarios
                .iter()
                .max_by_key(|s| s.threads())
                .map(|s| s.to_string())
                .unwrap_or_default();
            let _ = writeln!(
                problems,
                "{}: `producers`/`consumers`: {jobs} run(s) at once need up to {at_once} threads \
                 (the largest, {largest}, {}); {}",
                experiment.file.display(),
                threads.first().copied().unwrap_or(0),
                limit.says()
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(problems.trim_end().to_string()))
    }
}

/// Memory maps a thread takes: its stack and guard page, and the alternate signal stack
/// and guard page Rust gives each thread. Past `vm.max_map_count` a thread's start
/// aborts the whole process rather than fail.
const MAPS_PER_THREAD: u64 = 4;

/// Threads this process may start, less a margin for those already running and the
/// maps already made, and which limit that is: the lowest of the kernel's thread and
/// process-id limits, its memory-map limit, the cgroup's task limit and (except for root,
/// whom the kernel does not hold to it) `ulimit -u`. A limit that cannot be read holds
/// nothing back.
fn system_thread_limit() -> ThreadLimit {
    let number =
        |path: &str| -> Option<u64> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let mut limits = vec![
        (number("/proc/sys/kernel/threads-max"), "kernel.threads-max"),
        (number("/proc/sys/kernel/pid_max"), "kernel.pid_max"),
        (
            number("/proc/sys/vm/max_map_count").map(|maps| maps / MAPS_PER_THREAD),
            "vm.max_map_count, 4 memory maps a thread",
        ),
        (cgroup_pids_max(), "the cgroup's pids.max"),
    ];
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: geteuid has no preconditions; getrlimit writes one rlimit to a valid pointer.
    let root = unsafe { libc::geteuid() } == 0;
    if !root && unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut limit) } == 0 {
        limits.push((Some(limit.rlim_cur), "`ulimit -u`"));
    }
    lowest(limits)
}

/// The lowest of `limits` that could be read, less a margin for what is running already
/// (a few hundred maps of the program and its libraries, and its own threads).
fn lowest(limits: Vec<(Option<u64>, &'static str)>) -> ThreadLimit {
    let (threads, which) = limits
        .into_iter()
        .filter_map(|(n, which)| Some((n?, which)))
        .min_by_key(|(n, _)| *n)
        .unwrap_or((u64::MAX, "no limit found"));
    ThreadLimit::System(threads.saturating_sub(256), which)
}

/// The lowest task limit of this process's cgroup (v2) and the cgroups above it (a
/// desktop session's slice often holds one its own cgroup does not), if any.
fn cgroup_pids_max() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = membership.lines().find_map(|l| l.strip_prefix("0::"))?;
    let mut at = Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let mut lowest: Option<u64> = None;
    loop {
        let limit = std::fs::read_to_string(at.join("pids.max"))
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok());
        lowest = match (lowest, limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if at == Path::new("/sys/fs/cgroup") || !at.pop() {
            return lowest;
        }
    }
}

/// Seconds `experiment`'s runs (warm-ups included) are expected to take on `jobs` workers,
/// from the model; 0 for zero-time work, which the model cannot time.
pub fn estimated_s(experiment: &Experiment, jobs: usize) -> f64 {
    let plans = with_warmups(
        &PlanSettings::of(experiment),
        &plan_runs(&PlanSettings::of(experiment)),
    );
    let predicted = predictions(experiment, &plans, None);
    estimate_of(&plans, &predicted, jobs)
}

/// Seconds `plans` with their predictions take on `jobs` workers; a run not predicted
/// counts as none (the estimate is then a lower bound).
pub fn estimate_of(plans: &[RunPlan], predicted: &[Option<Prediction>], jobs: usize) -> f64 {
    let todo: Vec<(RunPlan, Option<Prediction>)> = plans
        .iter()
        .copied()
        .zip(predicted.iter().cloned())
        .collect();
    Estimate::total_s(&model_times(&todo), jobs)
}

/// Each run with the model's seconds for it, 0 where it was not modelled.
fn model_times(todo: &[(RunPlan, Option<Prediction>)]) -> Vec<(RunPlan, f64)> {
    todo.iter()
        .map(|(plan, p)| (*plan, p.as_ref().map_or(0.0, |p| p.elapsed_s)))
        .collect()
}

/// An experiment estimated at over an hour asks on a terminal, and needs `--yes` elsewhere.
fn confirm_long_runs(experiments: &[Experiment], options: &RunOptions) -> Result<(), Failure> {
    let total: f64 = experiments
        .iter()
        .map(|e| estimated_s(e, options.jobs.unwrap_or(e.jobs)))
        .sum();
    if total <= CONFIRM_ABOVE_S || options.yes {
        return Ok(());
    }
    let estimate = human(total);
    if !std::io::stdin().is_terminal() {
        return Err(Failure::BadInput(format!(
            "the runs are estimated at {estimate}, over an hour; pass --yes to run them, or lower \
             repeats or time_scale"
        )));
    }
    status_inline(&format!(
        "The runs are estimated at {estimate}, over an hour. Go on? [y/N] "
    ));
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::BadInput(
            "not run: nothing was started".to_string(),
        ))
    }
}

/// One warning before the runs when scenarios have times within `SHORT_WAIT_FACTOR` of
/// this machine's hand-over between threads: their queue waits would be partly the
/// machine's. The report repeats it.
fn warn_of_short_waits(experiment: &Experiment, hand_over: Option<&HandOver>) {
    let Some(short) =
        hand_over.and_then(|h| h.short_waits(&experiment.scenarios, experiment.time_scale))
    else {
        return;
    };
    status(&format!(
        "warning: {}: {} The shortest is {} ({}).",
        experiment.name,
        short.describe(),
        seconds_text_precise(short.shortest_s),
        short.label,
    ));
}

fn warn_if_spin_shares_cores(experiment: &Experiment, jobs: usize, quiet: bool) {
    let cores = machine_cores();
    let spins = experiment
        .scenarios
        .iter()
        .any(|s| s.work == WorkKind::Spin);
    if spins && jobs > 1 && !quiet {
        status(&format!(
            "warning: {} runs {jobs} at a time on {cores} cores: runs that spin CPU share the \
             cores and skew each other's times; use --jobs 1 to measure them alone",
            experiment.name
        ));
    }
}

/// A bar of runs made, its ETA from `estimate` at every tick: it counts down between
/// runs, and knows when runs are made several at once.
fn progress_bar(
    experiment: &Experiment,
    runs: usize,
    estimate: &Arc<Mutex<Estimate>>,
    quiet: bool,
) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(runs as u64);
    let template = "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} runs, ETA {left} {msg}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        let estimate = Arc::clone(estimate);
        bar.set_style(style.with_key(
            "left",
            move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                let left = estimate
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .left_s(Instant::now());
                let _ = match left {
                    Some(left) => write!(w, "{}", human(left)),
                    // Zero-time work: the model cannot time it; the first runs will.
                    None => write!(w, "after the first run"),
                };
            },
        ));
    }
    bar.set_prefix(experiment.name.clone());
    bar.enable_steady_tick(Duration::from_millis(500));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each of the kernel's limits a thread's start can hit, as this machine sets it.
    fn kernel_limit(path: &str) -> Option<u64> {
        std::fs::read_to_string(path).ok()?.trim().parse().ok()
    }

    #[test]
    fn the_first_run_is_saved_at_once_and_the_rest_by_the_end() {
        let text = "name = \"c\"\nrepeats = 3\n";
        let experiment = crate::experiment::parse(Path::new("c.toml"), text).expect("valid");
        let dir = tempfile::tempdir().expect("temp dir");
        let runs_csv = dir.path().join("runs.csv");
        let saved =
            || crate::output::read_runs(&runs_csv, &experiment, 3, None).map(|r| r.runs.len());
        let run = |repeat| RunRecord {
            scenario: 0,
            repeat,
            run_seed: 7,
            source: Source::Measured,
            elapsed_s: 0.1,
            predicted_s: None,
            items: experiment.scenarios[0].total_items(),
            queue: None,
            predicted_queue: None,
        };
        // A gap no test outlasts, so that no machine's load decides what is saved.
        let mut checkpoint = Checkpoint {
            min_gap: Duration::from_secs(3600),
            ..Checkpoint::new()
        };
        let mut records = vec![run(1)];
        checkpoint
            .save_if_due(&experiment, dir.path(), &records)
            .expect("saves");
        assert_eq!(saved(), Ok(1));
        records.push(run(2));
        checkpoint
            .save_if_due(&experiment, dir.path(), &records)
            .expect("waits");
        assert_eq!(saved(), Ok(1), "within the gap, the file waits");
        checkpoint
            .save_rest(&experiment, dir.path(), &records)
            .expect("saves");
        assert_eq!(saved(), Ok(2));
    }

    #[test]
    fn the_lowest_limit_that_could_be_read_is_named() {
        let ThreadLimit::System(threads, which) = lowest(vec![
            (Some(5000), "a"),
            (None, "b"),
            (Some(1000), "c"),
            (Some(9000), "d"),
        ]) else {
            panic!("the system's limit");
        };
        assert_eq!((threads, which), (1000 - 256, "c"));
        // Under the margin: no thread may start, and the error will say which limit.
        assert!(matches!(
            lowest(vec![(Some(100), "tiny")]),
            ThreadLimit::System(0, "tiny")
        ));
        assert!(matches!(
            lowest(vec![(None, "x")]),
            ThreadLimit::System(_, "no limit found")
        ));
    }

    #[test]
    fn the_thread_limit_is_under_every_limit_the_kernel_sets() {
        let ThreadLimit::System(threads, which) = system_thread_limit() else {
            panic!("the system's limit");
        };
        let maps = kernel_limit("/proc/sys/vm/max_map_count").map(|m| m / MAPS_PER_THREAD);
        for limit in [
            kernel_limit("/proc/sys/kernel/threads-max"),
            kernel_limit("/proc/sys/kernel/pid_max"),
            maps,
            cgroup_pids_max(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(
                threads < limit.max(1),
                "{threads} ({which}) is not under {limit}"
            );
        }
        let said = ThreadLimit::System(threads, which).says();
        assert!(
            said.contains(which) && said.contains(&threads.to_string()),
            "{said}"
        );
    }
}
