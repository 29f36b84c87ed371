//! `queuelab history DIR`: every committed version of an archive's `runs.csv` (with the
//! `experiment.toml` and `meta.json` beside it), and the working tree's when it differs,
//! each summarised as `plot` would read it, set one after another.
//!
//! Owns choosing the versions, telling which follow each other comparably, judging the
//! steps between them by `compare`'s rule, and the terminal table. Git is read by `git`,
//! archives by `archive_of`, statistics come from `stats`, files from `output`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Failure;
use super::archive::{Archive, MIN_RUNS, archive_of, compare_seed};
use super::print::{given_number, label_width, ratio_text};
use crate::experiment::{self, ChartFormat, MAX_FILE_BYTES};
use crate::git::{Commit, Repository};
use crate::output::Scale;
use crate::output::{
    ChartKind, Content, History, Link, Measured, ScenarioAt, Version, history_outputs,
    in_one_version, metric_named, parse_meta,
};
use crate::record::{RunRecord, Source, by_scenario};
use crate::regular_file;
use crate::scenario::duration::seconds_text_precise;
use crate::stats::{RunComparison, Verdict, interval_seed, judge_change, median, median_interval};

/// Settings of `queuelab history`.
pub struct HistoryOptions {
    /// `elapsed`, `ns_per_item`, `throughput`, `wait_p99` or `max_depth`.
    pub metric: String,
    /// Only versions after this revision, set against the version in force at it.
    pub since: Option<String>,
    /// Only the newest this many committed versions.
    pub limit: Option<usize>,
    /// Changes smaller than this many percent are within noise, as in `compare`.
    pub noise_pct: f64,
    /// Where the files go; `None`: `scratch/history/NAME/`.
    pub out: Option<PathBuf>,
}

/// The files of a results folder that make a version, in the order they are read.
const FILES: [&str; 3] = ["runs.csv", "experiment.toml", "meta.json"];

/// A version's files as read, before they are made sense of.
struct Raw {
    commit: Commit,
    /// `runs.csv`, `experiment.toml`, `meta.json`, each if the version has it.
    files: [Option<Vec<u8>>; 3],
    /// Why the version's files could not be read at all (a working tree's `runs.csv`
    /// that is not a regular file), if so.
    refused: Option<String>,
}

/// A version made sense of: what `History` shows, and what judging its steps needs.
struct Read {
    version: Version,
    /// Each scenario's runs' values of the metric, in repeat order, beside `scenarios`.
    values: Vec<Vec<f64>>,
    /// Index of each scenario in its experiment, for the comparison's seed.
    indices: Vec<usize>,
    /// The experiment file's text, without queuelab's header: any change is a new one.
    source: String,
    /// The experiment's name and chart formats, if the version reads.
    name: Option<(String, Vec<ChartFormat>)>,
}

/// `queuelab history DIR`.
pub fn history(dir: &Path, options: &HistoryOptions) -> Result<String, Failure> {
    let bad = |m: String| Failure::BadInput(m);
    let metric = metric_named("--metric", &options.metric).map_err(bad)?;
    if !dir.is_dir() {
        return Err(bad(format!(
            "{}: not a folder; history reads a results folder committed to git",
            dir.display()
        )));
    }
    let out = match &options.out {
        Some(out) => out.clone(),
        None => default_out(dir),
    };
    if is_within(&out, dir) {
        // The default lies under the current folder, which may be the archive itself.
        let given = match options.out {
            Some(_) => "--out",
            None => "the default output folder (scratch/history/NAME, under this folder)",
        };
        return Err(bad(format!(
            "{given} {} is inside the archive {}; history writes nothing there: name a \
             folder outside it with --out",
            out.display(),
            dir.display()
        )));
    }
    let repo = Repository::containing(dir).map_err(|e| bad(e.to_string()))?;
    let inside = repo.path_of(dir).map_err(|e| bad(e.to_string()))?;
    let raws = read_versions(&repo, dir, &inside, options)?;
    let mut read: Vec<Read> = raws
        .into_par_iter()
        .map(|raw| make_sense(raw, dir, &inside, metric))
        .collect();
    link_versions(&mut read, options.noise_pct);
    let Some((name, formats)) = read.iter().rev().find_map(|r| r.name.clone()) else {
        return Err(bad(nothing_readable(dir, &read)));
    };
    let history = History {
        dir: dir.display().to_string(),
        name,
        metric,
        formats,
        versions: read.into_iter().map(|r| r.version).collect(),
    };
    let written = write(&history, &out)?;
    let mut text = versions_table(&history);
    text.push_str(&steps_table(&history, options.noise_pct));
    let once = in_one_version(&history);
    if !once.is_empty() {
        let _ = writeln!(
            text,
            "  {} scenario(s) in one version only: no history to chart; history.csv has their rows",
            once.len()
        );
    }
    let _ = writeln!(text, "  wrote {} in {}", written.join(", "), out.display());
    Ok(text)
}

/// Whether `path` (which need not exist yet) is `dir` or inside it, by any path: each is
/// resolved as far as it exists.
fn is_within(path: &Path, dir: &Path) -> bool {
    let resolved = |p: &Path| -> PathBuf {
        let absolute = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut rest = Vec::new();
        let mut at = absolute.as_path();
        loop {
            if let Ok(real) = at.canonicalize() {
                return rest.iter().rev().fold(real, |real, part| real.join(part));
            }
            match (at.parent(), at.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    at = parent;
                }
                _ => return absolute,
            }
        }
    };
    resolved(path).starts_with(resolved(dir))
}

/// `scratch/history/NAME/`, NAME the folder's own name: ignored by git, and never the
/// archive itself.
fn default_out(dir: &Path) -> PathBuf {
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "archive".to_string());
    Path::new("scratch").join("history").join(name)
}

/// The committed versions (the newest `limit`), and the working tree's if it differs from
/// the newest commit's.
fn read_versions(
    repo: &Repository,
    dir: &Path,
    inside: &str,
    options: &HistoryOptions,
) -> Result<Vec<Raw>, Failure> {
    let bad = |m: String| Failure::BadInput(m);
    let path_of = |file: &str| {
        if inside.is_empty() {
            file.to_string()
        } else {
            format!("{inside}/{file}")
        }
    };
    let runs = path_of(FILES[0]);
    let (base, mut commits) = repo
        .commits_changing(&runs, options.since.as_deref())
        .map_err(|e| bad(e.to_string()))?;
    // `--limit` keeps the newest commits; the base they are set against stays first.
    if let Some(limit) = options.limit {
        commits.drain(..commits.len().saturating_sub(limit));
    }
    commits.splice(..0, base);
    if commits.is_empty() {
        let after = match &options.since {
            Some(since) => format!(" since {since}"),
            None => String::new(),
        };
        return Err(bad(format!(
            "{}: no commit{after} of {} has {runs}: history reads the versions committed to \
             git; commit the archive first (git add {} && git commit)",
            dir.display(),
            repo.top.display(),
            dir.display()
        )));
    }
    let mut wanted: Vec<(String, String)> = commits
        .iter()
        .flat_map(|c| FILES.iter().map(|f| (c.hash.clone(), path_of(f))))
        .collect();
    wanted.push(("HEAD".to_string(), runs.clone()));
    let mut blobs = repo.read_files(&wanted).map_err(|e| bad(e.to_string()))?;
    let head_runs = blobs.pop().flatten();
    let mut blobs = blobs.into_iter();
    let mut raws: Vec<Raw> = commits
        .into_iter()
        .map(|commit| Raw {
            commit,
            files: std::array::from_fn(|_| blobs.next().flatten()),
            refused: None,
        })
        .collect();
    raws.extend(working_tree(dir, head_runs.as_deref()));
    Ok(raws)
}

/// The working tree's version, if its `runs.csv` differs from the one HEAD holds.
fn working_tree(dir: &Path, head_runs: Option<&[u8]>) -> Option<Raw> {
    // Only regular files, bounded as `plot` bounds them: reading a FIFO would block.
    let read = |file: &str| regular_file::read(&dir.join(file), MAX_FILE_BYTES).ok();
    let runs_path = dir.join(FILES[0]);
    // No runs.csv at all is no version; one that cannot be read is one, said so.
    fs::symlink_metadata(&runs_path).ok()?;
    let runs = regular_file::read_all(&runs_path);
    if let Ok(runs) = &runs
        && head_runs == Some(runs.as_slice())
    {
        return None;
    }
    let written = fs::metadata(&runs_path).and_then(|m| m.modified());
    let date = written
        .map(|t| humantime::format_rfc3339_seconds(t).to_string())
        .unwrap_or_default();
    let commit = Commit {
        hash: WORKING_TREE.to_string(),
        short: WORKING_TREE.to_string(),
        date,
        subject: "(not committed)".to_string(),
    };
    Some(match runs {
        Ok(runs) => Raw {
            commit,
            files: [Some(runs), read(FILES[1]), read(FILES[2])],
            refused: None,
        },
        Err(why) => Raw {
            commit,
            files: [None, None, None],
            refused: Some(format!("{}: {why}", runs_path.display())),
        },
    })
}

/// How the working tree's version is named where a commit's hash would be.
const WORKING_TREE: &str = "working tree";

/// Reads one version's files as `plot` reads a folder, and summarises the metric of its
/// runs per scenario with the statistics of `summary.csv`.
fn make_sense(raw: Raw, dir: &Path, inside: &str, metric: &dyn ChartKind) -> Read {
    let Raw {
        commit,
        files,
        refused,
    } = raw;
    let mut read = Read {
        version: Version {
            commit: commit.hash.clone(),
            short: commit.short.clone(),
            date: commit.date.clone(),
            subject: commit.subject.clone(),
            content: Content::Deleted,
            link: Link::First,
        },
        values: Vec::new(),
        indices: Vec::new(),
        source: String::new(),
        name: None,
    };
    if let Some(why) = refused {
        read.version.content = Content::Unreadable(why);
        return read;
    }
    if files[0].is_none() {
        return read;
    }
    let archive = match archive_at(files, |file| file_name(&commit, dir, inside, file), dir) {
        Ok(archive) => archive,
        Err(why) => {
            read.version.content = Content::Unreadable(why.trim_end().to_string());
            return read;
        }
    };
    let e = &archive.experiment;
    let mut scenarios = Vec::new();
    // In repeat order, as `summarise` resamples them, so the intervals agree.
    let runs: HashMap<usize, Vec<&RunRecord>> = by_scenario(&archive.runs).into_iter().collect();
    for scenario in &e.scenarios {
        let mine = runs.get(&scenario.index).map_or(&[][..], Vec::as_slice);
        let values: Vec<f64> = mine.iter().filter_map(|r| metric.of_run(r)).collect();
        if values.is_empty() {
            continue;
        }
        scenarios.push(ScenarioAt {
            label: scenario.label.clone(),
            runs: values.len(),
            median: median(&values),
            interval: median_interval(&values, interval_seed(scenario.index)),
            step: None,
        });
        read.values.push(values);
        read.indices.push(scenario.index);
    }
    read.version.content = Content::Read(Measured {
        time_scale: e.time_scale,
        seed: e.seed,
        host: archive.meta.as_ref().map(|m| m.environment.host.clone()),
        experiment_hash: e.fingerprint(),
        model: archive.source == Source::Model,
        scenarios,
    });
    read.source = e.source.clone();
    read.name = Some((e.name.clone(), e.plot.formats.clone()));
    read
}

/// A version's file as errors name it: as git does (`a1b2c3d:results/seed/runs.csv`), or
/// its path in the working tree.
fn file_name(commit: &Commit, dir: &Path, inside: &str, file: &str) -> PathBuf {
    if commit.hash == WORKING_TREE {
        dir.join(file)
    } else if inside.is_empty() {
        PathBuf::from(format!("{}:{file}", commit.short))
    } else {
        PathBuf::from(format!("{}:{inside}/{file}", commit.short))
    }
}

/// The archive `files` (`FILES`, each if present) make, as `plot` would read it from a
/// folder; why not, naming the file by `name`.
fn archive_at(
    files: [Option<Vec<u8>>; 3],
    name: impl Fn(&str) -> PathBuf,
    dir: &Path,
) -> Result<Archive, String> {
    let [runs, toml, meta] = files;
    let runs = runs.unwrap_or_default();
    let toml = toml.ok_or_else(|| format!("{}: not in this version", FILES[1]))?;
    let experiment = experiment::from_archived_bytes(&name(FILES[1]), toml)
        .map_err(|rejected| rejected.to_string())?;
    let meta = match meta {
        None => None,
        Some(bytes) => Some(parse_meta(
            &name(FILES[2]),
            &String::from_utf8_lossy(&bytes),
        )?),
    };
    archive_of(
        dir,
        experiment,
        (meta, &name(FILES[2])),
        &name(FILES[0]),
        runs.as_slice(),
    )
    .map_err(|failure| failure.message().to_string())
}

impl Read {
    fn measured(&self) -> Option<&Measured> {
        match &self.version.content {
            Content::Read(m) => Some(m),
            _ => None,
        }
    }
}

/// Sets each version's link to the one before, and judges the steps of comparable ones.
fn link_versions(read: &mut [Read], noise_pct: f64) {
    for i in 0..read.len() {
        let link = match i {
            0 => Link::First,
            _ => link(&read[i - 1], &read[i]),
        };
        read[i].version.link = link;
    }
    let steps: Vec<Vec<Option<RunComparison>>> = (0..read.len())
        .into_par_iter()
        .map(|i| match read[i].version.link {
            Link::Comparable => steps(&read[i - 1], &read[i], noise_pct),
            _ => Vec::new(),
        })
        .collect();
    for (r, steps) in read.iter_mut().zip(steps) {
        if let Content::Read(m) = &mut r.version.content {
            for (s, step) in m.scenarios.iter_mut().zip(steps) {
                s.step = step;
            }
        }
    }
}

/// Whether `after` was made as `before` was: same time_scale, seed, host and experiment
/// file. Every difference is named.
fn link(before: &Read, after: &Read) -> Link {
    let (Some(b), Some(a)) = (before.measured(), after.measured()) else {
        return Link::Break(match (&before.version.content, &after.version.content) {
            (_, Content::Deleted) => "runs.csv deleted".to_string(),
            (_, Content::Unreadable(_)) => "unreadable".to_string(),
            (Content::Deleted, _) => "after a deleted version".to_string(),
            _ => "after an unreadable version".to_string(),
        });
    };
    let mut changed = Vec::new();
    if b.time_scale != a.time_scale {
        changed.push(format!("time_scale {} → {}", b.time_scale, a.time_scale));
    }
    if b.seed != a.seed {
        changed.push(format!("seed {} → {}", b.seed, a.seed));
    }
    if b.host != a.host {
        let host = |h: &Option<String>| h.clone().unwrap_or_else(|| "unknown".to_string());
        changed.push(format!("host {} → {}", host(&b.host), host(&a.host)));
    }
    if before.source != after.source {
        changed.push("experiment.toml changed".to_string());
    }
    if b.model != a.model {
        changed.push("measured and modelled runs".to_string());
    }
    if changed.is_empty() {
        Link::Comparable
    } else {
        Link::Break(changed.join("; "))
    }
}

/// Each scenario of `after` against the same scenario of `before`, by `compare`'s rule.
fn steps(before: &Read, after: &Read, noise_pct: f64) -> Vec<Option<RunComparison>> {
    let (Some(b), Some(a)) = (before.measured(), after.measured()) else {
        return Vec::new();
    };
    a.scenarios
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let k = b.scenarios.iter().position(|p| p.label == s.label)?;
            let (old, new) = (&before.values[k], &after.values[j]);
            let mut step = judge_change(old, new, noise_pct, compare_seed(after.indices[j]));
            if old.len().min(new.len()) < MIN_RUNS {
                // One run has no spread: no interval, and no verdict drawn from it.
                step.interval = (f64::NAN, f64::NAN);
                step.verdict = Verdict::TooFewRuns;
            }
            Some(step)
        })
        .collect()
}

fn nothing_readable(dir: &Path, read: &[Read]) -> String {
    let mut text = format!(
        "{}: none of its {} version(s) reads as a results folder:\n",
        dir.display(),
        read.len()
    );
    for r in read.iter().take(5) {
        let why = match &r.version.content {
            Content::Unreadable(why) => why.lines().next().unwrap_or_default().to_string(),
            _ => "runs.csv deleted".to_string(),
        };
        let _ = writeln!(text, "  {}: {why}", r.version.short);
    }
    text.push_str("nothing was written");
    text
}

/// Writes every output into `out`, locked; returns the file names.
fn write(history: &History, out: &Path) -> Result<Vec<String>, Failure> {
    let rendered = history_outputs(history)
        .iter()
        .map(|o| (o.file_name(history), o.render(history)))
        .collect();
    super::write_rendered(out, "the history", rendered)
}

/// A count or a rate to five significant digits, whole from 10,000 up: `12.500`,
/// `333333333` (a throughput of items/s), never wider than its column by decimals.
fn significant(value: f64) -> String {
    let decimals = crate::scenario::duration::decimals_for(value, 5);
    format!("{value:.decimals$}")
}

/// A line per version: its commit, date, how it follows the one before, its subject.
fn versions_table(h: &History) -> String {
    let mut text = format!(
        "{} ({}): {} across {} version(s) of runs.csv, oldest first\n",
        h.name,
        h.dir,
        h.metric.y_title(),
        h.versions.len()
    );
    let width = h
        .versions
        .iter()
        .map(|v| v.short.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let links = h.versions.iter().map(|v| v.link.words().chars().count());
    let link_width = links.max().unwrap_or(10).max(10);
    let _ = writeln!(
        text,
        "  {:>3}  {:<width$}  {:<10}  {:>10}  {:<link_width$}  subject",
        "#", "commit", "date", "scenarios", "comparable"
    );
    for (i, v) in h.versions.iter().enumerate() {
        let scenarios = match &v.content {
            Content::Read(m) => m.scenarios.len().to_string(),
            Content::Deleted => "deleted".to_string(),
            Content::Unreadable(_) => "unreadable".to_string(),
        };
        let date: String = v.date.chars().take(10).collect();
        let _ = writeln!(
            text,
            "  {:>3}  {:<width$}  {date:<10}  {scenarios:>10}  {:<link_width$}  {}",
            i + 1,
            v.short,
            v.link.words(),
            v.subject
        );
        if let Content::Unreadable(why) = &v.content {
            let _ = writeln!(text, "       {}", why.lines().next().unwrap_or_default());
        }
    }
    text
}

/// The steps beyond noise between comparable versions, each with its commit's subject.
fn steps_table(h: &History, noise_pct: f64) -> String {
    let mut judged = 0;
    let mut unjudged = 0;
    let mut rows: Vec<(&Version, &Version, &ScenarioAt)> = Vec::new();
    for pair in h.versions.windows(2) {
        let Content::Read(m) = &pair[1].content else {
            continue;
        };
        for s in &m.scenarios {
            let Some(step) = &s.step else { continue };
            match step.verdict {
                Verdict::TooFewRuns | Verdict::NoTime => unjudged += 1,
                Verdict::Slower | Verdict::Faster => {
                    judged += 1;
                    rows.push((&pair[0], &pair[1], s));
                }
                Verdict::WithinNoise => judged += 1,
            }
        }
    }
    let rule = format!(
        "compare's rule: the 95% interval of after/before clear of 1, and at least {}% from 1",
        given_number(noise_pct)
    );
    let mut text = if rows.is_empty() {
        format!("no step beyond noise in {judged} step(s) judged ({rule})\n")
    } else {
        format!(
            "{} of {judged} step(s) beyond noise ({rule}):\n",
            rows.len()
        )
    };
    if !rows.is_empty() {
        let width = label_width(rows.iter().map(|r| r.2.label.as_str()));
        // Times each in the unit that reads them (a time per item in ns, not 0.0000 s);
        // other measures in theirs, named in the header.
        let time = h.metric.scale() == Scale::Duration;
        let value = |v: f64| match time {
            true => seconds_text_precise(v),
            false => significant(v),
        };
        let unit = match time {
            true => String::new(),
            false => format!(" {}", h.metric.unit()),
        };
        let _ = writeln!(
            text,
            "  {:<7}  {:<7}  {:<width$}  {:>12}  {:>12}  {:>7}  {:>17}  {:<9}  subject",
            "from",
            "to",
            "scenario",
            format!("before{unit}"),
            format!("after{unit}"),
            "ratio",
            "95% interval",
            "verdict"
        );
        for (from, to, s) in rows {
            let Some(step) = &s.step else { continue };
            // From 0 there is no ratio, nor an interval of one: `from 0` says it once.
            let interval = match step.ratio.is_finite() {
                true => format!(
                    "{:>7} – {:<7}",
                    ratio_text(step.interval.0),
                    ratio_text(step.interval.1)
                ),
                false => String::new(),
            };
            let _ = writeln!(
                text,
                "  {:<7}  {:<7}  {:<width$}  {:>12}  {:>12}  {:>7}  {interval:<17}  {:<9}  {}",
                from.short,
                to.short,
                s.label,
                value(step.median_a),
                value(step.median_b),
                ratio_text(step.ratio),
                h.verdict_words(step.verdict),
                to.subject
            );
        }
    }
    if unjudged > 0 {
        let _ = writeln!(
            text,
            "  {unjudged} step(s) not judged: fewer than {MIN_RUNS} runs on a side"
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn counts_and_rates_read_to_five_digits_and_fit_their_column() {
        assert_eq!(significant(12.5), "12.500");
        assert_eq!(significant(0.25), "0.2500");
        assert_eq!(significant(333_333_333.33), "333333333");
        assert!(significant(1e9).len() <= 12);
        assert_eq!(significant(f64::INFINITY), "inf");
        assert_eq!(significant(f64::NAN), "NaN");
    }
}
