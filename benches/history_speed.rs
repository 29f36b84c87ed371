//! How fast `queuelab history` reads an archive's history: a temporary git repository of
//! VERSIONS commits of a runs.csv of ROWS rows (20 scenarios; default 100 versions of
//! 1,000 rows, the goal being under 2 s), then the whole command, charts included, timed
//! once. Every version moves each run by up to ±0.5%, and every tenth is 10% slower, so
//! most steps are noise and some are not.
//!
//! Run with `cargo bench --bench history_speed` (or `-- VERSIONS ROWS`, e.g. `-- 5 100`
//! to see it work quickly). Needs the `git` command.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use queuelab::pipeline::{self, HistoryOptions, RunOptions};

const SCENARIOS: usize = 20;

fn git(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .status()
        .expect("the git command");
    assert!(status.success(), "git {args:?}");
}

/// Multiplies every run's elapsed time by `factor` and a jitter of up to ±0.5% drawn
/// from `state`.
fn rewrite(runs: &Path, factor: f64, state: &mut u64) {
    let text = fs::read_to_string(runs).expect("runs.csv");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let column = header
        .split(',')
        .position(|c| c == "elapsed_s")
        .expect("elapsed_s");
    let mut out = format!("{header}\n");
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let jitter = 1.0 + ((*state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.01;
        let value: f64 = cells[column].parse().expect("a time");
        cells[column] = format!("{:.9}", value * factor * jitter);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    fs::write(runs, out).expect("write runs.csv");
}

fn main() {
    let numbers: Vec<usize> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let versions = numbers.first().copied().unwrap_or(100).max(1);
    let rows = numbers.get(1).copied().unwrap_or(1000).max(SCENARIOS);
    let repeats = rows / SCENARIOS;
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().join("repo");
    fs::create_dir_all(&root).expect("dir");
    let consumers: Vec<String> = (1..=SCENARIOS).map(|c| c.to_string()).collect();
    let experiment = root.join("speed.toml");
    fs::write(
        &experiment,
        format!(
            "name = \"speed\"\nrepeats = {repeats}\n[scenario]\nitems_per_producer = 10\n\
             produce_time = {{ dist = \"exp\", mean = \"1ms\" }}\n\
             consume_time = {{ dist = \"exp\", mean = \"2ms\" }}\n\
             [sweep]\nconsumers = [{}]\n",
            consumers.join(", ")
        ),
    )
    .expect("write the experiment");
    let options = RunOptions {
        out: root.join("results"),
        quiet: true,
        ..RunOptions::default()
    };
    pipeline::simulate(&[experiment], &options).expect("simulate");
    let archive = root.join("results/speed-model");
    git(&root, &["init", "-q"]);
    let mut state = 1u64;
    for version in 0..versions {
        if version > 0 {
            let factor = if version % 10 == 0 { 1.1 } else { 1.0 };
            rewrite(&archive.join("runs.csv"), factor, &mut state);
        }
        git(&root, &["add", "-A"]);
        git(
            &root,
            &["commit", "-q", "-m", &format!("version {}", version + 1)],
        );
    }
    let options = HistoryOptions {
        metric: "elapsed".to_string(),
        since: None,
        limit: None,
        noise_pct: 2.0,
        out: Some(temp.path().join("history")),
    };
    let started = Instant::now();
    let printed = pipeline::history(&archive, &options).expect("history");
    let took = started.elapsed();
    let steps = printed
        .lines()
        .find(|l| l.contains("step(s)"))
        .unwrap_or_default();
    println!("{steps}");
    println!(
        "history of {versions} versions of a {}-row runs.csv ({SCENARIOS} scenarios × {repeats} \
         repeats), charts in PNG and SVG: {:.2} s (goal: under 2 s for 100 × 1,000)",
        SCENARIOS * repeats,
        took.as_secs_f64()
    );
}
