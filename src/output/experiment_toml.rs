//! `experiment.toml`: the experiment file as it was run, so the folder explains itself and
//! `queuelab plot` can redraw it. When the command line ran it at another time_scale,
//! seed or repeats than the file says, a comment line on top says so: a copy reading
//! `time_scale = 1.0` above runs made at 0.1 would mislead.

use super::{Output, RenderError, Results};
use crate::experiment::Experiment;
use crate::settings::Setting;

pub struct ExperimentToml;

/// How the comment line queuelab puts on top of a copy begins; `strip_header` takes it
/// off again, so the experiment read back is the one that was run, fingerprint and all.
const HEADER: &str = "# queuelab ran this file at ";

impl Output for ExperimentToml {
    fn is_record(&self) -> bool {
        true
    }

    fn file_name(&self, _: &Results) -> String {
        "experiment.toml".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let e = results.experiment;
        let mut text = String::new();
        if let Some(overridden) = overridden(e) {
            text.push_str(&format!(
                "{HEADER}{overridden} (the command line overrode the file below)\n"
            ));
        }
        text.push_str(&e.source);
        Ok(text.into_bytes())
    }
}

/// The copy's text without queuelab's comment line: the file as the person wrote it.
pub fn strip_header(text: &str) -> &str {
    match text.strip_prefix(HEADER) {
        Some(rest) => rest.split_once('\n').map_or("", |(_, file)| file),
        None => text,
    }
}

/// Whether the file's text sets `name` (else the experiment is named after its file).
pub fn names_itself(source: &str) -> bool {
    toml::from_str::<toml::Table>(source).is_ok_and(|table| table.contains_key("name"))
}

/// `time_scale`, `seed` and `repeats` as the file's text gives them (or their defaults);
/// `None` if the text cannot be read as TOML.
pub fn as_written(source: &str) -> Option<(f64, u64, u32)> {
    let table: toml::Table = toml::from_str(source).ok()?;
    let default = |setting: Setting| setting.spec().default.unwrap_or_default();
    let time_scale = match table.get("time_scale") {
        Some(v) => v.as_float().or(v.as_integer().map(|i| i as f64))?,
        None => default(Setting::TimeScale).parse().ok()?,
    };
    let seed = match table.get("seed") {
        Some(v) => u64::try_from(v.as_integer()?).ok()?,
        None => default(Setting::Seed).parse().ok()?,
    };
    let repeats = match table.get("repeats") {
        Some(v) => u32::try_from(v.as_integer()?).ok()?,
        None => default(Setting::Repeats).parse().ok()?,
    };
    Some((time_scale, seed, repeats))
}

/// The settings `experiment` ran at that differ from its file's, as `time_scale 0.2,
/// seed 7`; `None` when it ran as written.
pub fn overridden(experiment: &Experiment) -> Option<String> {
    let (time_scale, seed, repeats) = as_written(&experiment.source)?;
    let mut differ = Vec::new();
    if experiment.time_scale != time_scale {
        differ.push(format!("time_scale {}", experiment.time_scale));
    }
    if experiment.seed != seed {
        differ.push(format!("seed {}", experiment.seed));
    }
    if experiment.repeats != repeats {
        differ.push(format!("repeats {}", experiment.repeats));
    }
    (!differ.is_empty()).then(|| differ.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_comes_off_and_only_it() {
        let file = "#:schema ./experiment.schema.json\nname = \"x\"\n";
        assert_eq!(strip_header(file), file);
        let copy = format!("{HEADER}time_scale 0.2 (...)\n{file}");
        assert_eq!(strip_header(&copy), file);
    }

    #[test]
    fn settings_as_written_with_defaults() {
        assert_eq!(as_written("name = \"x\"\n"), Some((1.0, 42, 3)));
        assert_eq!(
            as_written("time_scale = 2\nseed = 7\nrepeats = 5\n"),
            Some((2.0, 7, 5))
        );
        assert_eq!(as_written("time_scale = 0.5\n"), Some((0.5, 42, 3)));
    }
}
