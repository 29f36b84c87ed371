//! What an experiment that reproduces a benchmark suite asks for: horizontal bars
//! (`[plot] bars`) and a comparison with the published plot (`[report] compare_with`),
//! and every way to ask for them wrongly.

use super::tests::{error, ok};
use super::{Bars, ReportSettings};
use crate::suite::Published;

/// The suite's shape at a small size: 4 × 100 items fill the bounded(N) capacity of 400.
const SUITE: &str = "[scenario]\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\n\
                     items_per_producer = 100\n[sweep]\n\
                     together.capacity_class = [{ queue = \"bounded\", capacity = 0 }, \
                     { queue = \"bounded\", capacity = 400 }]\n\
                     together.topology = [{ producers = 1, consumers = 1 }, \
                     { producers = 4, consumers = 1 }]\n\
                     queue_impl = [\"crossbeam\", \"std\"]\n";

#[test]
fn horizontal_bars_and_the_comparison_are_read() {
    let e = ok(&format!(
        "{SUITE}[plot]\nx = \"topology\"\nbars = \"horizontal\"\n\
         [report]\ncompare_with = \"crossbeam-channel-benchmarks\"\n"
    ));
    assert_eq!(e.plot.bars, Bars::Horizontal);
    assert_eq!(
        e.report,
        ReportSettings {
            compare_with: Some(Published::CrossbeamChannel)
        }
    );
    let plain = ok(SUITE);
    assert_eq!(plain.plot.bars, Bars::Vertical, "the default");
    assert_eq!(plain.report.compare_with, None);
}

#[test]
fn horizontal_bars_need_words_on_x() {
    let m = error(
        "[sweep]\nconsumers = [1, 2]\n[plot]\nbars = \"horizontal\"\n",
        4,
        "plot.bars",
    );
    assert!(m.contains("x = `consumers` has numbers"), "{m}");
    let m = error(
        &format!("{SUITE}[plot]\nx = \"topology\"\nbars = \"sideways\"\n"),
        11,
        "plot.bars",
    );
    assert!(m.contains("\"vertical\" or \"horizontal\""), "{m}");
}

#[test]
fn a_comparison_needs_cases_of_the_suite() {
    // Work that takes time is not the suite's.
    let m = error(
        "[sweep]\nconsumers = [1, 4]\n[report]\ncompare_with = \"crossbeam-channel-benchmarks\"\n",
        4,
        "report.compare_with",
    );
    assert!(
        m.contains("no scenario is a case of the suite") && m.contains("\"0ms\""),
        "{m}"
    );
    let m = error(
        &format!("{SUITE}[report]\ncompare_with = \"crossbeam\"\n"),
        10,
        "report.compare_with",
    );
    assert!(m.contains("\"crossbeam-channel-benchmarks\""), "{m}");
    let m = error(
        &format!("{SUITE}[report]\ncompare = 1\n"),
        10,
        "report.compare",
    );
    assert!(m.contains("did you mean `compare_with`?"), "{m}");
}

#[test]
fn one_case_twice_for_an_implementation_is_refused_naming_both() {
    // 100 and 200 items per producer are both bounded(N) at capacity 800.
    let twice = "[scenario]\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\nqueue = \"bounded\"\n\
                 capacity = 800\n[sweep]\nitems_per_producer = [100, 200]\n\
                 [report]\ncompare_with = \"crossbeam-channel-benchmarks\"\n";
    let m = error(twice, 9, "report.compare_with");
    assert!(
        m.contains("`items_per_producer=100` and `items_per_producer=200` are one case")
            && m.contains("bounded(N) spsc")
            && m.contains("queue_impl crossbeam"),
        "{m}"
    );
}
