//! The most items waiting on the queue at once, against x: how much buffer the pair used.

use super::{ChartKind, Scale};
use crate::record::{QueueMetric, RunRecord};
use crate::stats::Summary;

pub struct MaxDepth;

impl ChartKind for MaxDepth {
    fn stem(&self) -> &'static str {
        "max_depth"
    }

    fn y_title(&self) -> &'static str {
        "queue depth, most items waiting"
    }

    fn scale(&self) -> Scale {
        Scale::Count
    }

    fn measured(&self, summary: &Summary, _: &[Summary]) -> Option<(f64, f64, f64)> {
        // `std` queues have no length: their scenarios have no depth and no point.
        summary.max_depth.map(|d| (d.min, d.median, d.max))
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        let predicted = summary.paired(QueueMetric::MaxDepth)?.predicted;
        predicted.is_finite().then_some(predicted)
    }

    fn of_run(&self, run: &RunRecord) -> Option<f64> {
        QueueMetric::MaxDepth.of(run.queue.as_ref()?)
    }

    fn unit(&self) -> &'static str {
        "items"
    }

    fn change_words(&self) -> [&'static str; 2] {
        ["deeper", "shallower"]
    }
}
