//! `experiments/channel_suite.toml` is crossbeam-channel's benchmark suite: every case
//! (spsc, mpsc, mpmc over bounded(0), bounded(1), bounded(N) and unbounded channels) for
//! every implementation queuelab has, but mutex's rendezvous, with the suite's 5,000,000
//! messages; `check` lists exactly those scenarios. Nothing here runs them.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::queuelab;
use queuelab::experiment::{Bars, load};
use queuelab::scenario::{QueueImpl, QueueKind};
use queuelab::suite::{Case, MESSAGES, Published, case_of};

/// The implementations, in the order the file lists them: those of the published plot first.
const IN_THE_FILE: [&str; 5] = ["crossbeam", "std", "flume", "kanal", "mutex"];

fn suite_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/channel_suite.toml")
}

/// Every scenario label the suite should make, in sweep order: channel, then threads,
/// then implementation, and no rendezvous for mutex.
fn expected_labels() -> Vec<String> {
    let channels = [
        "queue=bounded capacity=0",
        "queue=bounded capacity=1",
        "queue=bounded capacity=5000000",
        "queue=unbounded",
    ];
    let threads = [
        "producers=1 consumers=1 items_per_producer=5000000",
        "producers=4 consumers=1 items_per_producer=1250000",
        "producers=4 consumers=4 items_per_producer=1250000",
    ];
    let mut labels = Vec::new();
    for channel in channels {
        for thread in threads {
            for queue_impl in IN_THE_FILE {
                if queue_impl == "mutex" && channel.ends_with("capacity=0") {
                    continue;
                }
                labels.push(format!("{channel} {thread} queue_impl={queue_impl}"));
            }
        }
    }
    labels
}

#[test]
fn check_lists_every_case_for_every_implementation_but_mutexs_rendezvous() {
    let output = queuelab()
        .arg("check")
        .arg(suite_file())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let listed: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("  queue="))
        .map(|l| {
            // The label, then the model's prediction in its column.
            let label = l.trim().rsplit_once(' ').map_or(l, |(label, _)| label);
            label.trim().to_string()
        })
        .collect();
    let expected = expected_labels();
    assert_eq!(listed, expected);
    let n = IN_THE_FILE.len();
    assert!(
        stdout.contains(&format!(
            "{} scenarios × 5 repeats at time_scale 1",
            4 * 3 * n - 3
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 combinations left out by exclude"),
        "{stdout}"
    );
}

#[test]
fn every_scenario_is_one_case_of_the_suite_with_its_messages() {
    let experiment = load(&suite_file()).expect("the suite parses");
    let mut seen = BTreeSet::new();
    for scenario in &experiment.scenarios {
        let case = case_of(scenario).unwrap_or_else(|| panic!("{} is no case", scenario.label));
        assert_eq!(scenario.total_items(), MESSAGES, "{}", scenario.label);
        if let QueueKind::Bounded { capacity } = scenario.queue
            && capacity > 1
        {
            assert_eq!(capacity, MESSAGES, "N is the suite's messages");
        }
        assert!(seen.insert((case, scenario.queue_impl)), "{case:?} twice");
    }
    let cases: BTreeSet<Case> = seen.iter().map(|(case, _)| *case).collect();
    assert_eq!(cases, Case::all().collect(), "all 12 cases");
    // Runs one at a time, repeated for intervals, drawn and reported as the suite.
    assert_eq!((experiment.jobs, experiment.repeats), (1, 5));
    assert_eq!(experiment.plot.bars, Bars::Horizontal);
    assert_eq!(
        experiment.plot.facet.as_ref().map(|f| f.name()),
        Some("capacity_class")
    );
    assert_eq!(
        experiment.report.compare_with,
        Some(Published::CrossbeamChannel)
    );
}

/// When an implementation joins queuelab, the suite must run it too: this fails until
/// `queue_impl` in the file lists it.
#[test]
fn the_suite_sweeps_every_implementation_queuelab_has() {
    let experiment = load(&suite_file()).expect("the suite parses");
    let swept: BTreeSet<&str> = experiment
        .scenarios
        .iter()
        .map(|s| s.queue_impl.name())
        .collect();
    let all: BTreeSet<&str> = QueueImpl::NAMES.iter().copied().collect();
    assert_eq!(
        swept, all,
        "experiments/channel_suite.toml leaves out an implementation: add it to queue_impl"
    );
}
