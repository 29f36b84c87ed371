//! `queuelab history`: an archive's versions read from a real git repository made for
//! each test (the `git` command, isolated from the machine's and the person's settings),
//! the steps beyond noise flagged exactly, breaks where versions do not compare, and a
//! clear exit 2 wherever there is no history to read.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{queuelab, read_csv};

/// A small experiment whose runs differ from repeat to repeat (random times), so each
/// version's median has an interval. Its charts are SVG alone: a PNG takes seconds to
/// draw in a debug build, and one test draws both.
const TINY: &str = "name = \"tiny\"\nrepeats = 5\n[scenario]\nitems_per_producer = 20\n\
                    produce_time = { dist = \"exp\", mean = \"1ms\" }\n\
                    consume_time = { dist = \"exp\", mean = \"2ms\" }\n\
                    [sweep]\nconsumers = [1, 2, 4]\n[plot]\nformats = [\"svg\"]\n";

/// Settings that keep git to the test's own repository, whoever runs it and wherever.
fn isolated(root: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    let ceiling = root.parent().unwrap_or(root).as_os_str().to_owned();
    vec![
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("GIT_CEILING_DIRECTORIES", ceiling),
        ("GIT_AUTHOR_NAME", "Test".into()),
        ("GIT_AUTHOR_EMAIL", "test@example.com".into()),
        ("GIT_COMMITTER_NAME", "Test".into()),
        ("GIT_COMMITTER_EMAIL", "test@example.com".into()),
    ]
}

/// A repository in a temporary folder holding `exp/tiny.toml`, its archive written by
/// `simulate` into `my results/tiny-model/` (a path with a space).
struct Repo {
    _temp: tempfile::TempDir,
    root: PathBuf,
    commits: u32,
}

impl Repo {
    fn new() -> Repo {
        Repo::of(TINY)
    }

    fn of(experiment: &str) -> Repo {
        let temp = tempfile::tempdir().expect("temp dir");
        let root = temp.path().join("repo");
        fs::create_dir_all(root.join("exp")).expect("dir");
        fs::write(root.join("exp/tiny.toml"), experiment).expect("write");
        let repo = Repo {
            _temp: temp,
            root,
            commits: 0,
        };
        repo.git(&["init", "-q"]);
        repo
    }

    fn archive(&self) -> PathBuf {
        self.root.join("my results/tiny-model")
    }

    fn runs(&self) -> PathBuf {
        self.archive().join("runs.csv")
    }

    fn git(&self, args: &[&str]) -> String {
        let mut command = Command::new("git");
        command.arg("-C").arg(&self.root).args(args);
        command.envs(isolated(&self.root));
        let output = command.output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Writes the archive with `simulate` (with `args`, e.g. `--time-scale 0.5`).
    fn simulate(&self, args: &[&str]) {
        queuelab()
            .current_dir(&self.root)
            .args(["simulate", "-q", "exp/tiny.toml", "--out", "my results"])
            .args(args)
            .assert()
            .success();
    }

    /// Commits everything, a minute after the commit before: dates that order plainly.
    fn commit(&mut self, subject: &str) -> String {
        self.commits += 1;
        let date = format!("2025-01-01T00:{:02}:00Z", self.commits);
        self.git(&["add", "-A"]);
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(&self.root)
            .args(["commit", "-q", "-m", subject])
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        command.envs(isolated(&self.root));
        assert!(command.status().expect("git commit").success());
        self.git(&["rev-parse", "HEAD"])
    }

    /// Multiplies every run's elapsed time in `runs.csv` by `factor`.
    fn scale_runs(&self, factor: f64) {
        let rows = read_rows(&self.runs());
        let column = rows[0]
            .iter()
            .position(|c| c == "elapsed_s")
            .expect("column");
        let mut writer = csv::Writer::from_path(self.runs()).expect("writable");
        for (i, mut row) in rows.into_iter().enumerate() {
            if i > 0 {
                let value: f64 = row[column].parse().expect("a number");
                row[column] = format!("{:.9}", value * factor);
            }
            writer.write_record(&row).expect("write");
        }
        writer.flush().expect("flush");
    }

    /// Runs `queuelab history` from the repository's top with `args` (the archive and
    /// `--out` added); returns the exit code, stdout and stderr.
    fn history(&self, args: &[&str]) -> (i32, String, String) {
        self.history_from(&self.root, "my results/tiny-model", args)
    }

    fn history_from(&self, cwd: &Path, dir: &str, args: &[&str]) -> (i32, String, String) {
        let mut command = queuelab();
        command
            .current_dir(cwd)
            .args(["history", dir, "--out"])
            .arg(self.out())
            .args(args);
        command.envs(isolated(&self.root));
        let output = command.output().expect("runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    fn out(&self) -> PathBuf {
        self.root.parent().expect("temp").join("history-out")
    }

    /// The rows of the last `history.csv`.
    fn table(&self) -> Vec<HashMap<String, String>> {
        read_csv(&self.out().join("history.csv"))
    }
}

fn read_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("readable");
    reader
        .records()
        .map(|r| r.expect("row").iter().map(String::from).collect())
        .collect()
}

/// Four versions: the archive, a change of 0.1% (noise), twice as slow, and 0.1% again.
fn four_versions() -> (Repo, Vec<String>) {
    four_versions_of(TINY)
}

fn four_versions_of(experiment: &str) -> (Repo, Vec<String>) {
    let mut repo = Repo::of(experiment);
    repo.simulate(&[]);
    let mut hashes = vec![repo.commit("first archive")];
    repo.scale_runs(1.001);
    hashes.push(repo.commit("a little noise"));
    repo.scale_runs(2.0);
    hashes.push(repo.commit("twice as slow"));
    repo.scale_runs(1.001);
    hashes.push(repo.commit("noise again"));
    (repo, hashes)
}

fn success(result: &(i32, String, String)) -> &str {
    assert_eq!(result.0, 0, "{}", result.2);
    &result.1
}

fn versions_in(table: &[HashMap<String, String>]) -> Vec<String> {
    let mut seen: Vec<String> = table.iter().map(|r| r["version"].clone()).collect();
    seen.dedup();
    seen
}

#[test]
fn exactly_the_step_to_the_doubled_version_is_flagged() {
    // Both chart formats, as an experiment has by default.
    let (repo, hashes) = four_versions_of(&TINY.replace("formats = [\"svg\"]", ""));
    let printed = repo.history(&[]);
    let printed = success(&printed);
    let table = repo.table();
    assert_eq!(versions_in(&table), ["1", "2", "3", "4"]);
    assert_eq!(table.len(), 4 * 3, "a row per version and scenario");
    for row in &table {
        let doubled = row["commit"] == hashes[2];
        let expected = match row["version"].as_str() {
            "1" => "",
            _ if doubled => "slower",
            _ => "within noise",
        };
        assert_eq!(row["verdict"], expected, "{row:?}");
        assert_eq!(
            row["comparable"],
            if row["version"] == "1" {
                "first"
            } else {
                "yes"
            }
        );
        if doubled {
            let ratio: f64 = row["ratio"].parse().expect("a ratio");
            assert!((ratio - 2.0).abs() < 1e-6, "{ratio}");
            let low: f64 = row["ratio_low"].parse().expect("an interval");
            assert!(low > 1.0, "the interval clears 1: {row:?}");
        }
    }
    // The terminal names that step, once per scenario, with its commit's subject.
    assert!(printed.contains("3 of 9 step(s) beyond noise"), "{printed}");
    let flagged: Vec<&str> = printed
        .lines()
        .filter(|l| l.contains(" slower ") && l.ends_with("twice as slow"))
        .collect();
    assert_eq!(flagged.len(), 3, "{printed}");
    assert!(flagged.iter().all(|l| l.contains(&hashes[2][..7])));
    assert!(repo.out().join("history_elapsed.png").is_file());
    assert!(repo.out().join("history_elapsed.svg").is_file());
}

#[test]
fn throughput_halved_is_slower_too() {
    let (repo, hashes) = four_versions();
    success(&repo.history(&["--metric", "throughput"]));
    let table = repo.table();
    let slower: Vec<&HashMap<String, String>> =
        table.iter().filter(|r| r["verdict"] == "slower").collect();
    assert_eq!(slower.len(), 3);
    for row in slower {
        assert_eq!(row["commit"], hashes[2]);
        assert_eq!(
            (row["metric"].as_str(), row["unit"].as_str()),
            ("throughput", "items/s")
        );
        let ratio: f64 = row["ratio"].parse().expect("a ratio");
        assert!((ratio - 0.5).abs() < 1e-3, "{ratio}");
    }
    assert!(repo.out().join("history_throughput.svg").is_file());
}

/// Times are printed in the unit that reads them, however small: a time per item of a
/// few nanoseconds is not `0.0000` under a header of seconds, and `history.csv` keeps
/// its digits.
#[test]
fn a_time_per_item_of_nanoseconds_reads_in_ns() {
    let mut repo = Repo::of(TINY);
    repo.simulate(&[]);
    // Runs of about 4 µs, 20 items each: 200 ns or so per item.
    repo.scale_runs(1e-4);
    repo.commit("fast");
    repo.scale_runs(1.001);
    repo.commit("noise");
    repo.scale_runs(2.0);
    repo.commit("twice as slow");
    let printed = repo.history(&["--metric", "ns_per_item"]);
    let printed = success(&printed);
    let flagged: Vec<&str> = printed
        .lines()
        .filter(|l| l.contains(" slower ") && l.ends_with("twice as slow"))
        .collect();
    assert_eq!(flagged.len(), 3, "{printed}");
    for line in flagged {
        assert!(line.contains(" ns ") && !line.contains("0.0000 "), "{line}");
    }
    assert!(!printed.contains("before s"), "{printed}");
    for row in repo.table() {
        let median: f64 = row["median"].parse().expect("a median");
        assert!(median > 1e-8 && median < 1e-6, "{row:?}");
        // Seconds to the picosecond: not rounded to the nanosecond as runs.csv's are.
        let decimals = row["median"].split('.').nth(1).map(str::len);
        assert_eq!(decimals, Some(12), "{row:?}");
    }
}

#[test]
fn a_time_scale_change_breaks_the_line_and_is_not_judged() {
    let mut repo = Repo::new();
    repo.simulate(&[]);
    repo.commit("first archive");
    repo.scale_runs(1.001);
    repo.commit("a little noise");
    repo.simulate(&["--time-scale", "0.5"]);
    let halved = repo.commit("half the time scale");
    let printed = repo.history(&[]);
    let printed = success(&printed);
    let table = repo.table();
    let last: Vec<&HashMap<String, String>> =
        table.iter().filter(|r| r["commit"] == halved).collect();
    assert_eq!(last.len(), 3);
    for row in last {
        assert_eq!(row["comparable"], "no: time_scale 1 → 0.5");
        assert_eq!((row["ratio"].as_str(), row["verdict"].as_str()), ("", ""));
        assert_eq!(row["time_scale"], "0.5");
    }
    // Half the times, yet nothing is called faster: those steps were never judged.
    assert!(
        printed.contains("no step beyond noise in 3 step(s) judged"),
        "{printed}"
    );
    let line = printed
        .lines()
        .find(|l| l.ends_with("half the time scale"))
        .expect("a line for the version");
    assert!(line.contains("no: time_scale 1 → 0.5"), "{line}");
    let svg = fs::read_to_string(repo.out().join("history_elapsed.svg")).expect("svg");
    assert!(svg.contains(&format!("rule before {}: time_scale 1 → 0.5", &halved[..7])));
    // The newest version is the archive as simulate wrote it: its summary.csv has the same
    // medians and intervals, to its six decimals.
    let summary = read_csv(&repo.archive().join("summary.csv"));
    for row in table.iter().filter(|r| r["commit"] == halved) {
        let same = summary
            .iter()
            .find(|s| s["scenario"] == row["scenario"])
            .expect("the scenario in summary.csv");
        for (ours, theirs) in [
            ("median", "elapsed_median_s"),
            ("median_low", "elapsed_median_low_s"),
            ("median_high", "elapsed_median_high_s"),
        ] {
            let (a, b): (f64, f64) = (
                row[ours].parse().expect("a number"),
                same[theirs].parse().expect("a number"),
            );
            assert!((a - b).abs() < 1e-6, "{ours} {a} against {theirs} {b}");
        }
    }
}

#[test]
fn the_working_tree_is_a_version_when_it_differs() {
    let (repo, _) = four_versions();
    success(&repo.history(&[]));
    assert!(!repo.table().iter().any(|r| r["commit"] == "working tree"));
    repo.scale_runs(3.0);
    let printed = repo.history(&[]);
    let printed = success(&printed);
    let table = repo.table();
    assert_eq!(versions_in(&table).len(), 5);
    let uncommitted: Vec<&HashMap<String, String>> =
        table.iter().filter(|r| r["version"] == "5").collect();
    assert_eq!(uncommitted.len(), 3);
    for row in uncommitted {
        assert_eq!(row["commit"], "working tree");
        assert_eq!(row["subject"], "(not committed)");
        assert_eq!(row["verdict"], "slower");
    }
    assert!(printed.contains("(not committed)"));
}

#[test]
fn a_folder_outside_git_is_exit_2() {
    let repo = Repo::new();
    repo.simulate(&[]);
    fs::remove_dir_all(repo.root.join(".git")).expect("no longer a repository");
    let (code, _, stderr) = repo.history(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not in a git repository"), "{stderr}");
    assert!(!repo.out().exists(), "nothing written");
}

#[test]
fn no_committed_version_is_exit_2() {
    let mut repo = Repo::new();
    repo.simulate(&[]);
    // No commit at all yet.
    let (code, _, stderr) = repo.history(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no commit of"), "{stderr}");
    // Commits, but none with the archive.
    fs::write(repo.root.join(".gitignore"), "/my results/\n").expect("write");
    repo.commit("everything but the archive");
    let (code, _, stderr) = repo.history(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("my results/tiny-model/runs.csv"),
        "{stderr}"
    );
    assert!(!repo.out().exists(), "nothing written");
}

#[test]
fn a_shallow_clone_is_exit_2() {
    let (repo, _) = four_versions();
    let clone = repo.root.parent().expect("temp").join("shallow");
    let mut command = Command::new("git");
    command
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", repo.root.display()))
        .arg(&clone);
    command.envs(isolated(&repo.root));
    assert!(command.status().expect("git clone").success());
    let (code, _, stderr) = repo.history_from(&clone, "my results/tiny-model", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert!(stderr.contains("git fetch --unshallow"), "{stderr}");
}

#[test]
fn bad_options_are_exit_2_naming_what_is_allowed() {
    let (repo, _) = four_versions();
    let (code, _, stderr) = repo.history(&["--since", "no-such-revision"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`no-such-revision` is not a commit"),
        "{stderr}"
    );
    let (code, _, stderr) = repo.history(&["--since=--output=/tmp/x"]);
    assert_eq!(
        code, 2,
        "an option is never passed to git as a revision: {stderr}"
    );
    let (code, _, stderr) = repo.history(&["--metric", "speed"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("possible values: elapsed, ns_per_item, throughput, wait_p99, max_depth"),
        "{stderr}"
    );
    let (code, _, stderr) = repo.history(&["--limit", "0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("a whole number from 1"), "{stderr}");
    assert!(!repo.out().exists(), "nothing written");
}

#[test]
fn limit_and_since_choose_the_versions() {
    let (repo, hashes) = four_versions();
    success(&repo.history(&["--limit", "2"]));
    let commits = |table: Vec<HashMap<String, String>>| -> Vec<String> {
        let mut seen: Vec<String> = table.into_iter().map(|r| r["commit"].clone()).collect();
        seen.dedup();
        seen
    };
    assert_eq!(commits(repo.table()), &hashes[2..]);
    // Since the second: the version in force there, then the two after it.
    success(&repo.history(&["--since", &hashes[1][..10]]));
    assert_eq!(commits(repo.table()), &hashes[1..]);
    assert_eq!(repo.table()[0]["comparable"], "first");
    // The newest commit, set against the version in force at HEAD~2: a limit keeps the
    // base, or the step to the doubled version would go unseen.
    success(&repo.history(&["--since", "HEAD~2", "--limit", "1"]));
    assert_eq!(
        commits(repo.table()),
        [hashes[1].clone(), hashes[3].clone()]
    );
    let said = repo.history(&["--since", &hashes[1][..10], "--limit", "1"]);
    assert!(
        success(&said).contains("3 of 3 step(s) beyond noise"),
        "{}",
        said.1
    );
}

#[test]
fn a_commits_meta_json_of_other_runs_is_named_by_that_commit() {
    let (mut repo, _) = four_versions();
    let meta = repo.archive().join("meta.json");
    let text = fs::read_to_string(&meta).expect("meta.json");
    let foreign = text.replacen("\"experiment\": \"tiny\"", "\"experiment\": \"other\"", 1);
    assert_ne!(foreign, text, "{text}");
    fs::write(&meta, foreign).expect("write");
    repo.scale_runs(1.001);
    let hash = repo.commit("a meta.json of other runs");
    success(&repo.history(&[]));
    let table = repo.table();
    let row = table
        .iter()
        .find(|r| r["commit"] == hash)
        .expect("the commit's row");
    assert_eq!(row["status"], "unreadable", "{row:?}");
    let short = &hash[..7];
    assert!(
        row["problem"].contains(&format!(
            "{short}:my results/tiny-model/meta.json: `experiment` is `other`"
        )),
        "{row:?}"
    );
}

#[test]
fn history_writes_nothing_in_the_archive_and_says_what_it_cannot_read() {
    let (repo, _) = four_versions();
    let listed = || -> Vec<PathBuf> {
        let mut names: Vec<PathBuf> = fs::read_dir(repo.archive())
            .expect("archive")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        names
    };
    let before = listed();
    for out in [repo.archive(), repo.archive().join("charts")] {
        let mut command = queuelab();
        command
            .current_dir(&repo.root)
            .args(["history", "my results/tiny-model", "--out"])
            .arg(&out);
        command.envs(isolated(&repo.root));
        let output = command.output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("is inside the archive"), "{stderr}");
    }
    // Nor by default from inside it, where scratch/history/NAME would lie within.
    let mut command = queuelab();
    command.current_dir(repo.archive()).args(["history", "."]);
    command.envs(isolated(&repo.root));
    let output = command.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the default output folder"), "{stderr}");
    assert_eq!(listed(), before, "nothing written in the archive");
    // A working tree's runs.csv that is not a file is a version that cannot be read.
    fs::remove_file(repo.runs()).expect("remove");
    fs::create_dir(repo.runs()).expect("a folder in its place");
    success(&repo.history(&[]));
    let table = repo.table();
    let tree = table
        .iter()
        .find(|r| r["commit"] == "working tree")
        .expect("the working tree is listed");
    assert_eq!(tree["status"], "unreadable", "{tree:?}");
    assert!(tree["problem"].contains("not a regular file"), "{tree:?}");
}

#[test]
fn deleted_and_unreadable_versions_are_marked_and_break_the_line() {
    let mut repo = Repo::new();
    repo.simulate(&[]);
    repo.commit("first archive");
    let good = fs::read(repo.runs()).expect("runs");
    let damaged = String::from_utf8_lossy(&good).replacen(",model,", ",modle,", 1);
    fs::write(repo.runs(), damaged).expect("write");
    repo.commit("a damaged archive");
    fs::remove_file(repo.runs()).expect("remove");
    repo.commit("archive removed");
    fs::write(repo.runs(), &good).expect("write");
    repo.commit("archive back");
    let printed = repo.history(&[]);
    let printed = success(&printed);
    let table = repo.table();
    let status: Vec<(&str, &str)> = versions_in(&table)
        .iter()
        .map(|v| {
            let row = table.iter().find(|r| &r["version"] == v).expect("row");
            (row["status"].as_str(), row["comparable"].as_str())
        })
        .collect();
    assert_eq!(
        status,
        [
            ("read", "first"),
            ("unreadable", "no: unreadable"),
            ("deleted", "no: runs.csv deleted"),
            ("read", "no: after a deleted version"),
        ]
    );
    let unreadable = table
        .iter()
        .find(|r| r["status"] == "unreadable")
        .expect("row");
    assert!(
        unreadable["problem"].contains("runs.csv:2: column"),
        "the problem names the file and line: {unreadable:?}"
    );
    assert!(
        printed.contains("no step beyond noise in 0 step(s) judged"),
        "{printed}"
    );
}

#[test]
fn the_folder_named_any_way_gives_one_history_and_nothing_is_written_in_it() {
    let (repo, _) = four_versions();
    let before: Vec<PathBuf> = fs::read_dir(repo.archive())
        .expect("archive")
        .map(|e| e.expect("entry").path())
        .collect();
    success(&repo.history(&[]));
    let from_top = fs::read(repo.out().join("history.csv")).expect("csv");
    let results = repo.root.join("my results");
    success(&repo.history_from(&results, "tiny-model", &[]));
    assert_eq!(
        fs::read(repo.out().join("history.csv")).expect("csv"),
        from_top
    );
    let absolute = repo.archive().display().to_string();
    success(&repo.history_from(Path::new("/"), &absolute, &[]));
    assert_eq!(
        fs::read(repo.out().join("history.csv")).expect("csv"),
        from_top
    );
    let after: Vec<PathBuf> = fs::read_dir(repo.archive())
        .expect("archive")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(before, after, "the archive is only read");
    // Without --out, into scratch/history/NAME/ under the current folder.
    let mut command = queuelab();
    command
        .current_dir(&repo.root)
        .args(["history", "my results/tiny-model"]);
    command.envs(isolated(&repo.root));
    command.assert().success();
    assert!(
        repo.root
            .join("scratch/history/tiny-model/history.csv")
            .is_file()
    );
}
