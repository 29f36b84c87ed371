//! Time per item against x, for zero-time work whose scenarios move different numbers of
//! items: what the queue itself costs. Elapsed time of such runs mostly counts items, so
//! this chart takes its place.

use super::{ChartKind, Scale, per_item};
use crate::record::RunRecord;
use crate::stats::Summary;

/// `asked`: drawn for every scenario that moves items, as `plot --y ns_per_item` asks (the
/// person chose the metric); otherwise only where `per_item` says elapsed time would
/// mostly count items, as the folder's own charts draw it.
pub struct NsPerItem {
    pub asked: bool,
}

impl NsPerItem {
    /// Among the folder's own charts.
    pub const CHARTED: NsPerItem = NsPerItem { asked: false };
    /// Asked for by name.
    pub const ASKED: NsPerItem = NsPerItem { asked: true };
}

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
        let drawn = match self.asked {
            true => summary.items > 0,
            false => per_item(summary, all),
        };
        drawn.then(|| (per(e.min), per(e.median), per(e.max)))
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

    fn asked(&self) -> Option<&'static dyn ChartKind> {
        Some(&NsPerItem::ASKED)
    }

    fn change_words(&self) -> [&'static str; 2] {
        ["slower", "faster"]
    }
}
