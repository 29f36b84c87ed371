//! `simulate` on every example experiment: the model alone writes a whole results
//! folder, marked as model output, with the values worked out by hand.

mod common;

use common::{EXAMPLES, example_files, number, queuelab, read_csv};

/// `queuelab simulate -q --out OUT FILE`, which must succeed.
fn simulate_into(out: &std::path::Path, file: &std::path::Path) {
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(out)
        .arg(file)
        .assert()
        .success();
}

#[test]
fn simulate_succeeds_on_every_example_experiment() {
    let out = tempfile::tempdir().expect("temp dir");
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(out.path())
        .args(example_files())
        .assert()
        .success();
    for name in EXAMPLES {
        let summary = read_csv(&out.path().join(format!("{name}-model/summary.csv")));
        assert!(!summary.is_empty(), "{name}");
        for row in &summary {
            assert_eq!(row["source"], "model", "{name}");
        }
        let report = std::fs::read_to_string(out.path().join(format!("{name}-model/report.md")))
            .expect("report.md");
        assert!(
            report.contains("the model's virtual time"),
            "{name}: model times are not wall-clock"
        );
        // Zero-time work has no time in the model: nothing is ranked by it.
        if summary
            .iter()
            .all(|row| number(row, "elapsed_median_s") == 0.0)
        {
            assert!(
                report.contains("gives zero-time work no time at all"),
                "{name}"
            );
            assert!(
                !report.contains("Fastest:") && !report.contains("does not pay"),
                "{name}"
            );
        }
    }
}

/// The seed by hand: 100 items, C polling consumers each taking one per 250 ms poll
/// from t = 0. With C ≤ 10 the queue never runs dry, so the last item is taken at poll
/// 100/C, i.e. (100/C − 1) × 0.25 s; from 20 consumers on, the producers' last puts at
/// 0.8 s are the limit, taken at the next poll, 1.0 s.
#[test]
fn simulate_gives_the_seed_table_worked_out_by_hand() {
    let out = tempfile::tempdir().expect("temp dir");
    let seed = example_files()
        .into_iter()
        .find(|f| f.ends_with("seed.toml"))
        .expect("the seed example");
    simulate_into(out.path(), &seed);
    let summary = read_csv(&out.path().join("seed-model/summary.csv"));
    let by_hand = [
        ("1", "24.750000000"),
        ("2", "12.250000000"),
        ("4", "6.000000000"),
        ("10", "2.250000000"),
        ("20", "1.000000000"),
        ("24", "1.000000000"),
        ("30", "1.000000000"),
    ];
    let got: Vec<(&str, &str)> = summary
        .iter()
        .map(|r| (r["consumers"].as_str(), r["elapsed_median_s"].as_str()))
        .collect();
    assert_eq!(got, by_hand);
}

#[test]
fn log_axes_are_drawn() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("logs.toml");
    std::fs::write(
        &file,
        "name = \"logs\"\n[scenario]\nitems_per_producer = 100\n[sweep]\nconsumers = [1, 10, 100]\n\
         [plot]\nlog_x = true\nlog_y = true\nformats = [\"svg\"]\n",
    )
    .expect("write");
    simulate_into(dir.path(), &file);
    let svg = std::fs::read_to_string(dir.path().join("logs-model/elapsed_vs_consumers.svg"))
        .expect("svg");
    let joined = svg.replace('\n', "");
    // A logarithmic x axis labels 1-2-5 steps (1, 2, 5, 10, 20, 50, 100); a linear one
    // would step evenly (0, 20, 40, 60, ...), and a linear y axis starts at 0.
    for tick in [">10</text>", ">100</text>", ">50</text>"] {
        assert!(joined.contains(tick), "{tick} missing");
    }
    for linear_tick in [">40</text>", ">60</text>", ">0</text>"] {
        assert!(
            !joined.contains(linear_tick),
            "{linear_tick}: the axes are linear"
        );
    }
    assert!(
        !dir.path()
            .join("logs-model/elapsed_vs_consumers.png")
            .exists(),
        "only the formats asked for"
    );
}

/// `simulate` fills every queue column, measured and predicted alike, and the summary
/// pairs each metric with its prediction.
#[test]
fn simulate_fills_every_queue_column() {
    let out = tempfile::tempdir().expect("temp dir");
    let file = example_files()
        .into_iter()
        .find(|f| f.ends_with("bounded_backpressure.toml"))
        .expect("an example with a bounded queue");
    simulate_into(out.path(), &file);
    let dir = out.path().join("bounded_backpressure-model");
    let runs = read_csv(&dir.join("runs.csv"));
    for row in &runs {
        for column in ["wait_p99_s", "wait_mean_s", "waited_fraction", "max_depth"] {
            assert!(!row[column].is_empty(), "{column}");
            assert_eq!(row[column], row[&format!("predicted_{column}")], "{column}");
        }
    }
    let summary = read_csv(&dir.join("summary.csv"));
    for row in &summary {
        assert_eq!(
            row["wait_p99_s_error_pct"], "0.000",
            "the model against itself"
        );
        let capacity: f64 = row["capacity"].parse().expect("a capacity");
        let depth: f64 = row["predicted_max_depth"].parse().expect("a depth");
        assert!(depth <= capacity.max(0.0), "never deeper than the capacity");
    }
}

/// The channel suite's shape, small: two implementations × three topologies (a group of
/// producers and consumers that vary together) × two capacity classes (a group of
/// `queue` and `capacity`, the unbounded point without a capacity).
const PAIRED: &str = "name = \"paired\"\nrepeats = 2\n\
    [scenario]\nitems_per_producer = 4\nproduce_time = \"10ms\"\nconsume_time = \"10ms\"\n\
    consumer = \"block\"\n\
    [sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n\
    together.topology = [\n  { producers = 1, consumers = 1 },\n  \
    { producers = 4, consumers = 1 },\n  { producers = 4, consumers = 4 },\n]\n\
    together.capacity_class = [{ queue = \"unbounded\" }, { queue = \"bounded\", capacity = 100 }]\n\
    [plot]\nx = \"topology\"\nfacet = \"queue_impl\"\nformats = [\"svg\"]\n";

/// Puts every 10 ms, 4 a producer; a blocking consumer works 10 ms an item. One producer
/// and one consumer keep step: the producer's last produce time ends at 40 ms, the last
/// item is done then too. Four producers and one consumer: 16 items of 10 ms, one after
/// the other, 160 ms. Four and four: each consumer takes one of every four puts, 40 ms.
/// A queue of 100 never fills with 16 items, so it is the unbounded queue's time.
#[test]
fn a_paired_sweep_simulates_exactly_its_scenarios_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("paired.toml");
    std::fs::write(&file, PAIRED).expect("write");
    let mut expected: Vec<(String, f64)> = Vec::new();
    for implementation in ["crossbeam", "std"] {
        for (topology, elapsed) in [("1 1", 0.04), ("4 1", 0.16), ("4 4", 0.04)] {
            let (p, c) = topology.split_once(' ').expect("pair");
            for class in ["queue=unbounded", "queue=bounded capacity=100"] {
                let label =
                    format!("queue_impl={implementation} producers={p} consumers={c} {class}");
                expected.push((label, elapsed));
            }
        }
    }
    let check = queuelab().arg("check").arg(&file).output().expect("runs");
    let listed = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{listed}");
    assert!(
        listed.contains(
            "swept: queue_impl (2 values) × topology (producers and consumers together, 3 \
             points) × capacity_class (queue and capacity together, 2 points), the last varying \
             fastest"
        ),
        "{listed}"
    );
    // The scenario column of check's table, which pads each label to the longest.
    let listed_labels: Vec<&str> = listed
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("queue_impl="))
        .filter_map(|l| l.split("  ").next())
        .collect();
    let labels: Vec<&str> = expected.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(listed_labels, labels, "{listed}");

    simulate_into(dir.path(), &file);
    let folder = dir.path().join("paired-model");
    let summary = read_csv(&folder.join("summary.csv"));
    let got: Vec<(String, f64)> = summary
        .iter()
        .map(|r| (r["scenario"].clone(), number(r, "elapsed_median_s")))
        .collect();
    assert_eq!(got.len(), expected.len());
    for ((label, elapsed), (want, by_hand)) in got.iter().zip(&expected) {
        assert_eq!(label, want);
        assert!((elapsed - by_hand).abs() < 1e-9, "{label}: {elapsed} s");
    }
    let runs = read_csv(&folder.join("runs.csv"));
    assert_eq!(runs.len(), 24, "12 scenarios × 2 repeats");
    let bounded = runs.iter().filter(|r| r["queue"] == "bounded").count();
    assert!(
        runs.iter()
            .all(|r| (r["queue"] == "bounded") == (r["capacity"] == "100")),
        "the unbounded point has no capacity"
    );
    assert_eq!(bounded, 12);
    let chart = std::fs::read_to_string(folder.join("elapsed_vs_topology.svg")).expect("chart");
    assert!(chart.contains("4 × 1") && chart.contains("producers × consumers"));
    let report = std::fs::read_to_string(folder.join("report.md")).expect("report");
    assert!(
        report.contains("Swept: queue_impl (2 values) × topology"),
        "{report}"
    );

    // The archive reads back: plot redraws it byte for byte.
    let before = std::fs::read(folder.join("elapsed_vs_topology.svg")).expect("svg");
    queuelab().arg("plot").arg(&folder).assert().success();
    assert_eq!(
        std::fs::read(folder.join("elapsed_vs_topology.svg")).expect("svg"),
        before
    );
}

/// Charts of an earlier sweep (another x) and views `plot --x` drew of replaced runs are
/// removed when runs are written again; a redraw keeps views, and a person's own files
/// stay whatever their names.
#[test]
fn charts_that_no_longer_describe_the_runs_are_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("c.toml");
    let write = |sweep: &str| {
        std::fs::write(&file, format!("name = \"c\"\n[sweep]\n{sweep} = [1, 2]\n")).expect("write")
    };
    let simulate = || {
        let output = queuelab()
            .args(["simulate", "--out"])
            .arg(dir.path())
            .arg(&file)
            .output()
            .expect("runs");
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let folder = dir.path().join("c-model");
    let has = |name: &str| folder.join(name).exists();
    write("consumers");
    simulate();
    assert!(has("elapsed_vs_consumers.png"));
    queuelab()
        .arg("plot")
        .arg(&folder)
        .args(["--x", "consumers", "--y", "ns_per_item"])
        .assert()
        .success();
    std::fs::write(folder.join("notes_vs_mine.png"), "mine").expect("write");
    std::fs::write(folder.join("elapsed_vs_Consumers.png"), "mine").expect("write");
    std::fs::write(folder.join("elapsed_vs_photo.png"), "mine").expect("write");
    queuelab().arg("plot").arg(&folder).assert().success();
    assert!(
        has("ns_per_item_vs_consumers.png"),
        "a redraw keeps the view"
    );

    write("producers");
    let said = simulate();
    assert!(
        said.contains("removed 10 chart(s) of runs these replace"),
        "{said}"
    );
    assert!(has("elapsed_vs_producers.png") && has("elapsed_vs_producers.svg"));
    for gone in [
        "elapsed_vs_consumers.png",
        "throughput_vs_consumers.svg",
        "wait_p99_vs_consumers.png",
    ] {
        assert!(!has(gone), "{gone} describes no run here");
    }
    for mine in [
        "notes_vs_mine.png",
        "elapsed_vs_Consumers.png",
        "elapsed_vs_photo.png",
    ] {
        assert!(has(mine), "{mine}: not queuelab's");
    }
}

/// A view asks for a metric by name: zero-time work, whose own charts draw time per item,
/// still gets `--y elapsed`; a metric no scenario has is exit 2 saying why.
#[test]
fn a_view_draws_the_metric_asked_for_or_says_why_there_is_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("z.toml");
    let zero = "name = \"z\"\n[scenario]\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\n\
                [sweep]\nproducers = [1, 2]\n";
    std::fs::write(&file, zero).expect("write");
    simulate_into(dir.path(), &file);
    let folder = dir.path().join("z-model");
    assert!(!folder.join("elapsed_vs_producers.png").exists());
    let view = |y: &str| {
        queuelab()
            .arg("plot")
            .arg(&folder)
            .args(["--x", "producers", "--y", y])
            .output()
            .expect("runs")
    };
    let drawn = view("elapsed");
    assert!(drawn.status.success(), "{drawn:?}");
    assert!(folder.join("elapsed_vs_producers.png").exists());
    let none = view("wait_p99");
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert_eq!(none.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no scenario has a value of `wait_p99` to draw: the model gives zero-time work no virtual time"),
        "{stderr}"
    );
}
