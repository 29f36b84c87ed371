//! Every file in tests/fixtures/bad/ is refused: exit code 2, a message naming its line
//! and key, no panic, and nothing written. Each fixture's first line says what to expect:
//! `# expect: LINE KEY`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::queuelab;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fixtures folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// `(line, key)` from the fixture's `# expect: LINE KEY` header.
fn expectation(file: &Path) -> (String, String) {
    let bytes = fs::read(file).expect("readable fixture");
    let text = String::from_utf8_lossy(&bytes);
    let header = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect: "));
    let header = header.unwrap_or_else(|| panic!("{} has no `# expect:` line", file.display()));
    let (line, key) = header.split_once(' ').unwrap_or((header, ""));
    (line.to_string(), key.trim().to_string())
}

#[test]
fn every_bad_fixture_exits_2_naming_line_and_key_and_writes_nothing() {
    let files = fixtures();
    assert!(files.len() >= 20, "the corpus shrank to {}", files.len());
    for file in files {
        let (line, key) = expectation(&file);
        let out = tempfile::tempdir().expect("temp dir");
        for command in ["check", "run"] {
            let mut cmd = queuelab();
            cmd.arg(command).arg(&file);
            if command == "run" {
                cmd.arg("--out").arg(out.path());
            }
            let output = cmd.output().expect("runs");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            assert_eq!(output.status.code(), Some(2), "{name} {command}: {stderr}");
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            assert!(
                stderr.contains(&format!("{name}:{line}:")),
                "{name}: expected line {line} in {stderr}"
            );
            if !key.is_empty() {
                assert!(
                    stderr.contains(&format!("`{key}`")),
                    "{name}: expected key `{key}` in {stderr}"
                );
            }
            assert!(
                stderr.contains('^'),
                "{name}: expected a caret under the line: {stderr}"
            );
        }
        let written: Vec<_> = fs::read_dir(out.path()).expect("out").collect();
        assert!(written.is_empty(), "{} wrote {written:?}", file.display());
    }
}

#[test]
fn check_reports_the_errors_of_every_file_at_once() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let output = queuelab()
        .arg("check")
        .arg(dir.join("zero_producers.toml"))
        .arg(dir.join("name_with_slash.toml"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("zero_producers.toml:3:") && stderr.contains("name_with_slash.toml:2:"),
        "{stderr}"
    );
    assert!(stderr.contains("2 errors"), "{stderr}");
}

#[test]
fn a_bad_file_leaves_earlier_results_untouched() {
    let out = tempfile::tempdir().expect("temp dir");
    let earlier = out.path().join("x");
    fs::create_dir_all(&earlier).expect("dir");
    fs::write(earlier.join("runs.csv"), "earlier results\n").expect("write");
    let bad = out.path().join("x.toml");
    fs::write(&bad, "[scenario]\nproducers = 0\n").expect("write");
    queuelab()
        .args(["run", "--out"])
        .arg(out.path())
        .arg(&bad)
        .assert()
        .code(2);
    assert_eq!(
        fs::read_to_string(earlier.join("runs.csv")).expect("kept"),
        "earlier results\n"
    );
}

#[test]
fn a_missing_file_is_bad_input() {
    let output = queuelab()
        .args(["check", "no/such/file.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/file.toml:1:1: cannot read"));
}
