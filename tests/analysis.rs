//! Reading the archive back: `plot` redraws a committed results folder exactly, `compare`
//! tells noise from change, and damaged files are refused with the column named.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use common::{Limit, limited, queuelab, read_csv};

/// A copy of the committed `results/seed/` in a temporary folder.
fn seed_copy(root: &Path, name: &str) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/seed");
    let to = root.join(name);
    fs::create_dir_all(&to).expect("dir");
    for entry in fs::read_dir(&from).expect("results/seed is committed") {
        let path = entry.expect("entry").path();
        fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
    }
    to
}

/// `simulate` of the seed experiment, renamed `name` and edited by `edit`, into
/// `root/NAME-model/` with `args` added: an archive queuelab made whole, for cases an
/// edited copy of `results/seed` cannot make (an edit to the file or to its settings
/// changes the fingerprint its runs carry, and the copy is refused).
fn simulated(root: &Path, name: &str, edit: impl Fn(&str) -> String, args: &[&str]) -> PathBuf {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/seed.toml");
    let text = fs::read_to_string(seed).expect("experiments/seed.toml");
    let text = edit(&text.replace("name = \"seed\"", &format!("name = \"{name}\"")));
    let file = root.join(format!("{name}.toml"));
    fs::write(&file, text).expect("write");
    queuelab()
        .arg("simulate")
        .args(args)
        .arg("--out")
        .arg(root)
        .arg(&file)
        .assert()
        .success();
    root.join(format!("{name}-model"))
}

/// Runs `compare A B --out OUT`, which must succeed; returns what it printed.
fn compare(a: &Path, b: &Path, out: &Path) -> String {
    let output = queuelab()
        .arg("compare")
        .arg(a)
        .arg(b)
        .arg("--out")
        .arg(out)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `compare A B --fail-if-slower PCT --out OUT`, as a CI gate runs it.
fn gated(a: &Path, b: &Path, pct: &str, out: &Path) -> std::process::Output {
    queuelab()
        .args(["compare", "--fail-if-slower", pct, "--out"])
        .arg(out)
        .arg(a)
        .arg(b)
        .output()
        .expect("runs")
}

/// The files of a results folder that record how it was made; `plot` redraws the rest.
const RECORDS: [&str; 3] = ["runs.csv", "experiment.toml", "meta.json"];

#[test]
fn plot_redraws_every_committed_folder_exactly() {
    let root = tempfile::tempdir().expect("temp dir");
    for name in common::EXAMPLES {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("results")
            .join(name);
        if common::AWAITING_RESULTS.contains(&name) {
            assert!(
                !committed.exists(),
                "results/{name} is committed now: take {name} out of AWAITING_RESULTS"
            );
            continue;
        }
        let dir = root.path().join(name);
        fs::create_dir_all(&dir).expect("dir");
        let mut drawn = Vec::new();
        for entry in fs::read_dir(&committed).expect("results/NAME is committed") {
            let path = entry.expect("entry").path();
            let file = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            if file.starts_with('.') {
                // The lock file (ignored by git) of whoever last wrote the folder here.
                continue;
            } else if RECORDS.contains(&file.as_str()) {
                fs::copy(&path, dir.join(&file)).expect("copy");
            } else {
                drawn.push(file);
            }
        }
        assert!(drawn.len() >= 5, "{name}: {drawn:?}");
        queuelab().arg("plot").arg(&dir).assert().success();
        for file in &drawn {
            let again = fs::read(dir.join(file))
                .unwrap_or_else(|e| panic!("{name}/{file} not redrawn: {e}"));
            let before = fs::read(committed.join(file)).expect("committed");
            assert!(
                again == before,
                "{name}/{file} differs from the committed one"
            );
        }
    }
}

#[test]
fn compare_with_itself_is_within_noise_everywhere() {
    let root = tempfile::tempdir().expect("temp dir");
    let a = seed_copy(root.path(), "a");
    let out = root.path().join("cmp");
    let said = compare(&a, &a, &out);
    let note = "note: A and B are the same folder";
    assert!(said.contains(note), "{said}");
    // The same folder by another name is still the same folder.
    let link = root.path().join("link");
    std::os::unix::fs::symlink(&a, &link).expect("symlink");
    assert!(compare(&a, &link, &out).contains(note));
    let rows = read_csv(&out.join("compare.csv"));
    assert_eq!(rows.len(), 7);
    assert!(
        rows.iter()
            .all(|r| r["verdict"] == "within noise" && r["ratio"] == "1.0000"),
        "{rows:?}"
    );
    assert!(out.join("compare_elapsed_vs_consumers.png").exists());
}

/// Doubles every elapsed time of one scenario in a copied `runs.csv`.
fn slow_down(dir: &Path, scenario: &str) {
    let path = dir.join("runs.csv");
    let mut reader = csv::Reader::from_path(&path).expect("csv");
    let header = reader.headers().expect("header").clone();
    let column = header
        .iter()
        .position(|c| c == "elapsed_s")
        .expect("elapsed_s");
    let label = header
        .iter()
        .position(|c| c == "scenario")
        .expect("scenario");
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).expect("write");
    for row in reader.records() {
        let mut row: Vec<String> = row.expect("row").iter().map(String::from).collect();
        if row[label] == scenario {
            let doubled = row[column].parse::<f64>().expect("number") * 2.0;
            row[column] = format!("{doubled:.6}");
        }
        writer.write_record(&row).expect("write");
    }
    fs::write(&path, writer.into_inner().expect("bytes")).expect("write");
}

#[test]
fn compare_flags_exactly_the_scenario_made_twice_as_slow() {
    let root = tempfile::tempdir().expect("temp dir");
    let a = seed_copy(root.path(), "a");
    let b = seed_copy(root.path(), "b");
    slow_down(&b, "consumers=4");
    let out = root.path().join("cmp");
    queuelab()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for row in read_csv(&out.join("compare.csv")) {
        let expected = if row["scenario"] == "consumers=4" {
            "slower"
        } else {
            "within noise"
        };
        assert_eq!(row["verdict"], expected, "{row:?}");
    }
    let output = gated(&a, &b, "50", &out);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a CI gate fails on a 2x slowdown"
    );
    // The comparison stays on stdout, where a CI job keeps its report; the gate's reason
    // alone is the error.
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(stdout.contains("consumers=4"), "{stdout}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("slower by more than 50%"),
        "{stderr}"
    );
    assert!(!stderr.contains("consumers=4"), "{stderr}");
    queuelab()
        .args(["compare", "--fail-if-slower", "150", "--out"])
        .arg(&out)
        .arg(&a)
        .arg(&b)
        .assert()
        .success();
}

#[test]
fn scenarios_on_one_side_only_are_listed() {
    let root = tempfile::tempdir().expect("temp dir");
    let a = simulated(root.path(), "a", str::to_string, &[]);
    let b = simulated(
        root.path(),
        "b",
        |text| {
            let all = "consumers = [1, 2, 4, 10, 20, 24, 30]";
            assert!(text.contains(all), "the seed's sweep");
            text.replace(all, "consumers = [1, 2, 4, 10, 20, 24, 40]")
        },
        &[],
    );
    let out = root.path().join("cmp");
    let said = compare(&a, &b, &out);
    assert!(said.contains("consumers=30  only in A"), "{said}");
    assert!(said.contains("consumers=40  only in B"), "{said}");
    // Two folders of the model's: nothing to warn of.
    assert!(!said.contains("note:"), "{said}");
}

#[test]
fn a_side_holding_the_models_predictions_is_named_as_such() {
    let root = tempfile::tempdir().expect("temp dir");
    let measured = seed_copy(root.path(), "seed");
    let model = simulated(root.path(), "seed", str::to_string, &[]);
    let out = root.path().join("cmp");
    let said = compare(&measured, &model, &out);
    assert!(said.contains(", measured)\nB = seed ("), "{said}");
    assert!(said.contains("-model, model)\n"), "{said}");
    assert!(
        said.contains("note: B holds the model's predictions"),
        "{said}"
    );
    let said = compare(&model, &measured, &out);
    assert!(
        said.contains("note: A holds the model's predictions"),
        "{said}"
    );
}

#[test]
fn a_damaged_or_foreign_csv_is_refused_with_the_column_named() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = seed_copy(root.path(), "seed");
    let runs = fs::read_to_string(dir.join("runs.csv")).expect("read");
    fs::write(
        dir.join("runs.csv"),
        runs.replacen("elapsed_s", "elapsed", 1),
    )
    .expect("write");
    let output = queuelab().arg("plot").arg(&dir).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("runs.csv") && stderr.contains("no column `elapsed_s`"),
        "{stderr}"
    );

    fs::write(dir.join("runs.csv"), runs.replacen(",24.750", ",twenty", 1)).expect("write");
    let stderr = String::from_utf8_lossy(
        &queuelab()
            .arg("plot")
            .arg(&dir)
            .output()
            .expect("runs")
            .stderr,
    )
    .to_string();
    assert!(
        stderr.contains("runs.csv:2: column 16 `elapsed_s`: `twenty")
            && stderr.contains("` is not a number"),
        "{stderr}"
    );

    fs::write(dir.join("runs.csv"), "name,age\nada,36\n").expect("write");
    let output = queuelab().arg("plot").arg(&dir).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is it a queuelab runs.csv?"));

    let output = queuelab()
        .arg("plot")
        .arg(root.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no experiment.toml"));

    let missing = root.path().join("not_made");
    let output = queuelab().arg("plot").arg(&missing).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not_made: no such folder"));
}

#[test]
fn warmup_runs_are_made_and_not_counted() {
    let root = tempfile::tempdir().expect("temp dir");
    let file = root.path().join("warm.toml");
    fs::write(&file, "name = \"warm\"\nrepeats = 2\nwarmup = 2\norder = \"random\"\n[scenario]\nitems_per_producer = 2\nproduce_time = \"1ms\"\nconsume_time = \"1ms\"\n[sweep]\nconsumers = [1, 2, 3]\n").expect("write");
    queuelab()
        .args(["run", "-q", "--out"])
        .arg(root.path())
        .arg(&file)
        .assert()
        .success();
    let runs = read_csv(&root.path().join("warm/runs.csv"));
    assert_eq!(runs.len(), 6, "3 scenarios × 2 counted repeats");
    assert!(runs.iter().all(|r| r["repeat"] != "0"));
}

#[test]
fn compare_refuses_thresholds_that_are_not_finite_percentages() {
    let root = tempfile::tempdir().expect("temp dir");
    let a = seed_copy(root.path(), "a");
    for (flag, value) in [
        ("--noise", "NaN"),
        ("--noise", "-1"),
        ("--fail-if-slower", "NaN"),
        ("--fail-if-slower", "inf"),
    ] {
        let output = queuelab()
            .args(["compare", &format!("{flag}={value}"), "--out"])
            .arg(root.path().join("cmp"))
            .arg(&a)
            .arg(&a)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains("is not a percentage"), "{stderr}");
    }
}

#[test]
fn compare_refuses_archives_of_different_time_scales_and_with_nothing_in_common() {
    let root = tempfile::tempdir().expect("temp dir");
    let a = simulated(root.path(), "a", str::to_string, &[]);
    let b = simulated(root.path(), "b", str::to_string, &["--time-scale", "0.5"]);
    let output = queuelab()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(root.path().join("cmp"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("time_scale 1") && stderr.contains("at 0.5"),
        "{stderr}"
    );

    // An archive of other scenarios under the same names: 21 producers where A has 20.
    let c = simulated(
        root.path(),
        "c",
        |text| text.replace("producers = 20", "producers = 21"),
        &[],
    );
    let output = queuelab()
        .arg("compare")
        .arg(&a)
        .arg(&c)
        .arg("--out")
        .arg(root.path().join("cmp"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no scenario in common"), "{stderr}");
}

#[test]
fn one_run_a_side_gives_no_verdict_and_fails_the_gate() {
    let root = tempfile::tempdir().expect("temp dir");
    let (a, b) = (seed_copy(root.path(), "a"), seed_copy(root.path(), "b"));
    for dir in [&a, &b] {
        let runs = fs::read_to_string(dir.join("runs.csv")).expect("runs");
        let kept: Vec<&str> = runs
            .lines()
            .enumerate()
            .filter(|(i, l)| *i == 0 || l.split(',').nth(2) == Some("1"))
            .map(|(_, l)| l)
            .collect();
        fs::write(dir.join("runs.csv"), kept.join("\n") + "\n").expect("write");
    }
    slow_down(&b, "consumers=4");
    let out = root.path().join("cmp");
    let text = compare(&a, &b, &out);
    assert!(text.contains("too few runs"), "{text}");
    assert!(
        read_csv(&out.join("compare.csv"))
            .iter()
            .all(|r| r["verdict"] == "too few runs" && r["ratio_low"].is_empty()),
        "no interval, no verdict"
    );
    let output = gated(&a, &b, "50", &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not judge 7 scenario(s)"), "{stderr}");
}

#[test]
fn plot_draws_any_view_and_refuses_a_view_the_archive_cannot_give() {
    let root = tempfile::tempdir().expect("temp dir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/queue_impls");
    let dir = root.path().join("queue_impls");
    fs::create_dir_all(&dir).expect("dir");
    for file in RECORDS {
        fs::copy(from.join(file), dir.join(file)).expect("copy");
    }
    let view = |args: &[&str]| queuelab().arg("plot").arg(&dir).args(args).output();
    let drawn = view(&[
        "--x",
        "producers",
        "--y",
        "throughput",
        "--facet",
        "queue_impl",
    ])
    .expect("runs");
    assert!(
        drawn.status.success(),
        "{}",
        String::from_utf8_lossy(&drawn.stderr)
    );
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !RECORDS.contains(&n.as_str()) && !n.starts_with('.'))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "throughput_vs_producers_by_queue_impl.png",
            "throughput_vs_producers_by_queue_impl.svg"
        ],
        "the view alone; no report or summary rewritten"
    );
    for (args, says) in [
        (
            ["--x", "colour", "--y", "throughput"],
            "allowed: queue_impl, producers, consumers",
        ),
        (
            ["--x", "producers", "--y", "speed"],
            "possible values: elapsed, ns_per_item",
        ),
    ] {
        let refused = view(&args).expect("runs");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
    let facet = view(&["--x", "producers", "--y", "elapsed", "--facet", "work"]).expect("runs");
    let stderr = String::from_utf8_lossy(&facet.stderr);
    assert_eq!(facet.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("allowed: queue_impl, consumers"),
        "{stderr}"
    );
}

#[test]
fn an_incomplete_side_is_said_and_fails_a_gate() {
    let root = tempfile::tempdir().expect("temp dir");
    let a = seed_copy(root.path(), "a");
    let b = seed_copy(root.path(), "b");
    // B as a run stopped early leaves it: its last scenario's runs never made, every
    // other scenario's all there (so each of those is judged).
    let runs = fs::read_to_string(b.join("runs.csv")).expect("runs.csv");
    let lines: Vec<&str> = runs.lines().collect();
    let kept = lines[..lines.len() - 3].join("\n") + "\n";
    fs::write(b.join("runs.csv"), kept).expect("write");
    let out = root.path().join("cmp");
    let said = compare(&a, &b, &out);
    assert!(
        said.contains("note: B is incomplete: 18 of its 21 planned runs"),
        "{said}"
    );
    let output = queuelab()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args(["--fail-if-slower", "5", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("could not judge: a side is incomplete"),
        "{stdout}{stderr}"
    );
}

/// The model gives zero-time work no time: compared with it, a scenario has no ratio and
/// no verdict (not `inf` slower, not 100% faster), and a gate says it could not judge.
#[test]
fn a_side_of_no_time_gives_no_ratio_no_verdict_and_fails_the_gate() {
    let root = tempfile::tempdir().expect("temp dir");
    let zero = |t: &str| {
        t.replace("\"200ms\"", "\"0ms\"")
            .replace("\"250ms\"", "\"0ms\"")
    };
    let a = simulated(root.path(), "a", zero, &["-q"]);
    let b = simulated(root.path(), "b", zero, &["-q"]);
    let out = root.path().join("cmp");
    let text = compare(&a, &b, &out);
    assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
    assert!(text.contains("no time on a side"), "{text}");
    assert!(
        read_csv(&out.join("compare.csv"))
            .iter()
            .all(|r| r["verdict"] == "no time on a side" && r["ratio"].is_empty()),
        "no ratio, no verdict"
    );
    let output = gated(&a, &b, "5", &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("could not judge 7 scenario(s): a side took no time"),
        "{stderr}"
    );
}

/// A `compare` whose files cannot be written (past a file size limit) fails (exit 1)
/// and leaves no folder it made for them, --out's parents included.
#[test]
fn a_compare_that_cannot_write_leaves_no_folder_it_made() {
    let root = tempfile::tempdir().expect("temp dir");
    let a = seed_copy(root.path(), "a");
    let out = root.path().join("made/cmp");
    let args = [
        OsStr::new("compare"),
        a.as_os_str(),
        a.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    let mut command = limited(args, Limit::FileSize(1000));
    let output = command.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(
        !root.path().join("made").exists(),
        "the folders it made are gone"
    );
}
