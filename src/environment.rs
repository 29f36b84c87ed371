//! Where, when and how results were made: queuelab version, git commit, host, CPU, OS,
//! times, the command line, the run settings the file does not show (`jobs`, `warmup`,
//! `order`), the machine's sleep overshoot and how fast it hands an item to a waiting
//! thread, so an archived number is never separated from its machine.
//!
//! Owns reading these from the system; it never fails, answering "unknown" instead.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;
use crate::waits::WAITED_NS;

/// The machine and moment of a set of results; saved as `meta.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub queuelab_version: String,
    /// `git rev-parse HEAD` where the experiment file lives, `-dirty` if it has changes.
    pub git_commit: Option<String>,
    pub host: String,
    pub cpu_model: String,
    pub cpus: usize,
    pub os: String,
    pub started: String,
    pub finished: String,
    /// The command that made the results, as it could be typed again. Archives made
    /// before queuelab recorded it have none, and so do the rest below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Runs made at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<usize>,
    /// Uncounted runs of every scenario made first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<u32>,
    /// `grouped`, `interleaved` or `random`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// How late this machine woke from short sleeps when the runs began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_overshoot: Option<SleepOvershoot>,
    /// How long a thread waiting on an empty queue took to wake for an item, when the
    /// runs began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand_over: Option<HandOver>,
}

/// How much later than asked `thread::sleep` returns. Recorded to describe the machine:
/// threads do not pay it, since they sleep to shortly before each deadline and yield the
/// rest (see `runner::pace`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SleepOvershoot {
    /// The sleep asked for, in microseconds.
    pub asked_us: f64,
    pub samples: u32,
    pub median_us: f64,
    pub p90_us: f64,
}

/// Sleeps this short, this many times: a few milliseconds in all.
const OVERSHOOT_SLEEP: Duration = Duration::from_micros(100);
const OVERSHOOT_SAMPLES: u32 = 20;

impl SleepOvershoot {
    /// Measures it now: 20 sleeps of 100 µs, about 3 ms on a quiet machine.
    pub fn measure() -> Self {
        let mut over: Vec<f64> = (0..OVERSHOOT_SAMPLES)
            .map(|_| {
                let began = Instant::now();
                std::thread::sleep(OVERSHOOT_SLEEP);
                micros(began.elapsed().saturating_sub(OVERSHOOT_SLEEP))
            })
            .collect();
        let (median_us, p90_us) = median_and_p90(&mut over);
        SleepOvershoot {
            asked_us: micros(OVERSHOOT_SLEEP),
            samples: OVERSHOOT_SAMPLES,
            median_us,
            p90_us,
        }
    }
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// The median and 90th percentile of `values` (not empty), which it sorts, to the
/// nanosecond: microseconds with three decimals, as `meta.json` shows them.
fn median_and_p90(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let us = values[((values.len() - 1) as f64 * q).round() as usize];
        (us * 1e3).round() / 1e3
    };
    (at(0.5), at(0.9))
}

/// How long after an item is put a thread waiting on the empty queue has it: the floor
/// under a blocking consumer's measured waits, which the model (handing the item over at
/// once) does not have. Where hand-overs alone often take `waits::WAITED_NS`, the
/// measured share that waited runs above the model's (see `HandOver::often_waited`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandOver {
    /// Hand-overs timed.
    pub samples: u32,
    /// From the put's call to the waiting thread having the item, in microseconds.
    pub median_us: f64,
    pub p90_us: f64,
    /// How many of the samples took at least `waits::WAITED_NS`, the wait that counts as
    /// having waited.
    pub waited: u32,
}

/// A scenario whose shortest time is within this many hand-overs has queue waits that
/// are partly the machine's hand-overs.
pub const SHORT_WAIT_FACTOR: f64 = 20.0;

/// Hand-overs timed, each after the receiver has had this long to fall asleep.
const HAND_OVER_PAUSE: Duration = Duration::from_micros(300);
/// Enough to tell one slow hand-over in twenty from none, in about 35 ms: 20 samples
/// counted 1 to 5 slow ones on the same machine within an hour, when 200 counted 14–58%.
const HAND_OVER_SAMPLES: u32 = 100;

impl HandOver {
    /// Whether at least one hand-over in twenty alone took `waits::WAITED_NS`: then a
    /// blocking consumer's measured share that waited runs visibly above the model's.
    pub fn often_waited(&self) -> bool {
        self.samples > 0 && u64::from(self.waited) * 20 >= u64::from(self.samples)
    }

    /// Measures it now through a crossbeam channel, the default `queue_impl`: 100 items,
    /// each put once the receiving thread has waited 300 µs on the empty queue, about 35
    /// ms on a quiet machine. `None` if the thread could not be started.
    pub fn measure() -> Option<Self> {
        let (put, take) = crossbeam_channel::unbounded::<Instant>();
        let receiver = std::thread::Builder::new()
            .name("hand-over".to_string())
            .spawn(move || {
                let mut took_us = Vec::new();
                while let Ok(put_at) = take.recv() {
                    took_us.push(micros(put_at.elapsed()));
                }
                took_us
            })
            .ok()?;
        for _ in 0..HAND_OVER_SAMPLES {
            std::thread::sleep(HAND_OVER_PAUSE);
            if put.send(Instant::now()).is_err() {
                break;
            }
        }
        drop(put);
        let mut took_us = receiver.join().ok()?;
        Self::of(&mut took_us)
    }

    /// The summary of hand-overs that took `took_us` microseconds each; `None` if none.
    fn of(took_us: &mut [f64]) -> Option<Self> {
        if took_us.is_empty() {
            return None;
        }
        let threshold_us = WAITED_NS as f64 / 1e3;
        let waited = took_us.iter().filter(|&&t| t >= threshold_us).count();
        let (median_us, p90_us) = median_and_p90(took_us);
        Some(HandOver {
            samples: u32::try_from(took_us.len()).unwrap_or(u32::MAX),
            median_us,
            p90_us,
            waited: u32::try_from(waited).unwrap_or(u32::MAX),
        })
    }

    /// The shortest non-zero time of `scenario` as it runs (scaled), in seconds, when it
    /// is within `SHORT_WAIT_FACTOR` median hand-overs: its queue waits are then partly
    /// the hand-over's own time, which the model does not have. Random times count by
    /// their mean. (Elapsed times are not at stake: threads keep to the schedule by
    /// deadlines, and a run of 10 µs waits on 2 cores ends within 0.1% of the model.)
    fn too_short(&self, scenario: &Scenario) -> Option<f64> {
        let shortest = [&scenario.produce_time, &scenario.consume_time]
            .into_iter()
            .map(|t| t.fixed().unwrap_or_else(|| t.mean()).as_secs_f64() * scenario.time_scale)
            .filter(|s| *s > 0.0)
            .min_by(f64::total_cmp)?;
        (shortest < SHORT_WAIT_FACTOR * self.median_us * 1e-6).then_some(shortest)
    }

    /// Which of `scenarios` (run at `time_scale`) are `too_short`, if any: what `run`
    /// warns of before the runs and the report repeats.
    pub fn short_waits<'a>(
        &self,
        scenarios: &'a [Scenario],
        time_scale: f64,
    ) -> Option<ShortWaits<'a>> {
        let short: Vec<(&str, f64)> = scenarios
            .iter()
            .filter_map(|s| Some((s.label.as_str(), self.too_short(s)?)))
            .collect();
        let &(label, shortest_s) = short.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(ShortWaits {
            count: short.len(),
            of: scenarios.len(),
            shortest_s,
            label,
            median_us: self.median_us,
            time_scale,
        })
    }
}

/// Scenarios whose times are within `SHORT_WAIT_FACTOR` hand-overs (see
/// `HandOver::short_waits`).
pub struct ShortWaits<'a> {
    count: usize,
    /// Scenarios in all.
    of: usize,
    /// The shortest time among them, in seconds as run, and its scenario.
    pub shortest_s: f64,
    pub label: &'a str,
    median_us: f64,
    time_scale: f64,
}

impl ShortWaits<'_> {
    /// What the warning says, on the terminal and in the report alike.
    pub fn describe(&self) -> String {
        format!(
            "{} of {} scenarios have times within {SHORT_WAIT_FACTOR}× of this machine's \
             hand-over between threads ({:.1} µs median) at time_scale {}: their queue waits \
             are partly that hand-over, not the queue. Elapsed times are paced by deadlines \
             and do not add up late wake-ups; the model's error column says how close they \
             came. A larger time_scale measures the scenarios' waits.",
            self.count, self.of, self.median_us, self.time_scale
        )
    }
}

/// What the environment knows of a command before it writes anything: the git state must
/// be judged before the results folder changes, or every run into a committed folder
/// would call its own commit dirty.
#[derive(Clone, Debug, Default)]
pub struct Before {
    pub git_commit: Option<String>,
    pub command: Option<String>,
    pub sleep_overshoot: Option<SleepOvershoot>,
    pub hand_over: Option<HandOver>,
}

impl Before {
    /// The git commit where `experiment_file` lives, judged with `results_dir` left out,
    /// and the command line of this process.
    pub fn read(experiment_file: &Path, results_dir: &Path) -> Self {
        Before {
            git_commit: git_commit(experiment_file, results_dir),
            command: Some(command_line()),
            sleep_overshoot: None,
            hand_over: None,
        }
    }
}

impl Environment {
    /// Reads the environment now; `started` is when the runs began, `before` what was
    /// read before anything was written.
    pub fn read(before: &Before, started: SystemTime) -> Self {
        Environment {
            queuelab_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: before.git_commit.clone(),
            host: host(),
            cpu_model: cpu_model(),
            cpus: crate::model::machine_cores(),
            os: os(),
            started: timestamp(started),
            finished: timestamp(SystemTime::now()),
            command: before.command.clone(),
            jobs: None,
            warmup: None,
            order: None,
            sleep_overshoot: before.sleep_overshoot,
            hand_over: before.hand_over,
        }
    }
}

/// This process's command line as a shell would take it back, the program as `queuelab`.
fn command_line() -> String {
    let mut words = vec!["queuelab".to_string()];
    words.extend(std::env::args_os().skip(1).map(|a| {
        let text = a.to_string_lossy().into_owned();
        let plain = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
        if plain {
            text
        } else {
            format!("'{}'", text.replace('\'', r"'\''"))
        }
    }));
    words.join(" ")
}

/// UTC, to the second, as RFC 3339.
pub fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// `git rev-parse HEAD`, with `-dirty` if tracked files have changes other than in
/// `results_dir` (the folder this command writes, judged before it writes).
fn git_commit(file: &Path, results_dir: &Path) -> Option<String> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    let top = git(&["rev-parse", "--show-toplevel"]).map(PathBuf::from);
    let mut args = vec![
        "status".to_string(),
        "--porcelain".to_string(),
        "--untracked-files=no".to_string(),
        "--".to_string(),
        ":/".to_string(),
    ];
    // Only a folder inside the work tree can be left out; git refuses other paths.
    if let Some(inside) = top.and_then(|top| relative_inside(&top, results_dir)) {
        args.push(format!(":(exclude,top){}", inside.to_string_lossy()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let dirty = git(&args).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}

/// `path` relative to `top`, if it lies inside it; a `path` not yet made is placed by
/// its nearest existing ancestor, as symbolic links resolve.
fn relative_inside(top: &Path, path: &Path) -> Option<PathBuf> {
    let top = std::fs::canonicalize(top).ok()?;
    let absolute = std::path::absolute(path).ok()?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while std::fs::canonicalize(existing).is_err() {
        rest.push(existing.file_name()?);
        existing = existing.parent()?;
    }
    let mut full = std::fs::canonicalize(existing).ok()?;
    full.extend(rest.iter().rev());
    let inside = full.strip_prefix(&top).ok()?.to_path_buf();
    (!inside.as_os_str().is_empty()).then_some(inside)
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".to_string())
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, model)| model.trim().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn os() -> String {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let name = release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|n| n.trim_matches('"').to_string())
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{name}, kernel {}", kernel.trim())
        .trim_end_matches(", kernel ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_over_counts_as_waited_from_the_waited_threshold_on() {
        let mut took_us = [45.0, 19.900_000_4, 5.0, 20.0, 12.0];
        let hand_over = HandOver::of(&mut took_us).expect("five samples");
        assert_eq!(
            hand_over,
            HandOver {
                samples: 5,
                median_us: 19.9,
                p90_us: 45.0,
                waited: 2,
            }
        );
        assert_eq!(HandOver::of(&mut []), None);
    }

    #[test]
    fn a_scenario_is_short_when_its_shortest_time_is_within_20_hand_overs() {
        let hand_over = HandOver {
            samples: 20,
            median_us: 18.0,
            p90_us: 30.0,
            waited: 2,
        };
        let scenario = |produce: &str, consume: &str| {
            let text = format!("[scenario]\nproduce_time = {produce}\nconsume_time = {consume}\n");
            let experiment = crate::experiment::parse(std::path::Path::new("t.toml"), &text);
            experiment.expect("valid").scenarios[0].clone()
        };
        // 20 × 18 µs = 360 µs; a random time counts by its mean; zero times do not count.
        let short = hand_over.too_short(&scenario("\"350us\"", "\"1s\""));
        assert_eq!(short.map(|s| (s * 1e6).round()), Some(350.0));
        assert_eq!(hand_over.too_short(&scenario("\"370us\"", "\"0ms\"")), None);
        let random = "{ dist = \"exp\", mean = \"300us\" }";
        assert!(hand_over.too_short(&scenario(random, "\"1s\"")).is_some());
        assert_eq!(hand_over.too_short(&scenario("\"0ms\"", "\"0ms\"")), None);
    }

    #[test]
    fn hand_overs_are_measured_in_full() {
        // Times depend on the machine's load; how many were taken does not.
        let hand_over = HandOver::measure().expect("a thread starts");
        assert_eq!(hand_over.samples, HAND_OVER_SAMPLES);
        assert!(hand_over.waited <= hand_over.samples);
        assert!(0.0 < hand_over.median_us && hand_over.median_us <= hand_over.p90_us);
    }
}
