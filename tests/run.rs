//! End-to-end runs through the binary: the seed table, every queue and consumer kind,
//! and the files a results folder holds. Runs with real threads assert what load cannot
//! break: counts, exactly-once, the model's own numbers, and `common::floor_s`, a time no
//! run can beat. How close real runs come to the model depends on how busy the machine
//! is, so no test asserts it; `benches/fidelity.sh` prints it. Runs go one at a time
//! (`serial`) so they do not load each other.

mod common;

use std::fs;
use std::path::Path;

use common::{floor_s, number, queuelab, read_csv, run_text};
use queuelab::scenario::QueueImpl;
use serial_test::serial;

/// A TOML list of `words`: `["crossbeam", "std"]`.
fn toml_list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

const SEED_EXACT: [(u32, f64); 7] = [
    (1, 24.75),
    (2, 12.25),
    (4, 6.0),
    (10, 2.25),
    (20, 1.0),
    (24, 1.0),
    (30, 1.0),
];

fn seed_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/seed.toml")
}

#[test]
#[serial(timing)]
fn seed_reproduces_the_blog_table_at_a_small_time_scale() {
    let scale = 0.04;
    let out = tempfile::tempdir().expect("temp dir");
    queuelab()
        .args(["run", "--quiet", "--time-scale", "0.04", "--out"])
        .arg(out.path())
        .arg(seed_file())
        .assert()
        .success();
    let summary = read_csv(&out.path().join("seed/summary.csv"));
    assert_eq!(summary.len(), 7);
    for (row, (consumers, exact)) in summary.iter().zip(SEED_EXACT) {
        assert_eq!(row["consumers"], consumers.to_string());
        let expected = exact * scale;
        assert!(
            (number(row, "predicted_s") - expected).abs() < 1e-9,
            "the model is exact"
        );
        // For the seed the model is the floor itself: the runs of one consumer take
        // 99 polls of 250 ms, those of 20 or more wait for the producers' 5 × 200 ms.
        let floor = floor_s(row);
        assert!(
            (floor - expected).abs() < 1e-9,
            "{consumers}: floor {floor}"
        );
        let median = number(row, "elapsed_median_s");
        assert!(
            median >= expected - 1e-6,
            "{consumers} consumers: {median} s is before {expected} s"
        );
    }
    let runs = read_csv(&out.path().join("seed/runs.csv"));
    assert_eq!(runs.len(), 21, "7 scenarios × 3 repeats");
    for run in &runs {
        assert_eq!(run["items"], "100");
        assert_eq!(run["time_scale"], "0.04");
        assert_eq!(run["source"], "measured");
        assert!(number(run, "elapsed_s") >= floor_s(run) - 1e-6, "{run:?}");
        // One consumer always finds an item: puts outrun it from the start, and a poll
        // waits for every put due by then (a late poll only finds more). An empty poll
        // here is a poll that overtook a put, the fault a timing bound used to catch.
        if run["consumers"] == "1" {
            assert_eq!(run["empty_polls"], "0", "{run:?}");
        }
    }
}

/// A small experiment over every queue and consumer kind; returns its runs.
fn run_kinds(extra: &str) -> Vec<std::collections::HashMap<String, String>> {
    let text = format!(
        "name = \"kinds\"\nrepeats = 1\ntime_scale = 0.01\n[scenario]\nproducers = 3\nitems_per_producer = 40\n\
         produce_time = \"20ms\"\nconsume_time = {{ dist = \"exp\", mean = \"50ms\" }}\ncapacity = 2\n{extra}\
         [sweep]\nconsumer = [\"poll\", \"block\"]\nqueue = [\"unbounded\", \"bounded\"]\nconsumers = [1, 4]\n"
    );
    run_text("kinds", &text, &[]).1
}

#[test]
#[serial(timing)]
fn block_poll_bounded_and_unbounded_consume_every_item_once() {
    let runs = run_kinds("");
    assert_eq!(runs.len(), 8);
    for run in &runs {
        assert_eq!(run["items"], "120", "{run:?}");
        assert!(number(run, "predicted_s") > 0.0, "{run:?}");
        // 40 puts 20 ms apart (scaled to 0.2 ms): nothing ends before the producers do.
        assert!(number(run, "elapsed_s") >= 40.0 * 0.0002 - 1e-6, "{run:?}");
        if run["queue"] == "bounded" {
            assert!(number(run, "max_depth") <= 2.0, "capacity 2 holds: {run:?}");
        }
    }
}

#[test]
#[serial(timing)]
fn rendezvous_hands_every_item_over() {
    let text = "name = \"rdv\"\nrepeats = 2\ntime_scale = 0.01\n[scenario]\nproducers = 4\nitems_per_producer = 25\n\
         produce_time = \"10ms\"\nconsume_time = \"30ms\"\nqueue = \"bounded\"\ncapacity = 0\n\
         [sweep]\nconsumer = [\"poll\", \"block\"]\nconsumers = [1, 3]\n";
    let (_dir, runs) = run_text("rdv", text, &[]);
    assert_eq!(runs.len(), 8);
    for run in &runs {
        assert_eq!(run["items"], "100");
        assert_eq!(run["max_depth"], "0", "a rendezvous holds nothing");
        assert!(number(run, "elapsed_s") >= floor_s(run) - 1e-6, "{run:?}");
    }
}

#[test]
#[serial(timing)]
fn spin_work_consumes_every_item_and_shares_the_cores() {
    for run in &run_kinds("work = \"spin\"\n") {
        assert_eq!(run["items"], "120", "{run:?}");
    }
    // 4 blocking consumers spin 20 ms of CPU per item, 16 items at once: 320 ms of CPU.
    // No machine finishes sooner than its cores allow, and the model knows the cores.
    let text = "name = \"spin\"\nrepeats = 1\n[scenario]\nproducers = 1\nitems_per_producer = 16\n\
                produce_time = \"0ms\"\nconsume_time = \"20ms\"\nconsumer = \"block\"\nwork = \"spin\"\n\
                [sweep]\nconsumers = [1, 4]\n";
    let (_dir, runs) = run_text("spin", text, &[]);
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4) as f64;
    for run in runs {
        let (elapsed, predicted) = (number(&run, "elapsed_s"), number(&run, "predicted_s"));
        let threads = number(&run, "consumers").min(cores);
        assert!(
            (predicted - 0.32 / threads).abs() < 1e-6,
            "processor sharing: {run:?}"
        );
        // CPU time is not made faster by load: 320 ms of it on at most `threads` cores.
        assert!(
            elapsed >= predicted * 0.95,
            "faster than the cores allow: {run:?}"
        );
    }
}

#[test]
#[serial(timing)]
fn charts_are_valid_images_of_the_expected_size() {
    let out = tempfile::tempdir().expect("temp dir");
    queuelab()
        .args([
            "run",
            "-q",
            "--repeats",
            "1",
            "--time-scale",
            "0.01",
            "--out",
        ])
        .arg(out.path())
        .arg(seed_file())
        .assert()
        .success();
    let dir = out.path().join("seed");
    let png = fs::File::open(dir.join("elapsed_vs_consumers.png")).expect("png written");
    let mut decoder = png::Decoder::new(png);
    // Charts are palette PNGs: expanded, the pixels are colours rather than indices.
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a valid PNG header");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("a decodable PNG");
    assert_eq!((frame.width, frame.height), (1600, 1000));
    assert!(pixels.iter().any(|p| *p < 128), "the chart is not blank");
    let svg = fs::read_to_string(dir.join("elapsed_vs_consumers.svg")).expect("svg written");
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "a whole SVG document"
    );
    assert!(svg.contains("width=\"1600\"") && svg.contains("height=\"1000\""));
    let joined = svg.replace('\n', "");
    assert!(
        joined.contains(">consumers</text>") && joined.contains(">model prediction</text>"),
        "axis title and legend as text"
    );
    assert!(
        fs::read_to_string(dir.join("experiment.toml"))
            .expect("copy")
            .contains("name = \"seed\"")
    );
    let leftovers: Vec<_> = fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files are renamed into place: {leftovers:?}"
    );
}

#[test]
fn check_lists_scenarios_predictions_and_the_estimated_time() {
    let output = queuelab()
        .arg("check")
        .arg(seed_file())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(stdout.contains("7 scenarios × 3 repeats"), "{stdout}");
    assert!(
        stdout.contains("consumers=1") && stdout.contains("24.750 s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("estimated run time: 2 min 25 s"),
        "3 × 48.25 s: {stdout}"
    );
    // With 21 jobs every run has a worker: the longest run, 24.75 s, is the estimate.
    let output = queuelab()
        .args(["check", "--jobs", "21"])
        .arg(seed_file())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("estimated run time: 24.8 s with 21 jobs at once"),
        "{stdout}"
    );
    // Zero-time work: the model cannot time it, and check does not pretend to.
    let impls = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/queue_impls.toml");
    let output = queuelab().arg("check").arg(impls).output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("estimated run time: unknown"), "{stdout}");
}

#[test]
fn the_same_seed_gives_the_same_draws_and_predictions() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/exp_service.toml");
    let out = tempfile::tempdir().expect("temp dir");
    let simulate = |dir: &Path| {
        queuelab()
            .args(["simulate", "-q", "--out"])
            .arg(dir)
            .arg(&file)
            .assert()
            .success();
        fs::read_to_string(dir.join("exp_service-model/runs.csv")).expect("runs.csv")
    };
    let first = simulate(&out.path().join("a"));
    let second = simulate(&out.path().join("b"));
    assert_eq!(first, second);
    let runs = read_csv(&out.path().join("a/exp_service-model/runs.csv"));
    assert!(
        runs.iter().all(|r| r["source"] == "model"),
        "rows are marked as model output"
    );
}

#[test]
#[serial(timing)]
fn each_random_run_gets_the_models_prediction_for_its_own_draws() {
    // Exponential produce and work times: runs differ widely from each other, and each is
    // set beside the model fed with the same draws: what `simulate` predicts for them.
    let text = "name = \"random\"\nrepeats = 3\ntime_scale = 0.05\n[scenario]\nproducers = 2\n\
                items_per_producer = 20\nproduce_time = { dist = \"exp\", mean = \"20ms\" }\n\
                consume_time = { dist = \"exp\", mean = \"50ms\" }\nconsumer = \"block\"\n\
                [sweep]\nconsumers = [1, 3]\n";
    let (dir, runs) = run_text("random", text, &[]);
    let predictions: Vec<f64> = runs.iter().map(|r| number(r, "predicted_s")).collect();
    assert!(
        predictions.windows(2).any(|w| w[0] != w[1]),
        "draws differ between runs"
    );
    for run in &runs {
        assert_eq!(run["items"], "40", "{run:?}");
        assert!(number(run, "elapsed_s") > 0.0, "{run:?}");
    }
    queuelab()
        .args(["simulate", "-q", "--out"])
        .arg(dir.path())
        .arg(dir.path().join("random.toml"))
        .assert()
        .success();
    let simulated = read_csv(&dir.path().join("random-model/runs.csv"));
    let predicted = |runs: &[std::collections::HashMap<String, String>]| -> Vec<String> {
        runs.iter().map(|r| r["predicted_s"].clone()).collect()
    };
    assert_eq!(predicted(&runs), predicted(&simulated));
}

#[test]
#[serial(timing)]
fn every_queue_impl_consumes_every_item_once_at_full_speed() {
    // Zero times: the queue alone, as contended as it gets; the runner refuses a run whose
    // checksum of item ids is off, so a lost or doubled item fails the command.
    let text = format!(
        "name = \"impls\"\nrepeats = 1\n[scenario]\nproducers = 3\nconsumers = 2\n\
         items_per_producer = 5000\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\ncapacity = 3\n\
         [sweep]\nqueue_impl = {}\nconsumer = [\"poll\", \"block\"]\n\
         queue = [\"unbounded\", \"bounded\"]\n",
        toml_list(QueueImpl::NAMES)
    );
    let (_dir, runs) = run_text("impls", &text, &[]);
    assert_eq!(runs.len(), QueueImpl::ALL.len() * 4);
    for run in &runs {
        assert_eq!(run["items"], "15000", "{run:?}");
        assert!(number(run, "ns_per_item") > 0.0, "{run:?}");
        match (run["queue_impl"].as_str(), run["queue"].as_str()) {
            ("std", _) => assert_eq!(run["max_depth"], "", "mpsc has no length: {run:?}"),
            (_, "bounded") => assert!(number(run, "max_depth") <= 3.0, "{run:?}"),
            _ => assert!(number(run, "max_depth") >= 1.0, "{run:?}"),
        }
    }
}

#[test]
#[serial(timing)]
fn every_queue_impl_carries_paced_runs_on_the_model_schedule() {
    // Paced runs through each implementation, bounded, unbounded and (where there is one)
    // a rendezvous: the queue changes the cost per item, not the schedule, so the model
    // predicts the same for every implementation and no run beats the floor.
    for (capacity, impls) in [
        ("2", toml_list(QueueImpl::NAMES)),
        ("0", toml_list(&QueueImpl::with_rendezvous())),
    ] {
        let text = format!(
            "name = \"paced\"\nrepeats = 1\ntime_scale = 0.01\n[scenario]\nproducers = 3\n\
             items_per_producer = 10\nproduce_time = \"10ms\"\nconsume_time = \"25ms\"\n\
             capacity = {capacity}\n[sweep]\nqueue_impl = {impls}\nconsumer = [\"poll\", \"block\"]\n\
             queue = [\"bounded\", \"unbounded\"]\nconsumers = [2]\n"
        );
        let (_dir, runs) = run_text("paced", &text, &[]);
        for run in &runs {
            assert_eq!(run["items"], "30", "{run:?}");
            assert!(number(run, "elapsed_s") >= floor_s(run) - 1e-6, "{run:?}");
            let crossbeam = runs
                .iter()
                .find(|r| {
                    r["queue_impl"] == "crossbeam"
                        && r["consumer"] == run["consumer"]
                        && r["queue"] == run["queue"]
                })
                .expect("a crossbeam run of each kind");
            assert_eq!(run["predicted_s"], crossbeam["predicted_s"], "{run:?}");
        }
    }
}

#[test]
#[serial(timing)]
fn items_of_every_size_arrive_whole_and_the_size_is_recorded() {
    // The runner reads back every byte of every payload and fails a run whose bytes or
    // ids are off, so a run that succeeds moved each item whole, exactly once.
    let text = format!(
        "name = \"sizes\"\nrepeats = 1\n[scenario]\nproducers = 2\nconsumers = 2\n\
         items_per_producer = 200\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\ncapacity = 2\n\
         [sweep]\nitem_bytes = [8, 4096, 65536]\nqueue_impl = {}\nqueue = [\"unbounded\", \"bounded\"]\n",
        toml_list(QueueImpl::NAMES)
    );
    let (dir, runs) = run_text("sizes", &text, &[]);
    assert_eq!(runs.len(), 3 * QueueImpl::ALL.len() * 2);
    for run in &runs {
        assert_eq!(run["items"], "400", "{run:?}");
    }
    let sizes: std::collections::BTreeSet<&str> =
        runs.iter().map(|r| r["item_bytes"].as_str()).collect();
    assert_eq!(
        sizes.into_iter().collect::<Vec<_>>(),
        ["4096", "65536", "8"]
    );
    let summary = read_csv(&dir.path().join("sizes/summary.csv"));
    assert_eq!(summary[0]["item_bytes"], "8");
    assert_eq!(summary[summary.len() - 1]["item_bytes"], "65536");
}
