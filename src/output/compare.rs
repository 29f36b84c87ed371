//! The files `queuelab compare` writes: `compare.csv` and a chart of both result sets on
//! one set of axes. Their data is a `Comparison`, made by the pipeline from two archives.

use super::chart::{
    ChartData, Panel, Point, Scale, Series, XAxis, axis_title, is_time, name_key_once, render,
    x_scale,
};
use super::{RenderError, csv_bytes, fixed};
use crate::experiment::{Axis, Bars, ChartFormat};
use crate::stats::Verdict;

/// Decimals of a median in seconds: whole nanoseconds, as `runs.csv` keeps them.
const SECONDS: usize = crate::record::SECONDS_DECIMALS as usize;

/// Two results folders, scenario by scenario.
pub struct Comparison {
    pub a_name: String,
    pub b_name: String,
    /// A's x axis, for the chart.
    pub x: Axis,
    /// A's `[plot] log_x` and `log_y`: the chart's axes as A's own charts draw them.
    pub log: (bool, bool),
    pub scenarios: Vec<ComparedScenario>,
    /// Scenarios found on one side only, listed rather than dropped.
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

/// One scenario present in both folders.
pub struct ComparedScenario {
    pub label: String,
    /// Its x as a number, where A's x is one (threads, items, a duration).
    pub x: Option<f64>,
    /// Its x in words (`crossbeam`, a group's point), where the chart has bars.
    pub x_words: String,
    /// The chart line the scenario belongs to in A.
    pub line: Option<String>,
    pub median_a: f64,
    pub median_b: f64,
    pub ratio: f64,
    pub interval: (f64, f64),
    pub verdict: Verdict,
}

/// One file `compare` writes.
pub trait CompareOutput {
    fn file_name(&self, comparison: &Comparison) -> String;
    /// The whole file, in memory.
    fn render(&self, comparison: &Comparison) -> Result<Vec<u8>, RenderError>;
}

/// Every file `compare` writes.
pub fn compare_outputs() -> Vec<Box<dyn CompareOutput>> {
    vec![
        Box::new(CompareCsv),
        Box::new(CompareChart {
            format: ChartFormat::Png,
        }),
        Box::new(CompareChart {
            format: ChartFormat::Svg,
        }),
    ]
}

pub struct CompareCsv;

impl CompareOutput for CompareCsv {
    fn file_name(&self, _: &Comparison) -> String {
        "compare.csv".to_string()
    }

    fn render(&self, c: &Comparison) -> Result<Vec<u8>, RenderError> {
        let header = [
            "scenario",
            "median_a_s",
            "median_b_s",
            "ratio",
            "ratio_low",
            "ratio_high",
            "verdict",
        ];
        let mut rows: Vec<Vec<String>> = c
            .scenarios
            .iter()
            .map(|s| {
                vec![
                    s.label.clone(),
                    fixed(s.median_a, SECONDS),
                    fixed(s.median_b, SECONDS),
                    fixed(s.ratio, 4),
                    fixed(s.interval.0, 4),
                    fixed(s.interval.1, 4),
                    s.verdict.name().to_string(),
                ]
            })
            .collect();
        let one_side = |label: &String, verdict: &str| {
            vec![
                label.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                verdict.to_string(),
            ]
        };
        rows.extend(c.only_a.iter().map(|l| one_side(l, "only in A")));
        rows.extend(c.only_b.iter().map(|l| one_side(l, "only in B")));
        csv_bytes(&header, rows)
    }
}

pub struct CompareChart {
    pub format: ChartFormat,
}

impl CompareOutput for CompareChart {
    fn file_name(&self, c: &Comparison) -> String {
        format!(
            "compare_elapsed_vs_{}.{}",
            c.x.name(),
            self.format.extension()
        )
    }

    fn render(&self, c: &Comparison) -> Result<Vec<u8>, RenderError> {
        render(&chart_data(c), self.format)
    }
}

/// Both sides' medians on one set of axes: a line per side (and per chart line of A).
pub(super) fn chart_data(c: &Comparison) -> ChartData {
    // A's lines by their values alone where they vary one key, named once in the legend.
    let mut named: Vec<String> = Vec::new();
    for line in c.scenarios.iter().filter_map(|s| s.line.as_ref()) {
        if !named.contains(line) {
            named.push(line.clone());
        }
    }
    let mut shown = named.clone();
    let legend_title = name_key_once(&mut shown);
    let line_words = |line: &String| {
        let at = named.iter().position(|n| n == line);
        at.map_or(line.as_str(), |i| shown[i].as_str()).to_string()
    };
    let mut lines: Vec<String> = Vec::new();
    let mut series: Vec<Series> = Vec::new();
    // An x of words (a queue_impl, a group) has a bar per word, in A's order; so does a
    // capacity where some queue is unbounded (`none`), as A's own charts draw it.
    let words = c.scenarios.iter().any(|s| s.x.is_none());
    let mut names: Vec<String> = Vec::new();
    for s in c.scenarios.iter().filter(|_| words) {
        if !names.contains(&s.x_words) {
            names.push(s.x_words.clone());
        }
    }
    for (side, name, of) in [
        (
            "A",
            &c.a_name,
            (|s: &ComparedScenario| s.median_a) as fn(&ComparedScenario) -> f64,
        ),
        ("B", &c.b_name, |s: &ComparedScenario| s.median_b),
    ] {
        for s in &c.scenarios {
            let at_word = || {
                names
                    .iter()
                    .position(|n| *n == s.x_words)
                    .map(|at| at as f64)
            };
            let x = match words {
                true => at_word(),
                false => s.x.map(|x| if is_time(&c.x) { x / 1e3 } else { x }),
            };
            let Some(x) = x else { continue };
            let label = match &s.line {
                None => format!("{side}: {name}"),
                Some(line) => format!("{side}: {name}, {}", line_words(line)),
            };
            let line = lines.iter().position(|l| *l == label).unwrap_or_else(|| {
                lines.push(label);
                lines.len() - 1
            });
            let value = of(s);
            let point = Point {
                x,
                min: value,
                median: value,
                max: value,
            };
            match series.iter_mut().find(|l| l.line == line) {
                Some(l) => l.points.push(point),
                None => series.push(Series {
                    line,
                    points: vec![point],
                    ..Series::default()
                }),
            }
        }
    }
    for line in &mut series {
        line.points.sort_by(|p, q| p.x.total_cmp(&q.x));
    }
    let mut data = ChartData {
        title: format!(
            "median elapsed time, A ({}) against B ({})",
            c.a_name, c.b_name
        ),
        subtitle: "the median of each side's runs per scenario; compare.csv has the intervals"
            .to_string(),
        x: match words {
            true => XAxis::Words {
                title: axis_title(&c.x),
                names,
            },
            false => XAxis::Numbers {
                title: axis_title(&c.x),
                scale: x_scale(&c.x),
                log: c.log.0,
            },
        },
        y_title: "elapsed time".to_string(),
        y_scale: Scale::Duration,
        log_y: c.log.1,
        bars: Bars::Vertical,
        panels: vec![Panel {
            title: None,
            series,
            gaps: Vec::new(),
        }],
        lines,
        legend_title,
        model_only: false,
        notes: Vec::new(),
        rules: Vec::new(),
        y_per_panel: false,
    };
    data.leave_out_what_log_axes_cannot_show();
    data.say_if_every_value_is_zero(": the model gives zero-time work no time");
    data
}
