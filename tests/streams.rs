//! What queuelab prints goes to readers that may stop reading (`| head -1`) or a full
//! disk: a closed pipe is a quiet success, a full device exit 1 with a message, never a
//! panic, and the results already written stay whole.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use common::read_csv;

fn queuelab() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("queuelab"))
}

fn seed_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/seed.toml")
}

/// The write end of a pipe whose read end is already closed: every write fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn check_into_a_closed_pipe_exits_quietly() {
    let output = queuelab()
        .arg("check")
        .arg(seed_file())
        .stdout(closed_pipe())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "nothing said: {stderr}");
}

#[test]
fn check_piped_into_head_exits_quietly() {
    let command = format!(
        "'{}' check '{}' | head -c 1 > /dev/null; exit ${{PIPESTATUS[0]}}",
        assert_cmd::cargo::cargo_bin("queuelab").display(),
        seed_file().display()
    );
    let output = Command::new("bash")
        .args(["-c", &command])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Output that cannot be written is exit 1 saying so, help and the version as much as a
/// command's own: a script that saves `queuelab --help` learns it was not saved.
#[test]
fn output_into_a_full_device_exits_1_saying_why() {
    let seed = seed_file().to_string_lossy().into_owned();
    for args in [
        vec!["check", seed.as_str()],
        vec!["--help"],
        vec!["help", "run"],
        vec!["run", "--help"],
        vec!["--version"],
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full exists on Linux");
        let output = queuelab().args(&args).stdout(full).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn run_with_both_streams_closed_still_saves_every_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quick.toml");
    fs::write(
        &file,
        "name = \"quick\"\nrepeats = 2\n[scenario]\nitems_per_producer = 2\nproduce_time = \"1ms\"\nconsume_time = \"1ms\"\n[sweep]\nconsumers = [1, 2]\n",
    )
    .expect("write");
    // Not quiet: the progress bar and status lines go to the closed stderr.
    let status = queuelab()
        .args(["run", "--out"])
        .arg(dir.path())
        .arg(&file)
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(0));
    assert_eq!(read_csv(&dir.path().join("quick/runs.csv")).len(), 4);
    assert!(dir.path().join("quick/summary.csv").exists());
}
