//! `RunRecord`: one run, measured or modelled, as plain data: the row of `runs.csv`,
//! with what the queue did in it (`QueueMetrics`). Imports only the leaves `waits` and
//! `scenario`'s word lists.

use crate::waits::WaitSummary;

crate::words! {
    /// Where a number came from: real threads, or the model alone (`simulate`).
    pub enum Source {
        Measured = "measured",
        Model = "model",
    }
}

impl Source {
    /// A source as `runs.csv` and `meta.json` write it; the error says what is allowed.
    pub fn read(word: &str) -> Result<Source, String> {
        Source::from_name(word).ok_or_else(|| {
            format!(
                "`{word}` is not a source: {}",
                crate::scenario::quoted_list(Source::NAMES)
            )
        })
    }
}

/// How the queue and the consumers behaved during a run.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueMetrics {
    /// Time from put to take, over all items.
    pub wait_p50_s: f64,
    pub wait_p99_s: f64,
    pub wait_max_s: f64,
    pub wait_mean_s: f64,
    /// The share of measured items that waited at all (see `waits::WAITED_NS`).
    pub waited_fraction: f64,
    /// The most items seen on the queue just after a put; `None` where the queue cannot
    /// tell (`std::sync::mpsc` has no length).
    pub max_depth: Option<u64>,
    /// Polls that found the queue empty.
    pub empty_polls: u64,
    pub consumer_items_min: u64,
    pub consumer_items_max: u64,
    /// Seconds producers spent blocked in puts (a full queue, or a rendezvous waiting for
    /// a taker), over every put; NaN in archives made before it was measured.
    pub blocked_total_s: f64,
    /// The 99th percentile of one sampled put's blocked time (0 for a put that did not
    /// block).
    pub blocked_p99_s: f64,
}

/// One number of `QueueMetrics`, so summaries, tables and charts can name each metric
/// and pair its measurement with its prediction in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueMetric {
    WaitP50,
    WaitP99,
    WaitMax,
    WaitMean,
    WaitedFraction,
    MaxDepth,
    EmptyPolls,
    BlockedTotal,
    BlockedP99,
}

impl QueueMetric {
    pub const ALL: [QueueMetric; 9] = [
        QueueMetric::WaitP50,
        QueueMetric::WaitP99,
        QueueMetric::WaitMax,
        QueueMetric::WaitMean,
        QueueMetric::WaitedFraction,
        QueueMetric::MaxDepth,
        QueueMetric::EmptyPolls,
        QueueMetric::BlockedTotal,
        QueueMetric::BlockedP99,
    ];

    /// The name in file columns and keys.
    pub fn name(self) -> &'static str {
        match self {
            QueueMetric::WaitP50 => "wait_p50_s",
            QueueMetric::WaitP99 => "wait_p99_s",
            QueueMetric::WaitMax => "wait_max_s",
            QueueMetric::WaitMean => "wait_mean_s",
            QueueMetric::WaitedFraction => "waited_fraction",
            QueueMetric::MaxDepth => "max_depth",
            QueueMetric::EmptyPolls => "empty_polls",
            QueueMetric::BlockedTotal => "blocked_total_s",
            QueueMetric::BlockedP99 => "blocked_p99_s",
        }
    }

    /// The metric in words, for tables.
    pub fn words(self) -> &'static str {
        match self {
            QueueMetric::WaitP50 => "queue wait, median",
            QueueMetric::WaitP99 => "queue wait, 99th percentile",
            QueueMetric::WaitMax => "queue wait, longest",
            QueueMetric::WaitMean => "queue wait, mean",
            QueueMetric::WaitedFraction => "share of items that waited",
            QueueMetric::MaxDepth => "deepest queue",
            QueueMetric::EmptyPolls => "empty polls",
            QueueMetric::BlockedTotal => "producers' time blocked in puts",
            QueueMetric::BlockedP99 => "put blocked, 99th percentile",
        }
    }

    /// Whether the metric is a time in seconds.
    pub fn is_time(self) -> bool {
        self.name().ends_with("_s")
    }

    /// Its value in `queue`; `None` where the queue could not tell, or an archive made
    /// before the metric existed did not record it.
    pub fn of(self, queue: &QueueMetrics) -> Option<f64> {
        let value = match self {
            QueueMetric::WaitP50 => queue.wait_p50_s,
            QueueMetric::WaitP99 => queue.wait_p99_s,
            QueueMetric::WaitMax => queue.wait_max_s,
            QueueMetric::WaitMean => queue.wait_mean_s,
            QueueMetric::WaitedFraction => queue.waited_fraction,
            QueueMetric::MaxDepth => queue.max_depth? as f64,
            QueueMetric::EmptyPolls => queue.empty_polls as f64,
            QueueMetric::BlockedTotal => queue.blocked_total_s,
            QueueMetric::BlockedP99 => queue.blocked_p99_s,
        };
        let value = match self.is_a_percentile() && value <= HISTOGRAM_ZERO_S {
            true => 0.0,
            false => value,
        };
        value.is_finite().then_some(value)
    }

    /// Whether the metric is a percentile of a histogram of waits (`waits::WaitTally`).
    fn is_a_percentile(self) -> bool {
        use QueueMetric::*;
        matches!(self, WaitP50 | WaitP99 | WaitMax | BlockedP99)
    }
}

/// A histogram of waits holds a zero as 1 ns; archives made before its percentiles were
/// read back as zero hold 1e-9 s for no wait, which reads as zero here.
const HISTOGRAM_ZERO_S: f64 = 1e-9;

impl QueueMetrics {
    /// From the waits measured, the deepest queue seen, the empty polls and the fewest and
    /// most items one consumer counted.
    pub fn new(
        waits: WaitSummary,
        max_depth: Option<u64>,
        empty_polls: u64,
        (consumer_items_min, consumer_items_max): (u64, u64),
    ) -> Self {
        QueueMetrics {
            wait_p50_s: waits.p50_ns as f64 / 1e9,
            wait_p99_s: waits.p99_ns as f64 / 1e9,
            wait_max_s: waits.max_ns as f64 / 1e9,
            wait_mean_s: waits.mean_ns / 1e9,
            waited_fraction: waits.waited_fraction,
            max_depth,
            empty_polls,
            consumer_items_min,
            consumer_items_max,
            blocked_total_s: 0.0,
            blocked_p99_s: 0.0,
        }
    }

    /// Producers' time blocked in puts: in all, and the 99th percentile of one put. The
    /// histogram reads a put that never blocked as 1 ns (its least value); one put is never
    /// more than all of them, so where none blocked, neither figure says a nanosecond.
    pub fn set_blocked(&mut self, total_ns: u64, p99_ns: u64) {
        self.blocked_total_s = total_ns as f64 / 1e9;
        // 1 ns is the histogram's reading of a put that did not block.
        let p99_ns = if p99_ns <= 1 { 0 } else { p99_ns.min(total_ns) };
        self.blocked_p99_s = p99_ns as f64 / 1e9;
    }
}

/// One run of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    pub scenario: usize,
    /// From 1.
    pub repeat: u32,
    pub run_seed: u64,
    pub source: Source,
    /// Measured (or, for the model, predicted) seconds, after time scaling.
    pub elapsed_s: f64,
    /// The model's prediction for this run's draws; `None` where the run was too large to
    /// model (see `model::MAX_MODELLED_ITEMS`).
    pub predicted_s: Option<f64>,
    pub items: u64,
    /// What the queue did: measured by real threads, or, in `simulate`'s rows, modelled.
    pub queue: Option<QueueMetrics>,
    /// The model's prediction of the same for this run's draws; `None` where the run was
    /// not modelled.
    pub predicted_queue: Option<QueueMetrics>,
}

/// Decimals kept for seconds of elapsed time and for queue waits in `runs.csv`:
/// nanoseconds, the clock's own resolution, which zero-time runs of a few thousand
/// items need.
pub const SECONDS_DECIMALS: i32 = 9;
pub const WAIT_DECIMALS: i32 = 9;
/// Decimals kept for a share of items: one in a million.
pub const FRACTION_DECIMALS: i32 = 6;

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

impl RunRecord {
    /// The run as `runs.csv` keeps it, rounded to the archived precision: summaries are
    /// made from this, so `queuelab plot` redraws from the CSV exactly what `run` wrote.
    pub fn archived(&self) -> RunRecord {
        let mut run = self.clone();
        run.elapsed_s = round_to(run.elapsed_s, SECONDS_DECIMALS);
        run.predicted_s = run.predicted_s.map(|p| round_to(p, SECONDS_DECIMALS));
        for queue in [&mut run.queue, &mut run.predicted_queue]
            .into_iter()
            .flatten()
        {
            queue.wait_p50_s = round_to(queue.wait_p50_s, WAIT_DECIMALS);
            queue.wait_p99_s = round_to(queue.wait_p99_s, WAIT_DECIMALS);
            queue.wait_max_s = round_to(queue.wait_max_s, WAIT_DECIMALS);
            queue.wait_mean_s = round_to(queue.wait_mean_s, WAIT_DECIMALS);
            queue.waited_fraction = round_to(queue.waited_fraction, FRACTION_DECIMALS);
            queue.blocked_total_s = round_to(queue.blocked_total_s, WAIT_DECIMALS);
            queue.blocked_p99_s = round_to(queue.blocked_p99_s, WAIT_DECIMALS);
        }
        run
    }

    /// Wall-clock nanoseconds per item, the figure for runs that measure the queue
    /// itself (zero times); `None` for a run without items.
    pub fn ns_per_item(&self) -> Option<f64> {
        (self.items > 0).then(|| self.elapsed_s * 1e9 / self.items as f64)
    }

    /// Items per second; none for a run of no time (the model's zero-time work), whose
    /// rate is unbounded, not zero.
    pub fn throughput_per_s(&self) -> Option<f64> {
        (self.elapsed_s > 0.0).then(|| self.items as f64 / self.elapsed_s)
    }
}

/// The runs of each scenario that has any, in scenario order, each scenario's in repeat
/// order (the order the bootstrap resamples by, whatever order the runs finished in).
/// One sort, not a pass over every run per scenario: a sweep of 100,000 scenarios would
/// otherwise take minutes to summarise.
pub fn by_scenario(runs: &[RunRecord]) -> Vec<(usize, Vec<&RunRecord>)> {
    let mut sorted: Vec<&RunRecord> = runs.iter().collect();
    sorted.sort_by_key(|r| (r.scenario, r.repeat));
    let mut groups: Vec<(usize, Vec<&RunRecord>)> = Vec::new();
    for run in sorted {
        match groups.last_mut() {
            Some((scenario, mine)) if *scenario == run.scenario => mine.push(run),
            _ => groups.push((run.scenario, vec![run])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(scenario: usize, repeat: u32) -> RunRecord {
        RunRecord {
            scenario,
            repeat,
            run_seed: 0,
            source: Source::Measured,
            elapsed_s: f64::from(repeat),
            predicted_s: None,
            items: 1,
            queue: None,
            predicted_queue: None,
        }
    }

    #[test]
    fn one_blocked_put_is_never_more_than_all_of_them() {
        let mut queue = QueueMetrics::new(WaitSummary::default(), None, 0, (0, 0));
        queue.set_blocked(0, 1);
        assert_eq!((queue.blocked_total_s, queue.blocked_p99_s), (0.0, 0.0));
        // Fewer than one put in a hundred blocked: the 99th percentile put did not.
        queue.set_blocked(3_000, 1);
        assert_eq!((queue.blocked_total_s, queue.blocked_p99_s), (3e-6, 0.0));
        queue.set_blocked(5_000, 2_000);
        assert_eq!((queue.blocked_total_s, queue.blocked_p99_s), (5e-6, 2e-6));
    }

    #[test]
    fn runs_are_grouped_by_scenario_in_repeat_order() {
        let runs = [run(2, 2), run(0, 3), run(2, 1), run(0, 1), run(0, 2)];
        let groups: Vec<(usize, Vec<u32>)> = by_scenario(&runs)
            .into_iter()
            .map(|(s, mine)| (s, mine.iter().map(|r| r.repeat).collect()))
            .collect();
        assert_eq!(groups, vec![(0, vec![1, 2, 3]), (2, vec![1, 2])]);
        assert!(by_scenario(&[]).is_empty());
    }
}
