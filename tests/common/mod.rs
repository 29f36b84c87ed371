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
pub const EXAMPLES: [&str; 7] = [
    "bounded_backpressure",
    "channel_suite",
    "cpu_bound",
    "exp_service",
    "poll_vs_block",
    "queue_impls",
    "seed",
];

/// Examples whose archive is not committed yet: their runs need a quiet machine, and
/// whoever merges one makes them. `plot_redraws_every_committed_folder_exactly` fails once
/// the archive is there, so the name leaves this list with it.
pub const AWAITING_RESULTS: [&str; 0] = [];

/// The committed example experiment files.
pub fn example_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    EXAMPLES
        .iter()
        .map(|name| dir.join(format!("{name}.toml")))
        .collect()
}

/// Seconds of a fixed duration as `runs.csv` writes it (`"200ms"`, `"1.5s"`, `"0ms"`).
pub fn seconds(text: &str) -> f64 {
    let (number, scale) = [("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1.0)]
        .iter()
        .find_map(|(unit, scale)| text.strip_suffix(unit).map(|n| (n, *scale)))
        .unwrap_or_else(|| panic!("{text:?} is not a fixed duration"));
    number
        .parse::<f64>()
        .unwrap_or_else(|_| panic!("{text:?} is not a fixed duration"))
        * scale
}

/// A time no run of `row` (a `runs.csv` row of fixed times and sleep work) can beat,
/// however loaded the machine, because the runner waits to absolute deadlines on a
/// monotonic clock and load only delays a thread:
/// - a producer finishes no sooner than its last produce time ends: n × produce_time;
/// - some consumer takes at least ⌈items / consumers⌉ items, and a blocking consumer
///   works each for consume_time before the next (m × consume_time), while a polling one
///   takes at most one per poll, polls consume_time apart from 0 ((m − 1) × consume_time).
///
/// A bound on the other side would be a bound on the machine's load, so tests assert
/// none; how close runs come to the model is `benches/fidelity.sh`'s to print.
pub fn floor_s(row: &HashMap<String, String>) -> f64 {
    let scale = number(row, "time_scale");
    let (producers, consumers) = (number(row, "producers"), number(row, "consumers"));
    let per_producer = number(row, "items_per_producer");
    let produce = seconds(&row["produce_time"]) * scale;
    let consume = seconds(&row["consume_time"]) * scale;
    let most = (producers * per_producer / consumers).ceil();
    let consumer = match row["consumer"].as_str() {
        "block" => most * consume,
        _ => (most - 1.0).max(0.0) * consume,
    };
    (per_producer * produce).max(consumer)
}

/// A limit a test sets on the queuelab it starts, to make a write or a thread's start
/// fail as a full disk or a tight system would.
#[derive(Clone, Copy)]
pub enum Limit {
    /// Bytes of address space (`ulimit -v`).
    AddressSpace(u64),
    /// Bytes one file may hold (`ulimit -f`); SIGXFSZ is left at its default (the
    /// process's end), so queuelab must ignore it itself.
    FileSize(u64),
}

/// `queuelab ARGS` as a plain process held to `limit`.
pub fn limited<S: AsRef<std::ffi::OsStr>>(
    args: impl IntoIterator<Item = S>,
    limit: Limit,
) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("queuelab"));
    command.args(args);
    // SAFETY: signal and setrlimit are async-signal-safe; only the child changes.
    unsafe {
        command.pre_exec(move || {
            let (resource, bytes) = match limit {
                Limit::AddressSpace(bytes) => (libc::RLIMIT_AS, bytes),
                Limit::FileSize(bytes) => {
                    libc::signal(libc::SIGXFSZ, libc::SIG_DFL);
                    (libc::RLIMIT_FSIZE, bytes)
                }
            };
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            match libc::setrlimit(resource, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    command
}
