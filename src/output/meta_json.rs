//! `meta.json`: how the results were made (settings, fingerprint, environment), for tools
//! and for `queuelab plot` to redraw the report.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Output, RenderError, Results, json_bytes};
use crate::environment::Environment;
use crate::record::Source;
use crate::regular_file;
use crate::settings::{Setting, is_time_scale};

pub struct MetaJson;

/// The contents of `meta.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Meta {
    pub experiment: String,
    pub experiment_hash: String,
    /// `"measured"` or `"model"`, as `runs.csv`'s `source` column.
    #[serde(with = "source_word")]
    pub source: Source,
    pub repeats: u32,
    pub time_scale: f64,
    pub seed: u64,
    pub environment: Environment,
}

impl Output for MetaJson {
    fn is_record(&self) -> bool {
        true
    }

    fn wanted(&self, results: &Results) -> bool {
        results.environment.is_some()
    }

    fn file_name(&self, _: &Results) -> String {
        "meta.json".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let Some(environment) = results.environment else {
            return Err(RenderError("meta.json needs the environment".to_string()));
        };
        let e = results.experiment;
        let meta = Meta {
            experiment: e.name.clone(),
            experiment_hash: e.fingerprint(),
            source: results.source,
            repeats: e.repeats,
            time_scale: e.time_scale,
            seed: e.seed,
            environment: environment.clone(),
        };
        json_bytes(&meta)
    }
}

/// A `meta.json` is a few KiB; anything far larger is not one queuelab wrote.
const MAX_META_BYTES: u64 = 1024 * 1024;

/// Reads `meta.json` back and checks its settings are ones queuelab could have run
/// with; an error names the file, the line and column (as an editor counts) and the key.
pub fn read(path: &Path) -> Result<Meta, String> {
    let text = regular_file::read_text(path, MAX_META_BYTES)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    parse(path, &text)
}

/// As `read`, from the file's text; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<Meta, String> {
    // A byte order mark an editor added, as runs.csv and experiment files may have.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let refuse = |key: &str, message: String| {
        let (line, column) = key_position(text, key);
        Err(format!(
            "{}:{line}:{column}: `{key}`: {message}",
            path.display()
        ))
    };
    let meta: Meta = match serde_json::from_str(text) {
        Ok(meta) => meta,
        Err(e) => {
            // A wrong source's word is told at its key, as the other keys are.
            let source = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("source")?.as_str().map(str::to_string));
            if let Some(Err(why)) = source.map(|word| Source::read(&word)) {
                return refuse("source", why);
            }
            return Err(format!(
                "{}:{}:{}: not a queuelab meta.json: {e}",
                path.display(),
                e.line(),
                e.column()
            ));
        }
    };
    if !is_time_scale(meta.time_scale) {
        return refuse(
            "time_scale",
            format!(
                "{} is not a time scale: {}",
                meta.time_scale,
                Setting::TimeScale.spec().accepts.allowed()
            ),
        );
    }
    let (least, most) = crate::settings::REPEATS;
    if !(least..=most).contains(&u64::from(meta.repeats)) {
        return refuse(
            "repeats",
            format!(
                "{} is not a count of repeats: {}",
                meta.repeats,
                Setting::Repeats.spec().accepts.allowed()
            ),
        );
    }
    Ok(meta)
}

/// Line and column (1-based, in characters) of `"key"` in `text`, or 1:1.
fn key_position(text: &str, key: &str) -> (usize, usize) {
    let Some(at) = text.find(&format!("\"{key}\"")) else {
        return (1, 1);
    };
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// `Source` by its word in `meta.json`: serde's error for a wrong one names the line and
/// column, as every other field's does.
mod source_word {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::record::Source;

    pub fn serialize<S: Serializer>(source: &Source, to: S) -> Result<S::Ok, S::Error> {
        to.serialize_str(source.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Source, D::Error> {
        let word = String::deserialize(from)?;
        Source::read(&word).map_err(serde::de::Error::custom)
    }
}
