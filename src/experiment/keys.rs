//! Turning one TOML value into a typed value of a scenario key, following the key table
//! of `scenario::key`. Used for `[scenario]` and for each `[sweep]` entry.

use std::ops::Range;
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use crate::scenario::duration::parse_duration;
use crate::scenario::{
    Accepts, ConsumerStyle, Dist, QueueBound, QueueImpl, ScenarioKey, TimeSpec, WorkKind,
    distributions_help,
};

/// A typed value of one scenario key.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyValue {
    Count(u64),
    Time(TimeSpec),
    Consumer(ConsumerStyle),
    /// The capacity is its own key.
    Queue(QueueBound),
    QueueImpl(QueueImpl),
    Work(WorkKind),
}

impl KeyValue {
    /// The value as it appears in scenario labels and CSV cells.
    pub fn text(&self) -> String {
        match self {
            KeyValue::Count(n) => n.to_string(),
            KeyValue::Time(t) => t.label(),
            KeyValue::Consumer(c) => c.name().to_string(),
            KeyValue::Queue(q) => q.name().to_string(),
            KeyValue::QueueImpl(q) => q.name().to_string(),
            KeyValue::Work(w) => w.name().to_string(),
        }
    }
}

/// What is wrong with a value, and, inside a distribution table, which part.
#[derive(Debug)]
pub struct KeyError {
    pub message: String,
    pub span: Option<Range<usize>>,
}

impl KeyError {
    fn whole(message: String) -> Self {
        KeyError {
            message,
            span: None,
        }
    }

    fn at(span: Range<usize>, message: String) -> Self {
        KeyError {
            message,
            span: Some(span),
        }
    }
}

/// Reads one TOML value for `key`. The error says what is wrong and what is allowed;
/// the caller adds where. A distribution's own errors come with the span of the field.
pub fn parse_value(key: ScenarioKey, value: &DeValue) -> Result<KeyValue, KeyError> {
    let result = match key.spec().accepts {
        Accepts::Count { min, max } => count(value, min, max)
            .map(KeyValue::Count)
            .map_err(KeyError::whole),
        Accepts::Sizes(sizes) => size(value, sizes)
            .map(KeyValue::Count)
            .map_err(KeyError::whole),
        // A duration's or a distribution's error already says what is allowed there.
        Accepts::Time if matches!(value, DeValue::String(_) | DeValue::Table(_)) => {
            return time(value).map(KeyValue::Time);
        }
        Accepts::Time => time(value).map(KeyValue::Time),
        _ => word(key, value).map_err(KeyError::whole),
    };
    result.map_err(|mut e| {
        e.message = format!("{}; allowed: {}", e.message, key.allowed());
        e
    })
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

/// An integer as TOML writes it, in any radix, with `_` between digits; `None` beyond
/// an `i128`.
pub fn integer(int: &toml::de::DeInteger) -> Option<i128> {
    let digits = int.as_str().replace('_', "");
    i128::from_str_radix(&digits, int.radix()).ok()
}

/// An integer within `min..=max`, whatever radix it was written in.
pub fn count(value: &DeValue, min: u64, max: u64) -> Result<u64, String> {
    let DeValue::Integer(int) = value else {
        return Err(format!("expected an integer, found {}", type_name(value)));
    };
    match integer(int) {
        Some(n) if n >= i128::from(min) && n <= i128::from(max) => Ok(n as u64),
        Some(n) => Err(format!("{n} is out of range")),
        None => Err(format!("{} is too large", int.as_str())),
    }
}

/// One of `sizes`, whatever radix it was written in.
fn size(value: &DeValue, sizes: &[u64]) -> Result<u64, String> {
    let n = count(value, 0, u64::MAX)?;
    if sizes.contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} bytes is not an item size"))
    }
}

/// A word of one of the word keys, as the key's own enum.
fn word(key: ScenarioKey, value: &DeValue) -> Result<KeyValue, String> {
    let DeValue::String(text) = value else {
        return Err(format!("expected a string, found {}", type_name(value)));
    };
    let text: &str = text;
    let typed = match key {
        ScenarioKey::Consumer => ConsumerStyle::from_name(text).map(KeyValue::Consumer),
        ScenarioKey::Queue => QueueBound::from_name(text).map(KeyValue::Queue),
        ScenarioKey::QueueImpl => QueueImpl::from_name(text).map(KeyValue::QueueImpl),
        ScenarioKey::Work => WorkKind::from_name(text).map(KeyValue::Work),
        _ => None,
    };
    typed.ok_or_else(|| format!("`{text}` is not known"))
}

fn time(value: &DeValue) -> Result<TimeSpec, KeyError> {
    match value {
        DeValue::String(text) => parse_duration(text)
            .map(TimeSpec::Fixed)
            .map_err(KeyError::whole),
        DeValue::Table(table) => distribution(table),
        other => Err(KeyError::whole(format!(
            "expected a duration string or a table, found {}",
            type_name(other)
        ))),
    }
}

/// `{ dist = "exp", mean = "250ms" }` and its kin; every field checked, none ignored.
fn distribution(table: &DeTable) -> Result<TimeSpec, KeyError> {
    let field = |name: &str| table.iter().find(|(k, _)| k.get_ref().as_ref() == name);
    let Some((_, dist)) = field("dist") else {
        return Err(KeyError::whole("a distribution needs `dist`".into()));
    };
    let Some(kind) = dist.get_ref().as_str().and_then(Dist::from_name) else {
        let found = match dist.get_ref() {
            DeValue::String(name) => format!("`{name}`"),
            other => type_name(other).to_string(),
        };
        let message = format!(
            "`dist`: {found} is not a known distribution; allowed: {}",
            distributions_help()
        );
        return Err(KeyError::at(dist.span(), message));
    };
    let fields = kind.fields();
    for (key, _) in table.iter() {
        let name = key.get_ref().as_ref();
        if name != "dist" && !fields.contains(&name) {
            let message = format!(
                "unknown field `{name}`: this distribution takes {}",
                fields.join(", ")
            );
            return Err(KeyError::at(key.span(), message));
        }
    }
    let duration = |name: &str| -> Result<Duration, KeyError> {
        let Some((_, value)) = field(name) else {
            return Err(KeyError::whole(format!("this distribution needs `{name}`")));
        };
        let parsed = match value.get_ref() {
            DeValue::String(text) => parse_duration(text),
            other => Err(format!(
                "expected a duration string, found {}",
                type_name(other)
            )),
        };
        parsed.map_err(|message| KeyError::at(value.span(), format!("`{name}`: {message}")))
    };
    let values = fields
        .iter()
        .map(|name| duration(name))
        .collect::<Result<Vec<Duration>, KeyError>>()?;
    kind.build(&values).map_err(|(name, message)| {
        let span = field(name).map(|(_, v)| v.span());
        KeyError { message, span }
    })
}
