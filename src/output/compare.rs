//! The files `queuelab compare` writes: `compare.csv` and a chart of both result sets on
//! one set of axes. Their data is a `Comparison`, made by the pipeline from two archives.

use plotters::chart::SeriesLabelPosition;

use super::chart::{ChartData, Series, axis_title, render};
use super::{RenderError, csv_bytes, fixed};
use crate::experiment::ChartFormat;
use crate::scenario::ScenarioKey;
use crate::stats::Verdict;

/// Two results folders, scenario by scenario.
pub struct Comparison {
    pub a_name: String,
    pub b_name: String,
    /// A's x key, for the chart.
    pub x: ScenarioKey,
    pub scenarios: Vec<ComparedScenario>,
    /// Scenarios found on one side only, listed rather than dropped.
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

/// One scenario present in both folders.
pub struct ComparedScenario {
    pub label: String,
    pub x: Option<f64>,
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
                    fixed(s.median_a, 6),
                    fixed(s.median_b, 6),
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
        let mut series: Vec<Series> = Vec::new();
        for (side, median) in [("A", true), ("B", false)] {
            for s in &c.scenarios {
                let Some(x) = s.x else { continue };
                let label = match &s.line {
                    None => side.to_string(),
                    Some(line) => format!("{side}: {line}"),
                };
                let value = if median { s.median_a } else { s.median_b };
                match series.iter_mut().find(|l| l.label == label) {
                    Some(line) => line.points.push((x, value, value, value)),
                    None => series.push(Series {
                        label,
                        points: vec![(x, value, value, value)],
                        model: Vec::new(),
                        fit: Vec::new(),
                    }),
                }
            }
        }
        for line in &mut series {
            line.points.sort_by(|p, q| p.0.total_cmp(&q.0));
        }
        let data = ChartData {
            title: "median elapsed, A against B".to_string(),
            x_title: axis_title(c.x),
            y_title: "elapsed (s)",
            log_x: false,
            log_y: false,
            legend_at: SeriesLabelPosition::UpperRight,
            series,
        };
        render(&data, self.format)
    }
}
