//! `experiment.toml`: the experiment file as it was run, so the folder explains itself and
//! `queuelab plot` can redraw it.

use std::path::Path;

use super::{Output, Results, write_bytes};

pub struct ExperimentToml;

impl Output for ExperimentToml {
    fn is_record(&self) -> bool {
        true
    }

    fn file_name(&self, _: &Results) -> String {
        "experiment.toml".to_string()
    }

    fn write(&self, results: &Results, path: &Path) -> Result<(), String> {
        write_bytes(path, results.experiment.source.as_bytes())
    }
}
