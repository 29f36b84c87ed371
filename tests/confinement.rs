//! Every command writes only inside the folder the person named: `run` and `simulate`
//! into OUT/NAME/ (OUT/NAME-model/), `plot` into the folder it redraws, `compare` into its
//! --out, `new` one file into its --dir, `check` nothing at all.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::queuelab;

/// Every file and folder below `root`, relative to it.
fn tree(root: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            found.insert(path.strip_prefix(root).expect("below root").to_path_buf());
        }
    }
    found
}

/// Runs `args` from `root` and asserts that everything it added lies below `allowed`.
fn writes_only_below(root: &Path, args: &[&str], allowed: &str) {
    let before = tree(root);
    let output = queuelab()
        .current_dir(root)
        .args(args)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let added: Vec<PathBuf> = tree(root).difference(&before).cloned().collect();
    let outside: Vec<&PathBuf> = added
        .iter()
        // The named folder and the folders that lead to it may be made; nothing else.
        .filter(|p| {
            !(allowed.is_empty() || p.starts_with(allowed) || Path::new(allowed).starts_with(p))
        })
        .collect();
    assert!(
        outside.is_empty(),
        "{args:?} wrote outside {allowed:?}: {outside:?}"
    );
    if allowed.is_empty() {
        assert!(added.is_empty(), "{args:?} wrote {added:?}");
    }
}

#[test]
fn each_command_writes_only_where_it_was_told() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    fs::create_dir_all(root.join("exp")).expect("dir");
    fs::write(
        root.join("exp/x.toml"),
        "repeats = 1\n[scenario]\nitems_per_producer = 2\nproduce_time = \"1ms\"\n\
         consume_time = \"1ms\"\n[sweep]\nconsumers = [1, 2]\n",
    )
    .expect("write");
    writes_only_below(root, &["check", "exp/x.toml"], "");
    writes_only_below(root, &["run", "-q", "--out", "out", "exp/x.toml"], "out/x");
    writes_only_below(
        root,
        &["simulate", "-q", "--out", "out", "exp/x.toml"],
        "out/x-model",
    );
    writes_only_below(root, &["plot", "out/x"], "out/x");
    writes_only_below(root, &["compare", "out/x", "out/x", "--out", "cmp"], "cmp");
    // `new` also writes the schema its starter names (`#:schema ./experiment.schema.json`).
    writes_only_below(root, &["new", "y", "--dir", "exp"], "exp");
    writes_only_below(root, &["new", "z", "--from", "x", "--dir", "exp"], "exp");
}

/// Every file below `dir` (but the lock file, which a refused command may leave) with
/// its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = tree(dir)
        .into_iter()
        .filter(|p| dir.join(p).is_file() && !p.ends_with(".queuelab.lock"))
        .map(|p| {
            let bytes = fs::read(dir.join(&p)).expect("read");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Asserts that `dir` holds exactly the files `kept` (naming the first that differs,
/// not printing megabytes of bytes).
fn holds_as_it_was(dir: &Path, kept: &[(PathBuf, Vec<u8>)]) {
    let now = contents(dir);
    let names =
        |files: &[(PathBuf, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&now), names(kept), "{}", dir.display());
    for ((name, bytes), (_, was)) in now.iter().zip(kept) {
        assert!(bytes == was, "{} changed", dir.join(name).display());
    }
}

/// Writes experiment `name` (2 scenarios, 1 repeat, a few milliseconds) into `root/exp/`.
fn experiment(root: &Path, name: &str) -> PathBuf {
    let file = root.join(format!("exp/{name}.toml"));
    fs::create_dir_all(root.join("exp")).expect("dir");
    let text = format!(
        "name = \"{name}\"\nrepeats = 1\ntime_scale = 0.1\n[scenario]\nitems_per_producer = 2\n\
         produce_time = \"1ms\"\nconsume_time = \"1ms\"\n[sweep]\nconsumers = [1, 2]\n"
    );
    fs::write(&file, text).expect("write");
    file
}

/// An archive reached through a link, or copied under another experiment's name, is
/// never replaced without a word: results land only in a folder of their own inside
/// --out, and another experiment's runs go only with --replace.
#[test]
fn another_experiments_archive_is_never_replaced_by_accident() {
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    let tiny = experiment(root, "tiny");
    let other = experiment(root, "other");
    let run = |args: &[&str]| {
        queuelab()
            .current_dir(root)
            .args(args)
            .output()
            .expect("runs")
    };
    assert!(
        run(&["run", "-q", "--out", "archive", "exp/tiny.toml"])
            .status
            .success()
    );
    let archive = root.join("archive/tiny");
    let kept = contents(&archive);

    fs::create_dir(root.join("scratch")).expect("dir");
    std::os::unix::fs::symlink("../archive/tiny", root.join("scratch/other")).expect("link");
    std::os::unix::fs::symlink("../archive/tiny", root.join("scratch/other-model")).expect("link");
    for command in ["run", "simulate"] {
        let output = run(&[command, "-q", "--out", "scratch", "exp/other.toml"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("is a link (to ../archive/tiny)"),
            "{stderr}"
        );
    }
    holds_as_it_was(&archive, &kept);

    // Copied under the other experiment's name (and into its `-model` folder).
    for folder in ["copies/other", "copies/other-model"] {
        fs::create_dir_all(root.join(folder)).expect("dir");
        for (name, bytes) in &kept {
            fs::write(root.join(folder).join(name), bytes).expect("copy");
        }
    }
    let output = run(&["run", "-q", "--out", "copies", "exp/other.toml"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("holds the runs of experiment `tiny`"),
        "{stderr}"
    );
    assert!(stderr.contains("add --replace"), "{stderr}");
    let output = run(&["simulate", "-q", "--out", "copies", "exp/other.toml"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("holds measured runs"), "{stderr}");
    for folder in ["copies/other", "copies/other-model"] {
        holds_as_it_was(&root.join(folder), &kept);
    }

    // With its runs.csv gone, the folder's meta.json still says whose runs these were,
    // to a plain run, a --resume and simulate alike.
    let aside = root.join("runs.csv.aside");
    for folder in ["copies/other", "copies/other-model"] {
        fs::rename(root.join(folder).join("runs.csv"), &aside).expect("move");
        let commands: &[&[&str]] = match folder.ends_with("-model") {
            true => &[&["simulate"]],
            false => &[&["run"], &["run", "--resume"]],
        };
        for command in commands {
            let args = [command, &["-q", "--out", "copies", "exp/other.toml"][..]].concat();
            let output = run(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains("holds"), "{stderr}");
        }
        fs::rename(&aside, root.join(folder).join("runs.csv")).expect("move back");
    }

    // Of two files, the second's refusal comes before the first's folder is written.
    let output = run(&[
        "simulate",
        "-q",
        "--out",
        "copies",
        "exp/tiny.toml",
        "exp/other.toml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!root.join("copies/tiny-model").exists(), "nothing written");

    // Asked for, it replaces them.
    let output = run(&[
        "run",
        "-q",
        "--replace",
        "--out",
        "copies",
        "exp/other.toml",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let runs = fs::read_to_string(root.join("copies/other/runs.csv")).expect("read");
    assert!(
        runs.lines().skip(1).all(|row| row.starts_with("other,")),
        "{runs}"
    );
    drop(tiny);
    drop(other);
}
