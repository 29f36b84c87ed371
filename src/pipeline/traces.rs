//! `--trace`: checks the traced repeat exists before anything runs, keeps the traces the
//! runs hand back, replays the same draws through the model, and writes `trace/`.
//!
//! Owns only this wiring; recording is `trace`'s and the runner's, files are `output`'s.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{Failure, RunOptions};
use crate::experiment::Experiment;
use crate::model::{MAX_MODELLED_ITEMS, machine_cores, modelled_items, replay_traced};
use crate::output::{Results, TRACE_DIR, Traced, write_traces};
use crate::plan::RunPlan;
use crate::record::Source;
use crate::runner::Measurement;
use crate::scenario::Scenario;
use crate::trace::{
    Trace, TraceOptions, check_repeat, file_stem, json_name, stem_of, timeline_name,
};

/// Refuses `--trace-repeat` beyond an experiment's repeats, before anything runs.
pub fn check(experiments: &[Experiment], options: &RunOptions) -> Result<(), Failure> {
    let Some(trace) = &options.trace else {
        return Ok(());
    };
    let problems: Vec<String> = experiments
        .iter()
        .filter_map(|e| check_repeat(trace, e.repeats, &e.file.display().to_string()).err())
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(format!(
            "{}\nnothing was run or written",
            problems.join("\n")
        )))
    }
}

/// Refuses, with `--trace`, a file or a link where the results folder `dir` needs its
/// `trace/` folder, or a folder where one of `experiment`'s trace files goes, before
/// anything runs: traces written through a link would land outside the folder the user
/// named, and a folder in the way would be found only after every run.
pub fn refuse_file_in_place_of_trace_folder(
    dir: &Path,
    experiment: &Experiment,
    options: &RunOptions,
) -> Result<(), Failure> {
    if options.trace.is_none() {
        return Ok(());
    }
    let folder = dir.join(TRACE_DIR);
    let in_the_way = |path: &Path| match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Some("a link"),
        Ok(m) if m.is_dir() != (path == folder) => {
            Some(if m.is_dir() { "a folder" } else { "a file" })
        }
        _ => None,
    };
    let mut paths = vec![folder.clone()];
    for scenario in &experiment.scenarios {
        paths.push(folder.join(json_name(scenario)));
        for format in &experiment.plot.formats {
            paths.push(folder.join(timeline_name(scenario, format.extension())));
        }
    }
    let blocked = paths
        .into_iter()
        .find_map(|path| in_the_way(&path).map(|what| (path, what)));
    match blocked {
        Some((path, what)) => Err(Failure::BadInput(format!(
            "cannot write traces to {}: {what} of that name is in the way; move or rename it\n\
             nothing was run or written",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// A run's trace, taken out of its measurement (which is kept without it).
pub struct MeasuredTrace {
    pub plan: RunPlan,
    pub trace: Trace,
}

/// Takes the trace out of `measured`, if the run was traced.
pub fn keep(kept: &mut Vec<MeasuredTrace>, plan: &RunPlan, measured: &mut Measurement) {
    if let Some(trace) = measured.trace.take() {
        kept.push(MeasuredTrace {
            plan: *plan,
            trace: *trace,
        });
    }
}

/// Writes `trace/` for the traced repeat of every scenario: for `simulate` (`made_earlier`
/// `None`) the model's replay of each run; for `run`, the threads' trace of each run made
/// now (in `measured`) beside the model's replay of it. A run `run` did not make now has
/// no new trace: one kept by `--resume` (in `made_earlier`) keeps the trace it has, and
/// one stopped or failed gets none, rather than a replay of a run that never happened.
/// With `--resume`, then removes the traces of scenarios the experiment no longer has;
/// says how many went, with the `removed_before` that `remove_replaced` took as the
/// command replaced the folder's runs. Returns lines for the terminal.
pub fn write(
    experiment: &Experiment,
    dir: &Path,
    plans: &[RunPlan],
    measured: Vec<MeasuredTrace>,
    options: &RunOptions,
    (made_earlier, removed_before): (Option<&HashSet<(usize, u32)>>, Removed),
) -> Result<String, Failure> {
    let (traced, mut notes) = match &options.trace {
        Some(trace_options) => {
            traced_runs(experiment, plans, measured, trace_options, made_earlier)
        }
        None => (Vec::new(), String::new()),
    };
    let count = traced.len();
    let mut traced_line = String::new();
    if let Some(trace_options) = options.trace.as_ref().filter(|_| count > 0) {
        let results = Results {
            experiment,
            source: match made_earlier {
                Some(_) => Source::Measured,
                None => Source::Model,
            },
            runs: &[],
            summaries: &[],
            environment: None,
        };
        write_traces(
            dir,
            &results,
            traced,
            &experiment.plot.formats,
            trace_options,
        )?;
        traced_line = format!(
            "  traced {count} scenario(s), repeat {} of each, into {}/ (open the .json files in ui.perfetto.dev)\n\n",
            trace_options.repeat,
            dir.join(TRACE_DIR).display()
        );
    }
    let mut removed = removed_before;
    let replaced = removed.count > 0;
    if options.resume {
        removed.add(remove_traces_of_other_scenarios(dir, experiment));
    }
    notes.push_str(&removed.left_notes());
    if removed.count > 0 {
        let removed = removed.count;
        let of_what = match options.resume && !replaced {
            true => format!("of scenarios {} no longer has", experiment.file.display()),
            false => "of earlier runs these results replace".to_string(),
        };
        let _ = writeln!(notes, "  removed {removed} trace file(s) {of_what}");
    }
    notes.push_str(&traced_line);
    Ok(notes)
}

/// The runs to trace, with the threads' trace (where this command made the run) and the
/// model's replay of each, and notes for the terminal on runs that get none, windows
/// past a run's end and traces stopped at the cap.
fn traced_runs(
    experiment: &Experiment,
    plans: &[RunPlan],
    mut measured: Vec<MeasuredTrace>,
    trace_options: &TraceOptions,
    made_earlier: Option<&HashSet<(usize, u32)>>,
) -> (Vec<Traced>, String) {
    let cores = machine_cores();
    let mut traced = Vec::new();
    let mut notes = String::new();
    for plan in plans
        .iter()
        .filter(|p| !p.is_warmup() && p.repeat == trace_options.repeat)
    {
        let scenario = &experiment.scenarios[plan.scenario];
        let threads = measured
            .iter()
            .position(|m| m.plan == *plan)
            .map(|i| measured.swap_remove(i).trace);
        if let (Some(earlier), None) = (made_earlier, &threads) {
            let why = match earlier.contains(&(plan.scenario, plan.repeat)) {
                true => "was kept from earlier (--resume): its trace, if any, is left as it was",
                false => "was not made (stopped before it, or it failed): it has no trace",
            };
            let _ = writeln!(notes, "  note: {scenario} repeat {} {why}", plan.repeat);
            continue;
        }
        let items = modelled_items(scenario);
        let model = (items > 0 && items <= MAX_MODELLED_ITEMS)
            .then(|| replay_traced(scenario, plan.run_seed, cores).1);
        if threads.is_none() && model.is_none() {
            continue;
        }
        note_window_past_the_end(&mut notes, scenario, trace_options, [&threads, &model]);
        for (side, trace) in [("threads'", &threads), ("model's", &model)] {
            if let Some(ns) = trace.as_ref().and_then(Trace::stopped_at_ns) {
                let _ = writeln!(
                    notes,
                    "  note: {scenario}: the {side} trace stopped at {:.6} s, at the cap of {} events a run",
                    ns as f64 / 1e9,
                    crate::trace::EVENT_CAP
                );
            }
        }
        traced.push(Traced {
            scenario: scenario.clone(),
            repeat: plan.repeat,
            run_seed: plan.run_seed,
            measured: threads,
            model,
        });
    }
    (traced, notes)
}

/// A note where `--trace-window` starts after the end of both sides of a run: its
/// timeline is empty.
fn note_window_past_the_end(
    notes: &mut String,
    scenario: &Scenario,
    trace_options: &TraceOptions,
    sides: [&Option<Trace>; 2],
) {
    let Some(window) = &trace_options.window else {
        return;
    };
    let end_ns = sides.into_iter().flatten().map(|t| t.end_ns).max();
    if let Some(end_ns) = end_ns.filter(|&end| window.start.as_nanos() >= u128::from(end)) {
        let _ = writeln!(
            notes,
            "  note: {scenario}: --trace-window starts at {:.6} s, after the run's end \
             at {:.6} s: its timeline is empty",
            window.start.as_secs_f64(),
            end_ns as f64 / 1e9
        );
    }
}

/// Trace files a command removed, and those it could not, which then lie beside runs
/// they do not describe: the terminal says which.
#[derive(Debug, Default)]
pub struct Removed {
    pub count: usize,
    /// Each file left, with why.
    pub left: Vec<(PathBuf, String)>,
}

impl Removed {
    fn add(&mut self, other: Removed) {
        self.count += other.count;
        self.left.extend(other.left);
    }

    fn left_notes(&self) -> String {
        self.left
            .iter()
            .map(|(path, why)| {
                format!(
                    "  warning: could not remove {} ({why}): it traces runs these results \
                     no longer hold; remove it by hand\n",
                    path.display()
                )
            })
            .collect()
    }
}

/// Removes the trace files in `dir`'s `trace/` of scenarios `experiment` does not have
/// (with `--resume`, whose kept runs keep theirs).
fn remove_traces_of_other_scenarios(dir: &Path, experiment: &Experiment) -> Removed {
    let current: HashSet<String> = experiment.scenarios.iter().map(file_stem).collect();
    remove_trace_files(dir, |stem| current.contains(stem))
}

/// Removes every trace file in `dir`'s `trace/`, once `runs.csv` no longer holds the
/// runs they traced: called as a command that replaces runs first saves its own, so that
/// however it ends (a `kill -9` included) no trace is left beside runs it does not
/// describe (`simulate`: as it writes its results). New traces are written when the runs
/// are done.
pub fn remove_replaced(dir: &Path) -> Removed {
    remove_trace_files(dir, |_| false)
}

/// Removes the files of `dir`'s `trace/` that `trace::stem_of` knows as trace files and
/// `stays` (given the stem) does not keep. Other files are left alone, as is a link in
/// place of `trace/`; the folder goes if this left it empty.
fn remove_trace_files(dir: &Path, stays: impl Fn(&str) -> bool) -> Removed {
    let folder = dir.join(TRACE_DIR);
    let mut removed = Removed::default();
    if !std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
        return removed;
    }
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(error) => {
            removed.left.push((folder, error.to_string()));
            return removed;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let gone = stem_of(&name).is_some_and(|stem| !stays(stem));
        if !gone || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed.count += 1,
            // Gone already (another hand): nothing is left beside the runs.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => removed.left.push((entry.path(), error.to_string())),
        }
    }
    if removed.count > 0 {
        // Fails, as it should, unless the folder is empty.
        let _ = std::fs::remove_dir(&folder);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// In a `trace/` that cannot be written to (root can write anyway): every trace file
    /// is either removed and counted, or left and named in a warning, never passed over.
    #[test]
    fn a_trace_file_that_cannot_be_removed_is_named_not_passed_over() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join(TRACE_DIR);
        std::fs::create_dir(&folder).expect("mkdir");
        let trace = folder.join("001_consumers=1.json");
        std::fs::write(&trace, "{}").expect("write");
        std::fs::write(folder.join("notes.txt"), "mine").expect("write");
        let mode = |m| std::fs::Permissions::from_mode(m);
        std::fs::set_permissions(&folder, mode(0o555)).expect("chmod");
        let removed = remove_replaced(dir.path());
        std::fs::set_permissions(&folder, mode(0o755)).expect("chmod");
        let left = trace.exists();
        assert_eq!(removed.count, usize::from(!left));
        assert_eq!(removed.left.len(), usize::from(left));
        let notes = removed.left_notes();
        assert_eq!(notes.contains("001_consumers=1.json"), left, "{notes}");
        assert!(folder.join("notes.txt").exists(), "not a trace file: kept");
    }

    #[test]
    fn the_warning_names_the_file_and_why() {
        let removed = Removed {
            count: 0,
            left: vec![(
                PathBuf::from("r/trace/002_x.json"),
                "Permission denied".into(),
            )],
        };
        let notes = removed.left_notes();
        assert!(notes.contains("could not remove r/trace/002_x.json (Permission denied)"));
        assert!(notes.contains("remove it by hand"), "{notes}");
    }
}
