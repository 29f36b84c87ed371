//! Paired sweeps: groups of keys that vary together (`together.NAME = [...]`), their
//! place in the sweep, their labels, `[plot]` against them, and every way to get one wrong.

use super::tests::{error, errors, ok};
use super::{Axis, Group, Swept};
use crate::scenario::{QueueKind, ScenarioKey as K, TimeSpec};

const TOPOLOGY: &str = "together.topology = [\n  { producers = 1, consumers = 1 },\n  \
                        { producers = 4, consumers = 1 },\n  { producers = 4, consumers = 4 },\n]\n";

fn labels(source: &str) -> Vec<String> {
    ok(source).scenarios.into_iter().map(|s| s.label).collect()
}

#[test]
fn a_group_varies_as_one_swept_key_at_its_place() {
    let e = ok(&format!(
        "[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n{TOPOLOGY}capacity = [0, 1]\n\
         [scenario]\nqueue = \"bounded\"\n"
    ));
    let labels: Vec<&str> = e.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 2 * 3 * 2);
    assert_eq!(
        labels[..6],
        [
            "queue_impl=crossbeam producers=1 consumers=1 capacity=0",
            "queue_impl=crossbeam producers=1 consumers=1 capacity=1",
            "queue_impl=crossbeam producers=4 consumers=1 capacity=0",
            "queue_impl=crossbeam producers=4 consumers=1 capacity=1",
            "queue_impl=crossbeam producers=4 consumers=4 capacity=0",
            "queue_impl=crossbeam producers=4 consumers=4 capacity=1",
        ]
    );
    assert_eq!(
        labels[6],
        "queue_impl=std producers=1 consumers=1 capacity=0"
    );
    let threads: Vec<(u32, u32)> = e
        .scenarios
        .iter()
        .map(|s| (s.producers, s.consumers))
        .collect();
    assert_eq!(
        threads[..6],
        [(1, 1), (1, 1), (4, 1), (4, 1), (4, 4), (4, 4)]
    );
    assert_eq!(
        e.sweep,
        [
            Swept {
                axis: Axis::Key(K::QueueImpl),
                count: 2
            },
            Swept {
                axis: Axis::Group(Group {
                    name: "topology".to_string(),
                    keys: vec![K::Producers, K::Consumers],
                    determines: vec![],
                }),
                count: 3
            },
            Swept {
                axis: Axis::Key(K::Capacity),
                count: 2
            },
        ]
    );
    assert_eq!(
        e.swept_keys(),
        [K::QueueImpl, K::Producers, K::Consumers, K::Capacity]
    );
    assert_eq!(
        e.sweep_words().as_deref(),
        Some(
            "queue_impl (2 values) × topology (producers and consumers together, 3 points) × \
             capacity (2 values), the last varying fastest"
        )
    );
}

#[test]
fn labels_follow_the_order_the_first_point_writes() {
    let l = labels(
        "[sweep]\ntogether.t = [{ consumers = 2, producers = 1 }, { producers = 3, consumers = 4 }]\n",
    );
    assert_eq!(l, ["consumers=2 producers=1", "consumers=4 producers=3"]);
}

#[test]
fn several_groups_are_crossed_with_each_other_and_the_rest() {
    let e = ok("[sweep]\n\
                together.threads = [{ producers = 1, consumers = 1 }, { producers = 2, consumers = 2 }]\n\
                items_per_producer = [10, 20]\n\
                together.times = [\n\
                  { produce_time = \"1ms\", consume_time = \"2ms\" },\n\
                  { produce_time = \"0.003s\", consume_time = { dist = \"exp\", mean = \"4ms\" } },\n\
                ]\n");
    assert_eq!(e.scenarios.len(), 8);
    assert_eq!(
        e.scenarios[7].label,
        "producers=2 consumers=2 items_per_producer=20 produce_time=3ms \
         consume_time=exp(mean=4ms)"
    );
    assert_eq!(
        e.scenarios[7].consume_time,
        TimeSpec::Exp {
            mean: std::time::Duration::from_millis(4)
        }
    );
    let names: Vec<&str> = e.axes().map(|a| a.name()).collect();
    assert_eq!(names, ["threads", "items_per_producer", "times"]);
}

#[test]
fn the_table_forms_of_toml_give_the_same_sweep() {
    let inline = labels(&format!(
        "[sweep]\ncapacity = [0, 1]\n{TOPOLOGY}[scenario]\nqueue = \"bounded\"\n"
    ));
    let header = labels(
        "[scenario]\nqueue = \"bounded\"\n[sweep]\ncapacity = [0, 1]\n[sweep.together]\n\
         topology = [{ producers = 1, consumers = 1 }, { producers = 4, consumers = 1 }, \
         { producers = 4, consumers = 4 }]\n",
    );
    let array_of_tables = labels(
        "[scenario]\nqueue = \"bounded\"\n[sweep]\ncapacity = [0, 1]\n\
         [[sweep.together.topology]]\nproducers = 1\nconsumers = 1\n\
         [[sweep.together.topology]]\nproducers = 4\nconsumers = 1\n\
         [[sweep.together.topology]]\nproducers = 4\nconsumers = 4\n",
    );
    assert_eq!(inline.len(), 6);
    assert_eq!(inline, header);
    assert_eq!(inline, array_of_tables);
}

#[test]
fn an_unbounded_point_leaves_out_capacity() {
    let e = ok("[sweep]\ntogether.capacity_class = [\n\
                { queue = \"unbounded\" },\n\
                { queue = \"bounded\", capacity = 0 },\n\
                { queue = \"bounded\", capacity = 100 },\n]\n");
    let queues: Vec<QueueKind> = e.scenarios.iter().map(|s| s.queue).collect();
    assert_eq!(
        queues,
        [
            QueueKind::Unbounded,
            QueueKind::Bounded { capacity: 0 },
            QueueKind::Bounded { capacity: 100 }
        ]
    );
    let labels: Vec<&str> = e.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "queue=unbounded",
            "queue=bounded capacity=0",
            "queue=bounded capacity=100"
        ]
    );
    let m = error(
        "[sweep]\ntogether.c = [\n{ queue = \"unbounded\", capacity = 4 },\n\
         { queue = \"bounded\", capacity = 0 },\n]\n",
        3,
        "sweep.together.c.capacity",
    );
    assert!(m.contains("applies only to queue = \"bounded\""), "{m}");
    let m = error(
        "[sweep]\ntogether.c = [\n{ queue = \"bounded\", capacity = 4 },\n\
         { queue = \"bounded\" },\n]\n",
        4,
        "sweep.together.c",
    );
    assert!(
        m.contains("leaves out `capacity`") && m.contains("queue = \"unbounded\""),
        "{m}"
    );
}

#[test]
fn the_group_names_the_x_axis_and_its_keys_may_be_x_too() {
    let e = ok(&format!(
        "[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\n{TOPOLOGY}[plot]\nx = \"topology\"\n\
         facet = \"queue_impl\"\n"
    ));
    assert!(matches!(&e.plot.x, Axis::Group(g) if g.name == "topology"));
    assert_eq!(e.plot.facet, Some(Axis::Key(K::QueueImpl)));
    assert_eq!(e.line_keys(&e.plot.x), [K::QueueImpl]);
    // Against consumers, which repeat in the group, producers split the lines.
    let e = ok(&format!("[sweep]\n{TOPOLOGY}[plot]\nx = \"consumers\"\n"));
    assert_eq!(e.plot.x, Axis::Key(K::Consumers));
    assert_eq!(e.line_keys(&e.plot.x), [K::Producers]);
    assert_eq!(e.line_of(2), (Some("producers=4".to_string()), Some(4.0)));
    // Where each point has its own consumers, consumers decide the group: one line.
    let e = ok(
        "[sweep]\nqueue_impl = [\"crossbeam\", \"std\"]\ntogether.side = [\
                { producers = 1, consumers = 1 }, { producers = 4, consumers = 4 }]\n\
                [plot]\nx = \"consumers\"\n",
    );
    assert_eq!(e.decided_by(&e.plot.x), [K::Producers]);
    assert_eq!(e.line_keys(&e.plot.x), [K::QueueImpl]);
    assert_eq!(
        e.line_of(1),
        (Some("queue_impl=crossbeam".to_string()), Some(4.0))
    );
    // Nothing says otherwise and consumers is not swept alone: the first entry is x.
    let e = ok(&format!(
        "[sweep]\n{TOPOLOGY}capacity = [1, 2]\n[scenario]\nqueue = \"bounded\"\n"
    ));
    assert!(matches!(&e.plot.x, Axis::Group(g) if g.name == "topology"));
}

#[test]
fn plot_names_only_what_the_sweep_varies() {
    let m = error(
        &format!("[sweep]\n{TOPOLOGY}[plot]\nx = \"shape\"\n"),
        8,
        "plot.x",
    );
    assert!(
        m.contains("not a swept key or group") && m.contains("topology, producers, consumers"),
        "{m}"
    );
    let m = error(
        &format!("[sweep]\n{TOPOLOGY}[plot]\nfacet = \"work\"\n"),
        8,
        "plot.facet",
    );
    // x is the group (the default), so neither it nor its keys can split panels.
    assert!(
        m.contains("not a swept key") && m.contains("besides x's; sweep another"),
        "{m}"
    );
    let m = error(
        &format!("[sweep]\n{TOPOLOGY}[plot]\nx = \"topology\"\nfacet = \"producers\"\n"),
        9,
        "plot.facet",
    );
    assert!(m.contains("shares a key with x (`topology`)"), "{m}");
    // What x already shows is not offered back: nothing else is swept here.
    assert!(
        m.contains("allowed: a swept key or group besides x's; sweep another"),
        "{m}"
    );
    let m = error("[plot]\nfacet = \"consumers\"\n", 2, "plot.facet");
    assert!(m.contains("not a swept key"), "{m}");
    let m = error(
        "[sweep]\ntogether.t = [{ producers = 1, consume_time = { dist = \"exp\", mean = \"1ms\" } },\
         { producers = 2, consume_time = \"1ms\" }]\n[plot]\nx = \"consume_time\"\n",
        4,
        "plot.x",
    );
    assert!(m.contains("random times"), "{m}");
}

#[test]
fn values_in_a_group_are_read_as_anywhere_else() {
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 0, consumers = 1 },\n]\n",
        3,
        "sweep.together.t.producers",
    );
    assert!(
        m.contains("0 is out of range") && m.contains("from 1 to 10000"),
        "{m}"
    );
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 1, consumers = \"4\" },\n]\n",
        3,
        "sweep.together.t.consumers",
    );
    assert!(m.contains("expected an integer, found a string"), "{m}");
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 1, consume_time = \"5 ms\" },\n]\n",
        3,
        "sweep.together.t.consume_time",
    );
    assert!(m.contains("`5 ms`"), "{m}");
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 1, consumer = \"busy\" },\n]\n",
        3,
        "sweep.together.t.consumer",
    );
    assert!(m.contains("\"poll\" or \"block\""), "{m}");
}

#[test]
fn unknown_names_get_a_suggestion() {
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 1, consumer_s = 1 },\n]\n",
        3,
        "sweep.together.t.consumer_s",
    );
    assert!(m.contains("did you mean `consumers`?"), "{m}");
    let m = error(
        "[sweep]\ntogther.t = [{ producers = 1, consumers = 1 }]\n",
        2,
        "sweep.togther",
    );
    assert!(m.contains("did you mean `together`?"), "{m}");
}

#[test]
fn a_group_has_a_plain_name_of_its_own() {
    for bad in ["\"a b\"", "\"\"", "consumers", "\"../x\""] {
        let m = error(
            &format!("[sweep]\ntogether.{bad} = [{{ producers = 1, consumers = 1 }}]\n"),
            2,
            &format!("sweep.together.{}", bad.trim_matches('"')),
        );
        assert!(
            m.contains("cannot name a group") && m.contains("letters, digits"),
            "{bad}: {m}"
        );
    }
}

#[test]
fn every_shape_that_is_not_a_group_is_refused_with_its_line() {
    let m = error(
        "[sweep]\ntogether = [{ producers = 1, consumers = 1 }]\n",
        2,
        "sweep.together",
    );
    assert!(
        m.contains("holds named groups") && m.contains("together.topology = ["),
        "{m}"
    );
    let m = error("[sweep]\ntogether = {}\n", 2, "sweep.together");
    assert!(m.contains("names no group"), "{m}");
    let m = error("[sweep]\ntogether.t = []\n", 2, "sweep.together.t");
    assert!(m.contains("empty list"), "{m}");
    let m = error(
        "[sweep]\ntogether.t = { producers = 1 }\n",
        2,
        "sweep.together.t",
    );
    assert!(
        m.contains("a list of points") && m.contains("found a table"),
        "{m}"
    );
    let told = errors("[sweep]\ntogether.t = [\n1,\n2]\n");
    let lines: Vec<(usize, &str)> = told.iter().map(|d| (d.line, d.key.as_str())).collect();
    assert_eq!(
        lines,
        [(3, "sweep.together.t"), (4, "sweep.together.t")],
        "each point told"
    );
    let m = &told[0].message;
    assert!(
        m.contains("a table of the keys") && m.contains("found an integer"),
        "{m}"
    );
    let m = error(
        "[sweep]\ntogether.t = [{ consumers = 1 }, { consumers = 2 }]\n",
        2,
        "sweep.together.t",
    );
    assert!(
        m.contains("at least two keys") && m.contains("`consumers = [...]`"),
        "{m}"
    );
}

#[test]
fn every_point_sets_the_same_keys_and_none_twice() {
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 1, consumers = 1 },\n{ producers = 4 },\n]\n",
        4,
        "sweep.together.t",
    );
    assert!(
        m.contains("leaves out `consumers`") && m.contains("(producers, consumers)"),
        "{m}"
    );
    // A key only a later point sets is missing from the earlier ones.
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 1, consumers = 1 },\n\
         { producers = 4, consumers = 1, capacity = 2 },\n]\n",
        3,
        "sweep.together.t",
    );
    assert!(m.contains("leaves out `capacity`"), "{m}");
    let m = error(
        "[sweep]\ntogether.t = [\n{ producers = 1, consume_time = \"250ms\" },\n\
         { consume_time = \"0.25s\", producers = 1 },\n]\n",
        4,
        "sweep.together.t",
    );
    assert!(m.contains("listed twice"), "{m}");
}

#[test]
fn a_key_varies_in_one_place_and_the_error_names_both_lines() {
    let m = error(
        &format!("[sweep]\nconsumers = [1, 2]\n{TOPOLOGY}"),
        4,
        "sweep.together.topology.consumers",
    );
    assert!(
        m.contains("`consumers` already varies at line 2 (sweep.consumers)"),
        "{m}"
    );
    let m = error(
        &format!("[sweep]\n{TOPOLOGY}consumers = [1, 2]\n"),
        7,
        "sweep.consumers",
    );
    assert!(m.contains("at line 2 (in group `topology`)"), "{m}");
    let m = error(
        &format!("[sweep]\n{TOPOLOGY}together.other = [{{ consumers = 1, work = \"spin\" }}]\n"),
        7,
        "sweep.together.other.consumers",
    );
    assert!(m.contains("at line 2 (in group `topology`)"), "{m}");
}

#[test]
fn the_scenario_limit_holds_for_the_product_with_groups() {
    let many: Vec<String> = (1..=10_000).map(|n| n.to_string()).collect();
    let points: Vec<String> = (1..=11)
        .map(|n| format!("{{ producers = {n}, items_per_producer = {n} }}"))
        .collect();
    let source = format!(
        "[sweep]\nconsumers = [{}]\ntogether.t = [{}]\n",
        many.join(", "),
        points.join(", ")
    );
    let m = error(&source, 2, "sweep");
    assert!(m.contains("more than 100000 scenarios"), "{m}");
    let fewer = source.replace(", { producers = 11, items_per_producer = 11 }", "");
    assert_eq!(ok(&fewer).scenarios.len(), 100_000);
}

#[test]
fn the_starter_example_runs_once_uncommented() {
    let example: String = super::format::PAIRED_EXAMPLE
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| l.starts_with("together") || l.starts_with("  {") || *l == "]")
        .map(|l| format!("{l}\n"))
        .collect();
    let starter = super::format::starter("x")
        .replace("consumers = [1, 2, 4]", "")
        .replace(super::format::PAIRED_EXAMPLE, &example)
        .replace("x = \"consumers\"", "x = \"topology\"");
    let e = ok(&starter);
    let labels: Vec<&str> = e.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "producers=1 consumers=1",
            "producers=4 consumers=1",
            "producers=4 consumers=4"
        ]
    );
}

#[test]
fn rules_across_keys_name_the_value_in_its_group() {
    let m = error(
        "[scenario]\nqueue = \"bounded\"\ncapacity = 0\n[sweep]\ntogether.t = [\n\
         { queue_impl = \"mutex\", consumers = 1 },\n{ queue_impl = \"std\", consumers = 2 },\n]\n",
        6,
        "sweep.together.t.queue_impl",
    );
    assert!(m.contains("capacity 0 needs queue_impl"), "{m}");
    let m = error(
        "[sweep]\ntogether.t = [\n{ queue = \"bounded\", consumers = 1 },\n\
         { queue = \"unbounded\", consumers = 2 },\n]\n",
        3,
        "sweep.together.t.queue",
    );
    assert!(m.contains("needs `capacity`"), "{m}");
}

/// `[plot] facet` is refused where it and x decide one another, as `plot --facet` is.
#[test]
fn a_facet_that_x_decides_or_that_decides_x_is_refused() {
    let sweep = "[sweep]\nconsumers = [1, 2]\ntogether.q = [{ queue = \"unbounded\" }, \
                 { queue = \"bounded\", capacity = 1 }]\n[plot]\n";
    let m = error(
        &format!("{sweep}x = \"queue\"\nfacet = \"capacity\"\n"),
        6,
        "plot.facet",
    );
    assert!(m.contains("`capacity` decides `queue`"), "{m}");
    assert!(m.contains("besides x's: consumers"), "{m}");
    let e = ok(&format!("{sweep}x = \"consumers\"\nfacet = \"capacity\"\n"));
    assert!(e.plot.facet.is_some());
    // An archive's copy, written before the rule, is read as it was drawn.
    let archived = crate::experiment::from_archived_bytes(
        std::path::Path::new("experiment.toml"),
        format!("{sweep}x = \"queue\"\nfacet = \"capacity\"\n").into_bytes(),
    )
    .expect("an archive's copy stays readable");
    assert!(archived.plot.facet.is_some());
}

/// Keys of one group tied by its points (each producers value with one items value) are
/// no x and facet for one another, even where values repeat; keys not tied are.
#[test]
fn keys_a_group_ties_together_are_no_x_and_facet_for_one_another() {
    let topology = "[sweep]\ntogether.topology = [\
                    { producers = 1, consumers = 1, items_per_producer = 40 }, \
                    { producers = 4, consumers = 1, items_per_producer = 10 }, \
                    { producers = 4, consumers = 4, items_per_producer = 10 }]\n\
                    consume_time = [\"1ms\", \"2ms\"]\n[plot]\n";
    let m = error(
        &format!("{topology}x = \"items_per_producer\"\nfacet = \"producers\"\n"),
        6,
        "plot.facet",
    );
    assert!(
        m.contains("`producers` decides `items_per_producer`"),
        "{m}"
    );
    let e = ok(&format!(
        "{topology}x = \"consumers\"\nfacet = \"producers\"\n"
    ));
    assert!(
        e.plot.facet.is_some(),
        "consumers and producers are not tied"
    );
}

/// A chart line of an unbounded queue names its capacity `none`, as charts do, not
/// `capacity=` with nothing after it (compare's legend).
#[test]
fn an_unbounded_queue_s_line_names_its_capacity_none() {
    let e = ok(
        "[sweep]\nqueue_impl = [\"crossbeam\", \"mutex\"]\ntogether.c = [\
                { queue = \"bounded\", capacity = 1 }, { queue = \"unbounded\" }]\n\
                [plot]\nx = \"queue_impl\"\n",
    );
    let unbounded = e
        .scenarios
        .iter()
        .position(|s| s.queue == QueueKind::Unbounded)
        .expect("an unbounded scenario");
    let (line, _) = e.line_of(unbounded);
    assert_eq!(line.as_deref(), Some("queue=unbounded capacity=none"));
}
