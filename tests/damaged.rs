//! Damaged archives: every case in `tests/fixtures/damaged/` (a folder holding the files
//! that differ from `_intact/`, and `expected.txt` with the file, line and column the
//! error must name) is refused by `plot`, `compare` and `run --resume` with exit 2,
//! and nothing in the folder is rewritten. Add a folder to add a case.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::queuelab;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/damaged")
}

/// `_intact/` with the case's files on top, as a results folder in `root`.
fn assemble(root: &Path, case: &Path) -> PathBuf {
    let dir = root.join(case.file_name().expect("name"));
    fs::create_dir_all(&dir).expect("dir");
    for from in [fixtures().join("_intact"), case.to_path_buf()] {
        for entry in fs::read_dir(&from).expect("fixture folder") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name");
            if name != "expected.txt" {
                fs::copy(&path, dir.join(name)).expect("copy");
            }
        }
    }
    dir
}

/// The case as the results folder `out/tiny/` of its own `experiment.toml` (named
/// "tiny"), as `run --resume` finds it.
fn as_tiny(out: &Path, case: &str) -> PathBuf {
    let dir = assemble(out, &fixtures().join(case)).with_file_name("tiny");
    fs::rename(out.join(case), &dir).expect("rename");
    dir
}

/// `run -q --resume --out OUT` of the experiment in `dir`.
fn resume(out: &Path, dir: &Path) -> assert_cmd::Command {
    let mut command = queuelab();
    command
        .args(["run", "-q", "--resume", "--out"])
        .arg(out)
        .arg(dir.join("experiment.toml"));
    command
}

fn refused(output: &std::process::Output, expected: &str, what: &str) -> Result<(), String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() != Some(2) || !stderr.contains(expected) || stderr.contains("panicked")
    {
        return Err(format!(
            "{what}: exit {:?}, expected exit 2 naming `{expected}`:\n{stderr}",
            output.status.code()
        ));
    }
    Ok(())
}

#[test]
fn the_intact_archive_plots_and_compares() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = assemble(root.path(), &fixtures().join("_intact"));
    queuelab().arg("plot").arg(&dir).assert().success();
    queuelab()
        .arg("compare")
        .arg(&dir)
        .arg(&dir)
        .arg("--out")
        .arg(root.path().join("cmp"))
        .assert()
        .success();
}

/// A byte order mark an editor put before `meta.json` or `runs.csv` changes nothing:
/// the folder plots as the intact one does.
#[test]
fn a_byte_order_mark_is_read_past() {
    let root = tempfile::tempdir().expect("temp dir");
    let intact = assemble(root.path(), &fixtures().join("_intact"));
    queuelab().arg("plot").arg(&intact).assert().success();
    let marked = root.path().join("marked");
    fs::create_dir(&marked).expect("dir");
    for entry in fs::read_dir(&intact).expect("folder") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        let mut bytes = fs::read(&path).expect("read");
        if name == "meta.json" || name == "runs.csv" {
            bytes.splice(0..0, "\u{feff}".bytes());
        }
        fs::write(marked.join(name), bytes).expect("write");
    }
    queuelab().arg("plot").arg(&marked).assert().success();
    let summary = |dir: &Path| fs::read_to_string(dir.join("summary.csv")).expect("summary");
    assert_eq!(summary(&marked), summary(&intact));
}

#[test]
fn every_damaged_archive_is_refused_naming_file_line_and_column() {
    let root = tempfile::tempdir().expect("temp dir");
    let intact = assemble(root.path(), &fixtures().join("_intact"));
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures())
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir() && !p.ends_with("_intact"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected = fs::read_to_string(case.join("expected.txt"))
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        let expected = expected.trim();
        let dir = assemble(root.path(), case);
        let runs_before = fs::read(dir.join("runs.csv")).expect("runs.csv");
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();

        let plot = queuelab().arg("plot").arg(&dir).output().expect("runs");
        let compare = queuelab()
            .arg("compare")
            .arg(&intact)
            .arg(&dir)
            .arg("--out")
            .arg(root.path().join("cmp"))
            .output()
            .expect("runs");
        for (output, what) in [(&plot, "plot"), (&compare, "compare")] {
            if let Err(e) = refused(output, expected, &format!("{name}: {what}")) {
                failures.push(e);
            }
        }
        if fs::read(dir.join("runs.csv")).expect("runs.csv") != runs_before
            || dir.join("summary.csv").exists()
        {
            failures.push(format!("{name}: the damaged folder was written to"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn resume_refuses_a_damaged_runs_csv_and_leaves_it_alone() {
    let root = tempfile::tempdir().expect("temp dir");
    let cases = [
        "nan_elapsed",
        "duplicate_run",
        "model_row_in_measured",
        "another_experiments_runs",
        // More repeats than any experiment may have: kept, the archive could not be
        // read back.
        "repeat_beyond_any_experiments",
        "scenario_not_the_experiments",
    ];
    for case in cases {
        let out = root.path().join(case);
        let dir = as_tiny(&out, case);
        let runs_before = fs::read(dir.join("runs.csv")).expect("runs.csv");
        let expected =
            fs::read_to_string(fixtures().join(case).join("expected.txt")).expect("expected.txt");
        let output = resume(&out, &dir).output().expect("runs");
        refused(&output, expected.trim(), case).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read(dir.join("runs.csv")).expect("kept"), runs_before);
    }
}

/// A record of a results folder that is a link to `/dev/zero` or a FIFO is refused at
/// once (exit 2, "not a regular file") where it is read: read as a file, the first never
/// ends and fills memory, and the second blocks forever. `run --resume` reads the runs,
/// not `meta.json`, which it writes anew.
#[test]
fn a_record_that_is_not_a_regular_file_is_refused_at_once() {
    let root = tempfile::tempdir().expect("temp dir");
    let fifo = root.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    // A hang guard, not a speed limit: each command answers in about a second.
    let within = std::time::Duration::from_secs(60);
    let mut failures = Vec::new();
    for (i, record) in ["runs.csv", "meta.json"].into_iter().enumerate() {
        for (j, target) in [Path::new("/dev/zero"), fifo.as_path()]
            .into_iter()
            .enumerate()
        {
            let out = root.path().join(format!("case{i}{j}"));
            let dir = as_tiny(&out, "_intact");
            fs::remove_file(dir.join(record)).expect("remove");
            std::os::unix::fs::symlink(target, dir.join(record)).expect("link");
            let what = format!("{record} -> {}", target.display());
            let plot = queuelab().arg("plot").arg(&dir).timeout(within).output();
            if let Err(e) = refused(&plot.expect("runs"), "not a regular file", &what) {
                failures.push(format!("plot: {e}"));
            }
            let resume = resume(&out, &dir).timeout(within).output().expect("runs");
            let answered = match record {
                "runs.csv" => refused(&resume, "not a regular file", &what),
                _ if resume.status.success() && dir.join(record).is_file() => Ok(()),
                _ => Err(format!("{what}: exit {:?}", resume.status.code())),
            };
            if let Err(e) = answered {
                failures.push(format!("run --resume: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `_intact/` was written before `wait_mean_s`, `waited_fraction` and the blocked-time
/// columns: `--resume` keeps its runs and writes them back with those cells empty, as
/// they were read, rather than refusing its own rewrite of them as `NaN`.
#[test]
fn resume_keeps_the_runs_of_an_archive_older_than_its_columns() {
    let root = tempfile::tempdir().expect("temp dir");
    let out = root.path().join("out");
    let dir = as_tiny(&out, "_intact");
    let elapsed = |path: &Path| -> Vec<(String, String, String)> {
        common::read_csv(path)
            .into_iter()
            .map(|r| {
                (
                    r["scenario"].clone(),
                    r["repeat"].clone(),
                    r["elapsed_s"].clone(),
                )
            })
            .collect()
    };
    let before = elapsed(&dir.join("runs.csv"));
    assert_eq!(before.len(), 4);
    let output = resume(&out, &dir).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        elapsed(&dir.join("runs.csv")),
        before,
        "every run kept as it was"
    );
    let rows = common::read_csv(&dir.join("runs.csv"));
    assert!(
        rows.iter().all(|r| r["wait_mean_s"].is_empty()),
        "not measured then"
    );
    queuelab().arg("plot").arg(&dir).assert().success();
}
