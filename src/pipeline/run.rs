//! `queuelab run`: checks before anything runs (folders writable, thread limits, long
//! runs confirmed), then every run with a progress bar, `runs.csv` rewritten after each,
//! `--resume` and Ctrl-C handled, and the results folder written from what finished.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use super::lock::FolderLock;
use super::print::{human, scenario_line, status, status_inline};
use super::{Failure, RunOptions, finish, load_all, predictions, prepare_dir, refuse_shared_names};
use crate::environment::Environment;
use crate::experiment::Experiment;
use crate::model::{Prediction, machine_cores};
use crate::output::{Output, Results, RunsCsv, read_runs, write_atomically};
use crate::plan::{RunPlan, plan_runs, with_warmups};
use crate::record::{RunRecord, Source};
use crate::runner::{RunError, run_plans};
use crate::scenario::WorkKind;
use crate::settings::RunOrder;
use crate::stats::summarise;

/// Experiments estimated to run longer than this ask first.
const CONFIRM_ABOVE_S: f64 = 3600.0;

/// `queuelab run`: every experiment with real threads, each into `out/NAME/`.
pub fn run(files: &[PathBuf], options: &RunOptions) -> Result<String, Failure> {
    let experiments = load_all(files, &options.overrides)?;
    refuse_shared_names(&experiments, "")?;
    super::traces::check(&experiments, options)?;
    let dirs: Vec<PathBuf> = experiments
        .iter()
        .map(|e| prepare_dir(&options.out, &e.name))
        .collect::<Result<_, _>>()?;
    // Held until every experiment is written: one writer per folder.
    let _locks: Vec<FolderLock> = dirs
        .iter()
        .map(|d| FolderLock::take(d))
        .collect::<Result<_, _>>()?;
    check_threads(
        &experiments,
        options.max_threads.unwrap_or_else(system_thread_limit),
        options.jobs,
    )?;
    // Every folder's earlier runs are read (and any refusal made) before a run starts.
    let mut kept = Vec::new();
    for (experiment, dir) in experiments.iter().zip(&dirs) {
        kept.push(if options.resume {
            earlier_runs(experiment, dir, options.force)?
        } else {
            Kept::default()
        });
    }
    confirm_long_runs(&experiments, options)?;
    let mut text = String::new();
    let mut failures = Vec::new();
    for ((experiment, dir), kept) in experiments.iter().zip(&dirs).zip(kept) {
        let started = SystemTime::now();
        if options.cancel.load(Ordering::SeqCst) {
            break;
        }
        for note in &kept.notes {
            status(note);
        }
        // Repeats made earlier beyond those asked for stay, and the archive says so.
        let mut experiment = experiment.clone();
        let planned = plan_runs(&experiment.plan_settings());
        experiment.repeats = kept
            .runs
            .iter()
            .map(|r| r.repeat)
            .fold(experiment.repeats, u32::max);
        let mut traced = Vec::new();
        let (records, failed) =
            run_experiment(&experiment, &planned, dir, kept.runs, options, &mut traced)?;
        failures.extend(failed);
        if !records.is_empty() {
            let environment = Environment::read(&experiment.file, started);
            text.push_str(&finish(
                &experiment,
                dir,
                Source::Measured,
                &records,
                Some(&environment),
                false,
            )?);
            let made = super::traces::write(
                &experiment,
                dir,
                &planned,
                traced,
                options,
                Source::Measured,
            );
            text.push_str(&made?);
        }
    }
    if options.cancel.load(Ordering::SeqCst) {
        let _ = write!(
            text,
            "interrupted: finished runs are saved. Go on with:\n  {}",
            resume_command(files, options)
        );
        return Err(Failure::Interrupted(text));
    }
    if !failures.is_empty() {
        let _ = writeln!(
            text,
            "error: {} run(s) failed; the others are saved:",
            failures.len()
        );
        for failure in &failures {
            let _ = writeln!(text, "  {failure}");
        }
        return Err(Failure::Failed(text));
    }
    Ok(text)
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
        with("--order", order_name(order).to_string());
    }
    if let Some(jobs) = options.jobs {
        with("--jobs", jobs.to_string());
    }
    if let Some(max) = options.max_threads {
        with("--max-threads", max.to_string());
    }
    if options.yes {
        words.push("--yes".to_string());
    }
    if options.quiet {
        words.push("--quiet".to_string());
    }
    // After `--`, a file named like an option is still a file.
    words.push("--".to_string());
    words.extend(files.iter().map(|f| shell_quote(&f.to_string_lossy())));
    words.join(" ")
}

fn order_name(order: RunOrder) -> &'static str {
    match order {
        RunOrder::Grouped => "grouped",
        RunOrder::Interleaved => "interleaved",
        RunOrder::Random => "random",
    }
}

/// `text` as one shell word: as it is when plain, otherwise in single quotes (inside
/// which only `'` itself needs care).
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Runs what `runs.csv` does not hold yet; returns every run and the runs that failed.
fn run_experiment(
    experiment: &Experiment,
    plans: &[RunPlan],
    dir: &Path,
    mut records: Vec<RunRecord>,
    options: &RunOptions,
    traced: &mut Vec<super::traces::MeasuredTrace>,
) -> Result<(Vec<RunRecord>, Vec<RunError>), Failure> {
    let made: HashSet<(usize, u32)> = records.iter().map(|r| (r.scenario, r.repeat)).collect();
    let todo: Vec<RunPlan> = plans
        .iter()
        .filter(|p| !made.contains(&(p.scenario, p.repeat)))
        .copied()
        .collect();
    let todo = with_warmups(&experiment.plan_settings(), &todo);
    let todo: Vec<(RunPlan, Option<Prediction>)> = todo
        .iter()
        .copied()
        .zip(predictions(experiment, &todo, None))
        .collect();
    let jobs = options.jobs.unwrap_or(experiment.jobs);
    warn_if_spin_shares_cores(experiment, jobs, options.quiet);
    let progress = progress_bar(experiment, &todo, options.quiet);
    let mut failures = Vec::new();
    let mut save_error = None;
    // A run too large to model is surely among the longest: it goes first with --jobs.
    let by_length: Vec<(RunPlan, f64)> = todo
        .iter()
        .map(|(plan, p)| (*plan, p.as_ref().map_or(f64::INFINITY, |p| p.elapsed_s)))
        .collect();
    run_plans(
        &experiment.scenarios,
        &by_length,
        jobs,
        &options.cancel,
        options.trace.map(|t| t.repeat),
        |plan, result| {
            let predicted = todo
                .iter()
                .find(|(p, _)| p == plan)
                .and_then(|(_, p)| p.as_ref());
            let predicted_s = predicted.map(|p| p.elapsed_s);
            progress.inc((predicted_s.unwrap_or(0.0) * 1000.0).round() as u64);
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
            if let Err(error) = save_runs(experiment, dir, &records) {
                save_error = Some(error);
                options.cancel.store(true, Ordering::SeqCst);
            }
            let scenario_done = records
                .iter()
                .filter(|r| r.scenario == plan.scenario)
                .count();
            if scenario_done == experiment.repeats as usize && !options.quiet {
                let summary = summarise(&records)
                    .into_iter()
                    .find(|s| s.scenario == plan.scenario);
                if let Some(summary) = summary {
                    progress.println(scenario_line(experiment, &summary));
                }
            }
        },
    );
    progress.finish_and_clear();
    match save_error {
        Some(error) => Err(error),
        None => Ok((records, failures)),
    }
}

/// What `--resume` keeps of a folder, and what it says about it.
#[derive(Default)]
struct Kept {
    runs: Vec<RunRecord>,
    notes: Vec<String>,
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
    // Any repeat up to u32's: meta.json is written only when a run ends, so after a
    // `kill -9` it may speak of fewer repeats than runs.csv holds, and those runs count.
    let read = read_runs(&path, experiment, u32::MAX, None).map_err(Failure::BadInput)?;
    let hash = experiment.fingerprint();
    let (same, foreign): (Vec<_>, Vec<_>) = read.runs.into_iter().partition(|r| r.hash == hash);
    let discarded = foreign.len() + read.unknown;
    let mut kept = Kept {
        runs: same.into_iter().map(|r| r.run).collect(),
        notes: Vec::new(),
    };
    if discarded == 0 {
        return Ok(kept);
    }
    let mut made_at: Vec<String> = foreign
        .iter()
        .map(|r| format!("time_scale {}", r.time_scale))
        .collect();
    made_at.sort();
    made_at.dedup();
    let made_at = match made_at.is_empty() {
        true => String::new(),
        false => format!(" (made at {})", made_at.join(", ")),
    };
    let now = format!(
        "time_scale {}, seed {}",
        experiment.time_scale, experiment.seed
    );
    if !force {
        return Err(Failure::BadInput(format!(
            "{}: {discarded} run(s) come from a different experiment file, time_scale or seed{made_at}; \
             this run is at {now}, so --resume will not mix them in. Resume with the settings they \
             were made with, run without --resume to start over, or add --force to discard \
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

/// Refuses, before anything runs, an experiment whose runs would start more threads at
/// once than the system allows: with `jobs` runs at once, its `jobs` largest scenarios may
/// run together.
fn check_threads(
    experiments: &[Experiment],
    limit: u64,
    jobs: Option<usize>,
) -> Result<(), Failure> {
    let mut problems = String::new();
    for experiment in experiments {
        let jobs = jobs.unwrap_or(experiment.jobs).max(1);
        let mut threads: Vec<u64> = experiment.scenarios.iter().map(|s| s.threads()).collect();
        threads.sort_unstable_by(|a, b| b.cmp(a));
        let at_once: u64 = threads.iter().take(jobs).sum();
        if at_once > limit {
            let largest = experiment
                .scenarios
                .iter()
                .max_by_key(|s| s.threads())
                .map(|s| s.to_string())
                .unwrap_or_default();
            let _ = writeln!(
                problems,
                "{}: `producers`/`consumers`: {jobs} run(s) at once need up to {at_once} threads \
                 (the largest, {largest}, {}); this system allows {limit}. Lower jobs, \
                 producers or consumers, or raise `ulimit -u`",
                experiment.file.display(),
                threads.first().copied().unwrap_or(0)
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(problems.trim_end().to_string()))
    }
}

/// Threads this process may start: the lower of the kernel's and the user's limit, less
/// a margin for the threads already running.
fn system_thread_limit() -> u64 {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/threads-max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: geteuid has no preconditions; getrlimit writes one rlimit to a valid pointer.
    let root = unsafe { libc::geteuid() } == 0;
    // The kernel does not hold root to RLIMIT_NPROC, so neither do we.
    let user = if !root && unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut limit) } == 0 {
        limit.rlim_cur
    } else {
        u64::MAX
    };
    kernel.min(user).saturating_sub(64)
}

/// An experiment estimated at over an hour asks on a terminal, and needs `--yes` elsewhere.
fn confirm_long_runs(experiments: &[Experiment], options: &RunOptions) -> Result<(), Failure> {
    let total: f64 = experiments
        .iter()
        .map(|e| {
            predictions(e, &plan_runs(&e.plan_settings()), None)
                .iter()
                .flatten()
                .map(|p| p.elapsed_s)
                .sum::<f64>()
                / options.jobs.unwrap_or(e.jobs) as f64
        })
        .sum();
    if total <= CONFIRM_ABOVE_S || options.yes {
        return Ok(());
    }
    let estimate = human(total);
    if !std::io::stdin().is_terminal() {
        return Err(Failure::BadInput(format!(
            "the runs are estimated at {estimate}; pass --yes to run them, or lower repeats or time_scale"
        )));
    }
    status_inline(&format!(
        "The runs are estimated at {estimate}. Go on? [y/N] "
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

/// A bar measured in the model's predicted milliseconds, so its ETA is the model's.
fn progress_bar(
    experiment: &Experiment,
    todo: &[(RunPlan, Option<Prediction>)],
    quiet: bool,
) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let total_ms = todo
        .iter()
        .map(|(_, p)| (p.as_ref().map_or(0.0, |p| p.elapsed_s) * 1000.0).round() as u64)
        .sum();
    let bar = ProgressBar::new(total_ms);
    let template = "{prefix} [{elapsed_precise}] {wide_bar} {percent:>3}% ETA {left} {msg}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        // Runs take about what the model predicts, so what is left is the model's time
        // for the runs not yet made; a rate-based estimate knows nothing before a run ends.
        bar.set_style(style.with_key(
            "left",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let left_ms = state.len().unwrap_or(0).saturating_sub(state.pos());
                let _ = write!(w, "{}", human(left_ms as f64 / 1000.0));
            },
        ));
    }
    bar.set_prefix(experiment.name.clone());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
