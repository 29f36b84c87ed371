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
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("error: no/such/file.toml: cannot read")
    );
}

/// `check` on `file`, stopped after `seconds` (a hang guard, not a speed limit: every case
/// here answers in well under a second on an idle machine).
fn check_within(file: &Path, seconds: u64) -> std::process::Output {
    let output = queuelab()
        .arg("check")
        .arg(file)
        .timeout(std::time::Duration::from_secs(seconds))
        .output()
        .expect("runs");
    assert!(
        output.status.code().is_some(),
        "check on {} did not answer within {seconds} s",
        file.display()
    );
    output
}

#[test]
fn what_is_not_a_regular_file_or_is_too_large_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let mut files = vec![PathBuf::from("/dev/zero")];
    if made.is_ok_and(|s| s.success()) {
        files.push(fifo);
    }
    let large = dir.path().join("large.toml");
    fs::write(&large, format!("# {}\n", "x".repeat(2 << 20))).expect("write");
    files.push(large);
    for file in files {
        let output = check_within(&file, 20);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {stderr}",
            file.display()
        );
        assert!(
            stderr.contains("not a regular file") || stderr.contains("larger than 1024 KiB"),
            "{stderr}"
        );
    }
}

#[test]
fn thousands_of_errors_are_told_in_a_screenful() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("many.toml");
    let keys: String = (0..50_000).map(|i| format!("k{i} = 1\n")).collect();
    fs::write(&file, keys).expect("write");
    let output = check_within(&file, 60);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr.matches("unknown key").count(),
        50,
        "the first 50 in full"
    );
    assert!(
        stderr.contains("49950 more error(s) not shown"),
        "{stderr:.300}"
    );
    assert!(
        stderr.contains("50000 errors; nothing was run"),
        "{stderr:.300}"
    );
    assert!(stderr.len() < 50_000, "{} bytes of errors", stderr.len());
}

#[test]
fn check_answers_for_huge_sweeps_and_scenarios_without_replaying_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let values: Vec<String> = (1..=100_000).map(|i| i.to_string()).collect();
    let sweep = dir.path().join("sweep.toml");
    let text = format!("[sweep]\nitems_per_producer = [{}]\n", values.join(","));
    fs::write(&sweep, text).expect("write");
    let huge = dir.path().join("huge.toml");
    fs::write(
        &huge,
        "repeats = 1\n[scenario]\nproducers = 10\nitems_per_producer = 1000000000\n",
    )
    .expect("write");
    for file in [sweep, huge] {
        let output = check_within(&file, 60);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("runs not predicted"), "{stdout:.500}");
        assert!(
            stdout.contains("estimated run time: at least")
                || stdout.contains("estimated run time: unknown; the model did not predict"),
            "{stdout:.500}"
        );
    }
}

#[test]
fn a_command_line_override_cannot_plan_more_runs_than_the_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("wide.toml");
    let values: Vec<String> = (1..=1000).map(|i| i.to_string()).collect();
    fs::write(
        &file,
        format!("[sweep]\nitems_per_producer = [{}]\n", values.join(",")),
    )
    .expect("write");
    let output = queuelab()
        .args(["check", "--repeats", "10000"])
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`repeats`") && stderr.contains("10000000 runs, over the limit of 1000000"),
        "{stderr}"
    );
}

#[test]
fn every_error_says_error_and_counts_read_as_english() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = queuelab()
        .arg("plot")
        .arg(dir.path().join("not-a-results-folder"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    let file = dir.path().join("one.toml");
    fs::write(&file, "repeats = 1\n[scenario]\nconsumers = 2\n").expect("write");
    let output = queuelab().arg("check").arg(&file).output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("1 scenario × 1 repeat at"), "{stdout}");
}

/// Whether `bytes` hold a control character a terminal would obey (all but line feed and
/// tab).
fn has_hidden_control(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes)
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[test]
fn control_characters_from_a_file_reach_neither_the_terminal_nor_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A raw escape in a string (a syntax error quoted with its line), an escaped one in a
    // value (quoted in the message), and a carriage return that would overwrite the line.
    let files = [
        "name = \"a\"\n[scenario]\nqueue_impl = \"\u{1b}[2Jx\"\n",
        "name = \"b\"\n[scenario]\nqueue_impl = \"\\u001b[2J\\r\\u0007x\"\n",
        "name = \"c\"\n[sweep]\nconsumers = [1, \"\\u009b2J\"]\n",
    ];
    for (i, text) in files.iter().enumerate() {
        let file = dir.path().join(format!("{i}.toml"));
        fs::write(&file, text).expect("write");
        let output = queuelab().arg("check").arg(&file).output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{text:?}");
        assert!(
            !has_hidden_control(&output.stderr),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !has_hidden_control(&output.stdout),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("{i}.toml:3:")), "{stderr}");
    }
    // A description may hold escapes; the report shows them as symbols.
    let file = dir.path().join("d.toml");
    let description = "red \\u001b[31mRED\\u001b[0m, a bell \\u0007 and a backspace \\u0008 that would eat a letter";
    fs::write(
        &file,
        format!("name = \"d\"\ndescription = \"{description}\"\nrepeats = 1\n"),
    )
    .expect("write");
    let output = queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    assert!(
        !has_hidden_control(&output.stdout),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = fs::read(dir.path().join("d-model/report.md")).expect("report");
    assert!(!has_hidden_control(&report));
    assert!(String::from_utf8_lossy(&report).contains("red ␛[31mRED␛[0m, a bell ␇"));
    // So may the machine's name in an edited meta.json, which `plot` reports.
    let meta = dir.path().join("d-model/meta.json");
    let text = fs::read_to_string(&meta).expect("meta.json");
    assert!(text.contains("\"host\": \""), "{text}");
    let edited = text.replace("\"host\": \"", "\"host\": \"\\u001b]0;pwn\\u0007\\u202e");
    fs::write(&meta, edited).expect("write");
    queuelab()
        .arg("plot")
        .arg(dir.path().join("d-model"))
        .assert()
        .success();
    let report = fs::read(dir.path().join("d-model/report.md")).expect("report");
    assert!(!has_hidden_control(&report));
    assert!(String::from_utf8_lossy(&report).contains("␛]0;pwn␇\u{fffd}"));
}

#[test]
fn a_negative_number_for_a_count_is_told_as_a_bad_value_not_as_an_unknown_argument() {
    let cases: [&[&str]; 5] = [
        &["run", "--seed", "-1", "x.toml"],
        &["run", "--repeats", "-1", "x.toml"],
        &["run", "--max-threads", "-5", "x.toml"],
        &["compare", "--noise", "-1", "a", "b"],
        &["history", ".", "--limit", "-1"],
    ];
    for args in cases {
        let output = queuelab().args(args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        let negative = args
            .iter()
            .find(|a| {
                a.len() > 1 && a.starts_with('-') && a[1..].bytes().all(|b| b.is_ascii_digit())
            })
            .expect("a negative number");
        assert!(
            stderr.contains(&format!("invalid value '{negative}'")),
            "{stderr}"
        );
        assert!(!stderr.contains("tip: to pass"), "{stderr}");
    }
}

#[test]
fn check_refuses_what_run_would_and_tells_errors_of_many_files_in_a_screenful() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    fs::write(&a, "name = \"same\"\n").expect("write");
    fs::write(&b, "name = \"same\"\n").expect("write");
    for files in [[&a, &b], [&a, &a]] {
        let output = queuelab().arg("check").args(files).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
    }
    let bad: Vec<std::path::PathBuf> = (0..80)
        .map(|i| {
            let file = dir.path().join(format!("bad{i}.toml"));
            fs::write(&file, "repeats = 0\n").expect("write");
            file
        })
        .collect();
    let output = queuelab().arg("check").args(&bad).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr.matches("`repeats`").count(), 50, "{stderr}");
    assert!(
        stderr.contains("30 errors in other files not shown"),
        "{stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("80 errors; nothing was run or written"),
        "{stderr}"
    );
}

#[test]
fn check_lists_every_scenario_even_those_it_does_not_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("np.toml");
    fs::write(
        &file,
        "name = \"np\"\nrepeats = 1\n[scenario]\nproduce_time = \"1us\"\n\
         consume_time = \"1us\"\n[sweep]\nitems_per_producer = [30000000, 10]\n",
    )
    .expect("write");
    let output = queuelab().arg("check").arg(&file).output().expect("runs");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        said.contains("items_per_producer=30000000  not predicted"),
        "{said}"
    );
    assert!(said.contains("items_per_producer=10 "), "{said}");
}
