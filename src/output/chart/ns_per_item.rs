//! Time per item against x, for zero-time work whose scenarios move different numbers of
//! items: what the queue itself costs. Elapsed time of such runs mostly counts items, so
//! this chart takes its place.

use super::{ChartKind, Scale, per_item};
use crate::record::RunRecord;
use crate::stats::Summary;

pub struct NsPerItem;

impl ChartKind for NsPerItem {
    fn stem(&self) -> &'static str {
        "ns_per_item"
    }

    fn y_title(&self) -> &'static str {
        "time per item"
    }

    fn scale(&self) -> Scale {
        Scale::Duration
    }

    fn measured(&self, summary: &Summary, all: &[Summary]) -> Option<(f64, f64, f64)> {
        // Every run of a scenario moves the same items, so per-item time orders as elapsed.
        let per = |elapsed: f64| elapsed / summary.items as f64;
        let e = &summary.elapsed_s;
        per_item(summary, all).then(|| (per(e.min), per(e.median), per(e.max)))
    }

    fn interval(&self, summary: &Summary) -> Option<(f64, f64)> {
        let (low, high) = summary.median_interval_s;
        let items = summary.items as f64;
        Some((low / items, high / items))
    }

    fn model(&self, _: &Summary) -> Option<f64> {
        // The model gives zero-time work no time at all: nothing to draw.
        None
    }

    fn of_run(&self, run: &RunRecord) -> Option<f64> {
        // In seconds, as the axis reads durations (the chart's ticks say `40 ns`).
        run.ns_per_item().map(|ns| ns / 1e9)
    }

    fn unit(&self) -> &'static str {
        "s"
    }

    fn change_words(&self) -> [&'static str; 2] {
        ["slower", "faster"]
    }
}

/// Time per item for every scenario that moves items, as `plot --y ns_per_item` asks:
/// there the person chose the metric, so it is drawn even where `NsPerItem` would leave
/// elapsed time to say the same (every scenario moving the same items).
pub struct NsPerItemAsked;

impl ChartKind for NsPerItemAsked {
    fn stem(&self) -> &'static str {
        NsPerItem.stem()
    }

    fn y_title(&self) -> &'static str {
        NsPerItem.y_title()
    }

    fn scale(&self) -> Scale {
        NsPerItem.scale()
    }

    fn measured(&self, summary: &Summary, _: &[Summary]) -> Option<(f64, f64, f64)> {
        let per = |elapsed: f64| elapsed / summary.items as f64;
        let e = &summary.elapsed_s;
        (summary.items > 0).then(|| (per(e.min), per(e.median), per(e.max)))
    }

    fn interval(&self, summary: &Summary) -> Option<(f64, f64)> {
        NsPerItem.interval(summary)
    }

    fn model(&self, summary: &Summary) -> Option<f64> {
        NsPerItem.model(summary)
    }

    fn of_run(&self, run: &RunRecord) -> Option<f64> {
        NsPerItem.of_run(run)
    }

    fn unit(&self) -> &'static str {
        NsPerItem.unit()
    }

    fn change_words(&self) -> [&'static str; 2] {
        NsPerItem.change_words()
    }
}
