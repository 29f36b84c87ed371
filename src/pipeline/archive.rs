//! Reading archived results folders back: `plot` redraws a folder's charts and report from
//! its CSV, `compare` sets two folders side by side. Nothing is rerun.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::lock::FolderLock;
use super::print::{given_number, label_width, percent, ratio_text};
use super::{Failure, Rewrite, finish, resolved, write_rendered};
use crate::experiment::{self, Experiment};
use crate::output::{
    ComparedScenario, Comparison, ReadRuns, check_outputs_can_go, compare_outputs, first_run_says,
    read_meta, read_runs_from,
};
use crate::record::{RunRecord, Source, by_scenario};
use crate::scenario::ScenarioKey;
use crate::scenario::duration::seconds_text_precise;
use crate::settings::is_plain_name;
use crate::stats::{Verdict, compare_runs};

/// A results folder read back: its experiment as run, its runs, and how they were made.
pub struct Archive {
    pub dir: PathBuf,
    pub experiment: Experiment,
    pub runs: Vec<RunRecord>,
    pub source: Source,
    pub meta: Option<crate::output::Meta>,
}

/// Reads `dir`: `experiment.toml` (with the time_scale and seed of `meta.json`, if any) and
/// `runs.csv`. Errors name the file, and the column for a damaged CSV.
pub fn read_archive(dir: &Path) -> Result<Archive, Failure> {
    let bad = |m: String| Failure::BadInput(m);
    let file = dir.join("experiment.toml");
    if !dir.exists() {
        return Err(bad(format!(
            "{}: no such folder; a results folder is OUT/NAME, as `run` writes it",
            dir.display()
        )));
    }
    if !file.exists() {
        return Err(bad(format!(
            "{}: no experiment.toml; is {} a queuelab results folder?",
            file.display(),
            dir.display()
        )));
    }
    let experiment =
        experiment::load_archived(&file).map_err(|rejected| bad(rejected.to_string()))?;
    let meta_path = dir.join("meta.json");
    let meta = if meta_path.exists() {
        Some(read_meta(&meta_path).map_err(bad)?)
    } else {
        None
    };
    let runs_path = dir.join("runs.csv");
    let runs = crate::regular_file::open(&runs_path)
        .map_err(|e| bad(format!("{}: {e}", runs_path.display())))?;
    archive_of(dir, experiment, (meta, &meta_path), &runs_path, runs)
}

/// An archive from its files' contents, however they were read (`plot` reads the folder,
/// `history` what git holds): the experiment as run (its copy's header taken off, the
/// settings of `meta.json` put on) and the runs of `runs`, which `runs_path` names, as
/// `meta_path` names the meta.json.
pub fn archive_of(
    dir: &Path,
    mut experiment: Experiment,
    (meta, meta_path): (Option<crate::output::Meta>, &Path),
    runs_path: &Path,
    mut runs: impl std::io::Read,
) -> Result<Archive, Failure> {
    let bad = |m: String| Failure::BadInput(m);
    // The copy may open with queuelab's note of the settings it ran at; the experiment is
    // the file under it, so its fingerprint is the one its runs carry.
    experiment.source = crate::output::strip_header(&experiment.source).to_string();
    if let Some(meta) = &meta {
        experiment.override_with(Some(meta.repeats), Some(meta.time_scale), Some(meta.seed));
    }
    let mut bytes = Vec::new();
    runs.read_to_end(&mut bytes)
        .map_err(|e| bad(format!("{}: {e}", runs_path.display())))?;
    // A file without `name` was named after itself; its copy is `experiment.toml`, so the
    // name it ran under is the one its runs record.
    if !crate::output::names_itself(&experiment.source)
        && let Some(name) =
            first_run_says(bytes.as_slice(), "experiment").filter(|n| is_plain_name(n))
    {
        experiment.name = name;
    }
    let read = read_runs_from(
        runs_path,
        bytes.as_slice(),
        &experiment,
        experiment.repeats,
        Some(experiment.time_scale),
    )
    .map_err(bad)?;
    refuse_runs_of_another(&read, &experiment, runs_path).map_err(bad)?;
    let runs: Vec<RunRecord> = read.runs.into_iter().map(|r| r.run).collect();
    // The reader refuses an archive of mixed sources, so the first run speaks for all.
    let Some(source) = runs.first().map(|r| r.source) else {
        return Err(bad(format!("{}: no runs to draw", runs_path.display())));
    };
    if let Some(meta) = &meta {
        refuse_meta_of_another(meta, &experiment, source, meta_path).map_err(bad)?;
    }
    Ok(Archive {
        dir: dir.to_path_buf(),
        experiment,
        runs,
        source,
        meta,
    })
}

/// Refuses runs that are not the experiment's own: rows naming scenarios it does not
/// have or settings its scenarios do not have, and runs whose fingerprint is not that of
/// the file at `meta.json`'s settings (a copy or `meta.json` edited since).
fn refuse_runs_of_another(
    read: &ReadRuns,
    experiment: &Experiment,
    runs_path: &Path,
) -> Result<(), String> {
    if let Some(first) = &read.first_unknown {
        return Err(format!(
            "{first} ({} such row(s)); restore this folder's own runs.csv, or run {} again",
            read.unknown,
            experiment.file.display()
        ));
    }
    if let Some(differs) = read.runs.iter().find_map(|r| r.other_scenario.as_ref()) {
        return Err(format!(
            "{differs}; restore this folder's own runs.csv, or run {} again",
            experiment.file.display()
        ));
    }
    // The fingerprint covers the file and the settings meta.json gives: a run made by
    // another file, or at another seed, carries another.
    let hash = experiment.fingerprint();
    match read.runs.iter().find(|r| r.hash != hash) {
        Some(other) => Err(format!(
            "{}:{}: column `experiment_hash`: `{}`, where {} at time_scale {} and seed {} \
             gives `{hash}`: a run of another experiment file or seed; restore the folder's \
             own files, or run the experiment again",
            runs_path.display(),
            other.line,
            other.hash,
            experiment.file.display(),
            experiment.time_scale,
            experiment.seed
        )),
        None => Ok(()),
    }
}

/// Refuses a `meta.json` written for other runs: another experiment's, or another
/// version's of this one (its date, command and machine would be told as these runs').
fn refuse_meta_of_another(
    meta: &crate::output::Meta,
    experiment: &Experiment,
    source: Source,
    path: &Path,
) -> Result<(), String> {
    let hash = experiment.fingerprint();
    let differs = if meta.experiment != experiment.name {
        format!(
            "`experiment` is `{}`, where the runs are of `{}`",
            meta.experiment, experiment.name
        )
    } else if meta.experiment_hash != hash {
        format!(
            "`experiment_hash` is `{}`, where the runs and the experiment's copy give `{hash}`",
            meta.experiment_hash
        )
    } else if meta.source != source {
        format!(
            "`source` is `{}`, where the runs are {}",
            meta.source.name(),
            source.name()
        )
    } else {
        return Ok(());
    };
    Err(format!(
        "{}: {differs}: the meta.json of other runs; restore the folder's own, or run the \
         experiment again",
        path.display()
    ))
}

/// `queuelab plot`: redraws summary, charts and report of each folder from its CSV.
pub fn plot(dirs: &[PathBuf]) -> Result<String, Failure> {
    refuse_named_twice(dirs)?;
    // Locked before reading, so no `run` rewrites runs.csv under our feet.
    let _locks: Vec<FolderLock> = dirs
        .iter()
        .filter(|d| d.is_dir())
        .map(|d| FolderLock::take(d))
        .collect::<Result<_, _>>()?;
    let archives: Vec<Archive> = dirs
        .iter()
        .map(|d| read_archive(d))
        .collect::<Result<_, _>>()?;
    // Every folder is checked before the first is redrawn.
    for archive in &archives {
        check_outputs_can_go(&archive.dir, &archive.experiment)?;
    }
    let mut text = String::new();
    for archive in &archives {
        let environment = archive.meta.as_ref().map(|m| &m.environment);
        text.push_str(&finish(
            &archive.experiment,
            &archive.dir,
            archive.source,
            &archive.runs,
            environment,
            Rewrite::Redraw,
        )?);
    }
    Ok(text)
}

/// Refuses a folder named twice, by any path: its second lock would be refused as
/// another writer's, though it is this one's.
pub(super) fn refuse_named_twice(dirs: &[PathBuf]) -> Result<(), Failure> {
    let mut seen = HashSet::new();
    for dir in dirs {
        if !seen.insert(resolved(dir)) {
            return Err(Failure::BadInput(format!(
                "{} is named twice; nothing was drawn",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Runs a side needs for an interval and a verdict.
pub(super) const MIN_RUNS: usize = 2;

/// Settings of `queuelab compare`.
pub struct CompareOptions {
    pub out: PathBuf,
    /// Exit 1 if any scenario is slower by more than this many percent, beyond noise.
    pub fail_if_slower_pct: Option<f64>,
    /// Changes smaller than this many percent are within noise, however sure.
    pub noise_pct: f64,
}

/// `queuelab compare A B`: scenario by scenario, B against A.
pub fn compare(a: &Path, b: &Path, options: &CompareOptions) -> Result<String, Failure> {
    let (a, b) = (read_archive(a)?, read_archive(b)?);
    let (scale_a, scale_b) = (a.experiment.time_scale, b.experiment.time_scale);
    if scale_a != scale_b {
        return Err(Failure::BadInput(format!(
            "A ({}) was made at time_scale {scale_a} and B ({}) at {scale_b}: their times are \
             not comparable; rerun one at the other's time_scale",
            a.dir.display(),
            b.dir.display()
        )));
    }
    let comparison = match_scenarios(&a, &b, options.noise_pct);
    if comparison.scenarios.is_empty() {
        return Err(Failure::BadInput(format!(
            "A ({}) and B ({}) have no scenario in common (scenarios match by every \
             scenario key); nothing to compare",
            a.dir.display(),
            b.dir.display()
        )));
    }
    let rendered = compare_outputs()
        .iter()
        .map(|o| (o.file_name(&comparison), o.render(&comparison)))
        .collect();
    let written = write_rendered(&options.out, "the comparison", rendered)?;
    let incomplete: Vec<String> = [("A", &a), ("B", &b)]
        .into_iter()
        .filter_map(|(side, archive)| incomplete_note(side, archive))
        .collect();
    let notes = format!("{}{}", sides_note(&a, &b), incomplete.concat());
    let mut text = comparison_table(&comparison, &notes);
    let _ = writeln!(
        text,
        "  wrote {} in {}",
        written.join(", "),
        options.out.display()
    );
    match options.fail_if_slower_pct {
        Some(limit) => match gate(&comparison, limit, !incomplete.is_empty()) {
            Some(why) => Err(Failure::Unmet { said: text, why }),
            None => Ok(text),
        },
        None => Ok(text),
    }
}

/// Why `--fail-if-slower LIMIT` fails the comparison, if it does: a scenario it could not
/// judge (too few runs, or a side `incomplete`, stopped early with scenarios never
/// measured) or one slower by more than `limit` percent.
fn gate(comparison: &Comparison, limit: f64, incomplete: bool) -> Option<String> {
    let unjudged = |verdict| {
        comparison
            .scenarios
            .iter()
            .filter(|s| s.verdict == verdict)
            .count()
    };
    let (few, none) = (unjudged(Verdict::TooFewRuns), unjudged(Verdict::NoTime));
    if few > 0 {
        return Some(format!(
            "--fail-if-slower could not judge {few} scenario(s): too few runs (at least \
             {MIN_RUNS} a side are needed for an interval)"
        ));
    }
    if none > 0 {
        return Some(format!(
            "--fail-if-slower could not judge {none} scenario(s): a side took no time (the \
             model's zero-time work), so there is no ratio"
        ));
    }
    if incomplete {
        return Some(
            "--fail-if-slower could not judge: a side is incomplete (see the note above)"
                .to_string(),
        );
    }
    let slower = comparison
        .scenarios
        .iter()
        .filter(|s| s.verdict == Verdict::Slower && (s.ratio - 1.0) * 100.0 > limit)
        .count();
    (slower > 0).then(|| {
        format!(
            "{slower} scenario(s) slower by more than {}%",
            given_number(limit)
        )
    })
}

/// What a reader must know before trusting the verdicts: that B and A are one folder, or
/// that a side holds the model's predictions rather than measurements.
fn sides_note(a: &Archive, b: &Archive) -> String {
    if resolved(&a.dir) == resolved(&b.dir) {
        return "  note: A and B are the same folder, so every scenario is compared with \
                itself\n"
            .to_string();
    }
    match (a.source, b.source) {
        (Source::Measured, Source::Model) => "  note: B holds the model's predictions \
            (`queuelab simulate`), not measurements: B/A is the model over what was \
            measured\n"
            .to_string(),
        (Source::Model, Source::Measured) => "  note: A holds the model's predictions \
            (`queuelab simulate`), not measurements: B/A is what was measured over the \
            model\n"
            .to_string(),
        _ => String::new(),
    }
}

/// A note when `archive` holds fewer runs than its experiment plans (a run stopped early).
fn incomplete_note(side: &str, archive: &Archive) -> Option<String> {
    let e = &archive.experiment;
    let planned = e.scenarios.len() as u64 * u64::from(e.repeats);
    let made = archive.runs.len() as u64;
    (made < planned).then(|| {
        format!(
            "  note: {side} is incomplete: {made} of its {planned} planned runs were made (a \
             run stopped early; `run --resume` makes the rest)\n"
        )
    })
}

/// Pairs scenarios by their values of every scenario key; the rest are listed apart.
fn match_scenarios(a: &Archive, b: &Archive, noise_pct: f64) -> Comparison {
    // A scenario is the same in both when every key has the same value, whatever its
    // position in either sweep.
    let key = |e: &Experiment, i: usize| -> Vec<String> {
        let s = &e.scenarios[i];
        ScenarioKey::ALL.iter().map(|k| s.value_text(*k)).collect()
    };
    // Each side's elapsed times by scenario, and B's scenarios by key: found at once, not
    // by a search of the other side (sweeps run to 100,000 scenarios).
    let elapsed = |archive: &Archive| -> Vec<(usize, Vec<f64>)> {
        by_scenario(&archive.runs)
            .into_iter()
            .map(|(i, runs)| (i, runs.iter().map(|r| r.elapsed_s).collect()))
            .collect()
    };
    let (a_runs, b_runs) = (elapsed(a), elapsed(b));
    let b_keys: HashMap<Vec<String>, usize> = b_runs
        .iter()
        .enumerate()
        .map(|(at, (j, _))| (key(&b.experiment, *j), at))
        .collect();
    let mut matched_b = vec![false; b_runs.len()];
    let mut comparison = Comparison {
        a_name: side_name(a),
        b_name: side_name(b),
        x: a.experiment.plot.x.clone(),
        log: (a.experiment.plot.log_x, a.experiment.plot.log_y),
        scenarios: Vec::new(),
        only_a: Vec::new(),
        only_b: Vec::new(),
    };
    for (i, runs_a) in &a_runs {
        let i = *i;
        let Some(&at) = b_keys.get(&key(&a.experiment, i)) else {
            comparison
                .only_a
                .push(a.experiment.scenarios[i].label.clone());
            continue;
        };
        matched_b[at] = true;
        let runs_b = &b_runs[at].1;
        let mut stats = compare_runs(runs_a, runs_b, noise_pct, compare_seed(i));
        if runs_a.len().min(runs_b.len()) < MIN_RUNS {
            // One run has no spread: a resampled "interval" would be a point, and a
            // verdict drawn from it would call any jitter a change.
            stats.interval = (f64::NAN, f64::NAN);
            stats.verdict = Verdict::TooFewRuns;
        }
        let scenario = &a.experiment.scenarios[i];
        comparison.scenarios.push(ComparedScenario {
            label: scenario.label.clone(),
            x: a.experiment.plot.x.number(scenario),
            x_words: a.experiment.plot.x.words(scenario),
            line: a.experiment.line_of(i).0,
            median_a: stats.median_a,
            median_b: stats.median_b,
            ratio: stats.ratio,
            interval: stats.interval,
            verdict: stats.verdict,
        });
    }
    for ((j, _), matched) in b_runs.iter().zip(matched_b) {
        if !matched {
            comparison
                .only_b
                .push(b.experiment.scenarios[*j].label.clone());
        }
    }
    comparison
}

/// A side as the table, the file and the chart name it: its experiment, its folder, and
/// whether its times were measured or modelled.
fn side_name(side: &Archive) -> String {
    format!(
        "{} ({}, {})",
        side.experiment.name,
        side.dir.display(),
        side.source.name()
    )
}

/// The seed of the bootstrap comparing scenario `index` (of A): the same runs compare the
/// same way every time.
pub(super) fn compare_seed(index: usize) -> u64 {
    0xc0 ^ index as u64
}

/// The table `compare` prints, under the sides' names and `note` (if any).
fn comparison_table(c: &Comparison, note: &str) -> String {
    let width = label_width(c.scenarios.iter().map(|s| s.label.as_str()));
    let mut text = format!("A = {}\nB = {}\n{note}", c.a_name, c.b_name);
    let _ = writeln!(
        text,
        "  {:<width$}  {:>10}  {:>10}  {:>7}  {:>17}  verdict",
        "scenario", "A median", "B median", "B/A", "95% interval"
    );
    for s in &c.scenarios {
        let _ = writeln!(
            text,
            "  {:<width$}  {:>10}  {:>10}  {:>7}  {:>7} – {:<7}  {}{}",
            s.label,
            seconds_text_precise(s.median_a),
            seconds_text_precise(s.median_b),
            ratio_text(s.ratio),
            ratio_text(s.interval.0),
            ratio_text(s.interval.1),
            s.verdict.name(),
            match s.ratio.is_finite() {
                true => format!(" ({})", percent((s.ratio - 1.0) * 100.0)),
                false => String::new(),
            }
        );
    }
    for label in &c.only_a {
        let _ = writeln!(text, "  {label:<width$}  only in A");
    }
    for label in &c.only_b {
        let _ = writeln!(text, "  {label:<width$}  only in B");
    }
    text
}
