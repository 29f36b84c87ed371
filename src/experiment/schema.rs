//! The JSON Schema of the experiment file, for editors (Taplo, Even Better TOML) to
//! complete and check keys as a person types. Built from the same key table the parser
//! uses (`format` and `ScenarioKey`), so it cannot list a key the parser refuses.

use serde_json::{Map, Value, json};

use super::RunOrder;
use super::duration::DURATION_HELP;
use super::format::{self, KeyDoc};
use super::keys::ScenarioKey;

/// A duration string as `parse_duration` reads it.
const DURATION_PATTERN: &str = r"^\s*[0-9]*\.?[0-9]+\s*(ns|us|µs|ms|s|min|m)\s*$";

/// The schema as pretty-printed JSON text, with a final newline.
pub fn schema_text() -> String {
    let text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    format!("{text}\n")
}

pub fn schema() -> Value {
    let mut top = Map::new();
    for doc in &format::TOP {
        top.insert(doc.name.into(), described(top_value(doc.name), doc));
    }
    top.insert(
        "scenario".into(),
        table(
            "values shared by every scenario",
            scenario_properties(false),
        ),
    );
    top.insert(
        "sweep".into(),
        table(
            "lists of values; every combination is one scenario",
            scenario_properties(true),
        ),
    );
    let mut plot = Map::new();
    for doc in &format::PLOT {
        plot.insert(doc.name.into(), described(plot_value(doc.name), doc));
    }
    top.insert("plot".into(), table("how the charts are drawn", plot));
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

fn table(description: &str, properties: Map<String, Value>) -> Value {
    json!({ "description": description, "type": "object", "additionalProperties": false, "properties": properties })
}

/// Adds the key's help and default to its value schema.
fn described(mut value: Value, doc: &KeyDoc) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert("description".into(), doc.help.into());
        if let Some(default) = doc
            .default
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
        {
            map.insert("default".into(), default);
        }
    }
    value
}

fn top_value(name: &str) -> Value {
    match name {
        "name" => json!({ "type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$" }),
        "description" => json!({ "type": "string" }),
        "repeats" => json!({ "type": "integer", "minimum": 1, "maximum": 10000 }),
        "time_scale" => json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1000 }),
        "jobs" => json!({ "type": "integer", "minimum": 1, "maximum": 256 }),
        "warmup" => json!({ "type": "integer", "minimum": 0, "maximum": 100 }),
        "order" => json!({ "type": "string", "enum": RunOrder::NAMES }),
        _ => json!({ "type": "integer", "minimum": 0 }),
    }
}

fn plot_value(name: &str) -> Value {
    match name {
        "x" => {
            json!({ "type": "string", "enum": ScenarioKey::ALL.iter().filter(|k| k.is_count() || k.words().is_none()).map(|k| k.name()).collect::<Vec<_>>() })
        }
        "formats" => {
            json!({ "type": "array", "uniqueItems": true, "items": { "enum": ["png", "svg"] } })
        }
        _ => json!({ "type": "boolean" }),
    }
}

fn scenario_properties(swept: bool) -> Map<String, Value> {
    let mut properties = Map::new();
    for key in ScenarioKey::ALL {
        let doc = key.doc();
        let one = value_schema(key);
        let value = if swept {
            json!({ "type": "array", "minItems": 1, "uniqueItems": true, "items": one, "description": format!("values of `{}`: {}", doc.name, doc.help) })
        } else {
            described(one, &doc)
        };
        properties.insert(doc.name.into(), value);
    }
    properties
}

fn value_schema(key: ScenarioKey) -> Value {
    if let Some(words) = key.words() {
        return json!({ "type": "string", "enum": words });
    }
    if let Some((min, max)) = key.range() {
        return json!({ "type": "integer", "minimum": min, "maximum": max });
    }
    json!({ "$ref": "#/definitions/time" })
}

fn duration() -> Value {
    json!({ "type": "string", "pattern": DURATION_PATTERN, "description": DURATION_HELP })
}

fn time() -> Value {
    let d = json!({ "$ref": "#/definitions/duration" });
    let dist = |name: &str, fields: &[&str]| {
        let mut properties = Map::new();
        properties.insert("dist".into(), json!({ "const": name }));
        for field in fields {
            properties.insert((*field).into(), d.clone());
        }
        let mut required = vec!["dist"];
        required.extend(fields);
        json!({ "type": "object", "additionalProperties": false, "required": required, "properties": properties })
    };
    json!({
        "description": "a duration such as \"250ms\", or a distribution table",
        "oneOf": [
            d.clone(),
            dist("exp", &["mean"]),
            dist("uniform", &["low", "high"]),
            dist("normal", &["mean", "sd"]),
        ]
    })
}
