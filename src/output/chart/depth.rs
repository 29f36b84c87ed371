//! The most items waiting on the queue at once, against x: how much buffer the pair used.

use super::{ChartKind, Scale};
use crate::record::QueueMetric;
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
        Scale::Number
    }

    fn measured(&self, summary: &Summary, _: &[Summary]) -> Option<(f64, f64, f64)> {
        // `std` queues have no length: their scenarios have no depth and no point.
        summary.max_depth.map(|d| (d.min, d.median, d.max))
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        let predicted = summary.paired(QueueMetric::MaxDepth)?.predicted;
        predicted.is_finite().then_some(predicted)
    }
}
