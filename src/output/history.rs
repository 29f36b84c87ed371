//! The files `queuelab history` writes: `history.csv`, a row per version and scenario, and
//! a chart of each scenario's median across versions. Their data is a `History`, made by
//! the pipeline from the versions git holds; nothing here reads git or computes a
//! statistic.

use std::collections::{HashMap, HashSet};

use super::chart::{
    ChartData, ChartKind, MOST_LINES_IN_A_PANEL, Panel, Point, Scale, Series, XAxis, name_key_once,
    render,
};
use super::{RenderError, csv_bytes, fixed};
use crate::experiment::{Bars, ChartFormat};
use crate::stats::{RunComparison, Verdict};

/// An archive's versions, oldest first, each summarised.
pub struct History {
    /// The results folder as the person named it.
    pub dir: String,
    /// The experiment's name, as its newest readable version gives it.
    pub name: String,
    pub metric: &'static dyn ChartKind,
    /// The chart's formats: the newest readable version's `[plot] formats`.
    pub formats: Vec<ChartFormat>,
    pub versions: Vec<Version>,
}

/// One version of the archive: a commit that changed `runs.csv`, or the working tree's.
pub struct Version {
    /// The full hash, or `working tree`.
    pub commit: String,
    /// The short hash (or `working tree`), as charts and tables name the version.
    pub short: String,
    /// ISO 8601: the commit's author date, or when the working tree's file was written.
    pub date: String,
    pub subject: String,
    pub content: Content,
    pub link: Link,
}

/// What a version held.
pub enum Content {
    Read(Measured),
    /// The commit deleted `runs.csv`.
    Deleted,
    /// The files could not be read as an archive; why.
    Unreadable(String),
}

/// A version that reads: how its runs were made, and each scenario's median.
pub struct Measured {
    pub time_scale: f64,
    pub seed: u64,
    /// The machine, from `meta.json`; `None` where the version has none.
    pub host: Option<String>,
    /// The experiment's fingerprint, as `runs.csv` and `meta.json` record it.
    pub experiment_hash: String,
    /// The runs are the model's (`simulate`), not measured.
    pub model: bool,
    pub scenarios: Vec<ScenarioAt>,
}

/// One scenario in one version.
pub struct ScenarioAt {
    pub label: String,
    pub runs: usize,
    pub median: f64,
    /// 95% interval of the median, as `summary.csv` gives it (a point for one run).
    pub interval: (f64, f64),
    /// Against the same scenario in the version before, where the two compare: this
    /// version's median over that one's, judged by `compare`'s rule.
    pub step: Option<RunComparison>,
}

/// How a version follows the one before it.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// The oldest version shown.
    First,
    /// Made the same way (time_scale, seed, host, experiment): its steps are judged.
    Comparable,
    /// Not comparable, and why: the chart draws a rule and breaks its lines here.
    Break(String),
}

impl Link {
    /// The `comparable` column: `first`, `yes` or `no: WHY`.
    pub fn words(&self) -> String {
        match self {
            Link::First => "first".to_string(),
            Link::Comparable => "yes".to_string(),
            Link::Break(why) => format!("no: {why}"),
        }
    }
}

impl History {
    /// A step's verdict in the metric's words: `slower`, `faster` (or `deeper`, ...).
    pub fn verdict_words(&self, verdict: Verdict) -> &'static str {
        let [rise, fall] = self.metric.change_words();
        match verdict {
            Verdict::Slower => rise,
            Verdict::Faster => fall,
            other => other.name(),
        }
    }
}

/// One file `history` writes.
pub trait HistoryOutput {
    fn file_name(&self, history: &History) -> String;
    /// The whole file, in memory.
    fn render(&self, history: &History) -> Result<Vec<u8>, RenderError>;
}

/// Every file `history` writes: the table, and the chart in each of its formats.
pub fn history_outputs(history: &History) -> Vec<Box<dyn HistoryOutput>> {
    let mut outputs: Vec<Box<dyn HistoryOutput>> = vec![Box::new(HistoryCsv)];
    for format in &history.formats {
        outputs.push(Box::new(HistoryChart { format: *format }));
    }
    outputs
}

pub struct HistoryCsv;

const HEADER: [&str; 22] = [
    "version",
    "commit",
    "date",
    "subject",
    "status",
    "problem",
    "comparable",
    "time_scale",
    "seed",
    "host",
    "experiment_hash",
    "scenario",
    "runs",
    "metric",
    "unit",
    "median",
    "median_low",
    "median_high",
    "ratio",
    "ratio_low",
    "ratio_high",
    "verdict",
];

impl HistoryOutput for HistoryCsv {
    fn file_name(&self, _: &History) -> String {
        "history.csv".to_string()
    }

    fn render(&self, h: &History) -> Result<Vec<u8>, RenderError> {
        let mut rows = Vec::new();
        for (i, v) in h.versions.iter().enumerate() {
            let mut version = vec![
                (i + 1).to_string(),
                v.commit.clone(),
                v.date.clone(),
                v.subject.clone(),
            ];
            let m = match &v.content {
                Content::Read(m) => m,
                Content::Deleted | Content::Unreadable(_) => {
                    let (status, problem) = match &v.content {
                        Content::Unreadable(why) => ("unreadable", why.clone()),
                        _ => ("deleted", String::new()),
                    };
                    version.extend([status.to_string(), problem, v.link.words()]);
                    version.resize(HEADER.len(), String::new());
                    rows.push(version);
                    continue;
                }
            };
            version.extend([
                "read".to_string(),
                String::new(),
                v.link.words(),
                m.time_scale.to_string(),
                m.seed.to_string(),
                m.host.clone().unwrap_or_default(),
                m.experiment_hash.clone(),
            ]);
            for s in &m.scenarios {
                let mut row = version.clone();
                row.extend(scenario_cells(h, s));
                rows.push(row);
            }
        }
        csv_bytes(&HEADER, rows)
    }
}

/// The cells from `scenario` on: the median with its interval, and the step to it.
fn scenario_cells(h: &History, s: &ScenarioAt) -> Vec<String> {
    // Seconds to the picosecond: a time per item of 44.3 ns keeps its three digits.
    let decimals = match h.metric.scale() {
        Scale::Duration => 12,
        _ => 9,
    };
    let value = |v: f64| fixed(v, decimals);
    let mut cells = vec![
        s.label.clone(),
        s.runs.to_string(),
        h.metric.stem().to_string(),
        h.metric.unit().to_string(),
        value(s.median),
        value(s.interval.0),
        value(s.interval.1),
    ];
    match &s.step {
        Some(step) => cells.extend([
            fixed(step.ratio, 4),
            fixed(step.interval.0, 4),
            fixed(step.interval.1, 4),
            h.verdict_words(step.verdict).to_string(),
        ]),
        None => cells.extend([String::new(), String::new(), String::new(), String::new()]),
    }
    cells
}

pub struct HistoryChart {
    pub format: ChartFormat,
}

impl HistoryOutput for HistoryChart {
    fn file_name(&self, h: &History) -> String {
        format!("history_{}.{}", h.metric.stem(), self.format.extension())
    }

    fn render(&self, h: &History) -> Result<Vec<u8>, RenderError> {
        render(&chart_data(h), self.format)
    }
}

/// Rules drawn under the chart, one a line; beyond these, history.csv says the rest.
const NOTED_BREAKS: usize = 3;

/// Most panels a history chart draws: 12 rows of 4, each as large as a panel of a 4 × 4
/// chart. The image grows taller by a row per 4 beyond 16; beyond these, history.csv.
pub const MOST_PANELS: usize = 48;

/// Each scenario's median across versions, a band for its interval, a line per stretch of
/// comparable versions; a panel per scenario, each its own y axis, beyond six scenarios.
/// Only scenarios read in two versions or more are drawn: one point has no history, and
/// the chart says how many it leaves out (the terminal and history.csv name them).
pub fn chart_data(h: &History) -> ChartData {
    let read_in = versions_read_in(h);
    let once = read_in.iter().filter(|(_, n)| *n == 1).count();
    let several: Vec<String> = read_in
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(l, _)| l)
        .collect();
    let drawn = drawn_scenarios(h, &several);
    let faceted = drawn.len() > MOST_LINES_IN_A_PANEL;
    let (common, mut shown) = what_varies(&drawn);
    let legend_title = if faceted {
        None
    } else {
        name_key_once(&mut shown)
    };
    let mut panels: Vec<Panel> = if faceted {
        shown
            .iter()
            .map(|l| Panel {
                title: Some(l.clone()),
                series: Vec::new(),
                gaps: Vec::new(),
            })
            .collect()
    } else if drawn.is_empty() {
        Vec::new()
    } else {
        vec![Panel::default()]
    };
    for (n, label) in drawn.iter().enumerate() {
        let (panel, line) = if faceted { (n, 0) } else { (0, n) };
        panels[panel].series.extend(stretches(h, label, line));
    }
    let rules: Vec<f64> = (h.versions.iter().enumerate())
        .filter(|(_, v)| matches!(v.link, Link::Break(_)))
        .map(|(i, _)| i as f64 - 0.5)
        .collect();
    let mut notes = left_out_notes(once, several.len(), drawn.len());
    let mut breaks: Vec<String> = h.versions.iter().filter_map(note).collect();
    if breaks.len() > NOTED_BREAKS {
        let more = breaks.len() - NOTED_BREAKS;
        breaks.truncate(NOTED_BREAKS);
        breaks.push(format!("and {more} more: history.csv says why"));
    }
    notes.extend(breaks);
    let model = h
        .versions
        .iter()
        .any(|v| matches!(&v.content, Content::Read(m) if m.model));
    let mut subtitle = vec![
        h.dir.clone(),
        "a version per commit that changed runs.csv, oldest left".to_string(),
        "the median of each version's runs, its 95% interval shaded".to_string(),
    ];
    if !common.is_empty() {
        subtitle.push(format!("every scenario drawn: {}", common.join(" ")));
    }
    if faceted {
        subtitle.push("a panel per scenario, each its own y axis".to_string());
    }
    ChartData {
        title: format!(
            "{}: {} across versions",
            h.name,
            h.metric.y_title().split(" (").next().unwrap_or_default()
        ),
        subtitle: subtitle.join(" · "),
        x: XAxis::Versions {
            title: "version: commit and author date".to_string(),
            names: h
                .versions
                .iter()
                .map(|v| (v.short.clone(), v.date.chars().take(10).collect()))
                .collect(),
        },
        y_title: h.metric.y_title().to_string(),
        y_scale: h.metric.scale(),
        log_y: false,
        bars: Bars::Vertical,
        panels,
        lines: if drawn.is_empty() {
            Vec::new()
        } else if faceted {
            vec![String::new()]
        } else {
            shown
        },
        legend_title,
        model_only: model,
        notes,
        rules,
        y_per_panel: faceted,
    }
}

/// Each scenario, in order of first appearance, with how many versions it was read in:
/// one pass over the versions, since archives reach thousands of rows.
fn versions_read_in(h: &History) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for v in &h.versions {
        let Content::Read(m) = &v.content else {
            continue;
        };
        let mut seen_here: HashSet<&str> = HashSet::new();
        for s in m.scenarios.iter().filter(|s| seen_here.insert(&s.label)) {
            let i = *at.entry(&s.label).or_insert_with(|| {
                counts.push((s.label.clone(), 0));
                counts.len() - 1
            });
            counts[i].1 += 1;
        }
    }
    counts
}

/// Scenarios read in one version only, in order of first appearance: no history to draw.
pub fn in_one_version(h: &History) -> Vec<String> {
    let counts = versions_read_in(h).into_iter();
    counts.filter(|(_, n)| *n == 1).map(|(l, _)| l).collect()
}

/// The scenarios a chart draws, in order: all of `several`, or where they are more than
/// `MOST_PANELS`, those with a step beyond noise first and then the earliest.
fn drawn_scenarios(h: &History, several: &[String]) -> Vec<String> {
    if several.len() <= MOST_PANELS {
        return several.to_vec();
    }
    let stepped = |label: &String| {
        h.versions.iter().any(|v| match &v.content {
            Content::Read(m) => m.scenarios.iter().any(|s| {
                s.label == *label
                    && s.step.as_ref().is_some_and(|step| {
                        matches!(step.verdict, Verdict::Slower | Verdict::Faster)
                    })
            }),
            _ => false,
        })
    };
    let mut chosen: Vec<&String> = several.iter().filter(|l| stepped(l)).collect();
    chosen.extend(several.iter().filter(|l| !stepped(l)));
    chosen.truncate(MOST_PANELS);
    several
        .iter()
        .filter(|l| chosen.contains(l))
        .cloned()
        .collect()
}

/// What the chart's notes say of the scenarios it does not draw.
fn left_out_notes(once: usize, several: usize, drawn: usize) -> Vec<String> {
    let all = once + several;
    let mut notes = Vec::new();
    if several == 0 && all > 0 {
        notes.push(format!(
            "every scenario ({all}) is in one version only: nothing to draw across versions yet"
        ));
        notes.push("history.csv has each scenario's median in that version".to_string());
    } else if once > 0 {
        notes.push(format!(
            "{once} scenario{} in one version only, not drawn: history.csv has {}",
            plural(once),
            if once == 1 { "it" } else { "them" }
        ));
    }
    if drawn < several {
        notes.push(format!(
            "{} more scenario{} not drawn (at most {MOST_PANELS} panels, those with a step \
             beyond noise first): history.csv has every one",
            several - drawn,
            plural(several - drawn)
        ));
    }
    notes
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The settings every label shares, and each label without them: panel titles and legend
/// entries name only what varies, the subtitle the rest once. Labels are `key=value`
/// settings separated by spaces, as the experiment names its scenarios.
fn what_varies(labels: &[String]) -> (Vec<String>, Vec<String>) {
    if labels.len() < 2 {
        return (Vec::new(), labels.to_vec());
    }
    let settings = |label: &str| -> Vec<String> { label.split(' ').map(str::to_string).collect() };
    let common: Vec<String> = settings(&labels[0])
        .into_iter()
        .filter(|part| labels.iter().all(|l| l.split(' ').any(|p| p == part)))
        .collect();
    let shown = labels
        .iter()
        .map(|l| {
            let rest: Vec<&str> = l
                .split(' ')
                .filter(|p| !common.iter().any(|c| c == p))
                .collect();
            if rest.is_empty() {
                l.clone()
            } else {
                rest.join(" ")
            }
        })
        .collect();
    (common, shown)
}

/// The scenario's line as stretches of comparable versions that have it: a new stretch
/// after every break and every version without it.
fn stretches(h: &History, label: &str, line: usize) -> Vec<Series> {
    let mut done: Vec<Series> = Vec::new();
    let mut current: Option<Series> = None;
    for (i, v) in h.versions.iter().enumerate() {
        let found = match &v.content {
            Content::Read(m) => m.scenarios.iter().find(|s| s.label == label),
            _ => None,
        };
        if v.link != Link::Comparable {
            done.extend(current.take());
        }
        let Some(s) = found else {
            done.extend(current.take());
            continue;
        };
        let series = current.get_or_insert_with(|| Series {
            line,
            ..Series::default()
        });
        let x = i as f64;
        series.points.push(Point {
            x,
            min: s.median,
            median: s.median,
            max: s.median,
        });
        if s.interval.0.is_finite() && s.interval.1.is_finite() {
            series.band.push((x, s.interval.0, s.interval.1));
        }
    }
    done.extend(current);
    done
}

/// Characters of a note under the chart: one line of the image.
const NOTE_CHARS: usize = 140;

/// What the chart says under it of a version: why a rule stands before it, or why it has
/// no points. A break only because the version before had none is said there.
fn note(v: &Version) -> Option<String> {
    let text = match (&v.content, &v.link) {
        (Content::Unreadable(why), _) => format!("{} unreadable: {}", v.short, first_line(why)),
        (Content::Deleted, _) => format!("{}: runs.csv deleted", v.short),
        (_, Link::Break(why)) if !why.starts_with("after ") => {
            format!("rule before {}: {why}", v.short)
        }
        _ => return None,
    };
    Some(if text.chars().count() > NOTE_CHARS {
        let cut: String = text.chars().take(NOTE_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::chart::Elapsed;
    use super::*;

    fn at(label: &str, median: f64) -> ScenarioAt {
        ScenarioAt {
            label: label.to_string(),
            runs: 3,
            median,
            interval: (median * 0.9, median * 1.1),
            step: None,
        }
    }

    fn version(short: &str, link: Link, content: Content) -> Version {
        Version {
            commit: format!("{short}0000"),
            short: short.to_string(),
            date: "2025-01-02T03:04:05Z".to_string(),
            subject: format!("subject of {short}"),
            content,
            link,
        }
    }

    fn read(scenarios: Vec<ScenarioAt>) -> Content {
        Content::Read(Measured {
            time_scale: 1.0,
            seed: 42,
            host: Some("vm".to_string()),
            experiment_hash: "0123".to_string(),
            model: false,
            scenarios,
        })
    }

    /// a, b: both scenarios; c: a break; d deleted; e after it, with `x` only.
    fn history() -> History {
        let both = |m: f64| read(vec![at("x", m), at("y", m * 2.0)]);
        History {
            dir: "results/t".to_string(),
            name: "t".to_string(),
            metric: &Elapsed::CHARTED,
            formats: vec![ChartFormat::Svg],
            versions: vec![
                version("a", Link::First, both(1.0)),
                version("b", Link::Comparable, both(1.1)),
                version(
                    "c",
                    Link::Break("time_scale 1 → 0.5".to_string()),
                    both(0.5),
                ),
                version(
                    "d",
                    Link::Break("runs.csv deleted".to_string()),
                    Content::Deleted,
                ),
                version(
                    "e",
                    Link::Break("after a deleted version".to_string()),
                    read(vec![at("x", 0.6)]),
                ),
            ],
        }
    }

    #[test]
    fn lines_break_at_every_rule_and_the_chart_says_why() {
        let data = chart_data(&history());
        assert_eq!(data.lines, ["x", "y"]);
        assert_eq!(data.rules, [1.5, 2.5, 3.5]);
        let stretches = |line: usize| -> Vec<Vec<f64>> {
            data.panels[0]
                .series
                .iter()
                .filter(|s| s.line == line)
                .map(|s| s.points.iter().map(|p| p.x).collect())
                .collect()
        };
        assert_eq!(stretches(0), [vec![0.0, 1.0], vec![2.0], vec![4.0]]);
        assert_eq!(stretches(1), [vec![0.0, 1.0], vec![2.0]]);
        let band = &data.panels[0].series[0].band;
        assert_eq!(band.len(), 2);
        assert!((band[1].1 - 1.1 * 0.9).abs() < 1e-12 && (band[1].2 - 1.1 * 1.1).abs() < 1e-12);
        assert_eq!(
            data.notes,
            ["rule before c: time_scale 1 → 0.5", "d: runs.csv deleted"]
        );
        assert!(!data.y_per_panel);
    }

    #[test]
    fn more_than_six_scenarios_make_a_panel_each_on_its_own_axis() {
        let mut h = history();
        let many = |m: f64| -> Content {
            read((0..7).map(|i| at(&format!("s{i}"), m + i as f64)).collect())
        };
        h.versions.truncate(2);
        h.versions[0].content = many(1.0);
        h.versions[1].content = many(1.1);
        let data = chart_data(&h);
        assert_eq!(data.panels.len(), 7);
        assert_eq!(data.panels[6].title.as_deref(), Some("s6"));
        assert!(data.y_per_panel);
        assert_eq!(data.lines, [""], "one look: the panel names the scenario");
    }

    /// Two versions: `twice` in both, `once` in the first alone.
    fn some_in_one_version(twice: &[&str], once: &[&str]) -> History {
        let mut h = history();
        h.versions.truncate(2);
        let first = twice.iter().chain(once).map(|l| at(l, 1.0)).collect();
        h.versions[0].content = read(first);
        h.versions[1].content = read(twice.iter().map(|l| at(l, 1.2)).collect());
        h
    }

    #[test]
    fn scenarios_in_one_version_are_not_drawn_but_counted_once() {
        let twice = ["queue_impl=std consumers=1", "queue_impl=flume consumers=1"];
        let h = some_in_one_version(&twice, &["queue_impl=std consumers=2"; 1]);
        assert_eq!(in_one_version(&h), ["queue_impl=std consumers=2"]);
        let data = chart_data(&h);
        let points: usize = data.panels[0].series.iter().map(|s| s.points.len()).sum();
        assert_eq!(points, 4, "two scenarios in two versions");
        assert_eq!(
            data.notes,
            ["1 scenario in one version only, not drawn: history.csv has it"]
        );
        // What every drawn scenario shares is said once; the legend names the key once.
        assert!(data.subtitle.contains("every scenario drawn: consumers=1"));
        assert_eq!(data.legend_title.as_deref(), Some("queue_impl"));
        assert_eq!(data.lines, ["std", "flume"]);
    }

    #[test]
    fn a_history_of_one_version_draws_no_panel_and_says_why() {
        let labels: Vec<String> = (0..27).map(|i| format!("consumers={i}")).collect();
        let mut h = history();
        h.versions.truncate(1);
        h.versions[0].content = read(labels.iter().map(|l| at(l, 1.0)).collect());
        assert_eq!(in_one_version(&h).len(), 27);
        let data = chart_data(&h);
        assert!(data.panels.is_empty());
        assert!(data.lines.is_empty(), "no legend for lines not drawn");
        assert!(data.notes[0].starts_with("every scenario (27) is in one version only"));
        let png = render(&data, ChartFormat::Png).expect("draws");
        assert!(!png.is_empty());
    }

    #[test]
    fn beyond_the_most_panels_steps_beyond_noise_are_drawn_first() {
        let labels: Vec<String> = (0..MOST_PANELS + 5).map(|i| format!("n={i}")).collect();
        let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        let mut h = some_in_one_version(&refs, &[]);
        let last = labels.last().expect("labels").clone();
        if let Content::Read(m) = &mut h.versions[1].content {
            let s = m
                .scenarios
                .iter_mut()
                .find(|s| s.label == last)
                .expect("last");
            s.step = Some(RunComparison {
                median_a: 1.0,
                median_b: 1.2,
                ratio: 1.2,
                interval: (1.1, 1.3),
                verdict: Verdict::Slower,
            });
        }
        let data = chart_data(&h);
        assert_eq!(data.panels.len(), MOST_PANELS);
        let titles: Vec<&str> = data
            .panels
            .iter()
            .filter_map(|p| p.title.as_deref())
            .collect();
        assert!(
            titles.contains(&last.as_str()),
            "the one that changed is drawn"
        );
        assert_eq!(titles[0], "n=0", "in the scenarios' order");
        assert!(data.notes[0].starts_with("5 more scenarios not drawn"));
    }

    #[test]
    fn the_csv_has_a_row_per_scenario_and_one_for_a_version_without_runs() {
        let bytes = HistoryCsv.render(&history()).expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(lines.len(), 1 + 2 + 2 + 2 + 1 + 1);
        let deleted = lines.iter().find(|l| l.starts_with("4,")).expect("row");
        assert_eq!(
            deleted.split(',').filter(|c| !c.is_empty()).count(),
            6,
            "version, commit, date, subject, status and comparable: {deleted}"
        );
        assert!(deleted.contains(",deleted,,no: runs.csv deleted,"));
    }
}
