//! The commands' steps wired together: load experiments, run or model them, summarise,
//! write the results folder, and tell the person what happened.
//!
//! Owns the order of the steps and what is printed; each step itself lives in its own
//! module. Nothing here parses, measures or draws.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use crate::experiment::{self, Experiment};
use crate::model::{machine_cores, predict};
use crate::output::{Results, RunsCsv, all_outputs, write_atomically, write_bytes, write_outputs};
use crate::record::{RunRecord, Source};
use crate::runner::{RunPlan, plan_runs, run_once};
use crate::stats::{Summary, summarise};

/// Why a command did not succeed, and so its exit code.
#[derive(Debug)]
pub enum Failure {
    /// The input is wrong (exit code 2); the text says where and why. Nothing was written.
    BadInput(String),
    /// Something went wrong while running or writing (exit code 1).
    Failed(String),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::BadInput(_) => 2,
            Failure::Failed(_) => 1,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::BadInput(m) | Failure::Failed(m) => m,
        }
    }
}

/// Command-line settings that override the experiment file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub repeats: Option<u32>,
    pub time_scale: Option<f64>,
    pub seed: Option<u64>,
}

/// Settings of `run` and `simulate`.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub out: PathBuf,
    pub overrides: Overrides,
    pub quiet: bool,
}

/// Loads every file, reporting the problems of all of them at once.
pub fn load_all(files: &[PathBuf], overrides: &Overrides) -> Result<Vec<Experiment>, Failure> {
    let mut experiments = Vec::new();
    let mut report = String::new();
    let mut count = 0;
    for file in files {
        match experiment::load(file) {
            Ok(mut experiment) => {
                experiment.override_with(overrides.repeats, overrides.time_scale, overrides.seed);
                experiments.push(experiment);
            }
            Err(diagnostics) => {
                count += diagnostics.len();
                for d in diagnostics {
                    let _ = writeln!(report, "{d}");
                }
            }
        }
    }
    if count > 0 {
        let s = if count == 1 { "" } else { "s" };
        let _ = write!(report, "{count} error{s}; nothing was run or written");
        return Err(Failure::BadInput(report));
    }
    Ok(experiments)
}

/// The model's prediction for every planned run.
fn predictions(experiment: &Experiment, plans: &[RunPlan]) -> Vec<f64> {
    let cores = machine_cores();
    plans
        .iter()
        .map(|plan| predict(&experiment.scenarios[plan.scenario], plan.run_seed, cores).elapsed_s)
        .collect()
}

/// `queuelab check`: validates and describes each experiment; prints nothing else.
pub fn check(files: &[PathBuf], overrides: &Overrides) -> Result<String, Failure> {
    let experiments = load_all(files, overrides)?;
    let mut text = String::new();
    for experiment in &experiments {
        let plans = plan_runs(experiment);
        let predicted = predictions(experiment, &plans);
        let records: Vec<RunRecord> = model_records(&plans, &predicted);
        let summaries = summarise(&records);
        let _ = writeln!(
            text,
            "{}: ok, experiment `{}`",
            experiment.file.display(),
            experiment.name
        );
        let _ = writeln!(
            text,
            "  {} scenarios × {} repeats at time_scale {}, seed {}",
            experiment.scenarios.len(),
            experiment.repeats,
            experiment.time_scale,
            experiment.seed
        );
        text.push_str(&scenario_table(experiment, &summaries, false));
        let total: f64 = predicted.iter().sum();
        let _ = writeln!(
            text,
            "  estimated run time: {} (from the model)\n",
            human(total)
        );
    }
    Ok(text)
}

fn model_records(plans: &[RunPlan], predicted: &[f64]) -> Vec<RunRecord> {
    plans
        .iter()
        .zip(predicted)
        .map(|(plan, predicted)| RunRecord {
            scenario: plan.scenario,
            repeat: plan.repeat,
            run_seed: plan.run_seed,
            source: Source::Model,
            elapsed_s: *predicted,
            predicted_s: *predicted,
            items: 0,
            queue: None,
        })
        .collect()
}

/// `queuelab run`: every experiment with real threads, each into `out/NAME/`.
pub fn run(files: &[PathBuf], options: &RunOptions) -> Result<String, Failure> {
    let experiments = load_all(files, &options.overrides)?;
    let mut text = String::new();
    for experiment in &experiments {
        let dir = prepare_dir(&options.out, &experiment.name)?;
        let records = run_experiment(experiment, &dir, options.quiet)?;
        text.push_str(&finish(experiment, &dir, Source::Measured, &records)?);
    }
    Ok(text)
}

/// `queuelab simulate`: the model alone, into `out/NAME-model/` so real results stay.
pub fn simulate(files: &[PathBuf], options: &RunOptions) -> Result<String, Failure> {
    let experiments = load_all(files, &options.overrides)?;
    let mut text = String::new();
    for experiment in &experiments {
        let dir = prepare_dir(&options.out, &format!("{}-model", experiment.name))?;
        let plans = plan_runs(experiment);
        let mut records = model_records(&plans, &predictions(experiment, &plans));
        for (record, plan) in records.iter_mut().zip(&plans) {
            let scenario = &experiment.scenarios[plan.scenario];
            record.items = scenario.total_items();
        }
        text.push_str(&finish(experiment, &dir, Source::Model, &records)?);
    }
    Ok(text)
}

/// Creates the results folder and proves it writable before any run starts.
fn prepare_dir(out: &Path, name: &str) -> Result<PathBuf, Failure> {
    let dir = out.join(name);
    let fail = |e: std::io::Error| {
        Failure::Failed(format!("cannot write results to {}: {e}", dir.display()))
    };
    fs::create_dir_all(&dir).map_err(fail)?;
    let probe = dir.join(format!(".probe-{}", std::process::id()));
    fs::write(&probe, b"").map_err(fail)?;
    let _ = fs::remove_file(&probe);
    Ok(dir)
}

/// Runs every planned run, rewriting `runs.csv` after each so nothing finished is lost.
fn run_experiment(
    experiment: &Experiment,
    dir: &Path,
    quiet: bool,
) -> Result<Vec<RunRecord>, Failure> {
    let plans = plan_runs(experiment);
    let predicted = predictions(experiment, &plans);
    let progress = progress_bar(experiment, &predicted, quiet);
    let mut records = Vec::with_capacity(plans.len());
    for (plan, predicted_s) in plans.iter().zip(&predicted) {
        let scenario = &experiment.scenarios[plan.scenario];
        progress.set_message(format!("{} repeat {}", scenario.label, plan.repeat));
        let measured =
            run_once(scenario, plan.run_seed).map_err(|e| Failure::Failed(e.to_string()))?;
        records.push(RunRecord {
            scenario: plan.scenario,
            repeat: plan.repeat,
            run_seed: plan.run_seed,
            source: Source::Measured,
            elapsed_s: measured.elapsed_s,
            predicted_s: *predicted_s,
            items: measured.items,
            queue: Some(measured.queue),
        });
        save_runs(experiment, dir, &records)?;
        progress.inc((predicted_s * 1000.0).round() as u64);
        if plan.repeat == experiment.repeats && !quiet {
            let summary = summarise(&records)
                .into_iter()
                .find(|s| s.scenario == plan.scenario);
            if let Some(s) = summary {
                progress.println(scenario_line(experiment, &s));
            }
        }
    }
    progress.finish_and_clear();
    Ok(records)
}

fn save_runs(experiment: &Experiment, dir: &Path, records: &[RunRecord]) -> Result<(), Failure> {
    use crate::output::Output;
    let results = Results {
        experiment,
        source: Source::Measured,
        runs: records,
        summaries: &[],
    };
    let path = dir.join(RunsCsv.file_name(&results));
    write_atomically(&path, |tmp| RunsCsv.write(&results, tmp)).map_err(Failure::Failed)
}

/// A bar measured in the model's predicted milliseconds, so its ETA is the model's.
fn progress_bar(experiment: &Experiment, predicted: &[f64], quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let total_ms = predicted.iter().map(|p| (p * 1000.0).round() as u64).sum();
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

/// Summarises, writes every output and the experiment file, and describes the result.
fn finish(
    experiment: &Experiment,
    dir: &Path,
    source: Source,
    records: &[RunRecord],
) -> Result<String, Failure> {
    let summaries = summarise(records);
    let results = Results {
        experiment,
        source,
        runs: records,
        summaries: &summaries,
    };
    let written =
        write_outputs(dir, &results, &all_outputs(experiment)).map_err(Failure::Failed)?;
    let copy = dir.join("experiment.toml");
    write_atomically(&copy, |tmp| write_bytes(tmp, experiment.source.as_bytes()))
        .map_err(Failure::Failed)?;
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
        .chain(std::iter::once(&copy))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let _ = writeln!(text, "  wrote {}\n", names.join(", "));
    Ok(text)
}

fn scenario_line(experiment: &Experiment, s: &Summary) -> String {
    let scenario = &experiment.scenarios[s.scenario];
    format!(
        "{} {}/{} {}: median {:.4} s, model {:.4} s ({})",
        experiment.name,
        s.scenario + 1,
        experiment.scenarios.len(),
        scenario.label,
        s.elapsed_s.median,
        s.predicted_s,
        percent(s.error_pct)
    )
}

/// The per-scenario table printed by `run`, `simulate` and `check`.
fn scenario_table(experiment: &Experiment, summaries: &[Summary], measured: bool) -> String {
    let width = experiment
        .scenarios
        .iter()
        .map(|s| s.label.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut text = if measured {
        format!(
            "  {:<width$}  {:>11}  {:>11}  {:>11}  {:>11}  {:>8}\n",
            "scenario", "median s", "min s", "max s", "model s", "error"
        )
    } else {
        format!("  {:<width$}  {:>11}\n", "scenario", "model s")
    };
    for s in summaries {
        let label = &experiment.scenarios[s.scenario].label;
        let e = &s.elapsed_s;
        let _ = if measured {
            writeln!(
                text,
                "  {label:<width$}  {:>11.4}  {:>11.4}  {:>11.4}  {:>11.4}  {:>8}",
                e.median,
                e.min,
                e.max,
                s.predicted_s,
                percent(s.error_pct)
            )
        } else {
            writeln!(text, "  {label:<width$}  {:>11.4}", s.predicted_s)
        };
    }
    text
}

/// A signed percentage, or `n/a` where there is none.
fn percent(value: f64) -> String {
    if value.is_finite() {
        format!("{value:+.2}%")
    } else {
        "n/a".to_string()
    }
}

/// Seconds as a person reads a duration: `48.3 s`, `12 min 5 s`, `2 h 10 min`.
pub fn human(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        _ if seconds < 60.0 => format!("{seconds:.1} s"),
        _ if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}
