//! `meta.json`: how the results were made (settings, fingerprint, environment), for tools
//! and for `queuelab plot` to redraw the report.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Output, RenderError, Results, json_bytes};
use crate::environment::Environment;

pub struct MetaJson;

/// The contents of `meta.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Meta {
    pub experiment: String,
    pub experiment_hash: String,
    pub source: String,
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
            source: results.source.name().to_string(),
            repeats: e.repeats,
            time_scale: e.time_scale,
            seed: e.seed,
            environment: environment.clone(),
        };
        json_bytes(&meta)
    }
}

/// Reads `meta.json` back; the error names the file.
pub fn read(path: &Path) -> Result<Meta, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a queuelab meta.json: {e}", path.display()))
}
