//! Charts drawn from small made-up summaries: what they show (panels, legends, labels),
//! that nothing collides, and SVG snapshots of a few small charts.

use std::path::Path;

use super::draw::{Swatch, layout};
use super::*;
use crate::experiment::parse;
use crate::record::{QueueMetrics, RunRecord};
use crate::stats::{Summary, summarise};

/// An experiment and made-up runs: `elapsed(scenario)` seconds each, 3 repeats.
fn results_of(
    toml: &str,
    source: Source,
    elapsed: impl Fn(usize) -> f64,
) -> (Experiment, Vec<RunRecord>) {
    let experiment = parse(Path::new("t.toml"), toml).expect("valid");
    let mut runs = Vec::new();
    for scenario in 0..experiment.scenarios.len() {
        for repeat in 1..=3u32 {
            let e = elapsed(scenario) * (1.0 + f64::from(repeat) * 0.01);
            runs.push(RunRecord {
                scenario,
                repeat,
                run_seed: 1,
                source,
                elapsed_s: e,
                predicted_s: Some(elapsed(scenario)),
                items: 100,
                queue: (source == Source::Measured).then_some(QueueMetrics {
                    wait_p50_s: e / 100.0,
                    wait_p99_s: e / 10.0,
                    wait_max_s: e / 5.0,
                    wait_mean_s: e / 50.0,
                    waited_fraction: 0.5,
                    max_depth: Some(scenario as u64 + 1),
                    empty_polls: 0,
                    consumer_items_min: 1,
                    consumer_items_max: 2,
                    blocked_total_s: 0.0,
                    blocked_p99_s: 0.0,
                }),
                predicted_queue: None,
            });
        }
    }
    (experiment, runs)
}

fn data(
    toml: &str,
    kind: &dyn ChartKind,
    source: Source,
    elapsed: impl Fn(usize) -> f64,
) -> ChartData {
    let (experiment, runs) = results_of(toml, source, elapsed);
    let summaries = summarise(&runs);
    let results = Results::of_runs(&experiment, source, &runs, &summaries);
    ChartData::new(
        kind,
        &results,
        &experiment.plot.x,
        experiment.plot.facet.as_ref(),
    )
}

const SEED: &str = "name = \"s\"\n[scenario]\nproducers = 20\nitems_per_producer = 5\n\
                    consume_time = \"250ms\"\n[sweep]\nconsumers = [1, 2, 4, 10, 20, 24, 30]\n";

/// 3 × 4 lines of 4 points each: more than one panel holds.
const TWELVE: &str = "name = \"t\"\n[sweep]\nqueue_impl = [\"crossbeam\", \"std\", \"mutex\"]\n\
                      producers = [1, 2, 4, 8]\nconsumers = [1, 2, 4, 8]\n[plot]\nlog_y = true\n";

/// Points on every panel of `data`.
fn points_drawn(data: &ChartData) -> usize {
    data.panels
        .iter()
        .flat_map(|p| &p.series)
        .map(|s| s.points.len())
        .sum()
}

fn svg(data: &ChartData) -> String {
    String::from_utf8(render(data, ChartFormat::Svg).expect("svg")).expect("text")
}

/// Every label box of every axis, from the font's own metrics, keeps clear of the next.
fn assert_no_tick_labels_touch(data: &ChartData) {
    let placed = layout(data);
    for panel in &placed.panels {
        let mut xs: Vec<(f64, f64)> = panel
            .x_ticks
            .iter()
            .map(|t| {
                let widest = t
                    .label
                    .lines()
                    .map(|l| text::width(l, panel.x_em))
                    .fold(0.0, f64::max);
                let (at, half) = (panel.x.px(t.value), widest / 2.0);
                (at - half, at + half)
            })
            .collect();
        xs.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in xs.windows(2) {
            assert!(w[1].0 > w[0].1, "x labels overlap: {:?}", panel.x_ticks);
        }
        // A label is one line of text: an em and a fifth tall holds its glyphs.
        let mut ys: Vec<f64> = panel.y_ticks.iter().map(|t| panel.y.px(t.value)).collect();
        ys.sort_by(f64::total_cmp);
        for w in ys.windows(2) {
            assert!(
                w[1] - w[0] > 24.0 * 1.2,
                "y labels overlap: {:?}",
                panel.y_ticks
            );
        }
        let labels: Vec<&str> = panel.y_ticks.iter().map(|t| t.label.as_str()).collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique, "a label printed twice");
        assert!(panel.y_ticks.len() >= 2, "{:?}", panel.y_ticks);
    }
}

#[test]
fn no_two_tick_labels_of_an_axis_overlap() {
    assert_no_tick_labels_touch(&data(SEED, &Elapsed::CHARTED, Source::Measured, |s| {
        24.75 / (s as f64 + 1.0)
    }));
    assert_no_tick_labels_touch(&data(TWELVE, &Throughput, Source::Measured, |s| {
        1e-3 * 1.7f64.powi(s as i32 % 17)
    }));
    // Values over nine decades on a log axis, and a narrow range under one.
    for (low, high) in [(1e-9, 5.0), (3.1, 3.4), (0.5, 9e7), (1.0, 1.0)] {
        for log in [false, true] {
            let toml = TWELVE.replace("log_y = true", &format!("log_y = {log}"));
            let d = data(&toml, &Elapsed::CHARTED, Source::Measured, |s| {
                low + (high - low) * (s as f64 / 47.0)
            });
            assert_no_tick_labels_touch(&d);
        }
    }
}

#[test]
fn the_legend_sits_above_every_panel() {
    let d = data(TWELVE, &Throughput, Source::Measured, |s| {
        0.01 * (s as f64 + 1.0)
    });
    let placed = layout(&d);
    let legend_bottom = placed.legend_top + placed.legend.len() as f64 * 24.0 * 1.6;
    assert!(!placed.legend.is_empty());
    for panel in &placed.panels {
        // The panel's title sits above its plot area; the legend ends above both.
        assert!(
            legend_bottom < panel.top - 24.0 * 1.6,
            "{legend_bottom} vs {}",
            panel.top
        );
    }
}

#[test]
fn more_than_six_lines_make_a_panel_per_value_with_the_same_looks() {
    let d = data(TWELVE, &Throughput, Source::Measured, |s| {
        0.01 * (s as f64 + 1.0)
    });
    assert_eq!(d.panels.len(), 3, "a panel per queue_impl");
    let titles: Vec<&str> = d.panels.iter().filter_map(|p| p.title.as_deref()).collect();
    assert_eq!(
        titles,
        [
            "queue_impl = crossbeam",
            "queue_impl = std",
            "queue_impl = mutex"
        ]
    );
    assert_eq!(d.lines, ["1", "2", "4", "8"]);
    assert_eq!(d.legend_title.as_deref(), Some("producers"));
    for panel in &d.panels {
        let lines: Vec<usize> = panel.series.iter().map(|s| s.line).collect();
        assert_eq!(lines, [0, 1, 2, 3], "one look per line in every panel");
    }
    // A facet asked for by name wins over the default.
    let by_producers = TWELVE.replace("log_y = true", "facet = \"producers\"");
    let d = data(&by_producers, &Throughput, Source::Measured, |_| 0.01);
    assert_eq!(d.panels.len(), 4);
    assert_eq!(d.lines.len(), 3);
}

#[test]
fn zeros_are_left_out_of_a_log_axis_and_the_chart_says_so() {
    // Waits of 0 (made-up waits are a tenth of elapsed) on the log axis of TWELVE.
    let d = data(TWELVE, &WaitP99, Source::Measured, |s| {
        if s % 2 == 0 { 0.0 } else { 0.01 }
    });
    let drawn = points_drawn(&d);
    assert_eq!(drawn, 24);
    assert!(
        d.notes
            .iter()
            .any(|n| n.starts_with("24 points of 0 left out")),
        "{:?}",
        d.notes
    );
    assert!(svg(&d).contains("a log axis cannot show 0"));
}

/// The model gives zero-time work no time, so no rate: the throughput chart draws no
/// point (no NaN line off the chart) and says so where the chart would be. Where some
/// scenarios have one, only the others are left out.
#[test]
fn a_chart_of_no_value_says_there_is_nothing_to_draw() {
    let d = data(SEED, &Throughput, Source::Model, |_| 0.0);
    assert_eq!(points_drawn(&d), 0);
    assert!(d.panels.is_empty(), "{:?}", d.panels);
    assert_eq!(d.notes, ["nothing to draw: no scenario has a throughput"]);
    assert!(svg(&d).contains("nothing to draw"));
    let d = data(SEED, &Throughput, Source::Model, |s| {
        if s < 3 { 0.0 } else { 1.0 }
    });
    assert_eq!(points_drawn(&d), 4);
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    // Every value 0: drawn (as nothing) and said, so the chart does not read as missing.
    let d = data(SEED, &Elapsed::CHARTED, Source::Model, |_| 0.0);
    assert_eq!(points_drawn(&d), 7);
    assert_eq!(
        d.notes,
        ["every value is 0: the model gives zero-time work no time"]
    );
}

#[test]
fn a_model_only_chart_says_model_where_others_say_measured() {
    let d = data(SEED, &Elapsed::CHARTED, Source::Model, |s| {
        24.75 / (s as f64 + 1.0)
    });
    let legend: Vec<String> = layout(&d)
        .legend
        .concat()
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(legend, ["model"]);
    let text = svg(&d);
    assert!(
        !text.contains("measured") && text.contains("the model alone"),
        "{text}"
    );
    let measured = data(SEED, &Elapsed::CHARTED, Source::Measured, |s| {
        24.75 / (s as f64 + 1.0)
    });
    let entries: Vec<Swatch> = layout(&measured)
        .legend
        .concat()
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(entries.len(), 2, "measured and the model");
    assert_eq!(entries[1], Swatch::Model);
}

#[test]
fn zero_time_work_draws_time_per_item_where_items_differ_and_elapsed_where_they_do_not() {
    let zero = "name = \"z\"\n[scenario]\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\n\
                [sweep]\nproducers = [1, 2]\n";
    let (_, mut runs) = results_of(zero, Source::Measured, |_| 0.002);
    for r in &mut runs {
        r.predicted_s = Some(0.0);
        r.items = 100 * (r.scenario as u64 + 1);
    }
    let summaries = summarise(&runs);
    assert!(
        summaries
            .iter()
            .all(|s| Elapsed::CHARTED.measured(s, &summaries).is_none())
    );
    // Asked for by name (`plot --y elapsed`), elapsed time is drawn all the same.
    assert!(
        summaries
            .iter()
            .all(|s| Elapsed::ASKED.measured(s, &summaries).is_some())
    );
    let per_item = NsPerItem::CHARTED
        .measured(&summaries[1], &summaries)
        .expect("time per item");
    assert!(
        (per_item.1 - 0.002 * 1.02 / 200.0).abs() < 1e-12,
        "{per_item:?}"
    );
    // Where every scenario moves the same items, as a benchmark suite's do, elapsed time
    // orders as time per item and is drawn in seconds instead, with no model mark at 0.
    for r in &mut runs {
        r.items = 100;
    }
    let summaries = summarise(&runs);
    assert!(
        summaries
            .iter()
            .all(|s| NsPerItem::CHARTED.measured(s, &summaries).is_none())
    );
    let elapsed = Elapsed::CHARTED
        .measured(&summaries[1], &summaries)
        .expect("elapsed");
    assert!((elapsed.1 - 0.002 * 1.02).abs() < 1e-12, "{elapsed:?}");
    assert_eq!(Elapsed::CHARTED.model(&summaries[1]), None);
    // Asked for by name (`plot --y ns_per_item`), time per item is drawn all the same.
    let experiment = parse(Path::new("z.toml"), zero).expect("valid");
    let (asked, _, _) = check_view(&experiment, "producers", "ns_per_item", None).expect("a view");
    let per_item = asked
        .measured(&summaries[1], &summaries)
        .expect("time per item");
    assert!(
        (per_item.1 - 0.002 * 1.02 / 100.0).abs() < 1e-12,
        "{per_item:?}"
    );
}

#[test]
fn a_word_valued_x_draws_bars_named_by_its_words() {
    let toml = "name = \"w\"\n[sweep]\nqueue_impl = [\"crossbeam\", \"std\", \"mutex\"]\n\
                [plot]\nx = \"queue_impl\"\n";
    let d = data(toml, &Elapsed::CHARTED, Source::Measured, |s| {
        0.1 * (s as f64 + 1.0)
    });
    match &d.x {
        XAxis::Words { names, .. } => assert_eq!(names, &["crossbeam", "std", "mutex"]),
        other => panic!("{other:?}"),
    }
    let text = svg(&d);
    assert!(
        text.contains("\nmutex\n</text>"),
        "category names under the bars"
    );
    insta::assert_snapshot!("bars_by_queue_impl", text);
}

#[test]
fn svg_text_names_dejavu_sans_first() {
    let text = svg(&data(SEED, &Elapsed::CHARTED, Source::Measured, |s| {
        24.75 / (s as f64 + 1.0)
    }));
    assert!(text.contains("font-family=\"DejaVu Sans, Verdana, sans-serif\""));
    insta::assert_snapshot!("seed_elapsed", text);
}

/// The whole SVG of the chart `more_than_six_lines_make_a_panel_per_value_with_the_same_looks`
/// states the behaviour of (a panel per implementation, one look per line): kept as a
/// snapshot so that any change to how it is drawn shows in review.
#[test]
fn a_faceted_chart_snapshot() {
    let d = data(TWELVE, &Throughput, Source::Measured, |s| {
        0.01 * (s as f64 + 1.0)
    });
    for panel in &d.panels {
        assert!(
            panel.series.iter().all(|s| s.points.len() == 4),
            "every point drawn"
        );
    }
    insta::assert_snapshot!("twelve_lines_throughput", svg(&d));
}

#[test]
fn png_charts_are_indexed_small_and_the_same_bytes_every_time() {
    let d = data(SEED, &Elapsed::CHARTED, Source::Measured, |s| {
        24.75 / (s as f64 + 1.0)
    });
    let png = render(&d, ChartFormat::Png).expect("png");
    assert_eq!(&png[1..4], b"PNG");
    // IHDR: width, height, bit depth, then colour type 3 (indexed).
    assert_eq!(png[24..26], [8, 3], "8-bit palette");
    assert!(png.len() < 60_000, "{} bytes", png.len());
    assert_eq!(render(&d, ChartFormat::Png).expect("again"), png);
}

/// `n` versions on the x axis; a panel per entry of `scales`, a line of `n` points each.
fn versions_chart(n: usize, scales: &[f64], y_per_panel: bool) -> ChartData {
    let names = (0..n)
        .map(|i| (format!("{:07x}", i * 7919), "2025-01-02".to_string()))
        .collect();
    let panels = scales
        .iter()
        .map(|scale| Panel {
            title: Some(format!("scale {scale}")),
            series: vec![Series {
                line: 0,
                points: (0..n)
                    .map(|i| {
                        let y = scale * (1.0 + (i % 3) as f64 * 0.1);
                        Point {
                            x: i as f64,
                            min: y,
                            median: y,
                            max: y,
                        }
                    })
                    .collect(),
                ..Series::default()
            }],
            gaps: Vec::new(),
        })
        .collect();
    ChartData {
        title: "t".to_string(),
        subtitle: String::new(),
        x: XAxis::Versions {
            title: "version".to_string(),
            names,
        },
        y_title: "elapsed time".to_string(),
        y_scale: Scale::Duration,
        log_y: false,
        bars: crate::experiment::Bars::Vertical,
        panels,
        lines: vec![String::new()],
        legend_title: None,
        model_only: false,
        notes: Vec::new(),
        rules: vec![49.5],
        y_per_panel,
    }
}

#[test]
fn a_hundred_versions_are_named_sparsely_the_newest_always() {
    for panels in [1, 9] {
        let data = versions_chart(100, &vec![1.0; panels], false);
        assert_no_tick_labels_touch(&data);
        for panel in &layout(&data).panels {
            let ticks: Vec<f64> = panel.x_ticks.iter().map(|t| t.value).collect();
            assert_eq!(ticks.last(), Some(&99.0), "{ticks:?}");
            assert!(ticks.windows(2).all(|w| w[0] < w[1]));
            // The date under each name is wider than the name: those keep clear too.
            let date = text::width("2025-01-02", 24.0);
            for w in ticks.windows(2) {
                assert!(panel.x.px(w[1]) - panel.x.px(w[0]) > date, "{ticks:?}");
            }
        }
    }
    let few = versions_chart(4, &[1.0], false);
    let named: Vec<String> = layout(&few).panels[0]
        .x_ticks
        .iter()
        .map(|t| t.label.clone())
        .collect();
    assert_eq!(named, ["0000000", "0001eef", "0003dde", "0005ccd"]);
    assert!(svg(&few).contains("2025-01-02"));
}

#[test]
fn panels_of_their_own_y_axis_each_span_their_own_values() {
    let data = versions_chart(5, &[0.001, 1000.0], true);
    let placed = layout(&data);
    let top = |p: usize| placed.panels[p].y_ticks.last().expect("ticks").value;
    assert!(top(0) < 0.01 && top(1) > 100.0, "{} {}", top(0), top(1));
    let shared = layout(&versions_chart(5, &[0.001, 1000.0], false));
    assert_eq!(shared.panels[0].y_ticks, shared.panels[1].y_ticks);
}

#[test]
fn markers_shrink_where_points_crowd() {
    use super::draw::marker_radius;
    assert_eq!(
        marker_radius(&[(0.0, 5.0)]),
        7,
        "a lone point keeps its marker"
    );
    assert_eq!(marker_radius(&[(0.0, 5.0), (300.0, 5.0), (600.0, 9.0)]), 7);
    // Ten pixels apart: a radius of 3, and nothing below 3 (left out by the caller).
    assert_eq!(marker_radius(&[(0.0, 5.0), (10.0, 5.0), (300.0, 9.0)]), 3);
    assert_eq!(marker_radius(&[(0.0, 5.0), (6.0, 5.0)]), 2);
}

/// The channel suite's shape: implementations × topologies × capacity classes.
const SUITE: &str = "name = \"suite\"\n[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n\
                     together.topology = [{ producers = 1, consumers = 1 }, \
                     { producers = 4, consumers = 1 }, { producers = 4, consumers = 4 }]\n\
                     together.capacity_class = [{ queue = \"unbounded\" }, \
                     { queue = \"bounded\", capacity = 0 }, { queue = \"bounded\", capacity = 1 }, \
                     { queue = \"bounded\", capacity = 100 }]\n\
                     [plot]\nx = \"topology\"\nfacet = \"queue_impl\"\n";

#[test]
fn a_group_on_x_draws_bars_named_by_its_values() {
    let d = data(SUITE, &Elapsed::CHARTED, Source::Measured, |s| {
        0.1 * (s as f64 + 1.0)
    });
    match &d.x {
        XAxis::Words { names, title } => {
            assert_eq!(names, &["1 × 1", "4 × 1", "4 × 4"]);
            assert_eq!(title, "producers × consumers");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(d.title, "suite: elapsed time against producers × consumers");
    let titles: Vec<&str> = d.panels.iter().filter_map(|p| p.title.as_deref()).collect();
    assert_eq!(titles, ["queue_impl = crossbeam", "queue_impl = std"]);
    assert_eq!(
        d.lines,
        [
            "queue=unbounded, capacity=none",
            "queue=bounded, capacity=0",
            "queue=bounded, capacity=1",
            "queue=bounded, capacity=100"
        ]
    );
    for panel in &d.panels {
        assert_eq!(panel.series.len(), 4, "a bar per capacity class");
        for series in &panel.series {
            let xs: Vec<f64> = series.points.iter().map(|p| p.x).collect();
            assert_eq!(xs, [0.0, 1.0, 2.0], "a bar in every topology");
        }
    }
    // Scenario 5 is crossbeam, 4 × 1, capacity 0: its bar holds its own median.
    let bar = &d.panels[0].series[1].points[1];
    assert!((bar.median - 0.6 * 1.02).abs() < 1e-12, "{bar:?}");
}

#[test]
fn a_group_in_panels_is_titled_by_its_keys_and_values() {
    let toml = SUITE.replace(
        "x = \"topology\"\nfacet = \"queue_impl\"",
        "x = \"capacity_class\"\nfacet = \"topology\"",
    );
    let d = data(&toml, &Throughput, Source::Measured, |_| 0.1);
    let titles: Vec<&str> = d.panels.iter().filter_map(|p| p.title.as_deref()).collect();
    assert_eq!(
        titles,
        [
            "producers × consumers = 1 × 1",
            "producers × consumers = 4 × 1",
            "producers × consumers = 4 × 4"
        ]
    );
    match &d.x {
        XAxis::Words { names, .. } => assert_eq!(
            names,
            &["unbounded", "bounded × 0", "bounded × 1", "bounded × 100"]
        ),
        other => panic!("{other:?}"),
    }
    // Three narrow panels: the longer words wrap or shrink rather than run together.
    assert_no_tick_labels_touch(&d);
    let placed = layout(&d);
    assert!(
        placed.panels[0]
            .x_ticks
            .iter()
            .any(|t| t.label.contains('\n')),
        "{:?}",
        placed.panels[0].x_ticks
    );
}

#[test]
fn a_key_that_decides_its_group_draws_one_line_through_it() {
    let toml = "name = \"side\"\n[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n\
                together.side = [{ producers = 1, consumers = 1 }, { producers = 2, consumers = 2 }, \
                { producers = 4, consumers = 4 }]\n[plot]\nx = \"consumers\"\n";
    let d = data(toml, &Elapsed::CHARTED, Source::Measured, |s| {
        1.0 / (s as f64 + 1.0)
    });
    assert_eq!(d.lines, ["crossbeam", "std"]);
    assert_eq!(d.legend_title.as_deref(), Some("queue_impl"));
    let xs: Vec<f64> = d.panels[0].series[0].points.iter().map(|p| p.x).collect();
    assert_eq!(xs, [1.0, 2.0, 4.0]);
    assert!(
        d.subtitle.contains("producers set with consumers"),
        "{}",
        d.subtitle
    );
    // Where consumers repeat within the group, producers split the lines instead.
    let toml = SUITE.replace("x = \"topology\"", "x = \"consumers\"");
    let d = data(&toml, &Elapsed::CHARTED, Source::Measured, |_| 0.1);
    assert!(
        d.lines.iter().all(|l| l.starts_with("producers=")),
        "{:?}",
        d.lines
    );
    let points: Vec<usize> = d.panels[0].series.iter().map(|s| s.points.len()).collect();
    assert_eq!(
        points,
        [1, 1, 1, 1, 2, 2, 2, 2],
        "producers=1 at one x, =4 at two"
    );
}

/// The channel suite as benchmark plots draw it: a panel per capacity class, topologies
/// down each, a horizontal bar per implementation; mutex has no rendezvous.
const HORIZONTAL: &str = "name = \"hsuite\"\n[scenario]\nproduce_time = \"0ms\"\n\
                          consume_time = \"0ms\"\n[sweep]\n\
                          together.capacity_class = [{ queue = \"bounded\", capacity = 0 }, \
                          { queue = \"bounded\", capacity = 1 }, { queue = \"unbounded\" }]\n\
                          together.topology = [{ producers = 1, consumers = 1 }, \
                          { producers = 4, consumers = 1 }, { producers = 4, consumers = 4 }]\n\
                          queue_impl = [\"crossbeam\", \"std\", \"mutex\"]\n\
                          exclude = [{ queue_impl = \"mutex\", capacity = 0 }]\n\
                          [plot]\nx = \"topology\"\nfacet = \"capacity_class\"\n\
                          bars = \"horizontal\"\n";

/// Made-up runs of `toml`: scenario `s` takes `elapsed(s)` seconds, +1% and +2% on
/// repeats 2 and 3, with no prediction (zero-time work) and no queue metrics for `std`
/// on an unbounded queue.
fn horizontal_data(
    toml: &str,
    kind: &dyn ChartKind,
    elapsed: impl Fn(usize) -> f64,
) -> (ChartData, Vec<Summary>) {
    let (experiment, mut runs) = results_of(toml, Source::Measured, elapsed);
    for r in &mut runs {
        r.predicted_s = Some(0.0);
        let label = &experiment.scenarios[r.scenario].label;
        if label.contains("queue_impl=std") && label.contains("queue=unbounded") {
            r.queue = None;
        }
    }
    let summaries = summarise(&runs);
    let results = Results::of_runs(&experiment, Source::Measured, &runs, &summaries);
    let x = &experiment.plot.x;
    let data = ChartData::new(kind, &results, x, experiment.plot.facet.as_ref());
    (data, summaries)
}

#[test]
fn horizontal_bars_make_a_panel_per_class_a_bar_per_implementation_and_say_what_is_absent() {
    let (d, _) = horizontal_data(HORIZONTAL, &Elapsed::CHARTED, |s| 0.5 + s as f64 * 0.01);
    let titles: Vec<&str> = d.panels.iter().filter_map(|p| p.title.as_deref()).collect();
    assert_eq!(
        titles,
        [
            "queue × capacity = bounded × 0",
            "queue × capacity = bounded × 1",
            "queue × capacity = unbounded"
        ]
    );
    assert_eq!(d.lines, ["crossbeam", "std", "mutex"]);
    assert_eq!(d.legend_title.as_deref(), Some("queue_impl"));
    assert!(
        d.subtitle
            .contains("whiskers the 95% interval of the median")
            && d.subtitle.contains("each on its own scale"),
        "{}",
        d.subtitle
    );
    let placed = hbars::layout(&d);
    let bars: Vec<usize> = placed.panels.iter().map(|p| p.bars.len()).collect();
    assert_eq!(bars, [6, 9, 9], "3 topologies × 2 or 3 implementations");
    let gaps: Vec<&str> = placed.panels[0]
        .gaps
        .iter()
        .map(|g| g.text.as_str())
        .collect();
    assert_eq!(gaps, ["mutex: not run"; 3], "mutex has no rendezvous");
    assert!(placed.panels[1..].iter().all(|p| p.gaps.is_empty()));
    // A line keeps its place in every group: crossbeam above std above mutex (or its gap),
    // each within its topology's group.
    for panel in &placed.panels {
        let slot = panel.categories[1].0 - panel.categories[0].0;
        for (k, (middle, _)) in panel.categories.iter().enumerate() {
            let mut group: Vec<(usize, f64)> = panel
                .bars
                .iter()
                .filter(|b| (b.top - middle).abs() < slot / 2.0)
                .map(|b| (b.line, b.top))
                .collect();
            group.sort_by(|a, b| a.1.total_cmp(&b.1));
            let lines: Vec<usize> = group.iter().map(|g| g.0).collect();
            let expected: &[usize] = if panel.gaps.is_empty() {
                &[0, 1, 2]
            } else {
                &[0, 1]
            };
            assert_eq!(lines, expected, "group {k}");
            for gap in &panel.gaps {
                assert!(
                    group.iter().all(|g| g.1 < gap.top) || (gap.top - middle).abs() > slot / 2.0
                );
            }
        }
        let categories: Vec<String> = panel.categories.iter().map(|c| c.1.join(" ")).collect();
        assert_eq!(categories, ["1 × 1", "4 × 1", "4 × 4"], "spsc at the top");
    }
    let text = svg(&d);
    assert!(text.contains("mutex: not run"), "the gap says why");
    insta::assert_snapshot!("horizontal_bars_by_capacity_class", text);
}

#[test]
fn horizontal_whiskers_span_the_interval_of_the_median_not_the_runs() {
    let (d, summaries) = horizontal_data(HORIZONTAL, &Elapsed::CHARTED, |s| 1.0 + s as f64);
    let series = &d.panels[1].series[0];
    let point = &series.points[0];
    let summary = &summaries[6];
    assert_eq!(point.median, summary.elapsed_s.median);
    assert_eq!(
        (point.min, point.max),
        summary.median_interval_s,
        "whiskers are the bootstrap interval of the median"
    );
    // Vertical bars of the same experiment keep min–max.
    let vertical = HORIZONTAL.replace("bars = \"horizontal\"\n", "");
    let (d, summaries) = horizontal_data(&vertical, &Elapsed::CHARTED, |s| 1.0 + s as f64);
    let point = &d.panels[1].series[0].points[0];
    let spread = summaries[6].elapsed_s;
    assert_eq!((point.min, point.max), (spread.min, spread.max));
    assert!(d.subtitle.contains("whiskers min–max"));
}

#[test]
fn a_chart_of_what_a_queue_does_not_measure_says_not_measured() {
    // std queues have no length and here no queue metrics at all.
    let (d, _) = horizontal_data(HORIZONTAL, &WaitP99, |s| 0.5 + s as f64 * 0.01);
    let placed = hbars::layout(&d);
    let gaps: Vec<&str> = placed.panels[2]
        .gaps
        .iter()
        .map(|g| g.text.as_str())
        .collect();
    assert_eq!(gaps, ["std: not measured"; 3], "run, but not measured");
    assert_eq!(placed.panels[0].gaps.len(), 3, "mutex: not run");
    assert!(placed.panels[1].gaps.is_empty());
    assert!(
        d.subtitle.contains("whiskers min–max"),
        "no interval of a p99"
    );
}

#[test]
fn horizontal_labels_keep_clear_of_each_other_and_stay_in_their_panel() {
    // Bars of very different lengths, long and short names, narrow and wide panels.
    let elapsed = |s: usize| 0.001 * 3f64.powi((s % 7) as i32);
    let four = HORIZONTAL.replace(
        "{ queue = \"unbounded\" }]",
        "{ queue = \"bounded\", capacity = 2 }, { queue = \"unbounded\" }]",
    );
    let log = HORIZONTAL.replace(
        "bars = \"horizontal\"\n",
        "bars = \"horizontal\"\nlog_y = true\n",
    );
    for toml in [
        HORIZONTAL.to_string(),
        four,
        log,
        HORIZONTAL
            .replace("queue_impl = [", "queue_impl = [\"mutex\", ")
            .replace("\"mutex\"]", "]"),
    ] {
        let (d, _) = horizontal_data(&toml, &Elapsed::CHARTED, elapsed);
        let placed = hbars::layout(&d);
        for panel in &placed.panels {
            let labels: Vec<&hbars::Label> = panel
                .bars
                .iter()
                .filter_map(|b| b.label.as_ref())
                .chain(&panel.gaps)
                .collect();
            assert!(!labels.is_empty());
            for (i, a) in labels.iter().enumerate() {
                assert!(a.right <= panel.right && a.left >= panel.left, "{a:?}");
                assert!(a.top >= panel.top && a.bottom <= panel.bottom, "{a:?}");
                for b in &labels[i + 1..] {
                    assert!(!a.overlaps(b), "{a:?} and {b:?}");
                }
            }
            for bar in &panel.bars {
                assert!(
                    bar.start <= bar.median && bar.high <= panel.right,
                    "{bar:?}"
                );
                if let Some(label) = &bar.label {
                    assert!(label.left > bar.high.max(bar.median), "after its whisker");
                }
            }
            let ys: Vec<f64> = panel.categories.iter().map(|c| c.0).collect();
            let em = panel.category_em;
            for w in ys.windows(2) {
                assert!(w[1] - w[0] > em * 1.2, "category labels overlap");
            }
            let mut xs: Vec<(f64, f64)> = panel
                .ticks
                .iter()
                .map(|t| {
                    let (at, half) = (panel.value.px(t.value), text::width(&t.label, 24.0) / 2.0);
                    (at - half, at + half)
                })
                .collect();
            xs.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert!(xs.len() >= 2, "{:?}", panel.ticks);
            for w in xs.windows(2) {
                assert!(w[1].0 > w[0].1, "tick labels overlap: {:?}", panel.ticks);
            }
        }
    }
}

#[test]
fn legend_entries_hold_only_the_value_when_one_key_varies_and_name_the_key_once() {
    let toml = "name = \"l\"\n[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n\
                consumers = [1, 2]\n[plot]\nx = \"consumers\"\n";
    let d = data(toml, &Elapsed::CHARTED, Source::Measured, |s| {
        1.0 + s as f64
    });
    assert_eq!(d.lines, ["crossbeam", "std"]);
    let entries = super::draw::legend_entries(&d);
    assert_eq!(entries[0], (Swatch::Title, "queue_impl:".to_string()));
    let labels: Vec<&str> = entries.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        labels.iter().filter(|l| l.contains("queue_impl")).count(),
        1,
        "the key once: {labels:?}"
    );
    // Two keys varying keep their names on every entry, and no legend title.
    let toml = "name = \"l\"\n[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n\
                producers = [1, 2]\nconsumers = [1, 2]\n[plot]\nx = \"consumers\"\n";
    let d = data(toml, &Elapsed::CHARTED, Source::Measured, |s| {
        1.0 + s as f64
    });
    assert_eq!(d.legend_title, None);
    assert!(
        d.lines
            .iter()
            .all(|l| l.contains("queue_impl=") && l.contains("producers="))
    );
}

#[test]
fn a_key_is_named_once_only_where_every_label_is_that_key_alone() {
    let mut labels = vec!["queue_impl=std".to_string(), "queue_impl=flume".to_string()];
    assert_eq!(name_key_once(&mut labels).as_deref(), Some("queue_impl"));
    assert_eq!(labels, ["std", "flume"]);
    for unchanged in [
        vec!["queue_impl=std", "consumers=2"],
        vec!["queue_impl=std producers=1", "queue_impl=std producers=2"],
        vec![
            "queue_impl=std, producers=1",
            "queue_impl=flume, producers=1",
        ],
        vec![""],
        vec!["measured"],
    ] {
        let mut labels: Vec<String> = unchanged.iter().map(|l| l.to_string()).collect();
        assert_eq!(name_key_once(&mut labels), None, "{unchanged:?}");
        assert_eq!(labels, unchanged);
    }
}

/// Each panel title's box as drawn: (left, top, right, bottom).
fn title_boxes(data: &ChartData) -> Vec<(f64, f64, f64, f64)> {
    layout(data)
        .panels
        .iter()
        .map(|b| {
            let widest = b
                .title
                .iter()
                .map(|l| text::width(l, b.title_em))
                .fold(0.0, f64::max);
            let middle = (b.left + b.right) / 2.0;
            let height = b.title.len() as f64 * b.title_em * 1.2;
            (
                middle - widest / 2.0,
                b.top - 8.0 - height,
                middle + widest / 2.0,
                b.top - 8.0,
            )
        })
        .collect()
}

#[test]
fn long_panel_titles_of_many_panels_never_overlap_and_are_never_cut() {
    for (panels, title) in [
        (27, "queue_impl=crossbeam producers=20 consumers=20"),
        (
            48,
            "queue=bounded capacity=5000000 producers=4 consumers=4 \
             items_per_producer=1250000 queue_impl=crossbeam",
        ),
    ] {
        let mut d = versions_chart(2, &vec![1.0; panels], true);
        for (i, p) in d.panels.iter_mut().enumerate() {
            p.title = Some(format!("{title} #{i}"));
        }
        let boxes = title_boxes(&d);
        let (w, h) = super::draw::image_size(&d);
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.0 >= 0.0 && a.2 <= f64::from(w) && a.1 >= 0.0,
                "{a:?} in {w} × {h}"
            );
            for b in &boxes[i + 1..] {
                let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
                assert!(apart, "{panels} panels: {a:?} overlaps {b:?}");
            }
        }
        for (i, b) in layout(&d).panels.iter().enumerate() {
            assert_eq!(
                b.title.join(" "),
                format!("{title} #{i}"),
                "whole, never cut"
            );
            assert!(
                b.bottom - b.top >= 120.0,
                "plot {} pixels tall",
                b.bottom - b.top
            );
        }
        assert!(
            h > super::draw::SIZE.1,
            "the image grows for {panels} panels"
        );
    }
}

#[test]
fn a_chart_of_few_short_titled_panels_keeps_its_size_and_one_line_titles() {
    let d = versions_chart(5, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], true);
    assert_eq!(super::draw::image_size(&d), super::draw::SIZE);
    assert!(layout(&d).panels.iter().all(|b| b.title.len() == 1));
}

#[test]
fn capacity_on_x_with_an_unbounded_queue_names_every_class_and_lines_leave_queue_out() {
    let toml = "name = \"c\"\n[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n\
                together.class = [{ queue = \"bounded\", capacity = 0 }, \
                { queue = \"bounded\", capacity = 1 }, { queue = \"unbounded\" }]\n\
                [plot]\nx = \"capacity\"\n";
    let d = data(toml, &Elapsed::CHARTED, Source::Measured, |s| {
        0.1 * (s as f64 + 1.0)
    });
    // Words, not numbers: 0 and 1 would sit on one another, and the unbounded queue
    // has no number at all.
    match &d.x {
        XAxis::Words { names, .. } => assert_eq!(names, &["0", "1", "none"]),
        other => panic!("{other:?}"),
    }
    let drawn = points_drawn(&d);
    assert_eq!(drawn, 6, "every scenario is drawn");
    assert_eq!(d.lines, ["crossbeam", "std"]);
}

/// A facet decides what its values decide: a panel per capacity holds one queue (`none`
/// is the unbounded one), so `queue` names no line, as it names none against a capacity
/// on x. Lines are the topologies alone, three a panel, each with its bar in every slot.
#[test]
fn a_facet_by_capacity_leaves_the_queue_out_of_the_lines() {
    let toml = HORIZONTAL.replace(
        "x = \"topology\"\nfacet = \"capacity_class\"",
        "x = \"queue_impl\"\nfacet = \"capacity\"",
    );
    let (d, _) = horizontal_data(&toml, &MaxDepth, |s| 0.5 + s as f64 * 0.01);
    assert_eq!(d.lines.len(), 3, "{:?}", d.lines);
    assert!(
        d.lines.iter().all(|l| !l.contains("queue=")),
        "{:?}",
        d.lines
    );
    assert_eq!(d.panels.len(), 3);
}

/// A view whose facet and x decide one another (a capacity says the queue) would leave
/// most of each panel empty: refused saying so, and the facets offered leave it out.
#[test]
fn a_view_whose_facet_and_x_decide_one_another_is_refused() {
    let experiment = parse(Path::new("h.toml"), HORIZONTAL).expect("valid");
    for (x, facet) in [("queue", "capacity"), ("capacity", "queue")] {
        let refused = check_view(&experiment, x, "elapsed", Some(facet))
            .err()
            .unwrap_or_else(|| panic!("x = {x}, facet = {facet}"));
        assert!(refused.contains("`capacity` decides `queue`"), "{refused}");
        assert!(!refused.contains("allowed: capacity"), "{refused}");
    }
    assert!(check_view(&experiment, "queue_impl", "elapsed", Some("capacity")).is_ok());
}

/// Vertical bars say why a bar is absent too, turned up in its empty slot, as
/// horizontal bars do: `exclude` left mutex's rendezvous out.
#[test]
fn vertical_bars_say_which_bar_was_not_run() {
    let vertical = HORIZONTAL.replace("bars = \"horizontal\"\n", "");
    let (d, _) = horizontal_data(&vertical, &Elapsed::CHARTED, |s| 0.5 + s as f64 * 0.01);
    let gaps: usize = d.panels.iter().map(|p| p.gaps.len()).sum();
    assert!(gaps > 0, "mutex has no rendezvous");
    assert!(svg(&d).contains("mutex: not run"));
}

/// Where a bar's name does not fit after it, bars go without names (the legend gives
/// them) and the axis ends where the bars do; a bar left out still says so in its empty
/// band, which has the room.
#[test]
fn gaps_say_not_run_even_where_bar_names_do_not_fit() {
    let toml = "name = \"hf\"\n[scenario]\nproduce_time = \"1ms\"\nconsume_time = \"2ms\"\n\
                [sweep]\nproducers = [1, 2, 3]\nqueue_impl = [\"crossbeam\", \"std\", \"mutex\", \"flume\"]\n\
                together.capacity_class = [{ queue = \"bounded\", capacity = 0 }, \
                { queue = \"bounded\", capacity = 1 }, { queue = \"unbounded\" }]\n\
                exclude = [{ queue_impl = \"mutex\", capacity = 0 }]\n\
                [plot]\nx = \"queue_impl\"\nbars = \"horizontal\"\nfacet = \"producers\"\n";
    let (d, _) = horizontal_data(toml, &Elapsed::CHARTED, |_| 1.0);
    let placed = hbars::layout(&d);
    assert_eq!(placed.panels.len(), 3);
    for panel in &placed.panels {
        assert!(
            panel.bars.iter().all(|b| b.label.is_none()),
            "names do not fit"
        );
        let gaps: Vec<&str> = panel.gaps.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(gaps, ["bounded, 0: not run"]);
        // Every bar ends at 1 s (+2% on a repeat): the axis ends near it, not at twice it.
        assert!(panel.value.high < 1.2, "{}", panel.value.high);
    }
}
