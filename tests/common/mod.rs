//! Helpers shared by the end-to-end tests: running the binary and reading its CSV.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;

pub fn queuelab() -> Command {
    Command::cargo_bin("queuelab").expect("the queuelab binary is built by cargo test")
}

/// A CSV file as rows of column name → cell.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().expect("a header").clone();
    reader
        .records()
        .map(|row| {
            let row = row.expect("a row");
            header
                .iter()
                .map(String::from)
                .zip(row.iter().map(String::from))
                .collect()
        })
        .collect()
}

pub fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[column]))
}

/// Writes `text` as `NAME.toml` in a new temporary folder, runs it quietly with `args`
/// into that folder, and returns the folder and the rows of its `runs.csv`.
pub fn run_text(
    name: &str,
    text: &str,
    args: &[&str],
) -> (tempfile::TempDir, Vec<HashMap<String, String>>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(format!("{name}.toml"));
    std::fs::write(&file, text).expect("write the experiment");
    queuelab()
        .args(["run", "-q", "--out"])
        .arg(dir.path())
        .args(args)
        .arg(&file)
        .assert()
        .success();
    let runs = read_csv(&dir.path().join(name).join("runs.csv"));
    (dir, runs)
}

/// The committed example experiments, by name: tests read these and never whatever else
/// a person has put in `experiments/` (a half-edited file there is not a test failure).
/// `the_example_list_is_what_git_holds` keeps the list honest.
pub const EXAMPLES: [&str; 6] = [
    "bounded_backpressure",
    "cpu_bound",
    "exp_service",
    "poll_vs_block",
    "queue_impls",
    "seed",
];

/// The committed example experiment files.
pub fn example_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    EXAMPLES
        .iter()
        .map(|name| dir.join(format!("{name}.toml")))
        .collect()
}
