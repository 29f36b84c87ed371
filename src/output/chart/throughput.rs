//! Items per second against x: where adding threads stops paying.

use plotters::chart::SeriesLabelPosition;

use super::ChartKind;
use crate::output::Results;
use crate::stats::{Summary, Usl};

pub struct Throughput;

impl ChartKind for Throughput {
    fn stem(&self) -> &'static str {
        "throughput"
    }

    fn y_title(&self) -> &'static str {
        "throughput (items/s)"
    }

    fn measured(&self, summary: &Summary) -> Option<(f64, f64, f64)> {
        let t = &summary.throughput_per_s;
        Some((t.min, t.median, t.max))
    }

    fn legend_at(&self) -> SeriesLabelPosition {
        // Throughput rises with x: the lower right stays empty.
        SeriesLabelPosition::LowerRight
    }

    fn fits(&self, results: &Results, lines: &[String]) -> Vec<Option<Usl>> {
        lines
            .iter()
            .map(|line| {
                results
                    .summaries
                    .iter()
                    .filter(|s| results.experiment.line_of(s.scenario).0 == *line)
                    .find_map(|s| s.scaling.and_then(|scaling| scaling.usl))
            })
            .collect()
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        (summary.predicted_s > 0.0).then(|| summary.items as f64 / summary.predicted_s)
    }
}
