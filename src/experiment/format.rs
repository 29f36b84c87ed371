//! The experiment file format as data: every key, its default and what it means. The
//! parser checks key names against it and takes its defaults from it, `new` writes the
//! starter file from it, and `schema` renders it as JSON Schema: one description, three
//! uses, so they cannot drift apart.

use super::keys::ScenarioKey;

/// One key of the file: its name, its default as TOML text (none where the default is
/// not a constant) and a line saying what it does and accepts.
#[derive(Clone, Copy, Debug)]
pub struct KeyDoc {
    pub name: &'static str,
    pub default: Option<&'static str>,
    pub help: &'static str,
}

const fn key(name: &'static str, default: Option<&'static str>, help: &'static str) -> KeyDoc {
    KeyDoc {
        name,
        default,
        help,
    }
}

/// The top-level keys that hold values; `[scenario]`, `[sweep]` and `[plot]` are tables.
pub const TOP: [KeyDoc; 8] = [
    key(
        "name",
        None,
        "results go to OUT/NAME/; letters, digits, - _ . (default: the file name)",
    ),
    key(
        "description",
        Some("\"\""),
        "one line saying what the experiment asks",
    ),
    key("repeats", Some("3"), "runs of every scenario, 1 to 10000"),
    key(
        "time_scale",
        Some("1.0"),
        "every duration is multiplied by it, above 0 and at most 1000",
    ),
    key(
        "seed",
        Some("42"),
        "seed of every random draw: the same file and seed give the same draws",
    ),
    key(
        "warmup",
        Some("0"),
        "runs of every scenario made first and not counted, 0 to 100",
    ),
    key(
        "order",
        Some("\"grouped\""),
        "\"grouped\" (scenario by scenario), \"interleaved\" (repeat by repeat) or \"random\" (seeded)",
    ),
    key(
        "jobs",
        Some("1"),
        "runs made at once, 1 to 256; runs that spin CPU skew each other beyond the cores",
    ),
];

pub const TABLES: [&str; 3] = ["scenario", "sweep", "plot"];

pub const PLOT: [KeyDoc; 4] = [
    key(
        "x",
        Some("\"consumers\""),
        "x axis: a swept key with numbers or fixed durations",
    ),
    key("log_x", Some("false"), "logarithmic x axis"),
    key("log_y", Some("false"), "logarithmic y axis"),
    key(
        "formats",
        Some("[\"png\", \"svg\"]"),
        "chart files to write: \"png\", \"svg\"",
    ),
];

impl ScenarioKey {
    /// The key's entry in the file format.
    pub fn doc(self) -> KeyDoc {
        let (default, help) = match self {
            ScenarioKey::Producers => (Some("1"), "producer threads, 1 to 10000"),
            ScenarioKey::Consumers => (Some("1"), "consumer threads, 1 to 10000"),
            ScenarioKey::ItemsPerProducer => (Some("10"), "items each producer puts, 0 to 1e9"),
            ScenarioKey::ProduceTime => (
                Some("\"10ms\""),
                "after each put the producer spends this long: a duration or a distribution",
            ),
            ScenarioKey::ConsumeTime => (
                Some("\"10ms\""),
                "a blocking consumer's work per item, or a polling consumer's wait between polls",
            ),
            ScenarioKey::Consumer => (
                Some("\"block\""),
                "\"block\": wait for an item, work, count it; \"poll\": take one if any, then wait",
            ),
            ScenarioKey::Queue => (
                Some("\"unbounded\""),
                "\"unbounded\", or \"bounded\" with a capacity (producers block while it is full)",
            ),
            ScenarioKey::Capacity => (
                None,
                "items a bounded queue holds; 0 is a hand-to-hand rendezvous",
            ),
            ScenarioKey::QueueImpl => (
                Some("\"crossbeam\""),
                "\"crossbeam\", \"std\" (mpsc, receiver behind a mutex) or \"mutex\" (Mutex<VecDeque>, no capacity 0)",
            ),
            ScenarioKey::Work => (
                Some("\"sleep\""),
                "\"sleep\": time passes waiting, like I/O; \"spin\": the thread burns that much CPU",
            ),
        };
        key(self.name(), default, help)
    }
}

pub fn top_names() -> Vec<&'static str> {
    TOP.iter().map(|k| k.name).chain(TABLES).collect()
}

pub fn plot_names() -> Vec<&'static str> {
    PLOT.iter().map(|k| k.name).collect()
}

/// The starter experiment `new` writes: every key with its default and a comment, and a
/// small sweep, ready to run.
pub fn starter(name: &str) -> String {
    let mut text = String::from("#:schema ./experiment.schema.json\n");
    text.push_str(
        "# Question: what does this experiment ask? Say it here, in a sentence or two.\n",
    );
    for doc in &TOP {
        let value = match doc.name {
            "name" => format!("\"{name}\""),
            _ => doc.default.unwrap_or("\"\"").to_string(),
        };
        text.push_str(&line(doc.name, &value, doc.help));
    }
    text.push_str("\n[scenario]                     # values shared by every scenario\n");
    for key in ScenarioKey::ALL {
        let doc = key.doc();
        match doc.default {
            Some(value) => text.push_str(&line(doc.name, value, doc.help)),
            None => text.push_str(&format!(
                "# {:<28} # {}\n",
                format!("{} = 4", doc.name),
                doc.help
            )),
        }
    }
    text.push_str("# Durations: \"250ms\", \"1.5s\", \"200us\". Distributions: { dist = \"exp\", mean = \"250ms\" },\n");
    text.push_str("# { dist = \"uniform\", low = \"100ms\", high = \"400ms\" }, { dist = \"normal\", mean = \"250ms\", sd = \"50ms\" }\n");
    text.push_str(
        "\n[sweep]                        # lists of values; every combination is one scenario\n",
    );
    text.push_str(&line(
        "consumers",
        "[1, 2, 4]",
        "any [scenario] key may be swept",
    ));
    text.push_str("\n[plot]\n");
    for doc in &PLOT {
        text.push_str(&line(doc.name, doc.default.unwrap_or("\"\""), doc.help));
    }
    text
}

fn line(name: &str, value: &str, help: &str) -> String {
    format!("{:<30} # {help}\n", format!("{name} = {value}"))
}
