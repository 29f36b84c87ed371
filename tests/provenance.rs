//! Where results came from: `meta.json` names the commit (dirty only when something other
//! than the results folder being written has changed), the command line and the settings
//! the file does not show; the copied experiment says the settings it ran at.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::queuelab;
use serial_test::serial;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn meta(dir: &Path) -> serde_json::Value {
    let text = fs::read_to_string(dir.join("results/quick/meta.json")).expect("meta.json");
    serde_json::from_str(&text).expect("json")
}

const QUICK: &str = "name = \"quick\"\nrepeats = 2\ntime_scale = 0.05\n[scenario]\nitems_per_producer = 2\n\
                     produce_time = \"1ms\"\nconsume_time = \"1ms\"\n[sweep]\nconsumers = [1, 2]\n";

#[test]
#[serial(timing)]
fn a_run_into_a_committed_folder_records_a_clean_commit_and_how_it_was_run() {
    let repo = tempfile::tempdir().expect("temp dir");
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::create_dir_all(dir.join("experiments")).expect("dir");
    fs::write(dir.join("experiments/quick.toml"), QUICK).expect("write");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "experiment"]);
    let run = |args: &[&str]| {
        queuelab()
            .current_dir(dir)
            .args(["run", "-q"])
            .args(args)
            .arg("experiments/quick.toml")
            .assert()
            .success();
    };
    run(&[]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "results"]);
    let head = git(dir, &["rev-parse", "HEAD"]);
    // A rerun rewrites the committed results/quick/: that alone is not a dirty tree.
    run(&["--jobs", "2", "--warmup", "1"]);
    let m = meta(dir);
    assert_eq!(m["environment"]["git_commit"], head.as_str(), "{m}");
    assert_eq!(m["environment"]["jobs"], 2);
    assert_eq!(m["environment"]["warmup"], 1);
    assert_eq!(m["environment"]["order"], "grouped");
    assert_eq!(
        m["environment"]["command"],
        "queuelab run -q --jobs 2 --warmup 1 experiments/quick.toml"
    );
    let overshoot = &m["environment"]["sleep_overshoot"];
    assert!(
        overshoot["median_us"].as_f64().expect("a number") >= 0.0,
        "{m}"
    );
    let hand_over = &m["environment"]["hand_over"];
    assert_eq!(hand_over["samples"], 100, "{m}");
    assert!(hand_over["waited"].as_u64().expect("a count") <= 100, "{m}");
    assert!(
        !fs::read_to_string(dir.join("results/quick/experiment.toml"))
            .expect("copy")
            .starts_with("# queuelab ran"),
        "run as the file says: the copy is the file"
    );
    // Any other change is.
    fs::write(dir.join("experiments/other.toml.txt"), "x").expect("write");
    git(dir, &["add", "experiments/other.toml.txt"]);
    run(&["--replace", "--time-scale", "0.02", "--repeats", "1"]);
    let m = meta(dir);
    assert_eq!(
        m["environment"]["git_commit"],
        format!("{head}-dirty").as_str()
    );
    assert_eq!(m["time_scale"], 0.02);
    let copy = fs::read_to_string(dir.join("results/quick/experiment.toml")).expect("copy");
    assert!(
        copy.starts_with("# queuelab ran this file at time_scale 0.02, repeats 1 "),
        "{copy}"
    );
    assert!(copy.ends_with(QUICK));
    let report = fs::read_to_string(dir.join("results/quick/report.md")).expect("report");
    assert!(report.contains("time_scale 0.02"), "{report}");
    // The folder reads back: plot redraws it exactly, and --resume keeps its runs.
    let drawn = fs::read(dir.join("results/quick/summary.csv")).expect("summary");
    queuelab()
        .current_dir(dir)
        .args(["plot", "results/quick"])
        .assert()
        .success();
    assert_eq!(
        fs::read(dir.join("results/quick/summary.csv")).expect("summary"),
        drawn
    );
    assert_eq!(
        fs::read_to_string(dir.join("results/quick/report.md")).expect("report"),
        report
    );
    let runs = fs::read_to_string(dir.join("results/quick/runs.csv")).expect("runs");
    run(&["--resume", "--time-scale", "0.02", "--repeats", "1"]);
    assert_eq!(
        fs::read_to_string(dir.join("results/quick/runs.csv")).expect("runs"),
        runs,
        "every run kept"
    );
}

#[test]
#[serial(timing)]
fn waits_too_short_for_this_machine_are_warned_of_on_stderr_and_in_the_report() {
    // 1 ms at time_scale 0.001 is 1 µs: no machine hands an item between threads within
    // 1/20 of it.
    let text = "name = \"tiny\"\nrepeats = 1\ntime_scale = 0.001\n[scenario]\nitems_per_producer = 3\n\
                produce_time = \"1ms\"\nconsume_time = \"0ms\"\n[sweep]\nconsumers = [1, 2]\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    fs::write(&file, text).expect("write");
    let output = queuelab()
        .args(["run", "-q", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "tiny: 2 of 2 scenarios have times within 20× of this machine's hand-over between \
             threads"
        ),
        "{stderr}"
    );
    let report = fs::read_to_string(dir.path().join("tiny/report.md")).expect("report");
    assert!(
        report.contains("**Warning:** 2 of 2 scenarios have times within 20×"),
        "{report}"
    );
    // At time_scale 200 the same waits are 200 ms: a hand-over would have to take 10 ms at
    // the median, which not even a loaded machine's does, to be warned of.
    let output = queuelab()
        .args(["run", "-q", "--time-scale", "200", "--replace", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("hand-over"));
}
