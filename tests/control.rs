//! Run control: --jobs, --resume, Ctrl-C, and the checks made before any run starts.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Limit, limited, queuelab, read_csv};
use serial_test::serial;

/// 6 scenarios × 2 repeats of about 0.25 s each: long enough to interrupt.
const SLOW: &str = "name = \"slow\"\nrepeats = 2\n[scenario]\nproducers = 2\nitems_per_producer = 5\n\
                    produce_time = \"50ms\"\nconsume_time = \"40ms\"\n[sweep]\nconsumers = [1, 2, 3, 4, 5, 6]\n";

/// `(scenario, repeat, run_seed)` of every row.
fn run_keys(path: &Path) -> BTreeSet<(String, String, String)> {
    read_csv(path)
        .into_iter()
        .map(|r| {
            (
                r["scenario"].clone(),
                r["repeat"].clone(),
                r["run_seed"].clone(),
            )
        })
        .collect()
}

/// Waits until `done()`, looking every few milliseconds; fails the test naming `what`
/// after `limit`.
fn wait_until(limit: Duration, what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{what} never happened within {limit:?}");
}

fn wait_for_rows(path: &Path, rows: usize, limit: Duration) {
    let what = format!("{} reaching {rows} rows", path.display());
    wait_until(limit, &what, || {
        path.exists() && read_csv(path).len() >= rows
    });
}

/// The command queuelab printed on the line after `marker` (as after "Go on with:").
fn command_printed_after<'a>(stderr: &'a str, marker: &str) -> &'a str {
    stderr
        .lines()
        .skip_while(|l| !l.contains(marker))
        .nth(1)
        .unwrap_or_else(|| panic!("no command printed after {marker:?}: {stderr}"))
        .trim()
}

/// Starts `queuelab run -q ARGS --out OUT FILE` in the background.
fn spawn_run(args: &[&str], out: &Path, file: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("queuelab"))
        .args(["run", "-q"])
        .args(args)
        .arg("--out")
        .arg(out)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts")
}

/// `SLOW` run in the background from `root/slow.toml` into `root/out`.
struct Started {
    child: std::process::Child,
    file: PathBuf,
    out: PathBuf,
    runs: PathBuf,
}

fn start_slow(root: &Path) -> Started {
    let file = root.join("slow.toml");
    fs::write(&file, SLOW).expect("write");
    let out = root.join("out");
    let child = spawn_run(&[], &out, &file);
    let runs = out.join("slow/runs.csv");
    Started {
        child,
        file,
        out,
        runs,
    }
}

/// Sends `signal` to `child`, a queuelab this test started and has not yet waited for.
fn send(child: &std::process::Child, signal: libc::c_int) {
    // SAFETY: kill only sends a signal, to a process of our own.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(sent, 0, "signal {signal} sent to {}", child.id());
}

#[test]
#[serial(timing)]
fn ctrl_c_saves_what_finished_and_resume_completes_exactly_the_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Started {
        child,
        file,
        out,
        runs,
    } = start_slow(dir.path());
    wait_for_rows(&runs, 2, Duration::from_secs(20));
    send(&child, libc::SIGINT);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("queuelab run --resume"),
        "says how to go on: {stderr}"
    );
    // The table of what finished goes to stdout, as on success; only why, to stderr.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("slow (measured)"), "{stdout}");
    assert!(!stderr.contains("slow (measured)"), "{stderr}");
    let done = read_csv(&runs).len();
    assert!((2..12).contains(&done), "{done} runs saved");
    assert!(
        out.join("slow/summary.csv").exists(),
        "summary written from the finished runs"
    );
    let leftovers: Vec<_> = fs::read_dir(out.join("slow"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let before = run_keys(&runs);

    queuelab()
        .args(["run", "-q", "--resume", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let after = run_keys(&runs);
    assert_eq!(after.len(), 12);
    assert!(
        before.is_subset(&after),
        "finished runs are kept, not redone"
    );
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert_eq!(
        after,
        run_keys(&out.join("slow-model/runs.csv")),
        "exactly the runs of an uninterrupted run"
    );
    let kept: Vec<_> = read_csv(&runs)
        .into_iter()
        .filter(|r| {
            before.contains(&(
                r["scenario"].clone(),
                r["repeat"].clone(),
                r["run_seed"].clone(),
            ))
        })
        .collect();
    assert_eq!(kept.len(), before.len());
}

/// 16 quick runs, whose results take a moment to write (a chart per metric over 16
/// scenarios): a window after the last run for a signal to come in.
const MANY: &str = "name = \"many\"\nrepeats = 1\ntime_scale = 0.02\n[scenario]\nitems_per_producer = 2\n\
                    produce_time = \"1ms\"\nconsume_time = \"1ms\"\n[sweep]\nproducers = [1, 2]\n\
                    consumers = [1, 2, 3, 4, 5, 6, 7, 8]\n";

/// The state letter of process `pid` (`T` stopped, `Z` exited but not yet waited for).
fn state_of(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name, which is in parentheses and may hold spaces.
    stat.rsplit_once(") ")?.1.chars().next()
}

/// Runs `MANY` and, once every run is in `runs.csv`, stops the process, sends it SIGINT
/// and lets it go on: the signal lands after the last run, whatever the machine's load.
/// `None` when the process had already ended (the window was missed).
fn interrupted_after_the_last_run(root: &Path) -> Option<(std::process::Output, PathBuf)> {
    let file = root.join("many.toml");
    fs::write(&file, MANY).expect("write");
    let out = root.join("out");
    let child = spawn_run(&[], &out, &file);
    let runs = out.join("many/runs.csv");
    let every_run_saved = || runs.exists() && read_csv(&runs).len() == 16;
    wait_until(Duration::from_secs(60), "every run saved", every_run_saved);
    send(&child, libc::SIGSTOP);
    wait_until(Duration::from_secs(10), "stopped or ended", || {
        matches!(state_of(child.id()), Some('T' | 'Z') | None)
    });
    let caught = state_of(child.id()) == Some('T');
    send(&child, libc::SIGINT);
    send(&child, libc::SIGCONT);
    let output = child.wait_with_output().expect("ends");
    caught.then_some((output, out.join("many")))
}

/// Ctrl-C after the last run stops nothing: the command says so, writes everything and
/// succeeds, rather than calling itself interrupted and asking for a `--resume` with
/// nothing left to do.
#[test]
#[serial(timing)]
fn ctrl_c_after_the_last_run_stops_nothing() {
    // A loaded machine may let the process end before the test stops it: try again.
    let dir = tempfile::tempdir().expect("temp dir");
    let (output, folder) = (0..5)
        .find_map(|attempt| {
            let root = dir.path().join(attempt.to_string());
            fs::create_dir(&root).expect("mkdir");
            interrupted_after_the_last_run(&root)
        })
        .expect("the process was stopped after its last run in one of 5 attempts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Ctrl-C came after the last run"),
        "{stderr}"
    );
    assert!(!stderr.contains("--resume"), "{stderr}");
    assert_eq!(read_csv(&folder.join("summary.csv")).len(), 16);
    assert!(folder.join("report.md").exists());
}

/// A second Ctrl-C quits at once, and still says how to go on: the command it prints
/// finishes exactly the plan.
#[test]
#[serial(timing)]
fn a_second_ctrl_c_quits_at_once_and_says_how_to_go_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Started { child, runs, .. } = start_slow(dir.path());
    wait_for_rows(&runs, 1, Duration::from_secs(20));
    send(&child, libc::SIGINT);
    std::thread::sleep(Duration::from_millis(20));
    send(&child, libc::SIGINT);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let printed = command_printed_after(&stderr, "Go on with:");
    assert!(printed.contains("--resume"), "{printed}");
    let again = run_printed(printed);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(run_keys(&runs).len(), 12);
}

#[test]
#[serial(timing)]
fn resume_refuses_runs_of_a_changed_file_unless_forced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quick.toml");
    let text = "name = \"quick\"\nrepeats = 1\n[scenario]\nitems_per_producer = 2\nproduce_time = \"1ms\"\nconsume_time = \"1ms\"\n[sweep]\nconsumers = [1, 2]\n";
    fs::write(&file, text).expect("write");
    let out = dir.path().join("out");
    queuelab()
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    fs::write(&file, text.replace("repeats = 1", "repeats = 2\nseed = 7")).expect("write");
    let output = queuelab()
        .args(["run", "-q", "--resume", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    // What differs, as the folder records it: the seed in meta.json, the file's copy.
    assert!(
        stderr.contains("seed 42, another version of the experiment file"),
        "{stderr}"
    );
    assert_eq!(
        read_csv(&out.join("quick/runs.csv")).len(),
        2,
        "nothing was touched"
    );
    let output = queuelab()
        .args(["run", "-q", "--resume", "--force", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--force: discarding 2 run(s)"),
        "says how many it discards"
    );
    let rows = read_csv(&out.join("quick/runs.csv"));
    assert_eq!(rows.len(), 4, "2 scenarios x 2 repeats, all made anew");
    let hashes: BTreeSet<&str> = rows.iter().map(|r| r["experiment_hash"].as_str()).collect();
    assert_eq!(hashes.len(), 1, "no row of the old file is relabelled");
}

const QUICK: &str = "name = \"quick\"\nrepeats = 4\ntime_scale = 0.05\n[scenario]\nitems_per_producer = 2\n\
                     produce_time = \"1ms\"\nconsume_time = \"1ms\"\n[sweep]\nconsumers = [1, 2]\n";

/// A `--resume` that makes no run changes no run: views `plot --x` drew of them stay.
#[test]
#[serial(timing)]
fn a_resume_with_nothing_to_run_keeps_the_views_of_its_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quick.toml");
    fs::write(&file, QUICK).expect("write");
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        queuelab()
            .args(["run", "-q"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .arg(&file)
            .assert()
            .success();
    };
    run(&[]);
    let folder = out.join("quick");
    queuelab()
        .arg("plot")
        .arg(&folder)
        .args(["--x", "consumers", "--y", "ns_per_item"])
        .assert()
        .success();
    let view = folder.join("ns_per_item_vs_consumers.png");
    assert!(view.exists());
    run(&["--resume"]);
    assert!(view.exists(), "no run was made: the view still holds");
    run(&["--replace"]);
    assert!(!view.exists(), "new runs: the view of the old ones goes");
}

#[test]
#[serial(timing)]
fn resume_with_fewer_repeats_keeps_the_repeats_beyond() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quick.toml");
    fs::write(&file, QUICK).expect("write");
    let out = dir.path().join("out");
    queuelab()
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let runs = out.join("quick/runs.csv");
    let before = fs::read_to_string(&runs).expect("runs.csv");
    queuelab()
        .args(["run", "-q", "--resume", "--repeats", "2", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(&runs).expect("runs.csv"),
        before,
        "all 4 repeats kept, none redone or relabelled"
    );
    queuelab()
        .arg("plot")
        .arg(out.join("quick"))
        .assert()
        .success();
}

#[test]
#[serial(timing)]
fn resume_after_a_time_scale_change_never_relabels_old_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quick.toml");
    fs::write(&file, QUICK).expect("write");
    let out = dir.path().join("out");
    queuelab()
        .args(["run", "-q", "--repeats", "1", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let output = queuelab()
        .args(["run", "-q", "--resume", "--time-scale", "0.01", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("made at time_scale 0.05"), "{stderr}");
    queuelab()
        .args([
            "run",
            "-q",
            "--resume",
            "--force",
            "--time-scale",
            "0.01",
            "--out",
        ])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let rows = read_csv(&out.join("quick/runs.csv"));
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r["time_scale"] == "0.01"), "{rows:?}");
}

/// A sleep experiment of one run of about 2.5 s.
const LONG: &str = "name = \"long\"\nrepeats = 1\n[scenario]\nitems_per_producer = 50\nproduce_time = \"50ms\"\n\
                    consume_time = \"1ms\"\n";

#[test]
#[serial(timing)]
fn a_second_writer_of_one_folder_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("long.toml");
    fs::write(&file, LONG).expect("write");
    let out = dir.path().join("out");
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("queuelab"))
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let lock = out.join("long/.queuelab.lock");
    let pid = first.id().to_string();
    let start = Instant::now();
    while fs::read_to_string(&lock).map_or(true, |t| t.trim() != pid) {
        assert!(start.elapsed() < Duration::from_secs(20), "never locked");
        std::thread::sleep(Duration::from_millis(10));
    }
    // A stale temporary file of a writer killed before renaming it.
    let stale = out.join("long/.tmp-1-summary.csv");
    fs::write(&stale, "half a file").expect("write");
    for command in [vec!["run", "-q"], vec!["plot"]] {
        let mut second = queuelab();
        second.args(&command);
        if command[0] == "run" {
            second.arg("--out").arg(&out).arg(&file);
        } else {
            second.arg(out.join("long"));
        }
        let output = second.output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("another queuelab (process {pid}, which holds")),
            "{stderr}"
        );
        assert!(
            stderr.contains(".queuelab.lock"),
            "the lock is named: {stderr}"
        );
    }
    // The lock dies with its process, however it dies. The next writer need not wait
    // 2.5 s of sleep to show it: the same run, a hundredth the length (`--replace` in
    // case a loaded machine let the first finish its run before the kill).
    first.kill().expect("kill -9");
    first.wait().expect("ends");
    queuelab()
        .args(["run", "-q", "--time-scale", "0.01", "--replace", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert!(
        !stale.exists(),
        "the killed writer's temporary file is gone"
    );
    let listed: Vec<String> = fs::read_dir(out.join("long"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(listed, [".queuelab.lock"], "only the hidden lock file");
}

#[test]
fn two_files_of_one_experiment_name_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    fs::write(&a, QUICK).expect("write");
    fs::write(&b, QUICK.replace("repeats = 4", "repeats = 1")).expect("write");
    let output = queuelab()
        .args(["run", "-q", "--out"])
        .arg(dir.path())
        .arg(&a)
        .arg(&b)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("are both experiment `quick`"), "{stderr}");
    assert!(!dir.path().join("quick").exists(), "nothing ran");
}

/// Runs the Ctrl-C hint exactly as printed, through `sh`, with queuelab on the PATH.
fn run_printed(command: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("queuelab");
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("sh")
        .args(["-c", command])
        .env("PATH", path)
        .output()
        .expect("sh runs")
}

#[test]
#[serial(timing)]
fn the_command_printed_after_ctrl_c_carries_every_setting_and_finishes_the_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("my experiments");
    fs::create_dir_all(&folder).expect("dir");
    let file = folder.join("slow's.toml");
    fs::write(&file, SLOW).expect("write");
    let out = dir.path().join("out dir");
    // 24 runs (warm-ups too) of about 0.4 s, two at once: the signal, once 2 runs are
    // saved, comes seconds before the last would end, as it must to interrupt anything.
    let settings = [
        "--time-scale",
        "1.5",
        "--seed",
        "7",
        "--repeats",
        "3",
        "--warmup",
        "1",
        "--order",
        "interleaved",
        "--jobs",
        "2",
        "--trace-repeat",
        "2",
        "--trace-window",
        "1ms..2s",
        "--trace",
    ];
    let child = spawn_run(&settings, &out, &file);
    let runs = out.join("slow/runs.csv");
    wait_for_rows(&runs, 2, Duration::from_secs(30));
    send(&child, libc::SIGINT);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let printed = command_printed_after(&stderr, "Go on with:");
    for flag in ["--trace-repeat 2", "--trace-window 1ms..2s", "--trace"] {
        assert!(printed.contains(flag), "{flag}: {printed}");
    }
    let again = run_printed(printed);
    assert!(
        again.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let after = run_keys(&runs);
    queuelab()
        .args(["simulate", "-q"])
        .args(settings.iter().filter(|s| {
            let not_for_simulate = ["--warmup", "1", "--order", "interleaved", "--jobs", "2"];
            !not_for_simulate.contains(s) && !s.starts_with("--trace") && !s.contains("..")
        }))
        .arg("--out")
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert_eq!(
        after,
        run_keys(&out.join("slow-model/runs.csv")),
        "exactly the (scenario, repeat, seed) set of an uninterrupted run"
    );
    assert_eq!(after.len(), 18);
}

/// Threads of process `pid` now, from `/proc`; `None` once it has gone.
fn threads_of(pid: u32) -> Option<usize> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

#[test]
#[serial(timing)]
fn jobs_run_runs_at_once_and_each_still_keeps_its_schedule() {
    // Whether runs overlap is seen in the threads alive at once, which load cannot fake
    // (a wall-clock speedup is what load takes away first). 12 runs of at least 0.25 s
    // each start within about 20 ms on 12 workers: their threads live together for about
    // a quarter of a second, sampled every 2 ms.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("slow.toml");
    fs::write(&file, SLOW).expect("write");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("queuelab"))
        .args(["run", "-q", "--jobs", "12", "--out"])
        .arg(dir.path())
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut most = 0;
    let start = Instant::now();
    while let Some(threads) = threads_of(child.id()) {
        most = most.max(threads);
        if child.try_wait().expect("waits").is_some() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "never ended");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(child.wait().expect("ends").success());
    // One run has at most 2 producers + 6 consumers; beside the main thread, the Ctrl-C
    // handler, the 12 workers and a spare for helpers, more than 8 run threads means runs
    // overlapped (all 12 at once are about 80 threads).
    assert!(most > 1 + 1 + 12 + 2 + 8, "at most {most} threads at once");
    let runs = read_csv(&dir.path().join("slow/runs.csv"));
    assert_eq!(runs.len(), 12);
    let made: BTreeSet<(String, String)> = runs
        .iter()
        .map(|r| (r["scenario"].clone(), r["repeat"].clone()))
        .collect();
    assert_eq!(made.len(), 12, "each run once");
    for run in &runs {
        assert!(
            common::number(run, "elapsed_s") >= common::floor_s(run) - 1e-6,
            "{run:?}"
        );
    }
}

/// A file where `--out` should be a folder is the person's to mend: exit 2, before any
/// run, for `run`, `compare` and `new --dir` alike.
#[test]
fn an_unwritable_output_folder_fails_before_any_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("not_a_folder");
    fs::write(&blocker, "a file where the results folder should go").expect("write");
    let file = dir.path().join("slow.toml");
    fs::write(&file, SLOW).expect("write");
    let start = Instant::now();
    // At time_scale 30 the runs would take 90 s; a refusal within 30 s, however loaded
    // the machine, came before them.
    let output = queuelab()
        .args(["run", "-q", "--time-scale", "30", "--out"])
        .arg(&blocker)
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write results to"), "{stderr}");
    assert!(stderr.contains("a file is in the way"), "{stderr}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "failed before running 90 s of runs"
    );
    let output = queuelab()
        .args(["new", "probe", "--dir"])
        .arg(blocker.join("experiments"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(&blocker).expect("still a file"),
        "a file where the results folder should go"
    );
}

/// The files of a results folder a refused or stopped command must leave as they were.
const KEPT: [&str; 4] = ["runs.csv", "summary.csv", "meta.json", "report.md"];

/// `SLOW`'s file in `root`, its `--out` and its results folder.
struct Made {
    file: PathBuf,
    out: PathBuf,
    folder: PathBuf,
}

/// Writes `SLOW` into `root` and runs it at `time_scale` into `root/out/slow/`.
fn made_slow(root: &Path, time_scale: &str) -> Made {
    let file = root.join("slow.toml");
    fs::write(&file, SLOW).expect("write");
    let out = root.join("out");
    queuelab()
        .args(["run", "-q", "--time-scale", time_scale, "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let folder = out.join("slow");
    Made { file, out, folder }
}

/// A folder where a results file goes (or a file where `--trace` puts its folder) is the
/// person's to mend, and no command finds it out half way: `run` refuses before any run,
/// `plot` and `compare` before replacing any file. Every earlier file stays byte for byte,
/// untouched.
#[test]
fn a_folder_in_place_of_a_results_file_is_refused_and_nothing_is_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Made { file, out, folder } = made_slow(dir.path(), "0.01");
    fs::remove_file(folder.join("summary.json")).expect("remove");
    fs::create_dir(folder.join("summary.json")).expect("a folder in the way");
    // A file renamed into place is a new inode, even with the same bytes: the inode
    // tells a file left alone from one rewritten.
    let inode = |path: &Path| fs::metadata(path).expect("metadata").ino();
    let before: Vec<(String, u64)> = KEPT
        .iter()
        .map(|f| (file_text(&folder.join(f)), inode(&folder.join(f))))
        .collect();
    let unchanged = |what: &str| {
        for (name, (text, was)) in KEPT.iter().zip(&before) {
            let path = folder.join(name);
            assert_eq!(&file_text(&path), text, "{what}: {name} changed");
            assert_eq!(inode(&path), *was, "{what}: {name} rewritten");
        }
    };
    let refused = |args: &[&str], what: &str| {
        let start = Instant::now();
        let output = queuelab().args(args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains("a folder of that name is in the way"),
            "{stderr}"
        );
        assert!(stderr.contains("summary.json"), "{stderr}");
        // At time_scale 30 the runs would take 90 s; a refusal within 30 s, however
        // loaded the machine, came before them.
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what}: ran first"
        );
        unchanged(what);
    };
    let (out_arg, file_arg) = (out.to_string_lossy(), file.to_string_lossy());
    let run = ["run", "-q", "--time-scale", "30", "--replace", "--out"];
    refused(&[&run[..], &[&out_arg, &file_arg]].concat(), "run");
    refused(&["plot", &folder.to_string_lossy()], "plot");
    fs::remove_dir(folder.join("summary.json")).expect("remove");
    fs::write(folder.join("trace"), "a file where --trace puts its folder").expect("write");
    let start = Instant::now();
    let traced = [&run[..1], &["--trace"], &run[1..], &[&out_arg, &file_arg]].concat();
    let output = queuelab().args(&traced).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "--trace: {stderr}");
    assert!(
        stderr.contains("trace: a file of that name is in the way"),
        "{stderr}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "--trace: ran first"
    );
    unchanged("--trace");

    // The chart goes after the table: the table must not be replaced either.
    let compared = dir.path().join("compared");
    let last = "compare_elapsed_vs_consumers.svg";
    fs::create_dir_all(compared.join(last)).expect("a folder in the way");
    let output = queuelab()
        .arg("compare")
        .args([&folder, &folder])
        .arg("--out")
        .arg(&compared)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(last), "{stderr}");
    let names: BTreeSet<String> = fs::read_dir(&compared)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with(".queuelab.lock"))
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([last.to_string()]),
        "compare wrote a file"
    );
}

/// The text of `path`: to tell that a folder was left exactly as it was.
fn file_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Waits until process `pid` holds the lock of `folder` (it writes its id there once it
/// has taken it, after its signal handlers are in place).
fn wait_for_lock(folder: &Path, pid: u32, limit: Duration) {
    let what = format!("process {pid} locking {}", folder.display());
    wait_until(limit, &what, || {
        let held = fs::read_to_string(folder.join(".queuelab.lock")).unwrap_or_default();
        held.trim() == pid.to_string()
    });
}

/// SIGTERM (what `timeout`, a CI job's cancel and service managers send) stops a run as
/// Ctrl-C does. Sent before a run finished, the earlier results stay byte for byte as they
/// were and the message says so; sent while `--replace` is under way, what finished is
/// saved whole and the folder reads back.
#[test]
#[serial(timing)]
fn sigterm_stops_a_run_as_ctrl_c_does_and_never_loses_earlier_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Made { file, out, folder } = made_slow(dir.path(), "0.1");
    let earlier: Vec<String> = KEPT.iter().map(|f| file_text(&folder.join(f))).collect();

    // At time_scale 20 a run lasts about 5 s: the signal comes long before the first ends.
    let child = spawn_run(&["--time-scale", "20", "--replace"], &out, &file);
    wait_for_lock(&folder, child.id(), Duration::from_secs(20));
    send(&child, libc::SIGTERM);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("before a run finished"), "{stderr}");
    for (name, text) in KEPT.iter().zip(&earlier) {
        assert_eq!(&file_text(&folder.join(name)), text, "{name} changed");
    }

    let child = spawn_run(&["--replace"], &out, &file);
    let runs = folder.join("runs.csv");
    wait_until(
        Duration::from_secs(30),
        "a run at time_scale 1 saved",
        || runs.exists() && read_csv(&runs).iter().any(|r| r["time_scale"] == "1"),
    );
    send(&child, libc::SIGTERM);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("queuelab run --resume"), "{stderr}");
    let rows = read_csv(&runs);
    assert!(
        rows.iter().all(|r| r["time_scale"] == "1"),
        "replaced whole"
    );
    assert!((1..12).contains(&rows.len()), "{} runs", rows.len());
    queuelab().arg("plot").arg(&folder).assert().success();
}

/// Stopped before its first run finished, a run into a folder that did not exist leaves
/// none: "as they were" holds for a folder it made, too.
#[test]
#[serial(timing)]
fn stopped_before_any_run_a_run_leaves_no_folder_it_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("slow.toml");
    fs::write(&file, SLOW).expect("write");
    let out = dir.path().join("fresh");
    // At time_scale 20 a run lasts about 5 s: the signal comes long before the first ends.
    let child = spawn_run(&["--time-scale", "20"], &out, &file);
    wait_for_lock(&out.join("slow"), child.id(), Duration::from_secs(20));
    send(&child, libc::SIGTERM);
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("before a run finished"), "{stderr}");
    assert!(!out.exists(), "the folders it made are gone, --out too");
}

/// When every run fails (here: no memory for the threads' stacks), the command says
/// that nothing was made, exits 1, and leaves no folder where it found none.
#[test]
#[serial(timing)]
fn runs_that_all_fail_leave_no_folder_the_command_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fails.toml");
    let text = "name = \"fails\"\nrepeats = 1\ntime_scale = 0.01\n[scenario]\nproducers = 2\n\
                items_per_producer = 5\nproduce_time = \"1ms\"\nconsume_time = \"1ms\"\n\
                item_bytes = 65536\n[sweep]\nconsumers = [250, 300]\n";
    fs::write(&file, text).expect("write");
    // --out itself, two folders deep, made by the command too.
    let out = dir.path().join("made/out");
    let args = [
        OsStr::new("run"),
        OsStr::new("-q"),
        OsStr::new("--out"),
        out.as_os_str(),
        file.as_os_str(),
    ];
    // 300 MB of address space: the program runs, 250 threads' stacks (over 1.5 MB each,
    // for items of 64 KiB) do not fit. One malloc arena, so that threads that did start
    // do not take the rest (64 MB each).
    let mut command = limited(args, Limit::AddressSpace(300 << 20));
    command.env("MALLOC_ARENA_MAX", "1");
    let output = command.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("2 run(s) failed; no other run was made"),
        "{stderr}"
    );
    assert!(stderr.contains("could not start a thread"), "{stderr}");
    assert!(stderr.contains("`ulimit -v`"), "{stderr}");
    assert!(
        !dir.path().join("made").exists(),
        "the folders it made are gone"
    );
}

/// When the folder's other files cannot be written after the runs were made (here:
/// a file size limit the charts exceed), the command fails (exit 1, not "bad input",
/// since runs were made), says the runs are in runs.csv, and the command it prints
/// writes the rest from them without running them again.
#[test]
#[serial(timing)]
fn a_write_that_fails_after_the_runs_says_how_to_finish_from_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quick.toml");
    fs::write(&file, QUICK).expect("write");
    let out = dir.path().join("out");
    let run = |extra: &[&str], limited_to: Option<u64>| {
        let mut args: Vec<&OsStr> = vec![OsStr::new("run"), OsStr::new("-q")];
        args.extend(extra.iter().map(OsStr::new));
        args.extend([OsStr::new("--out"), out.as_os_str(), file.as_os_str()]);
        let mut command = match limited_to {
            Some(bytes) => limited(args, Limit::FileSize(bytes)),
            None => {
                let mut plain =
                    std::process::Command::new(assert_cmd::cargo::cargo_bin("queuelab"));
                plain.args(args);
                plain
            }
        };
        command.output().expect("runs")
    };
    assert!(run(&["--seed", "1"], None).status.success());
    let folder = out.join("quick");
    let meta = || file_text(&folder.join("meta.json"));
    let summary_before = file_text(&folder.join("summary.csv"));
    assert!(meta().contains("\"seed\": 1,"));

    // 20 KB: runs.csv fits, a PNG chart does not.
    let output = run(&["--seed", "2", "--replace"], Some(20_000));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(
        stderr.contains("The runs made are saved in runs.csv"),
        "{stderr}"
    );
    assert!(
        meta().contains("\"seed\": 1,"),
        "the other files as they were"
    );
    assert_eq!(file_text(&folder.join("summary.csv")), summary_before);
    // Each run's seed and measured time: a run made again would have another time.
    let runs_made = || -> BTreeSet<(String, String)> {
        read_csv(&folder.join("runs.csv"))
            .into_iter()
            .map(|r| (r["run_seed"].clone(), r["elapsed_s"].clone()))
            .collect()
    };
    let made = runs_made();
    assert!(!made.is_empty());

    let printed = command_printed_after(&stderr, "without running them again");
    assert!(
        printed.contains("--resume") && printed.contains("--seed 2"),
        "{printed}"
    );
    let again = run_printed(printed);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(meta().contains("\"seed\": 2,"));

    assert_eq!(runs_made(), made, "no run made again");
    queuelab().arg("plot").arg(&folder).assert().success();

    // 500 bytes: not even runs.csv's header fits. Replacing, none of this command's
    // runs was saved: the folder is as it was, and the same command goes on.
    let before = file_text(&folder.join("runs.csv"));
    let output = run(&["--seed", "3", "--replace"], Some(500));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("No run of this command was saved"),
        "{stderr}"
    );
    assert_eq!(file_text(&folder.join("runs.csv")), before);
    // Resuming, runs.csv holds the runs it keeps: the --resume command goes on.
    let output = run(&["--seed", "2", "--resume", "--repeats", "5"], Some(500));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let printed = command_printed_after(&stderr, "without running them again:");
    assert!(run_printed(printed).status.success());
    assert_eq!(read_csv(&folder.join("runs.csv")).len(), 10);
}

#[test]
fn a_scenario_beyond_the_thread_limit_is_refused_before_any_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("many.toml");
    fs::write(
        &file,
        "[scenario]\nproducers = 20\n[sweep]\nconsumers = [1, 30]\n",
    )
    .expect("write");
    let output = queuelab()
        .args(["run", "-q", "--max-threads", "40", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("1 run(s) at once need up to 50 threads (the largest, scenario 2 (consumers=30), 50); --max-threads allows 40. Lower jobs, producers or consumers, or raise --max-threads"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("many").exists(),
        "refused, it made no folder"
    );
}

#[test]
fn runs_made_at_once_count_their_threads_together() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("pairs.toml");
    fs::write(
        &file,
        "[scenario]\nproducers = 10\n[sweep]\nconsumers = [10, 15]\n",
    )
    .expect("write");
    let run = |jobs: &str| {
        queuelab()
            .args([
                "run",
                "-q",
                "--max-threads",
                "40",
                "--jobs",
                jobs,
                "--repeats",
                "1",
            ])
            .args(["--time-scale", "0.01", "--out"])
            .arg(dir.path())
            .arg(&file)
            .output()
            .expect("runs")
    };
    let together = run("2");
    let stderr = String::from_utf8_lossy(&together.stderr);
    assert_eq!(together.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("2 run(s) at once need up to 45 threads"),
        "{stderr}"
    );
    assert!(
        run("1").status.success(),
        "alone, each run fits in 40 threads"
    );
}

#[test]
fn a_run_of_over_an_hour_needs_yes_when_nobody_can_be_asked() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/seed.toml");
    let out = tempfile::tempdir().expect("temp dir");
    let output = queuelab()
        .args(["run", "--time-scale", "100", "--out"])
        .arg(out.path())
        .arg(seed)
        .write_stdin("")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("estimated at 4 h 1 min, over an hour; pass --yes"),
        "{stderr}"
    );
    assert!(
        !out.path().join("seed").exists(),
        "refused, it made no folder"
    );
}

#[test]
fn spin_work_with_several_jobs_warns_that_runs_share_cores() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("spin.toml");
    fs::write(&file, "name = \"spin\"\nrepeats = 2\n[scenario]\nitems_per_producer = 2\nproduce_time = \"1ms\"\nconsume_time = \"1ms\"\nwork = \"spin\"\n").expect("write");
    let output = queuelab()
        .args(["run", "--jobs", "4", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("share the cores"));
}

#[test]
#[serial(timing)]
fn runs_at_other_settings_never_replace_an_archive_by_accident() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quick.toml");
    fs::write(&file, QUICK).expect("write");
    let out = dir.path().join("results");
    let run = |args: &[&str]| {
        queuelab()
            .args(["run", "-q", "--repeats", "1"])
            .args(args)
            .arg("--out")
            .arg(&out)
            .arg(&file)
            .output()
            .expect("runs")
    };
    assert!(run(&[]).status.success());
    let runs = out.join("quick/runs.csv");
    let archived = fs::read_to_string(&runs).expect("runs.csv");
    for (args, difference) in [
        (
            vec!["--time-scale", "0.01"],
            "time_scale 0.05 (this run: 0.01)",
        ),
        (vec!["--seed", "7"], "seed 42 (this run: 7)"),
    ] {
        let output = run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(difference), "{stderr}");
        assert!(
            stderr.contains("--replace") && stderr.contains("--out"),
            "{stderr}"
        );
        assert_eq!(fs::read_to_string(&runs).expect("runs.csv"), archived);
    }
    // The same settings again: a rerun, which replaces.
    assert!(run(&[]).status.success());
    // Deliberately.
    assert!(run(&["--time-scale", "0.01", "--replace"]).status.success());
    assert!(read_csv(&runs).iter().all(|r| r["time_scale"] == "0.01"));
    // A changed experiment file moves the archive on without asking.
    fs::write(
        &file,
        QUICK.replace("time_scale = 0.05", "time_scale = 0.02"),
    )
    .expect("write");
    assert!(run(&[]).status.success());
    assert!(read_csv(&runs).iter().all(|r| r["time_scale"] == "0.02"));
    // Only meta.json left: its fingerprint still tells this file's runs at another seed
    // (refused) from a changed file's (which moves on).
    let folder = out.join("quick");
    for name in ["runs.csv", "experiment.toml"] {
        fs::remove_file(folder.join(name)).expect("remove");
    }
    let output = run(&["--seed", "7"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("seed 42 (this run: 7)"), "{stderr}");
    fs::write(
        &file,
        QUICK.replace("time_scale = 0.05", "time_scale = 0.03"),
    )
    .expect("write");
    assert!(run(&["--seed", "7"]).status.success());
    // Only runs.csv left (a run killed before it wrote meta.json): the runs' own seeds
    // tell that they were drawn from another seed than this run's.
    let runs_only = fs::read_to_string(&runs).expect("runs.csv");
    fs::remove_file(folder.join("meta.json")).expect("remove");
    let output = run(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another seed (this run: 42)"), "{stderr}");
    assert_eq!(fs::read_to_string(&runs).expect("runs.csv"), runs_only);
    assert!(run(&["--seed", "7"]).status.success());
}
