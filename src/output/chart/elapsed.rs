//! Elapsed time against x: the chart of the blog's table. Zero-time work draws time per
//! item instead (`ns_per_item`) where its scenarios move different numbers of items.

use super::{ChartKind, Scale, per_item, zero_time};
use crate::record::RunRecord;
use crate::stats::Summary;

/// `asked`: drawn for every scenario, as `plot --y elapsed` asks (the person chose the
/// metric); otherwise not where `per_item` says elapsed time would mostly count items, as
/// the folder's own charts draw it.
pub struct Elapsed {
    pub asked: bool,
}

impl Elapsed {
    /// Among the folder's own charts.
    pub const CHARTED: Elapsed = Elapsed { asked: false };
    /// Asked for by name.
    pub const ASKED: Elapsed = Elapsed { asked: true };
}

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
        (self.asked || !per_item(summary, all)).then_some((e.min, e.median, e.max))
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

    fn asked(&self) -> Option<&'static dyn ChartKind> {
        Some(&Elapsed::ASKED)
    }

    fn change_words(&self) -> [&'static str; 2] {
        ["slower", "faster"]
    }
}
