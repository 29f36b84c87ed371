//! `[sweep] exclude`: combinations of swept values left out of the product, so a sweep
//! can cover what each implementation can do (mutex has no rendezvous), and every way
//! to get an entry wrong.

use super::tests::{error, errors, ok};
use crate::scenario::{QueueImpl, QueueKind};

/// Three implementations over four capacity classes, mutex's rendezvous left out.
const CLASSES: &str = "[sweep]\nqueue_impl = [\"crossbeam\", \"std\", \"mutex\"]\n\
                       together.capacity_class = [{ queue = \"bounded\", capacity = 0 }, \
                       { queue = \"bounded\", capacity = 1 }, { queue = \"unbounded\" }]\n";

#[test]
fn an_excluded_combination_is_not_made_and_the_rest_are_numbered_as_kept() {
    let e = ok(&format!(
        "{CLASSES}exclude = [{{ queue_impl = \"mutex\", capacity = 0 }}]\n"
    ));
    let labels: Vec<&str> = e.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 3 * 3 - 1);
    assert_eq!(
        labels[6..],
        [
            "queue_impl=mutex queue=bounded capacity=1",
            "queue_impl=mutex queue=unbounded",
        ]
    );
    let indices: Vec<usize> = e.scenarios.iter().map(|s| s.index).collect();
    assert_eq!(indices, (0..8).collect::<Vec<_>>());
    assert!(
        !e.scenarios
            .iter()
            .any(|s| s.queue_impl == QueueImpl::Mutex
                && s.queue == QueueKind::Bounded { capacity: 0 })
    );
    assert_eq!(e.excluded, 1);
    let words = e.sweep_words().expect("swept");
    assert!(
        words.ends_with("the last varying fastest; 1 combination left out by exclude"),
        "{words}"
    );
}

#[test]
fn an_entry_of_one_value_leaves_out_every_scenario_that_has_it() {
    let e = ok(&format!(
        "{CLASSES}exclude = [{{ queue_impl = \"std\" }}, {{ queue = \"unbounded\" }}, \
         {{ queue_impl = \"mutex\", capacity = 0 }}]\n"
    ));
    let labels: Vec<&str> = e.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "queue_impl=crossbeam queue=bounded capacity=0",
            "queue_impl=crossbeam queue=bounded capacity=1",
            "queue_impl=mutex queue=bounded capacity=1",
        ]
    );
    // std's unbounded queue matches two entries and is one scenario left out.
    assert_eq!(e.excluded, 6);
}

#[test]
fn a_capacity_is_matched_only_where_the_queue_is_bounded() {
    // An unbounded queue has no capacity, so it never matches `capacity = 0`, even with a
    // capacity set in [scenario] for the bounded ones.
    let e = ok(
        "[scenario]\ncapacity = 0\n[sweep]\nqueue_impl = [\"crossbeam\", \"mutex\"]\n\
                queue = [\"unbounded\", \"bounded\"]\n\
                exclude = [{ queue_impl = \"mutex\", queue = \"bounded\" }]\n",
    );
    let labels: Vec<&str> = e.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "queue_impl=crossbeam queue=unbounded",
            "queue_impl=crossbeam queue=bounded",
            "queue_impl=mutex queue=unbounded",
        ]
    );
    let e = ok(&format!(
        "{CLASSES}exclude = [{{ queue_impl = \"mutex\", capacity = 0 }}, \
         {{ queue_impl = \"std\", capacity = 1 }}]\n"
    ));
    assert_eq!(e.excluded, 2);
    let std: Vec<&str> = e
        .scenarios
        .iter()
        .map(|s| s.label.as_str())
        .filter(|l| l.contains("std"))
        .collect();
    assert_eq!(
        std,
        [
            "queue_impl=std queue=bounded capacity=0",
            "queue_impl=std queue=unbounded"
        ]
    );
}

#[test]
fn the_rendezvous_error_says_how_to_leave_it_out() {
    let m = error(CLASSES, 2, "sweep.queue_impl");
    assert!(
        m.contains("exclude = [{ queue_impl = \"mutex\", capacity = 0 }]"),
        "{m}"
    );
    // With the implementation fixed there is nothing to leave out: no hint.
    let fixed = "[scenario]\nqueue_impl = \"mutex\"\nqueue = \"bounded\"\n\
                 [sweep]\ncapacity = [0, 1]\n";
    let m = error(fixed, 2, "scenario.queue_impl");
    assert!(!m.contains("exclude"), "{m}");
}

#[test]
fn an_entry_names_swept_keys_only() {
    let m = error(
        &format!("{CLASSES}exclude = [{{ queue_impl = \"mutex\", consumers = 2 }}]\n"),
        4,
        "sweep.exclude.consumers",
    );
    assert!(
        m.contains("`consumers` is not swept") && m.contains("queue_impl, queue, capacity"),
        "{m}"
    );
}

#[test]
fn an_entry_that_leaves_out_nothing_or_everything_is_refused() {
    // `capacity = 5` is a capacity the sweep never makes: a typo.
    let m = error(
        &format!("{CLASSES}exclude = [{{ queue_impl = \"mutex\", capacity = 5 }}]\n"),
        4,
        "sweep.exclude",
    );
    assert!(m.contains("leaves out nothing"), "{m}");
    let all = "[sweep]\nconsumers = [1, 2]\nexclude = [{ consumers = 1 }, { consumers = 2 }]\n";
    let m = error(all, 3, "sweep.exclude");
    assert!(m.contains("leaves out all 2 scenarios"), "{m}");
}

#[test]
fn every_shape_of_exclude_that_is_not_a_list_of_tables_is_refused() {
    let cases = [
        ("exclude = { queue_impl = \"mutex\" }", "a list of tables"),
        ("exclude = []", "found an empty list"),
        ("exclude = [\"mutex\"]", "an entry of `exclude` is a table"),
        ("exclude = [{}]", "at least one swept key"),
    ];
    for (line, expected) in cases {
        let m = error(&format!("{CLASSES}{line}\n"), 4, "sweep.exclude");
        assert!(m.contains(expected), "{line}: {m}");
    }
}

#[test]
fn values_in_an_entry_are_read_as_anywhere_else() {
    let errors = errors(&format!(
        "{CLASSES}exclude = [{{ queue_impl = \"mutx\" }}, {{ queue_imp = \"std\" }}]\n"
    ));
    let keys: Vec<&str> = errors.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(
        keys,
        ["sweep.exclude.queue_impl", "sweep.exclude.queue_imp"]
    );
    assert!(errors[0].message.contains("\"crossbeam\""), "{}", errors[0]);
    assert!(
        errors[1].message.contains("did you mean `queue_impl`?"),
        "{}",
        errors[1]
    );
}

#[test]
fn an_entry_that_leaves_out_only_what_an_earlier_one_does_is_refused() {
    let twice = "[sweep]\nconsumers = [1, 2, 3]\n\
                 exclude = [{ consumers = 1 }, { consumers = 1 }]\n";
    let m = error(twice, 3, "sweep.exclude");
    assert!(m.contains("the entries before it leave out already"), "{m}");
    // Narrower than an earlier entry: nothing of its own either.
    let m = error(
        &format!(
            "{CLASSES}exclude = [{{ queue_impl = \"mutex\" }}, \
             {{ queue_impl = \"mutex\", capacity = 0 }}]\n"
        ),
        4,
        "sweep.exclude",
    );
    assert!(m.contains("the entries before it leave out already"), "{m}");
    // Overlapping entries each leave out something of their own.
    let e = ok("[sweep]\nconsumers = [1, 2, 3]\nproducers = [1, 2]\n\
                exclude = [{ consumers = 1 }, { producers = 1 }]\n");
    assert_eq!(e.excluded, 4);
    assert_eq!(e.scenarios.len(), 2);
}

#[test]
fn a_capacity_is_used_even_where_exclude_leaves_out_every_bounded_queue() {
    let e = ok("[scenario]\nitems_per_producer = 3\n[sweep]\n\
                queue_impl = [\"crossbeam\", \"mutex\"]\n\
                together.c = [{ queue = \"unbounded\" }, { queue = \"bounded\", capacity = 0 }]\n\
                exclude = [{ capacity = 0 }]\n");
    assert_eq!(e.excluded, 2);
    assert!(e.scenarios.iter().all(|s| s.queue == QueueKind::Unbounded));
}

/// A sweep that makes one run twice under two labels (capacities beside an unbounded
/// queue, which has none) is refused at the key that makes no difference, with the way
/// to say what was meant; the group it suggests is accepted.
#[test]
fn the_same_scenario_twice_is_refused_at_the_key_that_makes_no_difference() {
    let twice = "[sweep]\nqueue = [\"unbounded\", \"bounded\"]\ncapacity = [5, 6]\n";
    let m = error(twice, 3, "sweep.capacity");
    assert!(
        m.contains("`queue=unbounded capacity=6` is the same run as `queue=unbounded capacity=5`"),
        "{m}"
    );
    assert!(m.contains("together.queue_size"), "{m}");
    // Left with only the unbounded ones, the same.
    let only_unbounded = format!("{twice}exclude = [{{ queue = \"bounded\" }}]\n");
    error(&only_unbounded, 3, "sweep.capacity");
    let meant = "[sweep]\ntogether.queue_size = [{ queue = \"unbounded\" }, \
                 { queue = \"bounded\", capacity = 5 }, { queue = \"bounded\", capacity = 6 }]\n";
    assert_eq!(ok(meant).scenarios.len(), 3);
    // An archive's copy, written before the rule, is read as it was run.
    let archived = crate::experiment::from_archived_bytes(
        std::path::Path::new("experiment.toml"),
        twice.as_bytes().to_vec(),
    )
    .expect("an archive's copy stays readable");
    assert_eq!(archived.scenarios.len(), 4);
    // Capacities with no bounded queue at all: told once, by the capacity rule.
    let m = error("[sweep]\ncapacity = [1, 2]\n", 2, "sweep.capacity");
    assert!(!m.contains("same run"), "{m}");
    // Times drawn alike, and kinds of work with no work to do, are the same run too.
    let alike = "[sweep]\nproduce_time = [\"10ms\", { dist = \"uniform\", low = \"10ms\", high = \"10ms\" }]\n";
    let m = error(alike, 2, "sweep.produce_time");
    assert!(
        m.contains("a distribution with no spread is a fixed time"),
        "{m}"
    );
    let normal = "[sweep]\nconsume_time = [\"10ms\", { dist = \"normal\", mean = \"10ms\", sd = \"0ms\" }]\n";
    error(normal, 2, "sweep.consume_time");
    let no_work = "[scenario]\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\n[sweep]\nwork = [\"sleep\", \"spin\"]\n";
    let m = error(no_work, 5, "sweep.work");
    assert!(m.contains("no work to sleep or spin"), "{m}");
    assert_eq!(
        ok("[sweep]\nwork = [\"sleep\", \"spin\"]\n")
            .scenarios
            .len(),
        2
    );
    // One capacity beside both queues is no duplicate.
    let one = "[sweep]\nqueue = [\"unbounded\", \"bounded\"]\ncapacity = [5]\n";
    assert_eq!(ok(one).scenarios.len(), 2);
}

/// Times run in whole nanoseconds at the experiment's time scale: two fixed times that
/// come to the same once scaled are one run, whether the scale is the file's or the
/// command line's; at a scale that keeps them apart, they are two.
#[test]
fn times_that_round_to_one_once_scaled_are_the_same_run() {
    let sweep = "[sweep]\nconsume_time = [\"1ns\", \"0ns\", \"30ns\"]\n";
    assert_eq!(ok(sweep).scenarios.len(), 3);
    let m = error(
        &format!("time_scale = 0.1\n{sweep}"),
        3,
        "sweep.consume_time",
    );
    assert!(
        m.contains("at time_scale 0.1 both times come to 0 ns"),
        "{m}"
    );
    let path = std::path::Path::new("scaled.toml");
    let at = |scale| {
        super::parse::parse_written(path, sweep, crate::experiment::Written::Now, Some(scale))
    };
    let refused = at(0.1).expect_err("1ns and 0ns both run as 0 ns at 0.1");
    let m = refused.to_string();
    assert!(
        m.contains("at --time-scale 0.1 both times come to 0 ns"),
        "{m}"
    );
    assert!(m.contains("scaled.toml:2"), "{m}");
    let kept = at(2.0).expect("apart at 2");
    assert_eq!(kept.scenarios.len(), 3);
    assert!(kept.scenarios.iter().all(|s| s.time_scale == 2.0));
    // With no time left on either side there is no work either: `work` is no difference.
    let no_work = "time_scale = 0.1\n[scenario]\nproduce_time = \"2ns\"\nconsume_time = \"1ns\"\n\
                   [sweep]\nwork = [\"sleep\", \"spin\"]\n";
    let m = error(no_work, 6, "sweep.work");
    assert!(
        m.contains("at time_scale 0.1 both times come to 0 ns: there is no work"),
        "{m}"
    );
    // A uniform whose every draw rounds to the same nanoseconds is that fixed time; one
    // whose draws spread is not.
    let uniform = "time_scale = 0.1\n[sweep]\nconsume_time = \
                   [{ dist = \"uniform\", low = \"10ns\", high = \"14ns\" }, \"12ns\"]\n";
    let m = error(uniform, 3, "sweep.consume_time");
    assert!(m.contains("both times come to 1 ns"), "{m}");
    assert_eq!(ok(&uniform.replace("14ns", "40ns")).scenarios.len(), 2);
}
