//! Charts against a swept key, drawn with plotters from the summaries alone.
//!
//! One file per chart kind implements `ChartKind` (what goes on the y axis); turning
//! summaries into panels and lines is here, layout and drawing in `draw`, ticks in
//! `ticks`, line looks in `style`, text in `text`, PNG encoding in `png`. A new chart is
//! one new file and a line in `KINDS`. Text uses DejaVu Sans compiled into the binary: no
//! system fonts or fontconfig needed.

mod depth;
mod draw;
mod elapsed;
pub mod hbars;
mod ns_per_item;
mod png;
mod style;
mod text;
mod throughput;
mod ticks;
mod timeline;
mod wait;

use super::{Output, RenderError, Results};
use crate::experiment::{Axis, Bars, ChartFormat, Experiment, GROUP_JOIN};
use crate::record::{RunRecord, Source};
use crate::scenario::key::DEFAULT_ITEM_BYTES;
use crate::scenario::{Scenario, ScenarioKey};
use crate::stats::{Summary, Usl};

pub use depth::MaxDepth;
pub use elapsed::Elapsed;
pub use ns_per_item::NsPerItem;
pub use throughput::Throughput;
pub use ticks::Scale;
pub use timeline::TimelineChart;
pub use wait::WaitP99;

/// Every kind of chart, in the order they are written.
pub const KINDS: [&dyn ChartKind; 5] = [
    &Elapsed::CHARTED,
    &NsPerItem::CHARTED,
    &Throughput,
    &WaitP99,
    &MaxDepth,
];

/// Lines beyond which a chart is split into one panel per value of a key.
pub const MOST_LINES_IN_A_PANEL: usize = 6;

/// What one kind of chart plots against x.
pub trait ChartKind: Sync {
    /// File name stem and the name `plot --y` takes: `elapsed` gives `elapsed_vs_consumers.png`.
    fn stem(&self) -> &'static str;
    /// The y axis in words; the ticks carry the unit where it is a duration.
    fn y_title(&self) -> &'static str;
    /// How y values read: durations in seconds, or plain quantities.
    fn scale(&self) -> Scale;
    /// `(min, median, max)` of the measure for one scenario, if it was measured and this
    /// chart shows it; `all` is every scenario's summary.
    fn measured(&self, summary: &Summary, all: &[Summary]) -> Option<(f64, f64, f64)>;
    /// The 95% interval of the median, where the measure has one: horizontal bars draw
    /// it as their whiskers, so bars whose whiskers overlap read as not told apart.
    fn interval(&self, _summary: &Summary) -> Option<(f64, f64)> {
        None
    }
    /// The model's value, drawn dashed, where the model predicts this measure.
    fn model(&self, summary: &Summary) -> Option<f64>;
    /// The fit of the scenario's line, drawn dotted, where this chart draws one.
    fn fit(&self, _summary: &Summary) -> Option<Usl> {
        None
    }
    /// The measure of one run, in `unit`; `None` where the run did not measure it.
    /// `history` summarises each version's runs by it.
    fn of_run(&self, run: &RunRecord) -> Option<f64>;
    /// The unit of `of_run`: `s` for durations (in seconds), else what is counted.
    fn unit(&self) -> &'static str;
    /// A rise and a fall of the measure, in words: `["slower", "faster"]` for a time.
    fn change_words(&self) -> [&'static str; 2];
    /// The kind as a view asks for it by name (`plot --y`), where that draws more than
    /// the folder's own chart of it does: elapsed time and time per item each give way
    /// to the other in a folder's charts, never in a view.
    fn asked(&self) -> Option<&'static dyn ChartKind> {
        None
    }
}

/// The metrics `plot --y` and `history --metric` take, for the command line's parser (and
/// so its help and shell completions).
pub fn metric_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.stem()).collect()
}

/// The chart kind `plot --y` (or `history --metric`, `option`) names; the error says
/// which are allowed.
pub fn metric_named(option: &str, name: &str) -> Result<&'static dyn ChartKind, String> {
    KINDS.into_iter().find(|k| k.stem() == name).ok_or_else(|| {
        format!(
            "{option} `{name}` is not a metric; allowed: {}",
            metric_names().join(", ")
        )
    })
}

/// Whether `name` is one queuelab gives a chart of a results folder: `METRIC_vs_KEY` or
/// `METRIC_vs_KEY_by_FACET`, as PNG or SVG, of a metric it draws, each KEY and FACET one
/// of `keys` (a key or group name). How a chart of an earlier sweep is known; a person's
/// file of another name is not one.
pub fn is_chart_name(name: &str, keys: &[&str]) -> bool {
    let Some(stem) = name
        .strip_suffix(".png")
        .or_else(|| name.strip_suffix(".svg"))
    else {
        return false;
    };
    let against = |rest: &str| {
        keys.iter().any(|key| {
            rest == *key
                || rest
                    .strip_prefix(key)
                    .and_then(|r| r.strip_prefix("_by_"))
                    .is_some_and(|facet| keys.contains(&facet))
        })
    };
    KINDS.iter().any(|kind| {
        stem.strip_prefix(kind.stem())
            .and_then(|rest| rest.strip_prefix("_vs_"))
            .is_some_and(against)
    })
}

/// Work of zero time: the model predicts no time at all.
fn zero_time(summary: &Summary) -> bool {
    summary.predicted_s == 0.0 && summary.items > 0
}

/// Whether the scenario's time is drawn per item rather than elapsed: zero-time work,
/// where zero-time scenarios move different numbers of items, so elapsed time would
/// mostly count items. Where each moves the same (a benchmark suite's 5,000,000
/// messages), elapsed time orders as time per item and reads in seconds, as benchmarks
/// report it.
fn per_item(summary: &Summary, all: &[Summary]) -> bool {
    let mut zero = all.iter().filter(|s| zero_time(s));
    let first = zero.next().map(|s| s.items);
    zero_time(summary) && zero.any(|s| Some(s.items) != first)
}

/// A chart of one kind in one image format, against the experiment's `[plot]` x and facet
/// unless a view of `plot --x --facet` says otherwise.
pub struct Chart {
    pub kind: &'static dyn ChartKind,
    pub format: ChartFormat,
    pub x: Option<Axis>,
    pub facet: Option<Axis>,
}

impl Chart {
    pub fn new(kind: &'static dyn ChartKind, format: ChartFormat) -> Self {
        Chart {
            kind,
            format,
            x: None,
            facet: None,
        }
    }
}

impl Output for Chart {
    fn wanted(&self, results: &Results) -> bool {
        results
            .summaries
            .iter()
            .any(|s| self.kind.measured(s, results.summaries).is_some())
    }

    fn file_name(&self, results: &Results) -> String {
        let x = self.x.as_ref().unwrap_or(&results.experiment.plot.x).name();
        let by = self
            .facet
            .as_ref()
            .map(|f| format!("_by_{}", f.name()))
            .unwrap_or_default();
        format!(
            "{}_vs_{x}{by}.{}",
            self.kind.stem(),
            self.format.extension()
        )
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let plot = &results.experiment.plot;
        let x = self.x.as_ref().unwrap_or(&plot.x);
        let facet = self
            .facet
            .as_ref()
            .or(plot.facet.as_ref())
            .filter(|f| !f.overlaps(x));
        render(&ChartData::new(self.kind, results, x, facet), self.format)
    }
}

/// Checks a view `plot --x --y --facet` asks for; the error says what is allowed.
pub fn check_view(
    experiment: &Experiment,
    x: &str,
    y: &str,
    facet: Option<&str>,
) -> Result<(&'static dyn ChartKind, Axis, Option<Axis>), String> {
    let named = metric_named("--y", y)?;
    let kind = named.asked().unwrap_or(named);
    let all = experiment.plot_axes();
    let axes: Vec<&Axis> = all
        .iter()
        .filter(|a| axis_words(experiment, a).is_some())
        .collect();
    let names = |axes: &[&Axis]| {
        if axes.is_empty() {
            "none (no other key is swept)".to_string()
        } else {
            axes.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
        }
    };
    let x_axis = axes
        .iter()
        .find(|a| a.name() == x)
        .copied()
        .cloned()
        .ok_or_else(|| {
            format!(
                "--x `{x}` is not a swept key or group with numbers, fixed durations or words; \
                 allowed: {}",
                names(&axes)
            )
        })?;
    let decides = |a: &Axis| {
        crate::experiment::decides_the_other(&all, &x_axis, a).map(|(by, key)| (by.clone(), key))
    };
    let others: Vec<&Axis> = all
        .iter()
        .filter(|a| !a.overlaps(&x_axis) && decides(a).is_none())
        .collect();
    let facet = match facet {
        None => None,
        Some(f) => {
            let named = all.iter().find(|a| a.name() == f && !a.overlaps(&x_axis));
            let why = match named.map(|a| (a, decides(a))) {
                Some((a, None)) => return Ok((kind, x_axis.clone(), Some(a.clone()))),
                Some((a, Some((by, key)))) => {
                    crate::experiment::decided_words(&x_axis, a, (&by, key))
                }
                None => format!("`{f}` is not a swept key or group apart from --x"),
            };
            return Err(format!("--facet {why}; allowed: {}", names(&others)));
        }
    };
    Ok((kind, x_axis, facet))
}

/// Draws `data` as an image file of `format`, in memory.
pub fn render(data: &ChartData, format: ChartFormat) -> Result<Vec<u8>, RenderError> {
    text::register().map_err(RenderError)?;
    let drawn = match format {
        ChartFormat::Png => draw::png_bytes(data),
        ChartFormat::Svg => draw::svg_bytes(data),
    };
    drawn.map_err(|e| RenderError(format!("cannot draw the chart: {e}")))
}

/// One scenario's point: x, and min, median and max of the measure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

/// One line of a panel: a value of every swept key other than x and the facet.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Its index in `ChartData::lines`, which gives its look and legend entry.
    pub line: usize,
    /// Sorted by x.
    pub points: Vec<Point>,
    /// The model's values, drawn dashed in the line's colour beneath the measurement.
    pub model: Vec<(f64, f64)>,
    /// The line's fitted scalability curve, `(x, y)` at fine steps, drawn dotted.
    pub fit: Vec<(f64, f64)>,
    /// An interval `(x, low, high)` at each point, drawn as a pale band beneath the line.
    pub band: Vec<(f64, f64, f64)>,
}

/// One panel of a chart: every line for one value of the facet key (or all lines).
#[derive(Clone, Debug, Default)]
pub struct Panel {
    pub title: Option<String>,
    pub series: Vec<Series>,
    /// Bars only: the bars of the chart's lines this panel has none of, and why, so a
    /// gap reads as absent rather than as nothing.
    pub gaps: Vec<Gap>,
}

/// A bar left empty: line `line` at word `x` of a panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub x: f64,
    pub line: usize,
    pub why: Absent,
}

/// Why a bar is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent {
    /// No run of the scenario: left out by `exclude`, or not made yet.
    NotRun,
    /// The runs do not measure this (a `std` queue has no length).
    NotMeasured,
}

impl Absent {
    pub fn words(self) -> &'static str {
        match self {
            Absent::NotRun => "not run",
            Absent::NotMeasured => "not measured",
        }
    }
}

/// The x axis: numbers (counts, or durations in seconds), or words drawn as grouped bars.
#[derive(Clone, Debug)]
pub enum XAxis {
    Numbers {
        title: String,
        scale: Scale,
        log: bool,
    },
    /// Point x values are indices into `names`.
    Words { title: String, names: Vec<String> },
    /// Versions in order, oldest first, drawn as lines: each named by a short commit hash
    /// and, under it, a date. Point x values are indices into `names`.
    Versions {
        title: String,
        names: Vec<(String, String)>,
    },
}

/// What a chart shows, with the results already reduced to numbers.
#[derive(Clone, Debug)]
pub struct ChartData {
    pub title: String,
    /// Settings every line shares, the time scale and how points were summarised.
    pub subtitle: String,
    pub x: XAxis,
    pub y_title: String,
    pub y_scale: Scale,
    pub log_y: bool,
    /// Which way bars run, where x is words.
    pub bars: Bars,
    pub panels: Vec<Panel>,
    /// Legend labels, one per line look; a single unnamed line is `[""]`.
    pub lines: Vec<String>,
    /// The key every line varies, where it is one: named once, before the legend, and
    /// `lines` hold its values alone (`std`, not `queue_impl=std`).
    pub legend_title: Option<String>,
    /// The points are the model's (from `simulate`): the legend says so.
    pub model_only: bool,
    /// What the chart leaves out, said under it (zeros on a log axis).
    pub notes: Vec<String>,
    /// x values of vertical rules, drawn dashed: what lies either side is not comparable.
    pub rules: Vec<f64>,
    /// Each panel its own y axis, for panels of unlike quantities (one scenario's history
    /// each); otherwise all panels share one, so they compare.
    pub y_per_panel: bool,
}

/// How an axis's values read: `Some(true)` numbers, `Some(false)` words (a group's
/// points always), `None` neither (random times).
fn axis_words(experiment: &Experiment, axis: &Axis) -> Option<bool> {
    use ScenarioKey as K;
    let Axis::Key(key) = *axis else {
        return Some(false);
    };
    match key {
        K::Consumer | K::Queue | K::QueueImpl | K::Work => Some(false),
        _ if experiment
            .scenarios
            .iter()
            .any(|s| s.axis_value(key).is_some()) =>
        {
            // A scenario without a value (random times; an unbounded queue's capacity)
            // has no place on a number axis: capacities then read as words, `none`
            // among them, so no scenario is left off.
            let all_fixed = experiment
                .scenarios
                .iter()
                .all(|s| s.axis_value(key).is_some());
            match (all_fixed, key) {
                (true, _) => Some(true),
                (false, K::Capacity) => Some(false),
                (false, _) => None,
            }
        }
        _ => None,
    }
}

/// A key in words, for titles: `consume_time` reads "consume time".
pub fn key_words(key: ScenarioKey) -> &'static str {
    use ScenarioKey as K;
    match key {
        K::Producers => "producers",
        K::Consumers => "consumers",
        K::ItemsPerProducer => "items per producer",
        K::ItemBytes => "item size (bytes)",
        K::ProduceTime => "produce time",
        K::ConsumeTime => "consume time",
        K::Consumer => "consumer style",
        K::Queue => "queue",
        K::Capacity => "queue capacity (items)",
        K::QueueImpl => "queue implementation",
        K::Work => "work",
    }
}

/// An axis in words, for titles: a group's keys joined, `producers × consumers`.
pub fn axis_title(axis: &Axis) -> String {
    let words: Vec<&str> = axis.keys().iter().map(|k| key_words(*k)).collect();
    words.join(GROUP_JOIN)
}

/// Whether the axis is a duration, in seconds on a chart.
pub fn is_time(axis: &Axis) -> bool {
    matches!(
        axis,
        Axis::Key(ScenarioKey::ProduceTime | ScenarioKey::ConsumeTime)
    )
}

/// How a number axis of `axis` reads: durations in time units, `item_bytes` in sizes,
/// everything else (threads, items, capacity) as whole numbers.
pub fn x_scale(axis: &Axis) -> Scale {
    match axis {
        _ if is_time(axis) => Scale::Duration,
        Axis::Key(ScenarioKey::ItemBytes) => Scale::Bytes,
        _ => Scale::Count,
    }
}

/// A scenario's x on a number axis: counts as they are, durations in seconds.
fn x_number(scenario: &Scenario, axis: &Axis) -> Option<f64> {
    let value = axis.number(scenario)?;
    Some(if is_time(axis) { value / 1e3 } else { value })
}

/// A panel's title: `queue_impl = std`, `producers × consumers = 4 × 1`.
fn panel_title(facet: &Axis, scenario: &Scenario) -> String {
    let name = match facet {
        Axis::Key(key) => key.name().to_string(),
        Axis::Group(group) => {
            let names: Vec<&str> = group.keys.iter().map(|k| k.name()).collect();
            names.join(GROUP_JOIN)
        }
    };
    format!("{name} = {}", facet.words(scenario))
}

fn value_words(scenario: &Scenario, key: ScenarioKey) -> String {
    let text = scenario.value_text(key);
    if text.is_empty() {
        "none".to_string()
    } else {
        text
    }
}

/// The settings every scenario shares, in words: "20 producers × 5 items, produce 200ms".
fn shared_settings(experiment: &Experiment) -> Vec<String> {
    use ScenarioKey as K;
    let Some(first) = experiment.scenarios.first() else {
        return Vec::new();
    };
    let swept = experiment.swept_keys();
    let fixed = |k: &ScenarioKey| !swept.contains(k);
    let mut parts = Vec::new();
    for key in ScenarioKey::ALL.iter().filter(|k| fixed(k)) {
        let v = first.value_text(*key);
        let part = match key {
            K::Producers => format!("{v} producer{}", plural(&v)),
            K::Consumers => format!("{v} consumer{}", plural(&v)),
            K::ItemsPerProducer => format!("{v} item{} each", plural(&v)),
            // Items of one `u64` are the norm, and every archive before the key had them.
            K::ItemBytes if first.item_bytes == DEFAULT_ITEM_BYTES => continue,
            K::ItemBytes => format!("{v}-byte items"),
            K::ProduceTime => format!("produce {v}"),
            K::ConsumeTime => format!("consume {v}"),
            K::Consumer => format!("{v} consumers"),
            K::Queue => format!("{v} queue"),
            K::Capacity if v.is_empty() => continue,
            K::Capacity => format!("capacity {v}"),
            K::QueueImpl => v,
            K::Work => format!("{v} work"),
        };
        parts.push(part);
    }
    parts
}

/// Where every label is `KEY=VALUE` of one key (each line varies that key alone), the
/// labels become the values and the key is returned, to be named once; otherwise
/// nothing changes. Labels that name several keys (`a=1, b=2` or `a=1 b=2`) keep them.
pub fn name_key_once(labels: &mut [String]) -> Option<String> {
    let one = |label: &str| -> Option<(String, String)> {
        let (key, value) = label.split_once('=')?;
        let single = !key.is_empty() && !key.contains([' ', ',']) && !value.contains('=');
        single.then(|| (key.to_string(), value.to_string()))
    };
    let split: Vec<(String, String)> = labels.iter().map(|l| one(l)).collect::<Option<_>>()?;
    let key = split.first()?.0.clone();
    if split.iter().any(|(k, _)| *k != key) {
        return None;
    }
    for (label, (_, value)) in labels.iter_mut().zip(split) {
        *label = value;
    }
    Some(key)
}

/// "throughput (items/s)" without its unit, for titles.
fn without_unit(title: &str) -> &str {
    title.split(" (").next().unwrap_or(title)
}

fn plural(count: &str) -> &'static str {
    if count == "1" { "" } else { "s" }
}

impl ChartData {
    /// The chart of `kind` against `x`, one panel per value of `facet` (or of the first
    /// other swept key or group when there would be more than `MOST_LINES_IN_A_PANEL`
    /// lines).
    pub fn new(kind: &dyn ChartKind, results: &Results, x: &Axis, facet: Option<&Axis>) -> Self {
        let experiment = results.experiment;
        let model_only = results.source == Source::Model;
        let others = experiment.line_keys(x);
        let label = |s: &Scenario, keys: &[ScenarioKey]| -> String {
            keys.iter()
                .map(|k| format!("{}={}", k.name(), value_words(s, *k)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let count_lines = |keys: &[ScenarioKey]| {
            let mut seen: Vec<String> = results
                .summaries
                .iter()
                .filter_map(|s| experiment.scenarios.get(s.scenario))
                .map(|s| label(s, keys))
                .collect();
            seen.sort();
            seen.dedup();
            seen.len()
        };
        let facet = facet.or_else(|| {
            (count_lines(&others) > MOST_LINES_IN_A_PANEL)
                .then(|| {
                    // Not one x decides, or that decides x: most of each panel would
                    // be empty.
                    let axes = experiment.plot_axes();
                    experiment.axes().find(|a| {
                        a.keys().iter().all(|k| others.contains(k))
                            && crate::experiment::decides_the_other(&axes, x, a).is_none()
                    })
                })
                .flatten()
        });
        // Neither the facet's keys nor those its values decide (a capacity's queue) name
        // a line: within a panel they are one value.
        let by_facet = facet.map(|f| [f.keys(), &experiment.decided_with(f)].concat());
        let line_keys: Vec<ScenarioKey> = others
            .iter()
            .copied()
            .filter(|k| !by_facet.as_ref().is_some_and(|keys| keys.contains(k)))
            .collect();
        let words = axis_words(experiment, x) == Some(false);
        let bars = if words {
            experiment.plot.bars
        } else {
            Bars::Vertical
        };
        let mut names: Vec<String> = Vec::new();
        let mut lines: Vec<String> = Vec::new();
        let mut panels: Vec<Panel> = Vec::new();
        let mut fits: Vec<Vec<Option<Usl>>> = Vec::new();
        // Scenarios run but not measured by this kind: (panel, x's words, line).
        let mut unmeasured: Vec<(Option<String>, String, String)> = Vec::new();
        let mut interval = false;
        for summary in results.summaries {
            let Some(scenario) = experiment.scenarios.get(summary.scenario) else {
                continue;
            };
            let panel_title = facet.map(|f| panel_title(f, scenario));
            let name = label(scenario, &line_keys);
            // No number is no point (a rate of zero-time work): drawn, NaN would run
            // lines off the chart.
            let measured = kind
                .measured(summary, results.summaries)
                .filter(|(_, median, _)| median.is_finite());
            let Some((mut min, median, mut max)) = measured else {
                unmeasured.push((panel_title, x.words(scenario), name));
                continue;
            };
            if bars == Bars::Horizontal
                && let Some((low, high)) = kind.interval(summary)
            {
                (min, max) = (low, high);
                interval = true;
            }
            let x_value = if words {
                let name = x.words(scenario);
                let at = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                    names.push(name);
                    names.len() - 1
                });
                at as f64
            } else {
                match x_number(scenario, x) {
                    Some(v) => v,
                    None => continue,
                }
            };
            let p = match panels.iter().position(|p| p.title == panel_title) {
                Some(p) => p,
                None => {
                    panels.push(Panel {
                        title: panel_title,
                        ..Panel::default()
                    });
                    fits.push(Vec::new());
                    panels.len() - 1
                }
            };
            let line = lines.iter().position(|l| *l == name).unwrap_or_else(|| {
                lines.push(name);
                lines.len() - 1
            });
            let panel = &mut panels[p];
            let s = match panel.series.iter().position(|s| s.line == line) {
                Some(s) => s,
                None => {
                    panel.series.push(Series {
                        line,
                        ..Series::default()
                    });
                    fits[p].push(None);
                    panel.series.len() - 1
                }
            };
            let series = &mut panel.series[s];
            series.points.push(Point {
                x: x_value,
                min,
                median,
                max,
            });
            if !model_only && let Some(model) = kind.model(summary) {
                series.model.push((x_value, model));
            }
            fits[p][s] = fits[p][s].or(kind.fit(summary));
        }
        for (panel, fits) in panels.iter_mut().zip(fits) {
            for (series, usl) in panel.series.iter_mut().zip(fits) {
                series.points.sort_by(|a, b| a.x.total_cmp(&b.x));
                series.model.sort_by(|a, b| a.0.total_cmp(&b.0));
                if let (Some(usl), Some(first), Some(last)) =
                    (usl, series.points.first(), series.points.last())
                {
                    series.fit = curve(&usl, first.x, last.x);
                }
            }
        }
        if words {
            let unmeasured: std::collections::HashSet<_> = unmeasured.into_iter().collect();
            for panel in &mut panels {
                panel.gaps = gaps(panel, &names, &lines, |x, line| {
                    unmeasured.contains(&(panel.title.clone(), x.to_string(), line.to_string()))
                });
            }
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        let legend_title = name_key_once(&mut lines);
        let x_axis = if words {
            XAxis::Words {
                title: axis_title(x),
                names,
            }
        } else {
            XAxis::Numbers {
                title: axis_title(x),
                scale: x_scale(x),
                log: experiment.plot.log_x,
            }
        };
        let mut data = ChartData {
            title: format!(
                "{}: {} against {}",
                experiment.name,
                without_unit(kind.y_title()),
                without_unit(&axis_title(x))
            ),
            subtitle: subtitle(results, x, facet, whiskers(interval), bars),
            x: x_axis,
            y_title: kind.y_title().to_string(),
            y_scale: kind.scale(),
            log_y: experiment.plot.log_y,
            bars,
            panels,
            lines,
            legend_title,
            model_only,
            notes: Vec::new(),
            rules: Vec::new(),
            // Horizontal bars compare within a panel, whose scales may differ by orders of
            // magnitude (a rendezvous against an unbounded queue), as benchmark plots do.
            y_per_panel: bars == Bars::Horizontal,
        };
        data.leave_out_what_log_axes_cannot_show();
        if data.panels.is_empty() {
            // Every scenario lacks this measure (zero-time work has no rate): say so
            // where the chart would be, rather than leave it blank.
            data.notes.push(format!(
                "nothing to draw: no scenario has a {}",
                without_unit(kind.y_title())
            ));
        }
        data.say_if_every_value_is_zero(match results.source {
            Source::Model => ": the model gives zero-time work no time",
            Source::Measured => "",
        });
        data
    }

    /// Says so in `notes` where every point drawn is 0 (`why`, if known, after it): bars
    /// of 0 are not drawn, and an empty chart would read as a missing one.
    pub fn say_if_every_value_is_zero(&mut self, why: &str) {
        let mut medians = self
            .panels
            .iter()
            .flat_map(|p| &p.series)
            .flat_map(|s| &s.points)
            .map(|p| p.median)
            .peekable();
        if medians.peek().is_some() && medians.all(|m| m == 0.0) {
            self.notes.push(format!("every value is 0{why}"));
        }
    }

    /// Drops values of 0 or less from log axes, saying how many in `notes`.
    pub fn leave_out_what_log_axes_cannot_show(&mut self) {
        let log_x = matches!(self.x, XAxis::Numbers { log: true, .. });
        let log_y = self.log_y;
        let (mut points, mut models) = (0, 0);
        for series in self.panels.iter_mut().flat_map(|p| p.series.iter_mut()) {
            let before = (series.points.len(), series.model.len());
            series
                .points
                .retain(|p| (!log_x || p.x > 0.0) && (!log_y || p.median > 0.0));
            series
                .model
                .retain(|m| (!log_x || m.0 > 0.0) && (!log_y || m.1 > 0.0));
            series
                .fit
                .retain(|f| (!log_x || f.0 > 0.0) && (!log_y || f.1 > 0.0));
            for p in &mut series.points {
                // A whisker down to 0 ends at the median rather than at minus infinity.
                if log_y && p.min <= 0.0 {
                    p.min = p.median;
                }
            }
            points += before.0 - series.points.len();
            models += before.1 - series.model.len();
        }
        if points > 0 {
            self.notes.push(format!(
                "{points} point{} of 0 left out: a log axis cannot show 0",
                if points == 1 { "" } else { "s" }
            ));
        }
        if models > 0 {
            self.notes.push(format!(
                "{models} model value{} of 0 (zero-time work) left out: a log axis cannot show 0",
                if models == 1 { "" } else { "s" }
            ));
        }
    }
}

/// The bars of a panel's words and lines that it has no point for, and why: a scenario
/// `unmeasured(words, line)` was run but not measured by this chart.
fn gaps(
    panel: &Panel,
    names: &[String],
    lines: &[String],
    unmeasured: impl Fn(&str, &str) -> bool,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for (x, name) in names.iter().enumerate() {
        for (line, label) in lines.iter().enumerate() {
            let drawn = panel
                .series
                .iter()
                .any(|s| s.line == line && s.points.iter().any(|p| p.x == x as f64));
            if !drawn {
                let why = if unmeasured(name, label) {
                    Absent::NotMeasured
                } else {
                    Absent::NotRun
                };
                gaps.push(Gap {
                    x: x as f64,
                    line,
                    why,
                });
            }
        }
    }
    gaps
}

/// What a chart's whiskers span, in words: horizontal bars the median's 95% interval
/// where the measure has one, everything else the fastest run to the slowest.
fn whiskers(interval: bool) -> &'static str {
    if interval {
        "whiskers the 95% interval of the median"
    } else {
        "whiskers min–max"
    }
}

/// "20 producers, 5 items each, … · time_scale 1 · median of 3 runs, whiskers min–max".
fn subtitle(
    results: &Results,
    x: &Axis,
    facet: Option<&Axis>,
    whiskers: &str,
    bars: Bars,
) -> String {
    let experiment = results.experiment;
    let mut parts = shared_settings(experiment);
    let decided: Vec<&str> = experiment.decided_by(x).iter().map(|k| k.name()).collect();
    if !decided.is_empty() {
        parts.push(format!("{} set with {}", decided.join(" and "), x.name()));
    }
    let scale = experiment.time_scale;
    parts.push(if scale == 1.0 {
        "time_scale 1".to_string()
    } else {
        format!("time_scale {scale}: settings as written, times as run ({scale}×)")
    });
    let runs: Vec<usize> = results.summaries.iter().map(|s| s.runs).collect();
    let (least, most) = (
        runs.iter().copied().min().unwrap_or(0),
        runs.iter().copied().max().unwrap_or(0),
    );
    let count = if least == most {
        format!("{most}")
    } else {
        format!("{least}–{most}")
    };
    parts.push(if results.source == Source::Model {
        "the model alone, in virtual time".to_string()
    } else {
        let runs = if most == 1 { "run" } else { "runs" };
        format!("median of {count} {runs}, {whiskers}")
    });
    if let Some(f) = facet {
        parts.push(match bars {
            Bars::Vertical => format!("a panel per {}", f.name()),
            Bars::Horizontal => format!("a panel per {}, each on its own scale", f.name()),
        });
    }
    parts.join(" · ")
}

/// The fitted law from `from` to `to` consumers in 100 steps: smooth at any width.
fn curve(usl: &Usl, from: f64, to: f64) -> Vec<(f64, f64)> {
    (0..=100)
        .map(|i| from + (to - from) * f64::from(i) / 100.0)
        .map(|n| (n, usl.throughput(n)))
        .collect()
}

#[cfg(test)]
mod tests;
