//! The scenario keys and, in one table, everything known of each: its name, what it
//! accepts (type, words, range), its default and its help line. The parser, the JSON
//! Schema, `queuelab new`, error messages and the outputs all read this table.
//!
//! It knows nothing of TOML: turning a TOML value into a setting is `experiment`'s.

use super::duration::DURATION_HELP;
use super::time::distributions_help;
use super::words::{ConsumerStyle, QueueBound, QueueImpl, WorkKind, quoted_list};

/// Producers or consumers beyond this are a typo, not an experiment: each is a thread.
pub const MAX_THREADS_PER_ROLE: u64 = 10_000;
/// Items per producer beyond this would run for days even at zero time.
pub const MAX_ITEMS_PER_PRODUCER: u64 = 1_000_000_000;
/// A bounded queue's slots are allocated up front (about 24 bytes each in crossbeam), so
/// more than this is a typo that would exhaust memory before the first item.
pub const MAX_CAPACITY: u64 = 10_000_000;
/// The bytes a bounded queue may hold, capacity × item_bytes: crossbeam and kanal allocate
/// every slot up front, and an allocation that fails aborts the process rather than
/// failing the run.
pub const MAX_QUEUE_BYTES: u64 = 1 << 30;
/// The sizes an item may have, in bytes: powers of two, since the runner is compiled once
/// for each (an item moves through the queue by value, as a `[u64; N]`).
pub const ITEM_BYTES: &[u64] = &[
    8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
];
/// An item of one `u64`, as crossbeam-channel's benchmarks send.
pub const DEFAULT_ITEM_BYTES: u64 = 8;

/// A key that may appear in `[scenario]` or `[sweep]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScenarioKey {
    Producers,
    Consumers,
    ItemsPerProducer,
    ItemBytes,
    ProduceTime,
    ConsumeTime,
    Consumer,
    Queue,
    Capacity,
    QueueImpl,
    Work,
}

/// What a key's value may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Accepts {
    /// A whole number within `min..=max`.
    Count { min: u64, max: u64 },
    /// A number within `min..=max`.
    Number { min: f64, max: f64 },
    /// A duration, or a distribution table of durations.
    Time,
    /// One of these words.
    Words(&'static [&'static str]),
    /// A seed: any whole number from 0 to 2^64 - 1.
    Seed,
    /// Free text.
    Text,
    /// One line of free text.
    Line,
    /// `true` or `false`.
    Bool,
    /// A list of distinct words from these.
    WordList(&'static [&'static str]),
    /// One of these whole numbers.
    Sizes(&'static [u64]),
}

impl Accepts {
    /// What is allowed, as error messages and help lines say it.
    pub fn allowed(self) -> String {
        match self {
            Accepts::Count { min, max } => format!("an integer from {min} to {max}"),
            Accepts::Number { min, max } => format!("a number from {min} to {max}"),
            Accepts::Time => format!(
                "{DURATION_HELP}, or a distribution {{ dist = ... }}: {}",
                distributions_help()
            ),
            Accepts::Words(words) => quoted_list(words),
            Accepts::Seed => format!("an integer from 0 to {}", u64::MAX),
            Accepts::Text => "a string".to_string(),
            Accepts::Line => "a string of one line".to_string(),
            Accepts::Bool => "true or false".to_string(),
            Accepts::WordList(words) => {
                format!("a list of {}", quoted_list(words).replace(" or ", " and "))
            }
            Accepts::Sizes(sizes) => {
                let sizes: Vec<String> = sizes.iter().map(u64::to_string).collect();
                match sizes.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("one of {} or {last}", rest.join(", "))
                    }
                    _ => sizes.concat(),
                }
            }
        }
    }
}

/// Everything the file format says of one key.
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    pub name: &'static str,
    pub accepts: Accepts,
    /// The default as TOML text; `None` where there is no constant default.
    pub default: Option<&'static str>,
    /// One line saying what the key does (what it accepts is added from `accepts`).
    pub help: &'static str,
}

impl KeySpec {
    /// The help line with what the key accepts.
    pub fn help_line(&self) -> String {
        match self.accepts {
            Accepts::Count { .. } | Accepts::Number { .. } | Accepts::Sizes(_) => {
                format!("{}; {}", self.help, self.accepts.allowed())
            }
            _ => self.help.to_string(),
        }
    }
}

impl KeySpec {
    /// An entry of a key table.
    pub const fn new(
        name: &'static str,
        accepts: Accepts,
        default: Option<&'static str>,
        help: &'static str,
    ) -> KeySpec {
        KeySpec {
            name,
            accepts,
            default,
            help,
        }
    }
}

const fn spec(
    name: &'static str,
    accepts: Accepts,
    default: Option<&'static str>,
    help: &'static str,
) -> KeySpec {
    KeySpec::new(name, accepts, default, help)
}

const fn count(min: u64, max: u64) -> Accepts {
    Accepts::Count { min, max }
}

impl ScenarioKey {
    pub const ALL: [ScenarioKey; 11] = [
        ScenarioKey::Producers,
        ScenarioKey::Consumers,
        ScenarioKey::ItemsPerProducer,
        ScenarioKey::ItemBytes,
        ScenarioKey::ProduceTime,
        ScenarioKey::ConsumeTime,
        ScenarioKey::Consumer,
        ScenarioKey::Queue,
        ScenarioKey::Capacity,
        ScenarioKey::QueueImpl,
        ScenarioKey::Work,
    ];

    /// Every key's name, in the order of `ALL`.
    pub const NAMES: [&'static str; 11] = {
        let mut names = [""; 11];
        let mut i = 0;
        while i < names.len() {
            names[i] = Self::ALL[i].spec().name;
            i += 1;
        }
        names
    };

    /// The key's entry in the file format: the one place each of these facts is written.
    pub const fn spec(self) -> KeySpec {
        use ScenarioKey as K;
        match self {
            K::Producers => spec(
                "producers",
                count(1, MAX_THREADS_PER_ROLE),
                Some("1"),
                "producer threads",
            ),
            K::Consumers => spec(
                "consumers",
                count(1, MAX_THREADS_PER_ROLE),
                Some("1"),
                "consumer threads",
            ),
            K::ItemsPerProducer => spec(
                "items_per_producer",
                count(0, MAX_ITEMS_PER_PRODUCER),
                Some("10"),
                "items each producer puts",
            ),
            K::ItemBytes => spec(
                "item_bytes",
                Accepts::Sizes(ITEM_BYTES),
                Some("8"),
                "bytes each item carries through the queue, written by its producer and \
                 read by its consumer (the model ignores it)",
            ),
            K::ProduceTime => spec(
                "produce_time",
                Accepts::Time,
                Some("\"10ms\""),
                "after each put the producer spends this long: a duration or a distribution",
            ),
            K::ConsumeTime => spec(
                "consume_time",
                Accepts::Time,
                Some("\"10ms\""),
                "a blocking consumer's work per item, or a polling consumer's wait between polls",
            ),
            K::Consumer => spec(
                "consumer",
                Accepts::Words(ConsumerStyle::NAMES),
                Some("\"block\""),
                "\"block\": wait for an item, work, count it; \"poll\": take one if any, then wait",
            ),
            K::Queue => spec(
                "queue",
                Accepts::Words(QueueBound::NAMES),
                Some("\"unbounded\""),
                "\"unbounded\", or \"bounded\" with a capacity (producers block while it is full)",
            ),
            K::Capacity => spec(
                "capacity",
                count(0, MAX_CAPACITY),
                None,
                "items a bounded queue holds; 0 is a hand-to-hand rendezvous",
            ),
            K::QueueImpl => spec(
                "queue_impl",
                Accepts::Words(QueueImpl::NAMES),
                Some("\"crossbeam\""),
                "\"crossbeam\", \"std\" (mpsc, receiver behind a mutex), \"mutex\" (Mutex<VecDeque>, no capacity 0), \"flume\" or \"kanal\"",
            ),
            K::Work => spec(
                "work",
                Accepts::Words(WorkKind::NAMES),
                Some("\"sleep\""),
                "\"sleep\": time passes waiting, like I/O; \"spin\": the thread burns that much CPU",
            ),
        }
    }

    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|key| key.name() == name)
    }

    /// What the key accepts, as told in error messages.
    pub fn allowed(self) -> String {
        self.spec().accepts.allowed()
    }

    /// True for keys whose values are numbers, which a chart can put on its x axis.
    pub fn is_count(self) -> bool {
        matches!(
            self.spec().accepts,
            Accepts::Count { .. } | Accepts::Sizes(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for key in ScenarioKey::ALL {
            assert_eq!(ScenarioKey::from_name(key.name()), Some(key));
        }
    }

    #[test]
    fn count_help_lines_carry_their_range() {
        let line = ScenarioKey::Producers.spec().help_line();
        assert_eq!(line, "producer threads; an integer from 1 to 10000");
        assert!(
            ScenarioKey::Capacity
                .spec()
                .help_line()
                .ends_with("0 to 10000000")
        );
    }

    #[test]
    fn item_sizes_are_the_powers_of_two_from_8_bytes_to_64_kib_and_say_so() {
        let expected: Vec<u64> = (3..=16).map(|k| 1 << k).collect();
        assert_eq!(ITEM_BYTES, expected);
        let spec = ScenarioKey::ItemBytes.spec();
        assert_eq!(spec.default, Some(DEFAULT_ITEM_BYTES.to_string().as_str()));
        assert!(
            spec.help_line().ends_with(
                "one of 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768 or 65536"
            ),
            "{}",
            spec.help_line()
        );
        assert!(ScenarioKey::ItemBytes.is_count());
    }
}
