//! `simulate` on every example experiment: the model alone writes a whole results
//! folder, marked as model output, in well under a second.

mod common;

use std::path::Path;
use std::time::Instant;

use common::{queuelab, read_csv};

#[test]
fn simulate_succeeds_on_every_example_experiment() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("experiments/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    let out = tempfile::tempdir().expect("temp dir");
    let start = Instant::now();
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(out.path())
        .args(&files)
        .assert()
        .success();
    assert!(
        start.elapsed().as_secs_f64() < 30.0,
        "the model answers in virtual time"
    );
    for file in &files {
        let name = file.file_stem().expect("stem").to_string_lossy();
        let summary = read_csv(&out.path().join(format!("{name}-model/summary.csv")));
        assert!(!summary.is_empty(), "{name}");
        for row in &summary {
            assert_eq!(row["source"], "model", "{name}");
            assert_eq!(row["elapsed_median_s"], row["predicted_s"], "{name}");
        }
    }
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
    // A logarithmic x axis labels decades, 1, 10 and 100; a linear one steps by ten
    // (0, 10, 20, ...), and its y axis by tenths of a second.
    for tick in [">10</text>", ">100</text>"] {
        assert!(joined.contains(tick), "{tick} missing");
    }
    for linear_tick in [">20</text>", ">50</text>", ">0.5</text>"] {
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
