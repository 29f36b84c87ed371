//! `experiment.toml`: the experiment file as it was run, so the folder explains itself and
//! `queuelab plot` can redraw it.

use super::{Output, RenderError, Results};

pub struct ExperimentToml;

impl Output for ExperimentToml {
    fn is_record(&self) -> bool {
        true
    }

    fn file_name(&self, _: &Results) -> String {
        "experiment.toml".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        Ok(results.experiment.source.as_bytes().to_vec())
    }
}
