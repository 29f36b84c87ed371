//! Every output rendered in memory from one small set of results: what each file holds,
//! without touching the disk.

use std::path::Path;

use super::*;
use crate::environment::HandOver;
use crate::experiment::{ChartFormat, parse};
use crate::record::QueueMetrics;
use crate::scenario::ScenarioKey;
use crate::stats::summarise;

const TEXT: &str = "name = \"mem\"\nrepeats = 2\n[scenario]\nproducers = 2\n\
                    items_per_producer = 3\n[sweep]\nconsumers = [1, 2]\n";

fn experiment() -> Experiment {
    parse(Path::new("mem.toml"), TEXT).expect("valid")
}

fn runs() -> Vec<RunRecord> {
    let mut runs = Vec::new();
    for scenario in 0..2 {
        for repeat in 1..=2 {
            runs.push(RunRecord {
                scenario,
                repeat,
                run_seed: 7,
                source: Source::Measured,
                elapsed_s: 0.06 / (scenario + 1) as f64 + f64::from(repeat) * 1e-4,
                predicted_s: Some(0.06 / (scenario + 1) as f64),
                items: 6,
                queue: Some(QueueMetrics {
                    wait_p50_s: 0.001,
                    wait_p99_s: 0.002,
                    wait_max_s: 0.003,
                    wait_mean_s: 0.0015,
                    waited_fraction: 0.5,
                    max_depth: Some(2),
                    empty_polls: 0,
                    consumer_items_min: 6 / (scenario as u64 + 1),
                    consumer_items_max: 6 / (scenario as u64 + 1),
                    blocked_total_s: 0.0,
                    blocked_p99_s: 0.0,
                }),
                predicted_queue: None,
            });
        }
    }
    runs
}

fn environment() -> Environment {
    Environment {
        queuelab_version: "0.0.0".into(),
        git_commit: None,
        host: "test-host".into(),
        cpu_model: "test cpu".into(),
        cpus: 2,
        os: "test os".into(),
        started: "start".into(),
        finished: "end".into(),
        command: None,
        jobs: None,
        warmup: None,
        order: None,
        sleep_overshoot: None,
        hand_over: None,
    }
}

/// Renders the output named `file` of the standard results.
fn render(file: &str) -> Vec<u8> {
    render_with(file, TEXT, &environment())
}

/// Renders the output named `file` of the standard runs of the experiment `text` (two
/// scenarios, two repeats each) made on `environment`.
fn render_with(file: &str, text: &str, environment: &Environment) -> Vec<u8> {
    let experiment = parse(Path::new("mem.toml"), text).expect("valid");
    let runs = runs();
    let summaries = summarise(&runs);
    let results = Results {
        experiment: &experiment,
        source: Source::Measured,
        runs: &runs,
        summaries: &summaries,
        environment: Some(environment),
    };
    let outputs = all_outputs(&experiment);
    let output = outputs
        .iter()
        .find(|o| o.file_name(&results) == file)
        .unwrap_or_else(|| panic!("no output {file}"));
    assert!(output.wanted(&results), "{file}");
    output.render(&results).expect("renders")
}

fn text(file: &str) -> String {
    String::from_utf8(render(file)).expect("text")
}

#[test]
fn runs_csv_has_a_row_per_run_in_scenario_and_repeat_order() {
    let csv = text("runs.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("experiment,scenario,repeat,producers,consumers,"));
    assert!(
        lines[1].starts_with("mem,consumers=1,1,2,1,3,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[4].starts_with("mem,consumers=2,2,2,2,3,"),
        "{}",
        lines[4]
    );
    assert!(
        lines[1].contains(",0.060100000,0.060000000,6,"),
        "{}",
        lines[1]
    );
}

#[test]
fn summary_csv_and_json_have_one_entry_per_scenario() {
    let csv = text("summary.csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let json: serde_json::Value = serde_json::from_slice(&render("summary.json")).expect("json");
    assert_eq!(json["experiment"], "mem");
    assert_eq!(json["results"].as_array().map(Vec::len), Some(2));
}

#[test]
fn meta_json_and_the_experiment_copy_record_how_it_was_made() {
    let meta: serde_json::Value = serde_json::from_slice(&render("meta.json")).expect("json");
    assert_eq!(
        (meta["repeats"].as_u64(), meta["seed"].as_u64()),
        (Some(2), Some(42))
    );
    assert_eq!(meta["environment"]["host"], "test-host");
    assert_eq!(meta["source"], "measured");
    assert_eq!(text("experiment.toml"), TEXT);
    // Read back as the type it is; another word is refused at its line and column.
    let path = Path::new("meta.json");
    let written = String::from_utf8(render("meta.json")).expect("text");
    let read = crate::output::parse_meta(path, &written).expect("reads back");
    assert_eq!(read.source, Source::Measured);
    let wrong = written.replace("\"measured\"", "\"measurd\"");
    let refused = crate::output::parse_meta(path, &wrong).expect_err("no such source");
    assert!(
        refused.contains("`measurd` is not a source: \"measured\" or \"model\""),
        "{refused}"
    );
}

#[test]
fn the_report_explains_waits_where_hand_overs_alone_reach_the_waited_threshold() {
    let report = |text: &str, waited: u32| {
        let mut environment = environment();
        environment.hand_over = Some(HandOver {
            samples: 100,
            median_us: 18.0,
            p90_us: 41.5,
            waited,
        });
        String::from_utf8(render_with("report.md", text, &environment)).expect("text")
    };
    let note = "and 7 of 100 such hand-overs took at least 20 µs by themselves";
    let environment_row = "| hand-over to a waiting thread | 18.0 µs median, 41.5 µs p90 over \
                           100 items; 7 took at least 20 µs |";
    let blocking = report(TEXT, 7);
    assert!(blocking.contains(note), "{blocking}");
    assert!(blocking.contains(environment_row), "{blocking}");
    // Fewer than one hand-over in twenty reached it: nothing to explain, and the figures
    // are still recorded.
    let quick = report(TEXT, 4);
    assert!(!quick.contains("such hand-overs"), "{quick}");
    assert!(
        quick.contains("| hand-over to a waiting thread |"),
        "{quick}"
    );
    // Polling consumers never wait on the queue for an item to be handed over.
    let polling = TEXT.replace(
        "[sweep]",
        "consumer = \"poll\"\nconsume_time = \"1ms\"\n[sweep]",
    );
    let polling = report(&polling, 7);
    assert!(polling.contains("| consumers=2 |"), "{polling}");
    assert!(!polling.contains("such hand-overs"), "{polling}");
    // Nor does a rendezvous hold an item to wait: its items wait for nothing.
    let rendezvous = TEXT.replace("[sweep]", "queue = \"bounded\"\ncapacity = 0\n[sweep]");
    let rendezvous = report(&rendezvous, 7);
    assert!(rendezvous.contains("| consumers=2 |"), "{rendezvous}");
    assert!(!rendezvous.contains("such hand-overs"), "{rendezvous}");
    assert!(report(TEXT, 5).contains("5 of 100 such hand-overs"));
}

/// A run stopped early summarises the scenarios it reached; the report says the sweep is
/// not whole, and a whole one says nothing of the kind.
#[test]
fn the_report_says_when_runs_of_the_plan_are_missing() {
    assert!(!text("report.md").contains("Incomplete"));
    // The standard four runs, of experiments that plan more.
    let report_of = |text: String| {
        String::from_utf8(render_with("report.md", &text, &environment())).expect("text")
    };
    let report = report_of(TEXT.replace("repeats = 2", "repeats = 3"));
    assert!(
        report.contains("**Incomplete:** 4 of the 6 runs planned, in 2 of the 2 scenarios"),
        "{report}"
    );
    let report = report_of(TEXT.replace("[1, 2]", "[1, 2, 4]"));
    assert!(
        report.contains("4 of the 6 runs planned, in 2 of the 3 scenarios"),
        "{report}"
    );
}

#[test]
fn the_report_names_the_experiment_and_links_each_chart() {
    let report = text("report.md");
    assert!(report.starts_with("# mem\n"), "{report}");
    assert!(report.contains("| consumers=2 | 2 |"), "{report}");
    assert!(report.contains("(elapsed_vs_consumers.png)"), "{report}");
    assert!(report.contains("| host | test-host |"), "{report}");
}

#[test]
fn charts_render_as_whole_png_and_svg_images() {
    let png = render("elapsed_vs_consumers.png");
    let decoder = png::Decoder::new(png.as_slice());
    let reader = decoder.read_info().expect("a PNG");
    assert_eq!((reader.info().width, reader.info().height), (1600, 1000));
    let svg = text("throughput_vs_consumers.svg");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(
        svg.contains("mem: throughput against consumers"),
        "the title is drawn"
    );
    let experiment = experiment();
    assert_eq!(
        experiment.plot.formats,
        [ChartFormat::Png, ChartFormat::Svg]
    );
}

/// A scenario compared, `label` `key=value`, with its medians on each side; its x
/// in words is the label's value.
fn compared(label: &str, x: Option<f64>, (median_a, median_b): (f64, f64)) -> ComparedScenario {
    let ratio = median_b / median_a;
    ComparedScenario {
        label: label.to_string(),
        x,
        x_words: label.split_once('=').map_or(label, |(_, v)| v).to_string(),
        line: None,
        median_a,
        median_b,
        ratio,
        interval: (ratio * 0.99, ratio * 1.01),
        verdict: match ratio > 1.0 {
            true => crate::stats::Verdict::Slower,
            false => crate::stats::Verdict::WithinNoise,
        },
    }
}

/// A comparison of `a` against `b` on A's x `key` and log axes.
fn comparison_of(
    key: ScenarioKey,
    log: (bool, bool),
    scenarios: Vec<ComparedScenario>,
) -> Comparison {
    Comparison {
        a_name: "a".into(),
        b_name: "b".into(),
        x: crate::experiment::Axis::Key(key),
        log,
        scenarios,
        only_a: Vec::new(),
        only_b: Vec::new(),
    }
}

/// A compare chart draws its axes as A's own charts do: log where A's `[plot]` says so,
/// leaving out (and saying so) what a log axis cannot show.
#[test]
fn the_compare_chart_takes_a_s_log_axes() {
    let scenario = |x: f64| compared(&format!("capacity={x}"), Some(x), (1.0, 1.0));
    let comparison = comparison_of(
        ScenarioKey::Capacity,
        (true, true),
        vec![scenario(0.0), scenario(10.0), scenario(1000.0)],
    );
    let data = super::compare::chart_data(&comparison);
    assert!(matches!(
        data.x,
        super::chart::XAxis::Numbers { log: true, .. }
    ));
    assert!(data.log_y);
    let points: usize = data.panels[0].series.iter().map(|s| s.points.len()).sum();
    assert_eq!(points, 4, "capacity 0 left out on each side");
    assert_eq!(data.notes.len(), 1, "{:?}", data.notes);
}

/// Where A's x is words (a queue_impl, a group), the compare chart has a bar of each
/// side per word, rather than empty axes.
#[test]
fn the_compare_chart_of_words_has_a_bar_of_each_side_per_word() {
    let scenario = |word: &str| compared(&format!("queue_impl={word}"), None, (1.0, 2.0));
    let comparison = comparison_of(
        ScenarioKey::QueueImpl,
        (false, false),
        vec![scenario("crossbeam"), scenario("std")],
    );
    let data = super::compare::chart_data(&comparison);
    assert!(matches!(
        &data.x,
        super::chart::XAxis::Words { names, .. } if names == &["crossbeam", "std"]
    ));
    let sides: Vec<Vec<f64>> = data.panels[0]
        .series
        .iter()
        .map(|s| s.points.iter().map(|p| p.median).collect())
        .collect();
    assert_eq!(sides, [[1.0, 1.0], [2.0, 2.0]]);
}

/// A capacity where some queue is unbounded reads as words there, as in A's own charts:
/// the unbounded bars stay, rather than fall off a number axis.
#[test]
fn the_compare_chart_of_capacities_beside_an_unbounded_queue_has_bars() {
    let scenarios = vec![
        compared("capacity=none", None, (1.0, 1.0)),
        compared("capacity=0", Some(0.0), (1.0, 1.0)),
        compared("capacity=4", Some(4.0), (1.0, 1.0)),
    ];
    let data = super::compare::chart_data(&comparison_of(
        ScenarioKey::Capacity,
        (true, true),
        scenarios,
    ));
    assert!(matches!(
        &data.x,
        super::chart::XAxis::Words { names, .. } if names == &["none", "0", "4"]
    ));
    let points: usize = data.panels[0].series.iter().map(|s| s.points.len()).sum();
    assert_eq!(points, 6, "every scenario on each side");
    // Two sides of the model's zero-time work: every bar 0, and the chart says why.
    let zero = vec![compared("capacity=4", Some(4.0), (0.0, 0.0))];
    let data =
        super::compare::chart_data(&comparison_of(ScenarioKey::Capacity, (false, false), zero));
    assert_eq!(
        data.notes,
        ["every value is 0: the model gives zero-time work no time"]
    );
}

#[test]
fn compare_files_render_both_sides() {
    let comparison = Comparison {
        a_name: "a".into(),
        b_name: "b".into(),
        x: crate::experiment::Axis::Key(crate::scenario::ScenarioKey::Consumers),
        log: (false, false),
        scenarios: vec![ComparedScenario {
            label: "consumers=1".into(),
            x: Some(1.0),
            x_words: "1".into(),
            line: None,
            median_a: 1.0,
            median_b: 2.0,
            ratio: 2.0,
            interval: (1.9, 2.1),
            verdict: crate::stats::Verdict::Slower,
        }],
        only_a: vec!["consumers=9".into()],
        only_b: Vec::new(),
    };
    let outputs = compare_outputs();
    let names: Vec<String> = outputs.iter().map(|o| o.file_name(&comparison)).collect();
    assert_eq!(
        names,
        [
            "compare.csv",
            "compare_elapsed_vs_consumers.png",
            "compare_elapsed_vs_consumers.svg"
        ]
    );
    let csv = String::from_utf8(outputs[0].render(&comparison).expect("csv")).expect("text");
    assert!(
        csv.contains("consumers=1,1.000000000,2.000000000,2.0000,1.9000,2.1000,slower"),
        "{csv}"
    );
    assert!(csv.contains("consumers=9,,,,,,only in A"), "{csv}");
    let svg = outputs[2].render(&comparison).expect("svg");
    assert!(svg.starts_with(b"<svg"));
}

#[test]
fn a_set_of_files_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name);
    let set = |text: &str| -> Vec<(PathBuf, Vec<u8>)> {
        ["a.csv", "b.json", "c.svg"]
            .iter()
            .map(|name| (path(name), text.as_bytes().to_vec()))
            .collect()
    };
    let read = |name: &str| fs::read_to_string(path(name)).expect("read");
    let temporaries = || -> Vec<String> {
        let names = fs::read_dir(dir.path()).expect("read").map(|e| {
            let name = e.expect("entry").file_name();
            name.to_string_lossy().into_owned()
        });
        names.filter(|name| name.starts_with(".tmp")).collect()
    };
    write_set(&set("old")).expect("writes");

    // Found before anything is written: a folder where the last file goes.
    fs::remove_file(path("c.svg")).expect("remove");
    fs::create_dir(path("c.svg")).expect("a folder in the way");
    let error = write_set(&set("new")).expect_err("a folder is in the way");
    assert!(matches!(&error, OutputError::InTheWay { path: p } if p.ends_with("c.svg")));
    assert_eq!([read("a.csv"), read("b.json")], ["old", "old"]);
    assert!(temporaries().is_empty(), "{:?}", temporaries());
    fs::remove_dir(path("c.svg")).expect("remove");

    // Found while writing: the last file's temporary name cannot be made (a folder holds
    // it), after the first two were written under theirs.
    let blocked = format!(".tmp-{}-c.svg", std::process::id());
    fs::create_dir(path(&blocked)).expect("a folder where the temporary goes");
    let error = write_set(&set("new")).expect_err("the last cannot be written");
    assert!(matches!(&error, OutputError::Write { path: p, .. } if p.ends_with("c.svg")));
    assert_eq!([read("a.csv"), read("b.json")], ["old", "old"]);
    assert_eq!(
        temporaries(),
        std::slice::from_ref(&blocked),
        "the others' were removed"
    );
    fs::remove_dir(path(&blocked)).expect("remove");

    // Found while renaming: the last file cannot be put in place (immutable, say) after
    // the first two were. They are put back: the set stays the old one (which had no
    // c.svg since its folder was taken away above).
    let error = write_set_renaming(&set("new"), |from, to| match to.ends_with("c.svg") {
        true => Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
        false => fs::rename(from, to),
    })
    .expect_err("the last cannot be renamed");
    assert!(matches!(&error, OutputError::Write { path: p, .. } if p.ends_with("c.svg")));
    assert_eq!([read("a.csv"), read("b.json")], ["old"; 2]);
    assert!(!path("c.svg").exists());
    assert!(temporaries().is_empty(), "{:?}", temporaries());

    write_set(&set("new")).expect("writes");
    assert_eq!([read("a.csv"), read("b.json"), read("c.svg")], ["new"; 3]);
    assert!(temporaries().is_empty(), "{:?}", temporaries());
}

/// What rounds to zero is written as zero: never `-0.000`, which reads as a negative time
/// or a change.
#[test]
fn numbers_that_round_to_zero_are_written_without_a_sign() {
    assert_eq!(fixed(-0.0, 9), "0.000000000");
    assert_eq!(fixed(-0.00047, 3), "0.000");
    assert_eq!(fixed(-0.0005, 2), "0.00");
    assert_eq!(fixed(-0.0015, 3), "-0.002");
    assert_eq!(fixed(-12.5, 1), "-12.5");
    assert_eq!(fixed(f64::NAN, 3), "");
}
