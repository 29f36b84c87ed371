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

use super::print::{human, scenario_line, status, status_inline};
use super::{Failure, RunOptions, finish, load_all, predictions, prepare_dir};
use crate::environment::Environment;
use crate::experiment::Experiment;
use crate::model::machine_cores;
use crate::output::{Output, Results, RunsCsv, read_runs, write_atomically};
use crate::record::{RunRecord, Source};
use crate::runner::{RunError, RunPlan, plan_runs, run_plans, with_warmups};
use crate::scenario::WorkKind;
use crate::stats::summarise;

/// Experiments estimated to run longer than this ask first.
const CONFIRM_ABOVE_S: f64 = 3600.0;

/// `queuelab run`: every experiment with real threads, each into `out/NAME/`.
pub fn run(files: &[PathBuf], options: &RunOptions) -> Result<String, Failure> {
    let experiments = load_all(files, &options.overrides)?;
    let dirs: Vec<PathBuf> = experiments
        .iter()
        .map(|e| prepare_dir(&options.out, &e.name))
        .collect::<Result<_, _>>()?;
    check_threads(
        &experiments,
        options.max_threads.unwrap_or_else(system_thread_limit),
    )?;
    confirm_long_runs(&experiments, options)?;
    let mut text = String::new();
    let mut failures = Vec::new();
    for (experiment, dir) in experiments.iter().zip(&dirs) {
        let started = SystemTime::now();
        if options.cancel.load(Ordering::SeqCst) {
            break;
        }
        let (records, failed) = run_experiment(experiment, dir, options)?;
        failures.extend(failed);
        if !records.is_empty() {
            let environment = Environment::read(&experiment.file, started);
            text.push_str(&finish(
                experiment,
                dir,
                Source::Measured,
                &records,
                Some(&environment),
                false,
            )?);
        }
    }
    if options.cancel.load(Ordering::SeqCst) {
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        let _ = write!(
            text,
            "interrupted: finished runs are saved. Go on with:\n  queuelab run --resume --out {} {}",
            options.out.display(),
            files.join(" ")
        );
        return Err(Failure::Interrupted(text));
    }
    if !failures.is_empty() {
        let _ = writeln!(
            text,
            "{} run(s) failed; the others are saved:",
            failures.len()
        );
        for failure in &failures {
            let _ = writeln!(text, "  {failure}");
        }
        return Err(Failure::Failed(text));
    }
    Ok(text)
}

/// Runs what `runs.csv` does not hold yet; returns every run and the runs that failed.
fn run_experiment(
    experiment: &Experiment,
    dir: &Path,
    options: &RunOptions,
) -> Result<(Vec<RunRecord>, Vec<RunError>), Failure> {
    let mut records = if options.resume {
        earlier_runs(experiment, dir, options.force)?
    } else {
        Vec::new()
    };
    let plans = plan_runs(experiment);
    let made: HashSet<(usize, u32)> = records.iter().map(|r| (r.scenario, r.repeat)).collect();
    let todo: Vec<RunPlan> = plans
        .into_iter()
        .filter(|p| !made.contains(&(p.scenario, p.repeat)))
        .collect();
    let todo = with_warmups(experiment, &todo);
    let todo: Vec<(RunPlan, f64)> = todo
        .iter()
        .copied()
        .zip(predictions(experiment, &todo))
        .collect();
    let jobs = options.jobs.unwrap_or(experiment.jobs);
    warn_if_spin_shares_cores(experiment, jobs, options.quiet);
    let progress = progress_bar(experiment, &todo, options.quiet);
    let mut failures = Vec::new();
    let mut save_error = None;
    run_plans(experiment, &todo, jobs, &options.cancel, |plan, result| {
        let predicted_s = todo
            .iter()
            .find(|(p, _)| p == plan)
            .map_or(0.0, |(_, s)| *s);
        progress.inc((predicted_s * 1000.0).round() as u64);
        let measured = match result {
            Ok(_) if plan.is_warmup() => return,
            Ok(measured) => measured,
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
    });
    progress.finish_and_clear();
    match save_error {
        Some(error) => Err(error),
        None => Ok((records, failures)),
    }
}

/// The runs `--resume` keeps: those in `runs.csv` made by this very experiment.
fn earlier_runs(
    experiment: &Experiment,
    dir: &Path,
    force: bool,
) -> Result<Vec<RunRecord>, Failure> {
    let path = dir.join("runs.csv");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let read = read_runs(&path, experiment).map_err(Failure::BadInput)?;
    let hash = experiment.fingerprint();
    let foreign = read.runs.iter().filter(|(_, h)| *h != hash).count() + read.unknown;
    if foreign > 0 && !force {
        return Err(Failure::BadInput(format!(
            "{}: {foreign} run(s) come from a different experiment file or time_scale or seed, so \
             --resume will not mix them in. Run without --resume to start over, or add --force to keep them.",
            path.display()
        )));
    }
    let planned: HashSet<(usize, u32)> = plan_runs(experiment)
        .iter()
        .map(|p| (p.scenario, p.repeat))
        .collect();
    Ok(read
        .runs
        .into_iter()
        .map(|(run, _)| run)
        .filter(|r| planned.contains(&(r.scenario, r.repeat)))
        .collect())
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
    write_atomically(&path, |tmp| RunsCsv.write(&results, tmp)).map_err(Failure::Failed)
}

/// Refuses, before anything runs, a scenario that needs more threads than one run may start.
fn check_threads(experiments: &[Experiment], limit: u64) -> Result<(), Failure> {
    let mut problems = String::new();
    for experiment in experiments {
        for scenario in &experiment.scenarios {
            if scenario.threads() > limit {
                let _ = writeln!(
                    problems,
                    "{}: {scenario} needs {} threads; this system allows {limit} \
                     (raise `ulimit -u`, or lower producers or consumers)",
                    experiment.file.display(),
                    scenario.threads()
                );
            }
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
    // SAFETY: getrlimit writes one rlimit to a valid pointer.
    let user = if unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut limit) } == 0 {
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
            predictions(e, &plan_runs(e)).iter().sum::<f64>()
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
fn progress_bar(experiment: &Experiment, todo: &[(RunPlan, f64)], quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let total_ms = todo.iter().map(|(_, p)| (p * 1000.0).round() as u64).sum();
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
