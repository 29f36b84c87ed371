//! The JSON Schema of the experiment file, for editors (Taplo, Even Better TOML) to
//! complete and check keys as a person types. Built from the same key tables the parser
//! uses (`settings`, `scenario::key`, `format`) and the same duration grammar, so it
//! cannot accept what the parser refuses, nor the other way round.

use serde_json::{Map, Value, json};

use super::format::{self, PlotKey, ReportKey};
use super::sweep::{EXCLUDE, GROUP_NAME_PATTERN, TOGETHER};
use crate::scenario::duration::{DURATION_HELP, duration_pattern};
use crate::scenario::{Accepts, Dist, KeySpec, ScenarioKey};
use crate::settings::{MAX_NAME_CHARS, MODEL_SUFFIX, Setting};

/// The schema as pretty-printed JSON text, with a final newline.
pub fn schema_text() -> String {
    let text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    format!("{text}\n")
}

pub fn schema() -> Value {
    let mut top = Map::new();
    for setting in Setting::ALL {
        let spec = setting.spec();
        let value = match setting {
            Setting::Name => {
                let rest = MAX_NAME_CHARS - 1;
                let pattern =
                    format!("^(?!.*{MODEL_SUFFIX}$)[A-Za-z0-9_][A-Za-z0-9._-]{{0,{rest}}}$");
                json!({ "type": "string", "pattern": pattern })
            }
            _ => value_schema(spec.accepts),
        };
        top.insert(spec.name.into(), described(value, &spec));
    }
    top.insert(
        "scenario".into(),
        table(
            "values shared by every scenario",
            scenario_properties(false),
        ),
    );
    let mut sweep = scenario_properties(true);
    sweep.insert(TOGETHER.into(), together());
    sweep.insert(EXCLUDE.into(), exclude());
    top.insert(
        "sweep".into(),
        table(
            "lists of values, and groups of keys that vary together; every combination is one scenario",
            sweep,
        ),
    );
    let mut plot = Map::new();
    for key in PlotKey::ALL {
        let spec = key.spec();
        let value = match key {
            PlotKey::X => key_or_group(axis_keys()),
            PlotKey::Facet => key_or_group(ScenarioKey::NAMES.to_vec()),
            _ => value_schema(spec.accepts),
        };
        plot.insert(spec.name.into(), described(value, &spec));
    }
    top.insert("plot".into(), table("how the charts are drawn", plot));
    let mut report = Map::new();
    for key in ReportKey::ALL {
        let spec = key.spec();
        report.insert(
            spec.name.into(),
            described(value_schema(spec.accepts), &spec),
        );
    }
    top.insert("report".into(), table("what the report adds", report));
    debug_assert_eq!(top.len(), format::top_names().len());
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "queuelab experiment",
        "description": "A sweep of producer-consumer scenarios that queuelab runs with real threads and models in virtual time.",
        "type": "object",
        "additionalProperties": false,
        "properties": top,
        "definitions": { "duration": duration(), "time": time() },
    })
}

/// The keys a chart can put on its x axis: counts and times (lines), words (bars).
fn axis_keys() -> Vec<&'static str> {
    ScenarioKey::ALL
        .iter()
        .filter(|k| {
            matches!(
                k.spec().accepts,
                Accepts::Count { .. } | Accepts::Sizes(_) | Accepts::Time | Accepts::Words(_)
            )
        })
        .map(|k| k.name())
        .collect()
}

/// A scenario key of `keys`, or the name of a group.
fn key_or_group(keys: Vec<&'static str>) -> Value {
    json!({
        "type": "string",
        "anyOf": [
            { "enum": keys },
            { "pattern": GROUP_NAME_PATTERN, "not": { "enum": ScenarioKey::NAMES } },
        ],
    })
}

/// `together.NAME = [{ key = value, ... }, ...]`: named groups, each a list of points
/// whose values are those of `[scenario]`.
fn together() -> Value {
    let point = json!({
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "properties": scenario_properties(false),
    });
    json!({
        "description": "groups of keys that vary together, each crossed with the other swept keys at its place: together.NAME = [{ producers = 1, consumers = 1 }, { producers = 4, consumers = 1 }]; every point sets the same keys (a point with queue = \"unbounded\" leaves out capacity)",
        "type": "object",
        "minProperties": 1,
        "propertyNames": { "pattern": GROUP_NAME_PATTERN, "not": { "enum": ScenarioKey::NAMES } },
        "additionalProperties": {
            "description": "a group: its points, each a table of the keys that vary together",
            "type": "array",
            "minItems": 1,
            "uniqueItems": true,
            "items": point,
        },
    })
}

/// `exclude = [{ key = value, ... }, ...]`: combinations of swept values left out.
fn exclude() -> Value {
    let entry = json!({
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "properties": scenario_properties(false),
    });
    json!({
        "description": "combinations of swept values to leave out: exclude = [{ queue_impl = \"mutex\", capacity = 0 }] makes no scenario that has all of an entry's values; each entry names swept keys and leaves out at least one scenario that no entry before it leaves out",
        "type": "array",
        "minItems": 1,
        "uniqueItems": true,
        "items": entry,
    })
}

fn table(description: &str, properties: Map<String, Value>) -> Value {
    json!({ "description": description, "type": "object", "additionalProperties": false, "properties": properties })
}

/// Adds the key's help and default to its value schema.
fn described(mut value: Value, spec: &KeySpec) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert("description".into(), spec.help_line().into());
        if let Some(default) = spec
            .default
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
        {
            map.insert("default".into(), default);
        }
    }
    value
}

/// What one value may be, from the key table's `Accepts`.
fn value_schema(accepts: Accepts) -> Value {
    match accepts {
        Accepts::Count { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Accepts::Number { min, max } => {
            json!({ "type": "number", "minimum": min, "maximum": max })
        }
        Accepts::Time => json!({ "$ref": "#/definitions/time" }),
        Accepts::Words(words) => json!({ "type": "string", "enum": words }),
        Accepts::Seed => json!({ "type": "integer", "minimum": 0 }),
        Accepts::Text => json!({ "type": "string" }),
        Accepts::Line => json!({ "type": "string", "pattern": "^[^\\n\\r]*$" }),
        Accepts::Bool => json!({ "type": "boolean" }),
        Accepts::WordList(words) => {
            json!({ "type": "array", "uniqueItems": true, "items": { "enum": words } })
        }
        Accepts::Sizes(sizes) => json!({ "type": "integer", "enum": sizes }),
    }
}

fn scenario_properties(swept: bool) -> Map<String, Value> {
    let mut properties = Map::new();
    for key in ScenarioKey::ALL {
        let spec = key.spec();
        let one = value_schema(spec.accepts);
        let value = if swept {
            json!({ "type": "array", "minItems": 1, "uniqueItems": true, "items": one, "description": format!("values of `{}`: {}", spec.name, spec.help_line()) })
        } else {
            described(one, &spec)
        };
        properties.insert(spec.name.into(), value);
    }
    properties
}

fn duration() -> Value {
    json!({ "type": "string", "pattern": duration_pattern(), "description": DURATION_HELP })
}

fn time() -> Value {
    let d = json!({ "$ref": "#/definitions/duration" });
    let mut choices = vec![d.clone()];
    for dist in Dist::ALL {
        let mut properties = Map::new();
        properties.insert("dist".into(), json!({ "const": dist.name() }));
        for field in dist.fields() {
            properties.insert((*field).into(), d.clone());
        }
        let mut required = vec!["dist"];
        required.extend(dist.fields());
        choices.push(json!({ "type": "object", "additionalProperties": false, "required": required, "properties": properties }));
    }
    json!({
        "description": "a duration such as \"250ms\", or a distribution table",
        "oneOf": choices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::duration::parse_duration;
    use crate::settings::NAME_RULE;
    use proptest::prelude::*;

    /// The schema's duration pattern, compiled as an editor would use it.
    fn pattern() -> regex::Regex {
        let schema = schema();
        let text = schema["definitions"]["duration"]["pattern"]
            .as_str()
            .expect("a pattern");
        regex::Regex::new(text).expect("the pattern compiles")
    }

    fn agree(pattern: &regex::Regex, text: &str) -> bool {
        pattern.is_match(text) == parse_duration(text).is_ok()
    }

    #[test]
    fn the_schema_and_the_parser_agree_on_every_duration() {
        let pattern = pattern();
        let corpus = [
            "250ms",
            "1.5s",
            "0ms",
            "0.2s",
            ".5ms",
            "17ns",
            "200us",
            "200µs",
            "200μs",
            "2min",
            "60min",
            "60.0min",
            "3600s",
            "3600.000s",
            "3600000ms",
            "0003600s",
            "3599.999s",
            "3600000000000ns",
            "1.s",
            "5 ms",
            " 5ms",
            "5ms ",
            "5m",
            "1e2ms",
            "90min",
            "61min",
            "3601s",
            "3600.0001s",
            "3600.0000000001s",
            "-1s",
            "+1s",
            "1..2s",
            "1.2.3s",
            ".s",
            "ms",
            "250",
            "",
            "1_000ms",
            "5MS",
            "5Ms",
            "5sec",
            "1h",
            "0x10ms",
            "٣ms",
            "5ns\n",
        ];
        for text in corpus {
            assert!(
                agree(&pattern, text),
                "{text:?}: schema {}, parser {:?}",
                pattern.is_match(text),
                parse_duration(text)
            );
        }
        assert!(pattern.is_match("60min") && !pattern.is_match("90min"));
    }

    #[test]
    fn the_schema_and_the_parser_agree_on_experiment_names() {
        let schema = schema();
        let text = schema["properties"]["name"]["pattern"]
            .as_str()
            .expect("pattern");
        // The schema's look-ahead is ECMAScript's; the `regex` crate has none, so it is
        // applied by hand beside the rest of the pattern.
        let rest = text.replace(&format!("(?!.*{MODEL_SUFFIX}$)"), "");
        let pattern = regex::Regex::new(&rest).expect("the pattern compiles");
        let most = "n".repeat(MAX_NAME_CHARS);
        let too_long = "n".repeat(MAX_NAME_CHARS + 1);
        for name in [
            "seed",
            "a.b",
            "a-b",
            "_x",
            "T2",
            &most,
            &too_long,
            "",
            ".hidden",
            "-dash",
            "a b",
            "ü",
            "a/b",
            "seed-model",
            "seed-models",
            "x.toml",
        ] {
            let by_schema = pattern.is_match(name) && !name.ends_with(MODEL_SUFFIX);
            let source = format!("name = \"{name}\"\n");
            let by_parser =
                crate::experiment::parse(std::path::Path::new("x.toml"), &source).is_ok();
            assert_eq!(by_schema, by_parser, "{name:?}");
        }
        // The help `new` writes and the schema's description say the whole rule.
        let help = Setting::Name.spec().help;
        assert!(help.contains(NAME_RULE), "{help}");
        assert!(NAME_RULE.contains(&MAX_NAME_CHARS.to_string()));
    }

    #[test]
    fn the_schema_and_the_parser_agree_on_group_names() {
        let schema = schema();
        let names = &schema["properties"]["sweep"]["properties"]["together"]["propertyNames"];
        let pattern = regex::Regex::new(names["pattern"].as_str().expect("pattern"))
            .expect("the pattern compiles");
        let keys = names["not"]["enum"].as_array().expect("keys");
        let long = "n".repeat(100);
        let too_long = "n".repeat(101);
        for name in [
            "topology",
            "spsc-1",
            "a_b",
            "T2",
            &long,
            &too_long,
            "",
            "a b",
            "a.b",
            "ü",
            "consumers",
            "queue_impl",
            "a/b",
        ] {
            let by_schema =
                pattern.is_match(name) && !keys.iter().any(|k| k.as_str() == Some(name));
            let source =
                format!("[sweep]\ntogether.\"{name}\" = [{{ producers = 1, consumers = 1 }}]\n");
            let by_parser =
                crate::experiment::parse(std::path::Path::new("x.toml"), &source).is_ok();
            assert_eq!(by_schema, by_parser, "{name:?}");
        }
    }

    proptest! {
        #[test]
        fn they_agree_on_strings_made_of_duration_parts(
            text in "[0-9. ]{0,14}(ns|us|µs|ms|s|min|m|h|)"
        ) {
            prop_assert!(agree(&pattern(), &text), "{:?}", text);
        }
    }
}
