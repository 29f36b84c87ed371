//! The files `queuelab history` writes: `history.csv`, a row per version and scenario, and
//! a chart of each scenario's median across versions. Their data is a `History`, made by
//! the pipeline from the versions git holds; nothing here reads git or computes a
//! statistic.

use super::chart::{
    ChartData, ChartKind, MOST_LINES_IN_A_PANEL, Panel, Point, Series, XAxis, render,
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
    let value = |v: f64| fixed(v, 9);
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

/// Each scenario's median across versions, a band for its interval, a line per stretch of
/// comparable versions; a panel per scenario, each its own y axis, beyond six scenarios.
pub fn chart_data(h: &History) -> ChartData {
    let labels = scenario_labels(h);
    let faceted = labels.len() > MOST_LINES_IN_A_PANEL;
    let mut panels: Vec<Panel> = if faceted {
        labels
            .iter()
            .map(|l| Panel {
                title: Some(l.clone()),
                series: Vec::new(),
                gaps: Vec::new(),
            })
            .collect()
    } else {
        vec![Panel::default()]
    };
    for (n, label) in labels.iter().enumerate() {
        let (panel, line) = if faceted { (n, 0) } else { (0, n) };
        panels[panel].series.extend(stretches(h, label, line));
    }
    let rules: Vec<f64> = (h.versions.iter().enumerate())
        .filter(|(_, v)| matches!(v.link, Link::Break(_)))
        .map(|(i, _)| i as f64 - 0.5)
        .collect();
    let mut notes: Vec<String> = h.versions.iter().filter_map(note).collect();
    if notes.len() > NOTED_BREAKS {
        let more = notes.len() - NOTED_BREAKS;
        notes.truncate(NOTED_BREAKS);
        notes.push(format!("and {more} more: history.csv says why"));
    }
    let model = h
        .versions
        .iter()
        .any(|v| matches!(&v.content, Content::Read(m) if m.model));
    let mut subtitle = vec![
        h.dir.clone(),
        "a version per commit that changed runs.csv, oldest left".to_string(),
        "the median of each version's runs, its 95% interval shaded".to_string(),
    ];
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
        lines: if faceted { vec![String::new()] } else { labels },
        legend_title: None,
        model_only: model,
        notes,
        rules,
        y_per_panel: faceted,
    }
}

/// Every scenario label of every readable version, in order of first appearance.
fn scenario_labels(h: &History) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for v in &h.versions {
        if let Content::Read(m) = &v.content {
            for s in &m.scenarios {
                if !labels.contains(&s.label) {
                    labels.push(s.label.clone());
                }
            }
        }
    }
    labels
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
            metric: &Elapsed,
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
        let many: Vec<ScenarioAt> = (0..7)
            .map(|i| at(&format!("s{i}"), 1.0 + i as f64))
            .collect();
        h.versions.truncate(1);
        h.versions[0].content = read(many);
        let data = chart_data(&h);
        assert_eq!(data.panels.len(), 7);
        assert_eq!(data.panels[6].title.as_deref(), Some("s6"));
        assert!(data.y_per_panel);
        assert_eq!(data.lines, [""], "one look: the panel names the scenario");
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
