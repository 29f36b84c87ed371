//! The scenario keys of the experiment file: their names, what each accepts, and turning
//! one TOML value into a typed setting. Used for `[scenario]` and for each `[sweep]` entry.

use std::time::Duration;

use toml::de::{DeTable, DeValue};

use super::distribution::{DISTRIBUTIONS, TimeSpec};
use super::duration::{DURATION_HELP, parse_duration};
use crate::scenario::{ConsumerStyle, QueueImpl, WorkKind};

/// Producers or consumers beyond this are a typo, not an experiment: each is a thread.
pub const MAX_THREADS_PER_ROLE: u64 = 10_000;
/// Items per producer beyond this would run for days even at zero time.
pub const MAX_ITEMS_PER_PRODUCER: u64 = 1_000_000_000;

/// The words a key of words accepts, in the order `parse` reads their index.
const CONSUMER_WORDS: &[&str] = &["poll", "block"];
const QUEUE_WORDS: &[&str] = &["unbounded", "bounded"];
const QUEUE_IMPL_WORDS: &[&str] = &["crossbeam", "std", "mutex"];
const WORK_WORDS: &[&str] = &["sleep", "spin"];

/// A key that may appear in `[scenario]` or `[sweep]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScenarioKey {
    Producers,
    Consumers,
    ItemsPerProducer,
    ProduceTime,
    ConsumeTime,
    Consumer,
    Queue,
    Capacity,
    QueueImpl,
    Work,
}

/// A typed value of one scenario key.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    Count(u64),
    Time(TimeSpec),
    Consumer(ConsumerStyle),
    /// `true` for `"bounded"`; the capacity is its own key.
    Bounded(bool),
    QueueImpl(QueueImpl),
    Work(WorkKind),
}

impl ScenarioKey {
    pub const ALL: [ScenarioKey; 10] = [
        ScenarioKey::Producers,
        ScenarioKey::Consumers,
        ScenarioKey::ItemsPerProducer,
        ScenarioKey::ProduceTime,
        ScenarioKey::ConsumeTime,
        ScenarioKey::Consumer,
        ScenarioKey::Queue,
        ScenarioKey::Capacity,
        ScenarioKey::QueueImpl,
        ScenarioKey::Work,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ScenarioKey::Producers => "producers",
            ScenarioKey::Consumers => "consumers",
            ScenarioKey::ItemsPerProducer => "items_per_producer",
            ScenarioKey::ProduceTime => "produce_time",
            ScenarioKey::ConsumeTime => "consume_time",
            ScenarioKey::Consumer => "consumer",
            ScenarioKey::Queue => "queue",
            ScenarioKey::Capacity => "capacity",
            ScenarioKey::QueueImpl => "queue_impl",
            ScenarioKey::Work => "work",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|key| key.name() == name)
    }

    /// What the key accepts, as told in error messages.
    pub fn allowed(self) -> String {
        match self {
            ScenarioKey::Producers | ScenarioKey::Consumers => {
                format!("an integer from 1 to {MAX_THREADS_PER_ROLE}")
            }
            ScenarioKey::ItemsPerProducer => {
                format!("an integer from 0 to {MAX_ITEMS_PER_PRODUCER}")
            }
            ScenarioKey::Capacity => "an integer from 0 (a rendezvous) up".to_string(),
            ScenarioKey::ProduceTime | ScenarioKey::ConsumeTime => {
                format!("{DURATION_HELP}, or a distribution {{ dist = ... }}: {DISTRIBUTIONS}")
            }
            ScenarioKey::Consumer => "\"poll\" or \"block\"".to_string(),
            ScenarioKey::Queue => "\"unbounded\" or \"bounded\"".to_string(),
            ScenarioKey::QueueImpl => "\"crossbeam\", \"std\" or \"mutex\"".to_string(),
            ScenarioKey::Work => "\"sleep\" or \"spin\"".to_string(),
        }
    }

    /// The words the key accepts, for keys whose values are words.
    pub fn words(self) -> Option<&'static [&'static str]> {
        match self {
            ScenarioKey::Consumer => Some(CONSUMER_WORDS),
            ScenarioKey::Queue => Some(QUEUE_WORDS),
            ScenarioKey::QueueImpl => Some(QUEUE_IMPL_WORDS),
            ScenarioKey::Work => Some(WORK_WORDS),
            _ => None,
        }
    }

    /// The smallest and largest value of a count key.
    pub fn range(self) -> Option<(u64, u64)> {
        match self {
            ScenarioKey::Producers | ScenarioKey::Consumers => Some((1, MAX_THREADS_PER_ROLE)),
            ScenarioKey::ItemsPerProducer => Some((0, MAX_ITEMS_PER_PRODUCER)),
            ScenarioKey::Capacity => Some((0, i64::MAX as u64)),
            _ => None,
        }
    }

    /// True for keys whose values are numbers, which a chart can put on its x axis.
    pub fn is_count(self) -> bool {
        matches!(
            self,
            ScenarioKey::Producers
                | ScenarioKey::Consumers
                | ScenarioKey::ItemsPerProducer
                | ScenarioKey::Capacity
        )
    }

    /// Reads one TOML value for this key. The error says what is wrong; the caller adds
    /// where. A distribution's own errors come with the span of the field at fault.
    pub fn parse(self, value: &DeValue) -> Result<Setting, KeyError> {
        let whole = |message: String| KeyError {
            message,
            span: None,
        };
        match self {
            ScenarioKey::Producers | ScenarioKey::Consumers => {
                count(value, 1, MAX_THREADS_PER_ROLE)
                    .map(Setting::Count)
                    .map_err(whole)
            }
            ScenarioKey::ItemsPerProducer => count(value, 0, MAX_ITEMS_PER_PRODUCER)
                .map(Setting::Count)
                .map_err(whole),
            ScenarioKey::Capacity => count(value, 0, u64::MAX).map(Setting::Count).map_err(whole),
            ScenarioKey::ProduceTime | ScenarioKey::ConsumeTime => time(value).map(Setting::Time),
            ScenarioKey::Consumer => word(value, CONSUMER_WORDS)
                .map(|w| {
                    Setting::Consumer(if w == 0 {
                        ConsumerStyle::Poll
                    } else {
                        ConsumerStyle::Block
                    })
                })
                .map_err(whole),
            ScenarioKey::Queue => word(value, QUEUE_WORDS)
                .map(|w| Setting::Bounded(w == 1))
                .map_err(whole),
            ScenarioKey::QueueImpl => word(value, QUEUE_IMPL_WORDS)
                .map(|w| Setting::QueueImpl(QueueImpl::ALL[w]))
                .map_err(whole),
            ScenarioKey::Work => word(value, WORK_WORDS)
                .map(|w| {
                    Setting::Work(if w == 0 {
                        WorkKind::Sleep
                    } else {
                        WorkKind::Spin
                    })
                })
                .map_err(whole),
        }
        .map_err(|mut e: KeyError| {
            e.message = format!("{}; allowed: {}", e.message, self.allowed());
            e
        })
    }
}

/// What is wrong with a value, and, inside a distribution table, which part.
#[derive(Debug)]
pub struct KeyError {
    pub message: String,
    pub span: Option<std::ops::Range<usize>>,
}

/// The name of a TOML value's type as a person reads it.
pub fn type_name(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// An integer within `min..=max`, whatever radix it was written in.
pub fn count(value: &DeValue, min: u64, max: u64) -> Result<u64, String> {
    let DeValue::Integer(int) = value else {
        return Err(format!("expected an integer, found {}", type_name(value)));
    };
    let digits = int.as_str().replace('_', "");
    let parsed = i128::from_str_radix(&digits, int.radix());
    match parsed {
        Ok(n) if n >= i128::from(min) && n <= i128::from(max) => Ok(n as u64),
        Ok(n) => Err(format!("{n} is out of range")),
        Err(_) => Err(format!("{} is too large", int.as_str())),
    }
}

fn word(value: &DeValue, words: &[&str]) -> Result<usize, String> {
    let DeValue::String(text) = value else {
        return Err(format!("expected a string, found {}", type_name(value)));
    };
    words
        .iter()
        .position(|w| *w == text.as_ref())
        .ok_or_else(|| format!("`{text}` is not known"))
}

fn time(value: &DeValue) -> Result<TimeSpec, KeyError> {
    match value {
        DeValue::String(text) => parse_duration(text)
            .map(TimeSpec::Fixed)
            .map_err(|message| KeyError {
                message,
                span: None,
            }),
        DeValue::Table(table) => distribution(table),
        other => Err(KeyError {
            message: format!(
                "expected a duration string or a table, found {}",
                type_name(other)
            ),
            span: None,
        }),
    }
}

/// `{ dist = "exp", mean = "250ms" }` and its kin; every field checked, none ignored.
fn distribution(table: &DeTable) -> Result<TimeSpec, KeyError> {
    let field = |name: &str| table.iter().find(|(k, _)| k.get_ref().as_ref() == name);
    let Some((_, dist)) = field("dist") else {
        return Err(KeyError {
            message: "a distribution needs `dist`".into(),
            span: None,
        });
    };
    let fields: &[&str] = match dist.get_ref().as_str() {
        Some("exp") => &["mean"],
        Some("uniform") => &["low", "high"],
        Some("normal") => &["mean", "sd"],
        _ => {
            return Err(KeyError {
                message: "`dist` is not a known distribution".into(),
                span: Some(dist.span()),
            });
        }
    };
    for (key, _) in table.iter() {
        let name = key.get_ref().as_ref();
        if name != "dist" && !fields.contains(&name) {
            let message = format!(
                "unknown field `{name}`: this distribution takes {}",
                fields.join(", ")
            );
            return Err(KeyError {
                message,
                span: Some(key.span()),
            });
        }
    }
    let duration = |name: &str| -> Result<Duration, KeyError> {
        let Some((_, value)) = field(name) else {
            let message = format!("this distribution needs `{name}`");
            return Err(KeyError {
                message,
                span: None,
            });
        };
        let parsed = match value.get_ref() {
            DeValue::String(text) => parse_duration(text),
            other => Err(format!(
                "expected a duration string, found {}",
                type_name(other)
            )),
        };
        parsed.map_err(|message| KeyError {
            message: format!("`{name}`: {message}"),
            span: Some(value.span()),
        })
    };
    match dist.get_ref().as_str() {
        Some("exp") => Ok(TimeSpec::Exp {
            mean: duration("mean")?,
        }),
        Some("normal") => Ok(TimeSpec::Normal {
            mean: duration("mean")?,
            sd: duration("sd")?,
        }),
        _ => {
            let (low, high) = (duration("low")?, duration("high")?);
            if low > high {
                let span = field("low").map(|(_, v)| v.span());
                return Err(KeyError {
                    message: "`low` is above `high`".into(),
                    span,
                });
            }
            Ok(TimeSpec::Uniform { low, high })
        }
    }
}
