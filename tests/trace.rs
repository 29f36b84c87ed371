//! `--trace`: the Chrome trace file is valid, every item is put once then taken once, no
//! thread's clock goes back, the threads and the model record the same events where
//! timing cannot change them (and, in the model's order, make the same decisions), and
//! the cap bounds the buffers however many items a run has. No assertion here depends on
//! how fast the machine is.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use common::queuelab;
use queuelab::experiment::parse;
use queuelab::model::replay_traced;
use queuelab::runner::run_traced;
use queuelab::scenario::Scenario;
use queuelab::trace::{EVENT_CAP, NO_ITEM, Role, Trace, What, tracks_for};

fn scenario(text: &str) -> Scenario {
    let experiment = parse(Path::new("t.toml"), text).expect("a valid experiment");
    experiment.scenarios[0].clone()
}

/// Fixed times and blocking consumers: every event but the clock readings is decided by
/// the draws alone.
const BLOCKING: &str = "time_scale = 0.1\n[scenario]\nproducers = 3\nconsumers = 2\n\
    items_per_producer = 20\nproduce_time = \"20ms\"\nconsume_time = \"30ms\"\n\
    consumer = \"block\"\n";

const POLLING: &str = "time_scale = 0.1\n[scenario]\nproducers = 4\nconsumers = 2\n\
    items_per_producer = 10\nproduce_time = \"20ms\"\nconsume_time = \"25ms\"\n\
    consumer = \"poll\"\n";

/// Polling consumers faster than the producers: most polls find nothing.
const POLLING_IDLE: &str = "time_scale = 0.1\n[scenario]\nproducers = 4\nconsumers = 2\n\
    items_per_producer = 10\nproduce_time = \"20ms\"\nconsume_time = \"2ms\"\n\
    consumer = \"poll\"\n";

fn threads_trace(text: &str) -> Trace {
    let scenario = scenario(text);
    let measured = run_traced(&scenario, 7, &AtomicBool::new(false)).expect("the run succeeds");
    *measured.trace.expect("a traced run has a trace")
}

fn count(trace: &Trace, what: What) -> usize {
    trace
        .tracks
        .iter()
        .flat_map(|t| &t.events)
        .filter(|e| e.what == what)
        .count()
}

/// An item's put calls, put returns and takes.
type Stamps = (Vec<u64>, Vec<u64>, Vec<u64>);

/// Every item: exactly one put called, one put returned and one take, and the take is
/// not before the put was called. (A take may be stamped a moment before its producer
/// notes the put's return: the item is on the queue from inside the put.)
fn each_item_put_then_taken(trace: &Trace, items: u64, returned_before_take: bool) {
    let mut seen: HashMap<u64, Stamps> = HashMap::new();
    for track in &trace.tracks {
        for e in &track.events {
            let entry = seen.entry(e.item).or_default();
            match (track.role, e.what) {
                (Role::Producer, What::PutCalled) => entry.0.push(e.ns),
                (Role::Producer, What::PutReturned) => entry.1.push(e.ns),
                (Role::Consumer, What::Take) => entry.2.push(e.ns),
                _ => {}
            }
        }
    }
    seen.remove(&NO_ITEM);
    assert_eq!(seen.len() as u64, items);
    for (item, (called, returned, taken)) in seen {
        assert_eq!(
            (called.len(), returned.len(), taken.len()),
            (1, 1, 1),
            "item {item}"
        );
        assert!(called[0] <= taken[0], "item {item} taken before its put");
        assert!(called[0] <= returned[0], "item {item}");
        if returned_before_take {
            assert!(returned[0] <= taken[0], "item {item}");
        }
    }
}

fn never_back_in_time(trace: &Trace) {
    for track in &trace.tracks {
        for pair in track.events.windows(2) {
            assert!(pair[0].ns <= pair[1].ns, "{}: {pair:?}", track.name());
        }
    }
}

#[test]
fn threads_put_and_take_every_item_once_in_order_and_clocks_never_go_back() {
    for text in [BLOCKING, POLLING] {
        let trace = threads_trace(text);
        let items = scenario(text).total_items();
        each_item_put_then_taken(&trace, items, false);
        never_back_in_time(&trace);
        assert_eq!(trace.stopped_at_ns(), None);
        let (_, model) = replay_traced(&scenario(text), 7, 2);
        each_item_put_then_taken(&model, items, true);
        never_back_in_time(&model);
    }
}

/// What load cannot change: every item is put and taken once and worked once, and each
/// producer finishes once, whatever the timing. With blocking consumers each take is
/// worked to its end before the run ends, so work ends match too. (Empty polls depend
/// on when a thread wakes, and may differ.)
#[test]
fn threads_and_model_record_the_same_events() {
    for (text, compared) in [
        (
            BLOCKING,
            &[
                What::PutCalled,
                What::PutBlocked,
                What::PutReturned,
                What::Take,
                What::WorkStart,
                What::WorkEnd,
                What::Done,
            ][..],
        ),
        (
            POLLING,
            &[
                What::PutCalled,
                What::PutReturned,
                What::Take,
                What::WorkStart,
                What::Done,
            ][..],
        ),
    ] {
        let threads = threads_trace(text);
        let (_, model) = replay_traced(&scenario(text), 7, 2);
        for what in compared {
            assert_eq!(
                count(&threads, *what),
                count(&model, *what),
                "{what:?} in {text}"
            );
        }
        assert_eq!(
            threads.tracks.iter().map(|t| t.name()).collect::<Vec<_>>(),
            model.tracks.iter().map(|t| t.name()).collect::<Vec<_>>()
        );
    }
}

/// Ten million items: the threads' buffers are sized by the cap, not the items (checked
/// on the buffers a traced run allocates, without running ten million items), and the
/// model, which does replay them all, records no more than the cap and says where it
/// stopped.
#[test]
fn the_cap_bounds_the_buffers_of_ten_million_items() {
    let text = "[scenario]\nproducers = 2\nconsumers = 2\nitems_per_producer = 5000000\n\
                produce_time = \"0ms\"\nconsume_time = \"1us\"\nconsumer = \"block\"\n";
    let scenario = scenario(text);
    assert_eq!(scenario.total_items(), 10_000_000);
    let (producers, consumers) = tracks_for(&scenario);
    let capacity: usize = producers
        .iter()
        .chain(&consumers)
        .map(|t| t.events.capacity())
        .sum();
    assert!(capacity <= EVENT_CAP, "{capacity}");
    let (prediction, trace) = replay_traced(&scenario, 1, 2);
    assert_eq!(prediction.items, 10_000_000);
    assert!(trace.events() <= EVENT_CAP);
    let capacity: usize = trace.tracks.iter().map(|t| t.events.capacity()).sum();
    assert!(capacity <= EVENT_CAP, "the buffers never grew: {capacity}");
    assert!(trace.stopped_at_ns().is_some(), "the trace says it stopped");
}

fn check_event(event: &serde_json::Value) {
    let field = |name: &str| {
        event
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing in {event}"))
    };
    let ph = field("ph").as_str().expect("ph is text");
    assert!(field("name").is_string(), "{event}");
    assert!(field("pid").is_u64() && field("tid").is_u64(), "{event}");
    if ph != "M" {
        assert!(field("ts").as_f64().is_some_and(|t| t >= 0.0), "{event}");
    }
    match ph {
        "M" => assert!(
            field("args").get("name").is_some() || field("args").get("sort_index").is_some()
        ),
        "X" => assert!(field("dur").as_f64().is_some_and(|d| d >= 0.0), "{event}"),
        "s" | "f" => assert!(field("id").is_u64(), "{event}"),
        "C" => assert!(field("args").as_object().is_some_and(|a| !a.is_empty())),
        "i" => assert!(field("s").is_string(), "{event}"),
        other => panic!("unexpected phase {other} in {event}"),
    }
}

#[test]
fn run_trace_writes_a_chrome_trace_with_both_sides_and_timelines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, format!("repeats = 2\n{POLLING_IDLE}")).expect("written");
    queuelab()
        .args(["run", "-q", "--trace", "--trace-repeat", "2", "--out"])
        .arg(dir.path())
        .arg(&file)
        .assert()
        .success();
    let folder = dir.path().join("tiny/trace");
    let json = folder.join("001_all.json");
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; found {:?}",
            json.display(),
            std::fs::read_dir(&folder).map(|d| d.count())
        )
    });
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let events = value["traceEvents"].as_array().expect("traceEvents");
    events.iter().for_each(check_event);
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "thread_name")
        .filter_map(|e| e["args"]["name"].as_str())
        .collect();
    assert!(
        names.contains(&"producer 3") && names.contains(&"consumer 0"),
        "{names:?}"
    );
    let pids: std::collections::BTreeSet<u64> =
        events.iter().filter_map(|e| e["pid"].as_u64()).collect();
    assert_eq!(
        pids.into_iter().collect::<Vec<_>>(),
        [1, 2],
        "threads and model"
    );
    for phase in ["X", "s", "f", "C", "i"] {
        assert!(events.iter().any(|e| e["ph"] == phase), "no {phase} event");
    }
    assert_eq!(value["otherData"]["repeat"], 2);
    for ext in ["png", "svg"] {
        assert!(
            folder.join(format!("timeline_001_all.{ext}")).exists(),
            "{ext}"
        );
    }
}

/// What `queuelab COMMAND --out OUT ARGS FILE` says on stdout; it must succeed.
fn succeed(command: &str, out: &Path, file: &Path, args: &[&str]) -> String {
    let output = queuelab()
        .args([command, "--out"])
        .arg(out)
        .args(args)
        .arg(file)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn resume_keeps_the_measured_trace_of_a_kept_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, format!("repeats = 1\n{POLLING_IDLE}")).expect("written");
    let run = |extra: &[&str]| succeed("run", dir.path(), &file, &[&["--trace"], extra].concat());
    run(&["-q"]);
    let json = dir.path().join("tiny/trace/001_all.json");
    let measured = std::fs::read(&json).expect("the threads' trace");
    assert!(String::from_utf8_lossy(&measured).contains("measured (threads)"));
    let said = run(&["--resume"]);
    assert!(said.contains("was kept from earlier (--resume)"), "{said}");
    assert_eq!(
        std::fs::read(&json).expect("still there"),
        measured,
        "left as it was"
    );
}

#[test]
fn a_link_in_place_of_the_trace_folder_is_refused_and_nothing_is_written_through_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, format!("repeats = 1\n{POLLING}")).expect("written");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    std::fs::create_dir_all(dir.path().join("out/tiny-model")).expect("dir");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("out/tiny-model/trace")).expect("link");
    // What `simulate --trace` says on stderr, refused with exit 2.
    let refused = || -> String {
        let output = queuelab()
            .args(["simulate", "-q", "--trace", "--out"])
            .arg(dir.path().join("out"))
            .arg(&file)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        stderr
    };
    let stderr = refused();
    assert!(
        stderr.contains("a link of that name is in the way"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(&elsewhere).expect("dir").count(), 0);
    // A folder where a trace file goes is found before anything runs, too.
    std::fs::remove_file(dir.path().join("out/tiny-model/trace")).expect("unlink");
    std::fs::create_dir_all(dir.path().join("out/tiny-model/trace/timeline_001_all.svg"))
        .expect("a folder in the way");
    let stderr = refused();
    assert!(
        stderr.contains("timeline_001_all.svg: a folder"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("out/tiny-model/runs.csv").exists(),
        "nothing was written"
    );
}

#[test]
fn traces_of_scenarios_the_experiment_no_longer_has_are_removed_and_other_files_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    let simulate = |sweep: &str| {
        std::fs::write(&file, format!("repeats = 1\n{POLLING}[sweep]\n{sweep}\n"))
            .expect("written");
        succeed("simulate", dir.path(), &file, &["--trace"])
    };
    simulate("consumers = [1, 2]");
    let folder = dir.path().join("tiny-model/trace");
    std::fs::write(folder.join("my notes.json"), "{}").expect("a file of the person's");
    let said = simulate("consumers = [3]");
    assert!(said.contains("removed 6 trace file(s)"), "{said}");
    assert_eq!(
        names_in(&folder),
        [
            "001_consumers=3.json",
            "my notes.json",
            "timeline_001_consumers=3.png",
            "timeline_001_consumers=3.svg"
        ]
    );
}

/// The names in `folder`, sorted.
fn names_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("a folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A trace describes a run in `runs.csv`: `--resume` keeps the runs and so their
/// traces, but a run without `--resume` (or with `--force` over runs of another seed)
/// replaces them, and with them their traces, whether or not it traces again (and in
/// which formats).
#[test]
fn a_run_that_replaces_the_traced_runs_removes_their_traces_and_keeps_other_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    let run = |formats: &str, extra: &[&str]| {
        let text = format!("repeats = 1\n{POLLING_IDLE}[plot]\nformats = {formats}\n");
        std::fs::write(&file, text).expect("written");
        succeed("run", dir.path(), &file, extra)
    };
    let folder = dir.path().join("tiny/trace");
    let traced = [
        "001_all.json",
        "timeline_001_all.png",
        "timeline_001_all.svg",
    ];
    run(r#"["png", "svg"]"#, &["--trace"]);
    assert_eq!(names_in(&folder), traced);
    let json = std::fs::read(folder.join("001_all.json")).expect("the trace");
    let said = run(r#"["png", "svg"]"#, &["--resume"]);
    assert!(!said.contains("removed"), "{said}");
    assert_eq!(names_in(&folder), traced, "a kept run keeps its trace");
    assert_eq!(
        std::fs::read(folder.join("001_all.json")).expect("kept"),
        json
    );

    // Traced again in one format: every trace was of the replaced run, and the other
    // format's timeline is not drawn again.
    let said = run(r#"["svg"]"#, &["--trace"]);
    assert!(
        said.contains("removed 3 trace file(s) of earlier runs these results replace"),
        "{said}"
    );
    assert_eq!(names_in(&folder), ["001_all.json", "timeline_001_all.svg"]);

    std::fs::write(folder.join("my notes.txt"), "mine").expect("a file of the person's");
    let said = run(r#"["svg"]"#, &["-q"]);
    assert!(said.contains("removed 2 trace file(s)"), "{said}");
    assert_eq!(names_in(&folder), ["my notes.txt"], "other files are left");
    std::fs::remove_file(folder.join("my notes.txt")).expect("removed");
    run(r#"["svg"]"#, &["--trace", "-q"]);
    run(r#"["svg"]"#, &["-q"]);
    assert!(!folder.exists(), "a folder left empty goes");

    // `--resume --force` over runs of another seed replaces them: their traces go (as
    // its first run is saved), though the scenario keeps its name.
    run(r#"["svg"]"#, &["--trace", "-q"]);
    assert_eq!(names_in(&folder), ["001_all.json", "timeline_001_all.svg"]);
    let said = run(r#"["svg"]"#, &["--resume", "--force", "--seed", "99"]);
    assert!(
        said.contains("removed 2 trace file(s) of earlier runs these results replace"),
        "{said}"
    );
    assert!(!folder.exists(), "{:?}", names_in(&folder));
}

#[test]
fn a_window_after_the_run_says_its_timeline_is_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, format!("repeats = 1\n{POLLING}")).expect("written");
    let output = queuelab()
        .args([
            "simulate",
            "--trace",
            "--trace-window",
            "50min..60min",
            "--out",
        ])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        said.contains("after the run's end") && said.contains("its timeline is empty"),
        "{said}"
    );
}

#[test]
fn a_bad_window_or_repeat_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, format!("repeats = 2\n{POLLING}")).expect("written");
    for args in [
        &["--trace", "--trace-repeat", "3"][..],
        &["--trace", "--trace-window", "2s..1s"],
        &["--trace", "--trace-window", "1s"],
        &["--trace-repeat", "1"],
        &["--trace", "--trace-repeat", "0"],
    ] {
        let output = queuelab()
            .args(["simulate", "-q", "--out"])
            .arg(dir.path())
            .args(args)
            .arg(&file)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?} says why");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("..="),
            "{args:?} in a person's words: {stderr}"
        );
    }
    assert!(
        !dir.path().join("tiny-model").exists(),
        "nothing was written"
    );
}

/// Which consumer took each item, and which items' puts found the queue full.
type Decisions = (HashMap<u64, String>, Vec<u64>);

fn decisions(trace: &Trace) -> Decisions {
    let mut taken_by = HashMap::new();
    let mut blocked = Vec::new();
    for track in &trace.tracks {
        for e in &track.events {
            match (track.role, e.what) {
                (Role::Consumer, What::Take) => {
                    taken_by.insert(e.item, track.name());
                }
                (Role::Producer, What::PutBlocked) => blocked.push(e.item),
                _ => {}
            }
        }
    }
    blocked.sort_unstable();
    (taken_by, blocked)
}

/// Runs with real threads per case, of which a case passes on a majority: see the test
/// below.
const DECISION_RUNS: usize = 3;

/// How a threads run's decisions differ from the model's, or `None` where they agree.
fn decisions_differ(threads: &Decisions, model: &Decisions) -> Option<String> {
    if threads == model {
        return None;
    }
    let mut moved: Vec<&u64> = (model.0.iter())
        .filter(|(item, by)| threads.0.get(item) != Some(by))
        .map(|(item, _)| item)
        .collect();
    moved.sort_unstable();
    Some(format!(
        "items on another consumer than the model's: {moved:?}\n\
         puts that blocked: threads {:?}, model {:?}",
        threads.1, model.1
    ))
}

/// Where the threads keep the model's order (a bounded queue, paced producers, sleeping
/// consumers), they make the model's decisions: each item goes to the consumer the model
/// gives it to, and the same puts find the queue full. Consumers are the slower side, so
/// puts do block, including puts due before the consumers' threads have started. At
/// fixed times many actions fall due at one instant, where the model's order among them
/// (first scheduled, first served) must be kept too. (Not covered, and not yet kept: at
/// one instant the model serves a consumer falling free before one that waited on an
/// empty queue, where the channel hands the item to the one waiting; see README.)
///
/// A thread descheduled at the wrong moment (for longer than `TakeLog`'s patience, or
/// between a put and its numbering) can still change a decision: on a 2-core machine kept
/// busy, one case in about 300 runs did (two of 65 runs of these nine cases, one decision
/// each). So a case passes when most of its `DECISION_RUNS` runs make every decision the
/// model's. A fault in the order itself fails far more often: of the two this test found,
/// one failed 7 runs in 10 alone and every run under load, the other every run.
#[test]
fn in_the_models_order_threads_make_the_models_decisions() {
    let exp = |ms: u32| format!("{{ dist = \"exp\", mean = \"{ms}ms\" }}");
    let fixed = |ms: u32| format!("\"{ms}ms\"");
    let cases = [
        (3, 2, 2, "block", exp(20), exp(30)),
        (3, 2, 2, "poll", exp(20), exp(30)),
        (1, 1, 1, "block", exp(20), exp(30)),
        (4, 3, 1, "poll", exp(20), exp(25)),
        (2, 4, 3, "block", exp(10), exp(40)),
        (3, 2, 2, "block", fixed(20), fixed(30)),
        (2, 3, 1, "poll", fixed(10), fixed(20)),
        (4, 2, 1, "block", fixed(10), fixed(20)),
        (3, 3, 2, "poll", fixed(20), fixed(30)),
    ];
    for (producers, consumers, capacity, consumer, produce, consume) in cases {
        let text = format!(
            "time_scale = 0.1\n[scenario]\nproducers = {producers}\nconsumers = {consumers}\n\
             items_per_producer = 20\nproduce_time = {produce}\nconsume_time = {consume}\n\
             consumer = \"{consumer}\"\nqueue = \"bounded\"\ncapacity = {capacity}\n"
        );
        let model = decisions(&replay_traced(&scenario(&text), 7, 2).1);
        assert!(!model.1.is_empty(), "some puts block: {text}");
        let majority = DECISION_RUNS / 2 + 1;
        let (mut agreed, mut differences) = (0, Vec::new());
        while agreed < majority && differences.len() < majority {
            let threads = decisions(&threads_trace(&text));
            assert_eq!(threads.0.len() as u64, 20 * producers, "{text}");
            match decisions_differ(&threads, &model) {
                None => agreed += 1,
                Some(difference) => differences.push(difference),
            }
        }
        assert!(
            agreed == majority,
            "{text}{} of {DECISION_RUNS} runs made other decisions than the model's; the \
             last:\n{}",
            differences.len(),
            differences.last().map_or("", String::as_str)
        );
    }
}
