//! `simulate` on every example experiment: the model alone writes a whole results
//! folder, marked as model output, with the values worked out by hand.

mod common;

use common::{EXAMPLES, example_files, queuelab, read_csv};

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
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(out.path())
        .arg(seed)
        .assert()
        .success();
    let summary = read_csv(&out.path().join("seed-model/summary.csv"));
    let by_hand = [
        ("1", "24.750000"),
        ("2", "12.250000"),
        ("4", "6.000000"),
        ("10", "2.250000"),
        ("20", "1.000000"),
        ("24", "1.000000"),
        ("30", "1.000000"),
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
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(dir.path())
        .arg(&file)
        .assert()
        .success();
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
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(out.path())
        .arg(file)
        .assert()
        .success();
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
