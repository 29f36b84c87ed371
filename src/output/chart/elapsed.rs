//! Elapsed time against x: the chart of the blog's table. Zero-time work draws time per
//! item instead (`ns_per_item`) where its scenarios move different numbers of items.

use super::{ChartKind, Scale, per_item, zero_time};
use crate::record::RunRecord;
use crate::stats::Summary;

pub struct Elapsed;

impl ChartKind for Elapsed {
    fn stem(&self) -> &'static str {
        "elapsed"
    }

    fn y_title(&self) -> &'static str {
        "elapsed time"
    }

    fn scale(&self) -> Scale {
        Scale::Duration
    }

    fn measured(&self, summary: &Summary, all: &[Summary]) -> Option<(f64, f64, f64)> {
        let e = &summary.elapsed_s;
        (!per_item(summary, all)).then_some((e.min, e.median, e.max))
    }

    fn interval(&self, summary: &Summary) -> Option<(f64, f64)> {
        Some(summary.median_interval_s)
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        // Zero-time work has no model time: a mark at 0 would say it takes none.
        (!zero_time(summary)).then_some(summary.predicted_s)
    }

    fn of_run(&self, run: &RunRecord) -> Option<f64> {
        Some(run.elapsed_s)
    }

    fn unit(&self) -> &'static str {
        "s"
    }

    fn change_words(&self) -> [&'static str; 2] {
        ["slower", "faster"]
    }
}
