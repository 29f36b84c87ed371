//! `queuelab plot DIR --x KEY --y METRIC [--facet KEY]`: one chart of an archive, drawn
//! after the fact from its runs, beside the charts the experiment asked for. Nothing else
//! in the folder is rewritten.

use std::path::PathBuf;

use super::Failure;
use super::archive::{read_archive, refuse_named_twice};
use super::lock::FolderLock;
use crate::output::{Chart, Output, Results, check_view, write_outputs};
use crate::record::Source;

/// The view `plot` draws: its keys and metric as typed, checked against each archive.
pub struct View {
    pub x: String,
    pub y: String,
    pub facet: Option<String>,
}

/// Draws `view` of every folder in `dirs`, in each folder's chart formats.
pub fn plot_view(dirs: &[PathBuf], view: &View) -> Result<String, Failure> {
    refuse_named_twice(dirs)?;
    let _locks: Vec<FolderLock> = dirs
        .iter()
        .filter(|d| d.is_dir())
        .map(|d| FolderLock::take(d))
        .collect::<Result<_, _>>()?;
    let archives = dirs
        .iter()
        .map(|d| read_archive(d))
        .collect::<Result<Vec<_>, _>>()?;
    let mut text = String::new();
    for archive in &archives {
        let experiment = &archive.experiment;
        let (kind, x, facet) = check_view(experiment, &view.x, &view.y, view.facet.as_deref())
            .map_err(|e| Failure::BadInput(format!("{}: {e}", archive.dir.display())))?;
        if experiment.plot.formats.is_empty() {
            return Err(Failure::BadInput(format!(
                "{}: its experiment's `plot.formats` is empty: no chart format to draw in",
                archive.dir.display()
            )));
        }
        let summaries = super::summaries_of(experiment, &archive.runs);
        let results = Results {
            experiment,
            source: archive.source,
            runs: &archive.runs,
            summaries: &summaries,
            environment: None,
        };
        let outputs: Vec<Box<dyn Output>> = experiment
            .plot
            .formats
            .iter()
            .map(|format| {
                Box::new(Chart {
                    kind,
                    format: *format,
                    x: Some(x.clone()),
                    facet: facet.clone(),
                }) as Box<dyn Output>
            })
            .collect();
        if !outputs.iter().any(|o| o.wanted(&results)) {
            let zero_time = experiment
                .scenarios
                .iter()
                .all(|s| s.produce_is_instant() && s.consume_is_instant());
            let why = match (archive.source, zero_time) {
                (Source::Model, true) => {
                    ": the model gives zero-time work no virtual time, so no queue to measure"
                }
                _ => "",
            };
            return Err(Failure::BadInput(format!(
                "{}: no scenario has a value of `{}` to draw{why}",
                archive.dir.display(),
                view.y
            )));
        }
        let written = write_outputs(&archive.dir, &results, &outputs)?;
        for path in written {
            text.push_str(&format!("wrote {}\n", path.display()));
        }
    }
    Ok(text)
}
