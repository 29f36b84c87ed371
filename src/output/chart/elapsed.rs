//! Elapsed time against x: the chart of the blog's table.

use super::ChartKind;
use crate::stats::Summary;

pub struct Elapsed;

impl ChartKind for Elapsed {
    fn stem(&self) -> &'static str {
        "elapsed"
    }

    fn y_title(&self) -> &'static str {
        "elapsed (s)"
    }

    fn measured(&self, summary: &Summary) -> Option<(f64, f64, f64)> {
        let e = &summary.elapsed_s;
        Some((e.min, e.median, e.max))
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        Some(summary.predicted_s)
    }
}
