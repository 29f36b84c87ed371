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
