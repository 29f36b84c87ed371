//! Statistics of repeated runs: the numbers a person compares, computed apart from
//! measuring and from plotting.
//!
//! Owns turning `RunRecord`s into one `Summary` per scenario; it reads no clock and draws
//! nothing.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

use crate::record::{QueueMetric, QueueMetrics, RunRecord, by_scenario};

pub mod published;
mod resample;
pub mod theory;
mod usl;

pub use resample::MedianResampler;
pub use usl::{MIN_POINTS as USL_MIN_POINTS, Usl};

/// Bootstrap resamples per interval: enough for a stable 2.5th and 97.5th percentile.
const RESAMPLES: usize = 2000;
/// Modified z-score beyond which a run is an outlier (Iglewicz and Hoaglin; hyperfine's).
const OUTLIER_Z: f64 = 3.5;
/// Runs closer than this to the median are never called outliers, however tight the
/// others are: a 10 µs difference in a 25 s run is not worth a warning.
const OUTLIER_FLOOR: f64 = 0.005;

/// Centre and spread of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single value.
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

/// One scenario's runs, summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub scenario: usize,
    pub runs: usize,
    /// Items each run consumed (the same in every run of a scenario).
    pub items: u64,
    pub elapsed_s: Spread,
    /// 95% intervals for the median and the mean of elapsed, by seeded bootstrap.
    pub median_interval_s: (f64, f64),
    pub mean_interval_s: (f64, f64),
    /// Elapsed times of runs far from the others (see `outliers`).
    pub outliers: Vec<f64>,
    pub throughput_per_s: Spread,
    /// The 99th percentile of queue wait; `None` where only the model spoke.
    pub wait_p99_s: Option<Spread>,
    /// The most items on the queue at once; `None` where no run could tell (`std`).
    pub max_depth: Option<Spread>,
    /// The median of the model's predictions for each run's own draws.
    pub predicted_s: f64,
    /// Each queue metric measured beside the model's prediction, in `QueueMetric::ALL`
    /// order; a metric neither side has is left out.
    pub queue: Vec<(QueueMetric, Paired)>,
    /// The median of each run's distance above (+) or below (−) its own prediction, in
    /// percent: with random times, runs differ in their draws, and each is compared
    /// with the prediction for exactly those draws.
    pub error_pct: f64,
    /// Median elapsed of the first scenario of this chart line over this one's; NaN until
    /// `add_speedups` runs.
    pub speedup: f64,
    /// Speedup per unit of x (e.g. per consumer), against the line's first scenario.
    pub efficiency: f64,
    /// The scalability fit of this scenario's chart line, where one was asked for;
    /// `None` until `add_scaling_fits` runs.
    pub scaling: Option<Scaling>,
    /// Queueing theory's wait for this scenario, or why no closed form applies; `None`
    /// until `theory::add_theory` runs.
    pub theory: Option<Result<theory::Theory, theory::NotApplicable>>,
}

/// A chart line's Universal Scalability Law fit, as seen from one of its scenarios.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// The fit; `None` when the line had fewer than `USL_MIN_POINTS` points to fit.
    pub usl: Option<Usl>,
    /// The points the line had for the fit.
    pub points: usize,
    /// Whether this scenario was one of them (not where producers are the limit).
    pub in_fit: bool,
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

pub fn spread(values: &[f64]) -> Spread {
    let mean = mean(values);
    let n = values.len();
    let sd = if n > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    Spread {
        median: median(values),
        mean,
        sd,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// The 2.5th and 97.5th percentiles of `statistic` over `RESAMPLES` resamples drawn with
/// replacement from a generator seeded with `seed`: the same data give the same interval.
pub fn bootstrap_interval(values: &[f64], seed: u64, statistic: fn(&[f64]) -> f64) -> (f64, f64) {
    if values.len() < 2 {
        let only = values.first().copied().unwrap_or(f64::NAN);
        return (only, only);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut resample = vec![0.0; values.len()];
    let mut estimates: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            for slot in &mut resample {
                *slot = values[(rng.next_u64() % values.len() as u64) as usize];
            }
            statistic(&resample)
        })
        .collect();
    estimates.sort_by(f64::total_cmp);
    let at = |q: f64| estimates[((RESAMPLES - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
}

/// The 95% interval of the median of `values`: `bootstrap_interval(values, seed, median)`,
/// drawn without sorting each resample (the same numbers, in linear time a resample).
pub fn median_interval(values: &[f64], seed: u64) -> (f64, f64) {
    if values.len() < 2 {
        let only = values.first().copied().unwrap_or(f64::NAN);
        return (only, only);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut resampler = MedianResampler::new(values);
    let mut estimates: Vec<f64> = (0..RESAMPLES).map(|_| resampler.draw(&mut rng)).collect();
    estimates.sort_by(f64::total_cmp);
    let at = |q: f64| estimates[((RESAMPLES - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
}

/// The indices of `values` whose modified z-score, 0.6745 · |x − median| / MAD, exceeds
/// 3.5 and that lie more than `floor` from the median.
pub fn outliers(values: &[f64], floor: f64) -> Vec<usize> {
    let centre = median(values);
    let deviations: Vec<f64> = values.iter().map(|v| (v - centre).abs()).collect();
    let mad = median(&deviations);
    (0..values.len())
        .filter(|&i| {
            let distance = deviations[i];
            let z = if mad > 0.0 {
                0.6745 * distance / mad
            } else {
                f64::INFINITY
            };
            distance > floor && z > OUTLIER_Z
        })
        .collect()
}

/// Runs far from the others once each is set against its own prediction: with random
/// times runs differ by their draws, which is no fault of the machine; with fixed times
/// this is the elapsed time itself. Returns their elapsed times.
fn outlying_runs(elapsed: &[f64], predicted: &[f64]) -> Vec<f64> {
    let excess: Vec<f64> = elapsed.iter().zip(predicted).map(|(e, p)| e - p).collect();
    let floor = OUTLIER_FLOOR * median(elapsed).abs();
    outliers(&excess, floor)
        .into_iter()
        .map(|i| elapsed[i])
        .collect()
}

/// The seed of scenario `index`'s intervals (its mean's is the next): the same runs give
/// the same intervals wherever they are summarised.
pub fn interval_seed(index: usize) -> u64 {
    0x5eed ^ index as u64
}

/// One summary per scenario that has runs, in scenario order.
/// Runs are taken in repeat order (`by_scenario`), whatever order they finished in: the
/// bootstrap resamples by position, so `plot` must see the runs as `run` did.
pub fn summarise(runs: &[RunRecord]) -> Vec<Summary> {
    by_scenario(runs)
        .into_iter()
        .map(|(scenario, mine)| summarise_one(scenario, &mine))
        .collect()
}

/// The summary of `scenario` from its own `runs`, in any order: what `summarise` gives
/// for it, without summarising the others.
pub fn summarise_scenario(scenario: usize, mut runs: Vec<&RunRecord>) -> Summary {
    runs.sort_by_key(|r| r.repeat);
    summarise_one(scenario, &runs)
}

fn summarise_one(scenario: usize, runs: &[&RunRecord]) -> Summary {
    let pick = |f: fn(&RunRecord) -> f64| runs.iter().map(|r| f(r)).collect::<Vec<f64>>();
    let elapsed = pick(|r| r.elapsed_s);
    let predicted: Vec<f64> = runs.iter().filter_map(|r| r.predicted_s).collect();
    let errors: Vec<f64> = runs
        .iter()
        .filter_map(|r| Some(percent_over(r.elapsed_s, r.predicted_s?)))
        .collect();
    let waits: Vec<f64> = runs
        .iter()
        .filter_map(|r| QueueMetric::WaitP99.of(r.queue.as_ref()?))
        .collect();
    let seed = interval_seed(scenario);
    Summary {
        scenario,
        runs: runs.len(),
        items: runs.first().map_or(0, |r| r.items),
        elapsed_s: spread(&elapsed),
        median_interval_s: median_interval(&elapsed, seed),
        mean_interval_s: bootstrap_interval(&elapsed, seed + 1, mean),
        // Without a prediction, runs are judged against each other alone.
        outliers: outlying_runs(&elapsed, &pick(|r| r.predicted_s.unwrap_or(0.0))),
        throughput_per_s: spread(
            &runs
                .iter()
                .filter_map(|r| r.throughput_per_s())
                .collect::<Vec<_>>(),
        ),
        wait_p99_s: (!waits.is_empty()).then(|| spread(&waits)),
        max_depth: {
            let depths: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.queue.as_ref()?.max_depth.map(|d| d as f64))
                .collect();
            (!depths.is_empty()).then(|| spread(&depths))
        },
        predicted_s: median(&predicted),
        queue: paired_queue(runs),
        error_pct: median(&errors),
        speedup: f64::NAN,
        efficiency: f64::NAN,
        scaling: None,
        theory: None,
    }
}

/// A metric's median measurement beside the median of its predictions, and the median of
/// each run's distance from its own prediction, in percent. NaN where a side is missing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    pub measured: f64,
    pub predicted: f64,
    pub error_pct: f64,
}

/// Every queue metric of `runs`, measured and predicted.
fn paired_queue(runs: &[&RunRecord]) -> Vec<(QueueMetric, Paired)> {
    QueueMetric::ALL
        .iter()
        .filter_map(|&metric| {
            let of = |q: &Option<QueueMetrics>| q.as_ref().and_then(|q| metric.of(q));
            let measured: Vec<f64> = runs.iter().filter_map(|r| of(&r.queue)).collect();
            let predicted: Vec<f64> = runs.iter().filter_map(|r| of(&r.predicted_queue)).collect();
            let errors: Vec<f64> = runs
                .iter()
                .filter_map(|r| Some(percent_over(of(&r.queue)?, of(&r.predicted_queue)?)))
                .collect();
            (!measured.is_empty() || !predicted.is_empty()).then(|| {
                let paired = Paired {
                    measured: median(&measured),
                    predicted: median(&predicted),
                    error_pct: median(&errors),
                };
                (metric, paired)
            })
        })
        .collect()
}

impl Summary {
    /// `metric` measured beside its prediction, if either side has it.
    pub fn paired(&self, metric: QueueMetric) -> Option<Paired> {
        self.queue
            .iter()
            .find(|(m, _)| *m == metric)
            .map(|(_, paired)| *paired)
    }
}

/// A chart line: the values of the swept keys other than x, `None` when there is one line.
pub type Line = Option<String>;

/// Fills `speedup` and `efficiency` against the first scenario (smallest x) of each chart
/// line; `point` gives a scenario's line and its x value, if x is a number.
pub fn add_speedups(summaries: &mut [Summary], point: impl Fn(usize) -> (Line, Option<f64>)) {
    let points: Vec<(Line, Option<f64>)> = summaries.iter().map(|s| point(s.scenario)).collect();
    for i in 0..summaries.len() {
        let first = (0..summaries.len())
            .filter(|j| points[*j].0 == points[i].0)
            .min_by(|a, b| {
                let x = |k: usize| points[k].1.unwrap_or(f64::INFINITY);
                x(*a).total_cmp(&x(*b)).then(a.cmp(b))
            })
            .unwrap_or(i);
        let speedup = summaries[first].elapsed_s.median / summaries[i].elapsed_s.median;
        summaries[i].speedup = speedup;
        summaries[i].efficiency = match (points[first].1, points[i].1) {
            (Some(x0), Some(x)) if x0 > 0.0 && x > 0.0 => speedup / (x / x0),
            _ => f64::NAN,
        };
    }
}

/// Fits the Universal Scalability Law to median throughput against x on each chart line
/// that asks for one. `point` gives a scenario's line and x; `fits` says whether a
/// scenario's line is fitted at all (`None`) and, if so, whether this scenario belongs
/// in the fit (`Some(false)` where producers, not consumers, are the limit).
pub fn add_scaling_fits(
    summaries: &mut [Summary],
    point: impl Fn(usize) -> (Line, Option<f64>),
    fits: impl Fn(usize) -> Option<bool>,
) {
    let points: Vec<(Line, Option<f64>)> = summaries.iter().map(|s| point(s.scenario)).collect();
    let mut lines: Vec<&Line> = points.iter().map(|p| &p.0).collect();
    lines.sort_unstable();
    lines.dedup();
    for line in lines {
        let members: Vec<usize> = (0..summaries.len())
            .filter(|i| points[*i].0 == *line && fits(summaries[*i].scenario).is_some())
            .collect();
        let used: Vec<usize> = members
            .iter()
            .copied()
            .filter(|i| fits(summaries[*i].scenario) == Some(true) && points[*i].1.is_some())
            .collect();
        let xy: Vec<(f64, f64)> = used
            .iter()
            .filter_map(|i| Some((points[*i].1?, summaries[*i].throughput_per_s.median)))
            .filter(|(_, throughput)| throughput.is_finite())
            .collect();
        let usl = usl::fit(&xy);
        for i in members {
            summaries[i].scaling = Some(Scaling {
                usl,
                points: xy.len(),
                in_fit: used.contains(&i),
            });
        }
    }
}

/// Within this fraction of a line's best median, adding more x no longer pays.
pub const ENOUGH_WITHIN: f64 = 0.05;

/// What a summary says at a glance, for the report's opening: where more x stops paying,
/// the best and worst scenarios, the model's worst miss and the outliers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    /// Per chart line of at least two numeric x values.
    pub enough: Vec<Enough>,
    /// Indices into the summaries: the smallest and the largest median elapsed.
    pub fastest: Option<usize>,
    pub slowest: Option<usize>,
    /// Index of the summary furthest from the model (largest |error_pct|), if any has one.
    pub worst_error: Option<usize>,
    /// Outlying runs in all, and the scenarios that have them.
    pub outliers: usize,
    pub outlier_scenarios: usize,
    /// Every median is zero (the model's of zero-time work): nothing is ranked, since no
    /// scenario is faster than another.
    pub untimed: bool,
}

/// Where a chart line stops paying for more x.
#[derive(Clone, Debug, PartialEq)]
pub struct Enough {
    pub line: Line,
    /// Index into the summaries of the smallest x within `ENOUGH_WITHIN` of the best.
    pub enough: usize,
    /// Index of the best (smallest median elapsed).
    pub best: usize,
    /// Index of the smallest x.
    pub first: usize,
}

/// The findings of `summaries`; `point` gives a scenario's chart line and x.
pub fn findings(summaries: &[Summary], point: impl Fn(usize) -> (Line, Option<f64>)) -> Findings {
    let by_median = |a: &usize, b: &usize| {
        summaries[*a]
            .elapsed_s
            .median
            .total_cmp(&summaries[*b].elapsed_s.median)
    };
    let all: Vec<usize> = (0..summaries.len()).collect();
    let untimed = !summaries.is_empty() && summaries.iter().all(|s| s.elapsed_s.median == 0.0);
    let ranked: &[usize] = if untimed { &[] } else { &all };
    let mut findings = Findings {
        untimed,
        fastest: ranked.iter().copied().min_by(by_median),
        slowest: ranked.iter().copied().max_by(by_median),
        worst_error: all
            .iter()
            .copied()
            .filter(|i| summaries[*i].error_pct.is_finite())
            .max_by(|a, b| {
                summaries[*a]
                    .error_pct
                    .abs()
                    .total_cmp(&summaries[*b].error_pct.abs())
            }),
        outliers: summaries.iter().map(|s| s.outliers.len()).sum(),
        outlier_scenarios: summaries.iter().filter(|s| !s.outliers.is_empty()).count(),
        enough: Vec::new(),
    };
    if untimed {
        return findings;
    }
    let points: Vec<(Line, Option<f64>)> = summaries.iter().map(|s| point(s.scenario)).collect();
    // In the order the sweep first reaches each line, as the summary table lists them.
    let mut lines: Vec<&Line> = Vec::new();
    for (line, _) in &points {
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    for line in lines {
        let mut members: Vec<(usize, f64)> = (0..summaries.len())
            .filter(|i| points[*i].0 == *line)
            .filter_map(|i| Some((i, points[i].1?)))
            .collect();
        if members.len() < 2 {
            continue;
        }
        members.sort_by(|a, b| a.1.total_cmp(&b.1));
        let Some(best) = members.iter().map(|m| m.0).min_by(by_median) else {
            continue;
        };
        let limit = summaries[best].elapsed_s.median * (1.0 + ENOUGH_WITHIN);
        let enough = members
            .iter()
            .find(|m| summaries[m.0].elapsed_s.median <= limit)
            .map_or(best, |m| m.0);
        findings.enough.push(Enough {
            line: line.clone(),
            enough,
            best,
            first: members[0].0,
        });
    }
    findings
}

/// What a comparison of two sets of runs concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Faster,
    Slower,
    WithinNoise,
    /// A side has too few runs for an interval, so no verdict.
    TooFewRuns,
    /// A side's median is no time at all (the model's zero-time work): a ratio to it
    /// measures nothing, so no verdict.
    NoTime,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::WithinNoise => "within noise",
            Verdict::TooFewRuns => "too few runs",
            Verdict::NoTime => "no time on a side",
        }
    }
}

/// B against A for one scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunComparison {
    pub median_a: f64,
    pub median_b: f64,
    /// Median of B over median of A: above 1, B took longer.
    pub ratio: f64,
    /// 95% bootstrap interval of the ratio.
    pub interval: (f64, f64),
    pub verdict: Verdict,
}

/// Compares elapsed times `b` against `a`: the ratio of medians with a 95% interval from
/// a seeded bootstrap (each side resampled apart). B is slower (faster) when the whole
/// interval lies above 1 (below 1) and the ratio is at least `noise_pct` percent away
/// from 1; otherwise the change is within noise.
pub fn compare_runs(a: &[f64], b: &[f64], noise_pct: f64, seed: u64) -> RunComparison {
    no_time(median(a), median(b)).unwrap_or_else(|| resampled_ratio(a, b, noise_pct, seed))
}

/// `compare_runs`' ratio, interval and verdict, whatever the medians (a wait or a depth
/// may be 0 on one side: `history` calls that a change, `inf`).
fn resampled_ratio(a: &[f64], b: &[f64], noise_pct: f64, seed: u64) -> RunComparison {
    let (median_a, median_b) = (median(a), median(b));
    let ratio = median_b / median_a;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut from_a, mut from_b) = (MedianResampler::new(a), MedianResampler::new(b));
    let mut ratios: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            // B's resample is drawn first, as the ratio B/A reads.
            let over = from_b.draw(&mut rng);
            over / from_a.draw(&mut rng)
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((RESAMPLES - 1) as f64 * q).round() as usize];
    let interval = (at(0.025), at(0.975));
    RunComparison {
        median_a,
        median_b,
        ratio,
        interval,
        verdict: verdict_of(ratio, interval, noise_pct),
    }
}

/// No ratio where a side's median is not above zero: B over no time would be infinitely
/// slower, no time over A a hundred percent faster, and neither says anything.
fn no_time(median_a: f64, median_b: f64) -> Option<RunComparison> {
    (!(median_a > 0.0 && median_b > 0.0)).then_some(RunComparison {
        median_a,
        median_b,
        ratio: f64::NAN,
        interval: (f64::NAN, f64::NAN),
        verdict: Verdict::NoTime,
    })
}

/// Whether the ratio is at least `noise_pct` percent from 1: the first half of
/// `compare_runs`' rule, which its ratio alone decides.
pub fn beyond_noise(ratio: f64, noise_pct: f64) -> bool {
    (ratio - 1.0).abs() * 100.0 >= noise_pct
}

/// `compare_runs`' rule: slower (faster) when the whole interval lies above (below) 1 and
/// the ratio is beyond noise.
fn verdict_of(ratio: f64, interval: (f64, f64), noise_pct: f64) -> Verdict {
    match (
        interval.0 > 1.0,
        interval.1 < 1.0,
        beyond_noise(ratio, noise_pct),
    ) {
        (true, _, true) => Verdict::Slower,
        (_, true, true) => Verdict::Faster,
        _ => Verdict::WithinNoise,
    }
}

/// `compare_runs`, without its bootstrap where the ratio alone is within noise: the
/// verdict is the same, and the interval is left unknown (NaN). Judging a hundred steps of
/// a history, most within noise, then costs little.
pub fn judge_change(a: &[f64], b: &[f64], noise_pct: f64, seed: u64) -> RunComparison {
    let (median_a, median_b) = (median(a), median(b));
    let ratio = median_b / median_a;
    if beyond_noise(ratio, noise_pct) {
        return resampled_ratio(a, b, noise_pct, seed);
    }
    RunComparison {
        median_a,
        median_b,
        ratio,
        interval: (f64::NAN, f64::NAN),
        verdict: Verdict::WithinNoise,
    }
}

/// `(value − reference) / reference` in percent; 0 when both are 0, and NaN (no number)
/// when only the reference is 0, as for a run of zero-time work.
pub fn percent_over(value: f64, reference: f64) -> f64 {
    if reference == 0.0 {
        if value == 0.0 { 0.0 } else { f64::NAN }
    } else {
        (value - reference) / reference * 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_by_hand() {
        // 1, 2, 4, 9: mean 4, deviations −3 −2 0 5, squares 9 4 0 25 = 38, /3 → sd √12.67.
        let s = spread(&[4.0, 1.0, 9.0, 2.0]);
        assert_eq!((s.median, s.mean, s.min, s.max), (3.0, 4.0, 1.0, 9.0));
        assert!((s.sd - (38.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(spread(&[5.0]).sd, 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }

    fn run(repeat: u32, elapsed_s: f64, predicted_s: f64) -> RunRecord {
        RunRecord {
            scenario: 0,
            repeat,
            run_seed: 0,
            source: crate::record::Source::Measured,
            elapsed_s,
            predicted_s: Some(predicted_s),
            items: 10,
            queue: None,
            predicted_queue: None,
        }
    }

    #[test]
    fn each_run_is_compared_with_its_own_prediction() {
        // Random draws: the runs differ by ±20%, but each lands 1% over its prediction.
        let runs = [run(1, 1.01, 1.0), run(2, 1.212, 1.2), run(3, 0.808, 0.8)];
        let summary = &summarise(&runs)[0];
        assert!((summary.error_pct - 1.0).abs() < 1e-9, "{summary:?}");
        assert_eq!(summary.predicted_s, 1.0);
        assert_eq!(summary.elapsed_s.median, 1.01);
        assert_eq!(summary.throughput_per_s.median, 10.0 / 1.01);
    }

    #[test]
    fn a_summary_does_not_depend_on_the_order_runs_finished_in() {
        let runs: Vec<RunRecord> = (1..=7)
            .map(|k| run(k, 1.0 + f64::from(k * k % 5) / 10.0, 1.0))
            .collect();
        let mut shuffled = runs.clone();
        shuffled.reverse();
        shuffled.swap(1, 4);
        let (a, b) = (&summarise(&runs)[0], &summarise(&shuffled)[0]);
        assert_eq!(a.median_interval_s, b.median_interval_s);
        assert_eq!(a.mean_interval_s, b.mean_interval_s);
    }

    #[test]
    fn percent_over_the_prediction() {
        assert!((percent_over(1.01, 1.0) - 1.0).abs() < 1e-9);
        assert!((percent_over(0.99, 1.0) + 1.0).abs() < 1e-9);
        assert_eq!(percent_over(0.0, 0.0), 0.0);
        assert!(percent_over(0.1, 0.0).is_nan());
    }
}

#[cfg(test)]
mod analysis_tests {
    use super::*;

    /// The model gives zero-time work no time: against it `compare` has no ratio and no
    /// verdict, either way round, rather than `inf` slower or 100% faster. (`history`'s
    /// `judge_change` keeps judging: a wait or a depth going from 0 to some is a change.)
    #[test]
    fn no_time_on_a_side_gives_no_ratio_and_no_verdict() {
        let (none, some) = ([0.0, 0.0, 0.0], [0.4, 0.41, 0.39]);
        for (a, b) in [(&none, &some), (&some, &none), (&none, &none)] {
            let judged = compare_runs(a, b, 2.0, 1);
            assert_eq!(judged.verdict, Verdict::NoTime, "{judged:?}");
            assert!(
                judged.ratio.is_nan() && judged.interval.0.is_nan(),
                "{judged:?}"
            );
        }
    }

    /// `history` of a wait or a depth: from none to some is a change, from none to none
    /// is not.
    #[test]
    fn a_step_from_zero_is_judged() {
        let (none, some) = ([0.0, 0.0, 0.0], [0.005, 0.0051, 0.0049]);
        assert_eq!(judge_change(&none, &some, 2.0, 1).verdict, Verdict::Slower);
        assert_eq!(judge_change(&some, &none, 2.0, 1).verdict, Verdict::Faster);
        assert_eq!(
            judge_change(&none, &none, 2.0, 1).verdict,
            Verdict::WithinNoise
        );
    }

    #[test]
    fn comparing_runs_with_themselves_is_within_noise_and_twice_as_slow_is_slower() {
        let a = [1.0, 1.01, 0.99];
        let same = compare_runs(&a, &a, 2.0, 1);
        assert_eq!((same.ratio, same.verdict), (1.0, Verdict::WithinNoise));
        assert!(same.interval.0 <= 1.0 && same.interval.1 >= 1.0, "{same:?}");
        let doubled: Vec<f64> = a.iter().map(|v| v * 2.0).collect();
        let slower = compare_runs(&a, &doubled, 2.0, 1);
        assert_eq!((slower.ratio, slower.verdict), (2.0, Verdict::Slower));
        let faster = compare_runs(&doubled, &a, 2.0, 1);
        assert_eq!((faster.ratio, faster.verdict), (0.5, Verdict::Faster));
        // Consistently but only slightly slower: below the noise threshold.
        let tiny: Vec<f64> = a.iter().map(|v| v * 1.001).collect();
        assert_eq!(
            compare_runs(&a, &tiny, 2.0, 1).verdict,
            Verdict::WithinNoise
        );
    }

    #[test]
    fn bootstrap_intervals_hold_the_estimate_and_repeat_with_the_seed() {
        let values = [10.0, 11.0, 9.0, 10.5, 9.5, 10.2, 9.8];
        let (low, high) = bootstrap_interval(&values, 1, median);
        assert!(
            low <= 10.0 && 10.0 <= high && low >= 9.0 && high <= 11.0,
            "{low}..{high}"
        );
        assert_eq!((low, high), bootstrap_interval(&values, 1, median));
        let (low, high) = bootstrap_interval(&values, 1, mean);
        assert!(
            low < 10.0 && high > 10.0 && high - low < 1.5,
            "{low}..{high}"
        );
        assert_eq!(bootstrap_interval(&[3.0], 1, median), (3.0, 3.0));
        assert_eq!(bootstrap_interval(&[4.0, 4.0, 4.0], 9, mean), (4.0, 4.0));
    }

    #[test]
    fn a_planted_outlier_is_flagged_and_nothing_else() {
        // Median 1.0; deviations 0, .01, .01, .02, .02, 1.0 → MAD 0.015; the planted 2.0
        // has z = 0.6745 × 1.0 / 0.015 = 45.
        let values = [1.0, 1.01, 0.99, 1.02, 0.98, 2.0];
        assert_eq!(outliers(&values, 0.005), [5]);
        assert!(outliers(&[1.0, 1.01, 0.99, 1.02, 0.98], 0.005).is_empty());
        // Tight runs a few microseconds apart are not outliers.
        assert!(outliers(&[24.750006, 24.750005, 24.750017], 0.12).is_empty());
        // Random draws: runs far apart, each on its own prediction, are not outliers;
        // the one run 30% over its prediction is.
        let predicted = [2.0, 1.5, 2.5, 1.8, 2.2];
        let elapsed = [2.001, 1.501, 2.501, 1.801 * 1.3, 2.201];
        assert_eq!(outlying_runs(&elapsed, &predicted), [elapsed[3]]);
    }

    #[test]
    fn findings_by_hand() {
        let summary = |scenario, median: f64, error: f64| {
            let mut s = summarise_one(scenario, &[]);
            s.elapsed_s.median = median;
            s.error_pct = error;
            s
        };
        // Line a: 1 → 8 s, 2 → 4.1 s, 4 → 4.0 s, 8 → 4.3 s: 2 is within 5% of the best (4).
        // Line b: one point, no finding of its own.
        let summaries = vec![
            summary(0, 8.0, 0.1),
            summary(1, 4.1, -2.5),
            summary(2, 4.0, f64::NAN),
            summary(3, 4.3, 1.0),
            summary(4, 9.0, 0.0),
        ];
        let points = [("a", 1.0), ("a", 2.0), ("a", 4.0), ("a", 8.0), ("b", 2.0)];
        let f = findings(&summaries, |i| {
            (Some(points[i].0.to_string()), Some(points[i].1))
        });
        assert_eq!(
            f.enough,
            [Enough {
                line: Some("a".to_string()),
                enough: 1,
                best: 2,
                first: 0
            }]
        );
        assert_eq!(
            (f.fastest, f.slowest, f.worst_error),
            (Some(2), Some(4), Some(1))
        );
        assert_eq!((f.outliers, f.outlier_scenarios), (0, 0));
    }

    #[test]
    fn speedup_and_efficiency_against_the_first_of_each_line_by_hand() {
        let summary = |scenario, median: f64| {
            let mut s = summarise_one(scenario, &[]);
            s.elapsed_s.median = median;
            s
        };
        // Line a: 1 consumer 8 s, 2 → 4 s (speedup 2, efficiency 1), 4 → 4 s (2, 0.5).
        // Line b: starts at 2 consumers with 6 s, 4 → 3 s (2 against its own first, 1).
        let mut summaries = vec![
            summary(0, 8.0),
            summary(1, 4.0),
            summary(2, 4.0),
            summary(3, 6.0),
            summary(4, 3.0),
        ];
        let points = [("a", 1.0), ("a", 2.0), ("a", 4.0), ("b", 2.0), ("b", 4.0)];
        add_speedups(&mut summaries, |i| {
            (Some(points[i].0.to_string()), Some(points[i].1))
        });
        let got: Vec<(f64, f64)> = summaries
            .iter()
            .map(|s| (s.speedup, s.efficiency))
            .collect();
        assert_eq!(
            got,
            [(1.0, 1.0), (2.0, 1.0), (2.0, 0.5), (1.0, 1.0), (2.0, 1.0)]
        );
    }
}
