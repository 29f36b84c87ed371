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
