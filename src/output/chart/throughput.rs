//! Items per second against x: where adding threads stops paying.

use super::{ChartKind, Scale};
use crate::record::RunRecord;
use crate::stats::{Summary, Usl};

pub struct Throughput;

impl ChartKind for Throughput {
    fn stem(&self) -> &'static str {
        "throughput"
    }

    fn y_title(&self) -> &'static str {
        "throughput (items/s)"
    }

    fn scale(&self) -> Scale {
        Scale::Number
    }

    fn measured(&self, summary: &Summary, _: &[Summary]) -> Option<(f64, f64, f64)> {
        let t = &summary.throughput_per_s;
        Some((t.min, t.median, t.max))
    }

    fn interval(&self, summary: &Summary) -> Option<(f64, f64)> {
        // Items over the elapsed interval's ends: the slower end is the lower throughput.
        let (low, high) = summary.median_interval_s;
        let items = summary.items as f64;
        (low > 0.0).then(|| (items / high, items / low))
    }

    fn fit(&self, summary: &Summary) -> Option<Usl> {
        summary.scaling.and_then(|scaling| scaling.usl)
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        (summary.predicted_s > 0.0).then(|| summary.items as f64 / summary.predicted_s)
    }

    fn of_run(&self, run: &RunRecord) -> Option<f64> {
        run.throughput_per_s()
    }

    fn unit(&self) -> &'static str {
        "items/s"
    }

    fn change_words(&self) -> [&'static str; 2] {
        ["faster", "slower"]
    }
}
