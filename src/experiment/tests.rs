//! Every validation rule of the experiment file, and sweep expansion.

use std::path::Path;
use std::time::Duration;

use super::{Axis, ChartFormat, Experiment, parse};
use crate::diagnostic::Diagnostic;
use crate::scenario::{ConsumerStyle, QueueKind, WorkKind};
use crate::scenario::{ScenarioKey, TimeSpec};

pub(super) fn ok(source: &str) -> Experiment {
    match parse(Path::new("x.toml"), source) {
        Ok(experiment) => experiment,
        Err(errors) => panic!("unexpected errors: {errors:#?}"),
    }
}

pub(super) fn errors(source: &str) -> Vec<Diagnostic> {
    let rejected = parse(Path::new("x.toml"), source).expect_err("expected errors");
    assert_eq!(rejected.not_shown, 0);
    rejected.diagnostics
}

/// The single error of `source`, checked for its line and key.
pub(super) fn error(source: &str, line: usize, key: &str) -> String {
    let errors = errors(source);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        (errors[0].line, errors[0].key.as_str()),
        (line, key),
        "{}",
        errors[0]
    );
    errors[0].message.clone()
}

const SWEEP: &str = "[sweep]\nconsumers = [1, 2]\n";

#[test]
fn defaults_fill_what_the_file_leaves_out() {
    let e = ok("[scenario]\n");
    assert_eq!(
        (e.name.as_str(), e.repeats, e.time_scale, e.seed),
        ("x", 3, 1.0, 42)
    );
    let s = &e.scenarios[0];
    assert_eq!((s.producers, s.consumers, s.items_per_producer), (1, 1, 10));
    assert_eq!(s.produce_time, TimeSpec::Fixed(Duration::from_millis(10)));
    assert_eq!(
        (s.consumer, s.queue, s.work),
        (ConsumerStyle::Block, QueueKind::Unbounded, WorkKind::Sleep)
    );
    assert_eq!(s.label, "all");
    assert_eq!(e.plot.formats, [ChartFormat::Png, ChartFormat::Svg]);
}

#[test]
fn a_file_that_sets_nothing_is_refused() {
    for empty in ["", "# only a comment\n", "\n\n"] {
        let m = error(empty, 1, "");
        assert!(
            m.contains("sets nothing") && m.contains("queuelab new"),
            "{m}"
        );
    }
}

#[test]
fn sweep_is_the_cartesian_product_with_the_last_key_fastest() {
    let e = ok(r#"
[scenario]
producers = 2
[sweep]
consumer = ["poll", "block"]
consume_time = ["10ms", { dist = "exp", mean = "20ms" }]
consumers = [1, 4]
"#);
    let labels: Vec<&str> = e.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 8);
    assert_eq!(labels[0], "consumer=poll consume_time=10ms consumers=1");
    assert_eq!(labels[1], "consumer=poll consume_time=10ms consumers=4");
    assert_eq!(
        labels[2],
        "consumer=poll consume_time=exp(mean=20ms) consumers=1"
    );
    assert_eq!(
        labels[7],
        "consumer=block consume_time=exp(mean=20ms) consumers=4"
    );
    assert!(e.scenarios.iter().all(|s| s.producers == 2));
    assert_eq!(e.scenarios[7].consumer, ConsumerStyle::Block);
    assert_eq!(
        e.scenarios[7].consume_time,
        TimeSpec::Exp {
            mean: Duration::from_millis(20)
        }
    );
    assert_eq!(
        e.swept_keys(),
        [
            ScenarioKey::Consumer,
            ScenarioKey::ConsumeTime,
            ScenarioKey::Consumers
        ]
    );
    assert_eq!(e.plot.x, Axis::Key(ScenarioKey::Consumers));
    let indices: Vec<usize> = e.scenarios.iter().map(|s| s.index).collect();
    assert_eq!(indices, (0..8).collect::<Vec<_>>());
}

#[test]
fn a_swept_value_overrides_the_scenario_table() {
    let e = ok(
        "[scenario]\nconsumers = 9\nqueue = \"bounded\"\ncapacity = 4\n[sweep]\nconsumers = [1, 2]\n",
    );
    assert_eq!(
        e.scenarios.iter().map(|s| s.consumers).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(e.scenarios[0].queue, QueueKind::Bounded { capacity: 4 });
}

#[test]
fn distributions_parse() {
    let e = ok(r#"
[scenario]
produce_time = { dist = "uniform", low = "100ms", high = "400ms" }
consume_time = { dist = "normal", mean = "250ms", sd = "50ms" }
"#);
    let s = &e.scenarios[0];
    let ms = Duration::from_millis;
    assert_eq!(
        s.produce_time,
        TimeSpec::Uniform {
            low: ms(100),
            high: ms(400)
        }
    );
    assert_eq!(
        s.consume_time,
        TimeSpec::Normal {
            mean: ms(250),
            sd: ms(50)
        }
    );
}

#[test]
fn unknown_keys_at_every_level_are_named_with_a_suggestion() {
    let m = error("repeat = 3\n", 1, "repeat");
    assert!(m.contains("did you mean `repeats`?"), "{m}");
    let m = error(
        "[scenario]\nconsume_tme = \"1ms\"\n",
        2,
        "scenario.consume_tme",
    );
    assert!(m.contains("did you mean `consume_time`?"), "{m}");
    let m = error("[plot]\nlogx = true\n", 2, "plot.logx");
    assert!(m.contains("log_x"), "{m}");
    let m = error("[sweep]\nthreads = [1]\n", 2, "sweep.threads");
    assert!(m.contains("allowed: producers, consumers"), "{m}");
}

#[test]
fn wrong_types_say_what_was_found_and_what_is_allowed() {
    let m = error("repeats = \"3\"\n", 1, "repeats");
    assert!(
        m.contains("expected an integer, found a string") && m.contains("from 1 to 10000"),
        "a type error, not out of range: {m}"
    );
    let m = error("repeats = 0\n", 1, "repeats");
    assert!(m.contains("out of range: found 0"), "{m}");
    let m = error("[scenario]\nproducers = \"20\"\n", 2, "scenario.producers");
    assert!(m.contains("expected an integer, found a string"), "{m}");
    let m = error("[scenario]\nconsumer = 1\n", 2, "scenario.consumer");
    assert!(m.contains("\"poll\" or \"block\""), "{m}");
    let m = error("[scenario]\nwork = \"busy\"\n", 2, "scenario.work");
    assert!(m.contains("\"sleep\" or \"spin\""), "{m}");
    error("scenario = 3\n", 1, "scenario");
    error("time_scale = \"fast\"\n", 1, "time_scale");
    error("[plot]\nlog_y = 1\n", 2, "plot.log_y");
    error("[plot]\nformats = [\"jpg\"]\n", 2, "plot.formats");
}

#[test]
fn bad_durations_are_explained() {
    let m = error(
        "[scenario]\nconsume_time = \"250\"\n",
        2,
        "scenario.consume_time",
    );
    assert!(m.contains("ns, us, ms, s or min"), "{m}");
    error(
        "[scenario]\nproduce_time = 250\n",
        2,
        "scenario.produce_time",
    );
    error(
        "[scenario]\nproduce_time = \"-5ms\"\n",
        2,
        "scenario.produce_time",
    );
    error(
        "[scenario]\nproduce_time = \"2h\"\n",
        2,
        "scenario.produce_time",
    );
}

#[test]
fn zero_negative_and_absurd_counts_are_refused() {
    let m = error("[scenario]\nproducers = 0\n", 2, "scenario.producers");
    assert!(m.contains("from 1 to 10000"), "{m}");
    error("[scenario]\nconsumers = 0\n", 2, "scenario.consumers");
    error("[scenario]\nconsumers = -3\n", 2, "scenario.consumers");
    error("[scenario]\nconsumers = 1000000\n", 2, "scenario.consumers");
    error(
        "[scenario]\nitems_per_producer = 99999999999999\n",
        2,
        "scenario.items_per_producer",
    );
    error("repeats = 0\n", 1, "repeats");
    error("time_scale = 0.0\n", 1, "time_scale");
    error("time_scale = nan\n", 1, "time_scale");
    let m = error("time_scale = -2\n", 1, "time_scale");
    assert!(
        m.contains("out of range") && !m.contains("expected a number"),
        "{m}"
    );
    // Below a millionth a millisecond lasts under the clock's nanosecond step.
    let m = error("time_scale = 1e-300\n", 1, "time_scale");
    assert!(m.contains("a number from 0.000001 to 1000"), "{m}");
    error("time_scale = 9e-7\n", 1, "time_scale");
    error("time_scale = 1000.5\n", 1, "time_scale");
    assert_eq!(ok("time_scale = 1e-6\n").time_scale, 1e-6);
    assert_eq!(ok("time_scale = 1000\n").time_scale, 1000.0);
    error("seed = -1\n", 1, "seed");
    ok("[scenario]\nitems_per_producer = 0\n");
}

#[test]
fn item_bytes_is_a_power_of_two_from_8_to_65536_and_sweeps() {
    assert_eq!(ok("[scenario]\n").scenarios[0].item_bytes, 8, "the default");
    let e = ok("[sweep]\nitem_bytes = [8, 0x400, 65536]\n");
    let sizes: Vec<u64> = e.scenarios.iter().map(|s| s.item_bytes).collect();
    assert_eq!(sizes, [8, 1024, 65536]);
    assert_eq!(e.scenarios[1].label, "item_bytes=1024");
    assert_eq!(
        e.plot.x,
        Axis::Key(ScenarioKey::ItemBytes),
        "a count: it can be the x axis"
    );
    for bad in ["24", "4", "131072", "0", "\"8\""] {
        let m = error(
            &format!("[scenario]\nitem_bytes = {bad}\n"),
            2,
            "scenario.item_bytes",
        );
        assert!(
            m.contains(
                "one of 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768 or 65536"
            ),
            "{bad}: {m}"
        );
    }
    error("[sweep]\nitem_bytes = [8, 100]\n", 2, "sweep.item_bytes");
}

#[test]
fn a_bounded_queue_of_more_than_a_gibibyte_of_slots_is_refused_at_its_capacity() {
    ok("[scenario]\nqueue = \"bounded\"\ncapacity = 16384\nitem_bytes = 65536\n");
    let m = error(
        "[scenario]\nqueue = \"bounded\"\ncapacity = 16385\nitem_bytes = 65536\n",
        3,
        "scenario.capacity",
    );
    assert!(
        m.contains("is 1024.07 MiB of slots")
            && m.contains("at most 1024 MiB")
            && m.contains("65536-byte"),
        "{m}"
    );
    let m = error(
        "[scenario]\nqueue = \"bounded\"\ncapacity = 10000000\n[sweep]\nitem_bytes = [8, 128]\n",
        3,
        "scenario.capacity",
    );
    assert!(m.contains("is 1220.71 MiB of slots"), "{m}");
    // A kibibyte over is over, not the limit itself.
    let m = error(
        "[scenario]\nqueue = \"bounded\"\ncapacity = 1048577\nitem_bytes = 1024\n",
        3,
        "scenario.capacity",
    );
    assert!(m.contains("is 1024.01 MiB of slots"), "{m}");
    // An unbounded queue allocates as it fills: no up-front slots to refuse.
    ok("[scenario]\nitems_per_producer = 100000\nitem_bytes = 65536\n");
}

#[test]
fn capacity_belongs_to_bounded_queues_only() {
    let m = error("[scenario]\ncapacity = 4\n", 2, "scenario.capacity");
    assert!(m.contains("only to queue = \"bounded\""), "{m}");
    let m = error("[scenario]\nqueue = \"bounded\"\n", 2, "scenario.queue");
    error("[sweep]\nqueue = [\"bounded\"]\n", 2, "sweep.queue");
    assert!(m.contains("needs `capacity`"), "{m}");
    let e = ok("[scenario]\ncapacity = 0\n[sweep]\nqueue = [\"unbounded\", \"bounded\"]\n");
    assert_eq!(e.scenarios[0].queue, QueueKind::Unbounded);
    assert_eq!(e.scenarios[1].queue, QueueKind::Bounded { capacity: 0 });
}

#[test]
fn the_name_must_be_a_plain_file_name() {
    for bad in ["../up", "a/b", "..", ".hidden", "", "a b"] {
        let m = error(&format!("name = \"{bad}\"\n"), 1, "name");
        assert!(m.contains("not a plain file name"), "{bad}: {m}");
    }
    assert_eq!(ok("name = \"run-1.v2_x\"\n").name, "run-1.v2_x");
}

#[test]
fn sweep_lists_must_be_non_empty_lists_of_distinct_valid_values() {
    let m = error("[sweep]\nconsumers = []\n", 2, "sweep.consumers");
    assert!(m.contains("empty list"), "{m}");
    error("[sweep]\nconsumers = 4\n", 2, "sweep.consumers");
    error("[sweep]\nconsumers = [1, 0]\n", 2, "sweep.consumers");
    let m = error("[sweep]\nconsumers = [1, 1]\n", 2, "sweep.consumers");
    assert!(m.contains("listed twice"), "{m}");
}

#[test]
fn distributions_are_checked_field_by_field() {
    let m = error(
        "[scenario]\nconsume_time = { dist = \"poisson\", mean = \"1ms\" }\n",
        2,
        "scenario.consume_time",
    );
    assert!(m.contains("\"exp\" (mean)"), "{m}");
    let m = error(
        "[scenario]\nconsume_time = { dist = \"exp\" }\n",
        2,
        "scenario.consume_time",
    );
    assert!(m.contains("needs `mean`"), "{m}");
    let m = error(
        "[scenario]\nconsume_time = { dist = \"exp\", mean = \"1ms\", sd = \"1ms\" }\n",
        2,
        "scenario.consume_time",
    );
    assert!(m.contains("unknown field `sd`"), "{m}");
    error(
        "[scenario]\nconsume_time = { dist = \"uniform\", low = \"5ms\", high = \"1ms\" }\n",
        2,
        "scenario.consume_time",
    );
    error(
        "[scenario]\nconsume_time = { mean = \"1ms\" }\n",
        2,
        "scenario.consume_time",
    );
}

#[test]
fn plot_x_must_be_a_swept_key_of_numbers_or_words_and_facet_a_swept_key() {
    let m = error(&format!("{SWEEP}[plot]\nx = \"producers\"\n"), 4, "plot.x");
    assert!(
        m.contains("not a swept key") && m.contains("consumers"),
        "{m}"
    );
    // Words draw grouped bars; random times have no place on an axis.
    let e = ok("[sweep]\nconsumer = [\"poll\", \"block\"]\n[plot]\nx = \"consumer\"\n");
    assert_eq!(e.plot.x, Axis::Key(ScenarioKey::Consumer));
    let m = error(
        "[sweep]\nconsume_time = [{ dist = \"exp\", mean = \"1ms\" }]\n[plot]\nx = \"consume_time\"\n",
        4,
        "plot.x",
    );
    assert!(m.contains("random times"), "{m}");
    let m = error(
        &format!("{SWEEP}[plot]\nfacet = \"producers\"\n"),
        4,
        "plot.facet",
    );
    // Only consumers is swept, and x shows it: nothing is left to split panels by.
    assert!(
        m.contains("not a swept key") && m.contains("besides x's; sweep another"),
        "{m}"
    );
    let e = ok("[sweep]\nconsume_time = [\"1ms\", \"2ms\"]\n");
    assert_eq!(e.plot.x, Axis::Key(ScenarioKey::ConsumeTime));
}

#[test]
fn syntax_errors_and_duplicate_keys_are_reported_with_their_line() {
    let errors = errors("name = \"a\"\nrepeats = = 3\n");
    assert_eq!(errors[0].line, 2, "{errors:#?}");
    assert!(errors[0].message.starts_with("TOML syntax"));
    let errors = self::errors("repeats = 3\nrepeats = 4\n");
    assert_eq!(
        (errors[0].line, errors[0].key.as_str()),
        (2, "repeats"),
        "{errors:#?}"
    );
    assert!(
        errors[0]
            .message
            .contains("`repeats` is set twice (first on line 1)"),
        "{errors:#?}"
    );
    // Quoted the second time, and after the same name in another table: the first in
    // its own table is named.
    let source = "[sweep]\nproducers = [1, 2]\n[scenario]\nconsumers = 1\nproducers = 2\n\
                  \"producers\" = 3\n";
    let errors = self::errors(source);
    assert_eq!(
        (errors[0].line, errors[0].key.as_str()),
        (6, "producers"),
        "{errors:#?}"
    );
    assert!(
        errors[0]
            .message
            .contains("`producers` is set twice (first on line 5)"),
        "{errors:#?}"
    );
    // Twice in one inline table: the line names itself.
    let errors = self::errors(
        "[sweep]\ncapacity = [1, 2]\ntogether.q = [{ queue = \"bounded\", capacity = 1, capacity = 2 }]\n",
    );
    assert!(
        errors[0]
            .message
            .contains("`capacity` is set twice (first on line 3)"),
        "{errors:#?}"
    );
    let errors = self::errors("[scenario]\nconsumers = 1\n[scenario]\n");
    assert!(
        errors[0]
            .message
            .contains("`scenario` is set twice (first on line 1)"),
        "{errors:#?}"
    );
}

#[test]
fn every_error_of_a_file_is_reported_at_once_in_file_order() {
    let errors = errors(
        "repeats = 0\n[scenario]\nproducers = 0\nconsumers = \"x\"\n[sweep]\nitems_per_producer = []\n",
    );
    let lines: Vec<usize> = errors.iter().map(|d| d.line).collect();
    assert_eq!(lines, [1, 3, 4, 6]);
}

#[test]
fn the_starter_file_spells_out_the_defaults() {
    let starter = ok(&super::format::starter("x"));
    let defaults = ok("[sweep]\nconsumers = [1, 2, 4]\n");
    assert_eq!(starter.scenarios, defaults.scenarios);
    assert_eq!(starter.plot, defaults.plot);
    let top = |e: &Experiment| (e.repeats, e.time_scale, e.seed, e.description.clone());
    assert_eq!(top(&starter), top(&defaults));
    for key in ScenarioKey::ALL {
        assert_eq!(
            key.spec().default.is_none(),
            key == ScenarioKey::Capacity,
            "{key:?}"
        );
    }
}

#[test]
fn errors_point_at_the_part_at_fault_and_say_the_rule_once() {
    let errors = errors("[plot]\nformats = [\"png\", \"pdf\"]\n");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        (errors[0].line, errors[0].column),
        (2, 19),
        "at \"pdf\", not the list"
    );
    assert!(errors[0].message.contains("`pdf`"), "{}", errors[0].message);
    for bad in ["5 ms", "5m", "1e2ms", "90min", "1.s"] {
        let m = error(
            &format!("[scenario]\nconsume_time = \"{bad}\"\n"),
            2,
            "scenario.consume_time",
        );
        assert!(m.matches("ns, us, ms, s or min").count() <= 1, "{bad}: {m}");
        assert!(m.contains(&format!("`{bad}`")), "{bad}: {m}");
    }
    let m = error(
        "[scenario]\nconsume_time = { dist = \"gamma\", mean = \"1ms\" }\n",
        2,
        "scenario.consume_time",
    );
    assert!(m.contains("`gamma`") && m.contains("\"exp\" (mean)"), "{m}");
}
