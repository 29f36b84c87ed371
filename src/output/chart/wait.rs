//! The 99th percentile of queue wait (put to take) against x: how long items sit.

use super::{ChartKind, Scale};
use crate::record::{QueueMetric, RunRecord};
use crate::stats::Summary;

pub struct WaitP99;

impl ChartKind for WaitP99 {
    fn stem(&self) -> &'static str {
        "wait_p99"
    }

    fn y_title(&self) -> &'static str {
        "queue wait, 99th percentile"
    }

    fn scale(&self) -> Scale {
        Scale::Duration
    }

    fn measured(&self, summary: &Summary, _: &[Summary]) -> Option<(f64, f64, f64)> {
        summary.wait_p99_s.map(|w| (w.min, w.median, w.max))
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        let predicted = summary.paired(QueueMetric::WaitP99)?.predicted;
        predicted.is_finite().then_some(predicted)
    }

    fn of_run(&self, run: &RunRecord) -> Option<f64> {
        QueueMetric::WaitP99.of(run.queue.as_ref()?)
    }

    fn unit(&self) -> &'static str {
        "s"
    }

    fn change_words(&self) -> [&'static str; 2] {
        ["longer", "shorter"]
    }
}
